import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { COMPOSE_HOSTS, PORTS, address, type PortName } from '@orderlab/contracts/topology';
import { DEPLOY_CONFIGS, REPO_ROOT, SCRAPE_JOBS, staleDeployConfigs } from '@orderlab/lab';
import { scrapeTargets, type ScrapeTargetsConfig } from './compose-helpers.js';

const read = (name: string) => readFileSync(join(REPO_ROOT, name), 'utf8');

/** The topology's own file, the one place a port number is written in code. */
const TOPOLOGY = 'packages/contracts/src/topology.ts';
/** Folders that hold no source or configuration of the lab: tests, docs, dependencies, build output, state. */
const NOT_SOURCE_DIRS = new Set(['node_modules', 'dist', '.git', '.lab', 'docs', 'test', 'tests']);
/** Files that are code or configuration (the docs and READMEs may repeat a port for the reader). */
const SOURCE_FILE = /\.(ts|mjs|js|cjs|conf|template|ya?ml|json|sql|sh)$|^(Dockerfile|Makefile|\.env\.example|run)$/;

/** Every source and configuration file of the repository, relative to it, except the generated ones. */
function sourceFiles(dir = REPO_ROOT): string[] {
  const generated = new Set(DEPLOY_CONFIGS.map((c) => c.path));
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return NOT_SOURCE_DIRS.has(entry.name) ? [] : sourceFiles(path);
    const file = relative(REPO_ROOT, path);
    const skip = !SOURCE_FILE.test(entry.name) || entry.name.endsWith('.test.ts') || entry.name === 'package-lock.json' || generated.has(file);
    return skip ? [] : [file];
  });
}

/** Ports the topology names for a Compose host. */
function portsOf(host: string): PortName[] {
  return (Object.keys(PORTS) as PortName[]).filter((name) => COMPOSE_HOSTS[name] === host);
}

describe('the topology (packages/contracts/src/topology.ts)', () => {
  it('is what Compose configures: every port is set in its service, or reached there as host:port', () => {
    const compose = parse(read('compose.yaml'), { merge: true }) as { services: Record<string, unknown> };
    // An exporter listens on its image's default port: the Compose Prometheus config scrapes it there.
    const reached = read('compose.yaml') + read('deploy/prometheus/prometheus.yml');
    // Erlang distribution is internal to the broker's container; Compose never names it. Jaeger
    // is the native lab's trace store; Compose runs Tempo instead.
    const notConfigured = new Set<PortName>(['rabbitmqDist', 'rabbitmqManagement', 'jaegerQuery', 'jaegerQueryGrpc', 'jaegerOtlpGrpc', 'jaegerHealth', 'jaegerMetrics']);
    for (const name of Object.keys(PORTS) as PortName[]) {
      if (notConfigured.has(name)) continue;
      const host = COMPOSE_HOSTS[name];
      const service = compose.services[host];
      assert.ok(service, `compose.yaml has a service ${host} (for ${name})`);
      const set = new RegExp(`\\b${PORTS[name]}\\b`).test(JSON.stringify(service));
      assert.ok(set || reached.includes(`${host}:${PORTS[name]}`), `${host} in compose.yaml uses port ${PORTS[name]} (${name})`);
    }
  });

  it('is what the README’s services table says each service listens on', () => {
    const rows = read('README.md')
      .split('\n')
      .map((line) => /^\| `([a-z-]+)` \|.*\| ([^|]+) \|$/.exec(line))
      .filter((m): m is RegExpExecArray => m !== null);
    assert.ok(rows.length >= 6, 'the README has the services table');
    for (const [, service, listens] of rows) {
      const documented = [...(listens ?? '').matchAll(/\b(\d{4,5})\b/g)].map((m) => Number(m[1])).sort();
      const expected = portsOf(service!).map((name) => PORTS[name]).sort();
      assert.deepEqual(documented, expected, `README: ${service} listens on ${expected.join(', ')}`);
    }
  });

  it('is the only place a port number is written, besides compose.yaml (tests, docs and generated files aside)', () => {
    const files = sourceFiles().map((file) => ({ file, text: readFileSync(join(REPO_ROOT, file), 'utf8') }));
    assert.ok(files.some((f) => f.file === TOPOLOGY) && files.some((f) => f.file === 'compose.yaml'));
    for (const [name, port] of Object.entries(PORTS)) {
      const writers = files.filter((f) => new RegExp(`\\b${port}\\b`).test(f.text)).map((f) => f.file);
      const others = writers.filter((file) => file !== TOPOLOGY && file !== 'compose.yaml');
      assert.deepEqual(others, [], `${port} (PORTS.${name}) is written only in ${TOPOLOGY} and compose.yaml; elsewhere read the topology, or generate the file (npm run gen:config)`);
    }
  });

  it('is where the generated files under deploy/ take their addresses from: each is what npm run gen:config writes', () => {
    assert.deepEqual(staleDeployConfigs(), [], 'run npm run gen:config and commit the result');
  });

  it('is what the Compose Prometheus config scrapes: each job at its Compose service’s topology address', () => {
    const config = parse(read('deploy/prometheus/prometheus.yml')) as { scrape_configs: ScrapeTargetsConfig[] };
    const targets = config.scrape_configs.map((c) => ({ job: c.job_name, targets: scrapeTargets(c) }));
    assert.deepEqual(targets, SCRAPE_JOBS.map((j) => ({ job: j.job, targets: [address(j.port, 'compose')] })));
  });

  it('is where Grafana finds Prometheus, Tempo and Loki in Compose', () => {
    const { datasources } = parse(read('deploy/grafana/provisioning/datasources/datasources.yml')) as { datasources: { uid: string; url: string }[] };
    assert.deepEqual(
      datasources.map((d) => [d.uid, d.url]),
      [
        ['prometheus', `http://${address('prometheus', 'compose')}`],
        ['tempo', `http://${address('tempo', 'compose')}`],
        ['loki', `http://${address('loki', 'compose')}`],
      ],
    );
  });
});
