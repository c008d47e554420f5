import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { COMPOSE_HOSTS, PORTS, type PortName } from '@orderlab/contracts/topology';
import { REPO_ROOT } from '@orderlab/lab';

const read = (name: string) => readFileSync(join(REPO_ROOT, name), 'utf8');

/** Ports the topology names for a Compose host. */
function portsOf(host: string): PortName[] {
  return (Object.keys(PORTS) as PortName[]).filter((name) => COMPOSE_HOSTS[name] === host);
}

describe('the topology (packages/contracts/src/topology.ts)', () => {
  it('is what Compose configures: every port is set in its service, or reached there as host:port', () => {
    const compose = parse(read('compose.yaml'), { merge: true }) as { services: Record<string, unknown> };
    // An exporter listens on its image's default port: the Compose Prometheus config scrapes it there.
    const reached = read('compose.yaml') + read('deploy/prometheus/prometheus.yml');
    // Erlang distribution is internal to the broker's container; Compose never names it.
    const notConfigured = new Set<PortName>(['rabbitmqDist', 'rabbitmqManagement']);
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
});
