/**
 * Static checks of compose.yaml's metrics profile: Prometheus, Grafana and the exporters, each
 * pointed at what it reads, with the lab's configuration and dashboards. See compose-helpers.ts.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { PORTS, address } from '@orderlab/contracts/topology';
import { DEFAULT_PORTS, REPO_ROOT } from '@orderlab/lab';
import { envOf, read, resolvedServices, scrapeTargets, type ScrapeTargetsConfig } from './compose-helpers.js';

describe('compose.yaml, metrics profile', () => {
  const services = resolvedServices();
  const mounts = (name: string) => (services[name]!.volumes ?? []).map(String);
  const command = (name: string) => {
    const value = services[name]!.command;
    return Array.isArray(value) ? value : [];
  };

  it('runs a service for every Compose scrape target of docs/metrics.md, on the documented port', () => {
    const targets = [...read('docs/metrics.md').matchAll(/^\| `[a-z-]+` \| [^|]* \| ([^|]+) \|/gm)].flatMap((m) => [...m[1]!.matchAll(/([a-z-]+):(\d+)/g)].map((t) => ({ host: t[1]!, port: Number(t[2]) })));
    assert.ok(targets.length >= 10, `docs/metrics.md lists the Compose targets (found ${targets.length})`);
    for (const { host } of targets) assert.ok(services[host], `${host} (a scrape target in docs/metrics.md) is a Compose service`);
    const exporterPorts: Record<string, number> = { 'edge-exporter': PORTS.edgeExporter, 'postgres-exporter': PORTS.postgresExporter, 'redis-exporter': PORTS.redisExporter, prometheus: PORTS.prometheus };
    for (const [host, port] of Object.entries(exporterPorts)) {
      assert.ok(targets.some((t) => t.host === host && t.port === port), `docs/metrics.md scrapes ${host}:${port}`);
      if (host !== 'edge-exporter') assert.match(JSON.stringify(services[host]!.healthcheck!.test), new RegExp(`127\\.0\\.0\\.1:${port}/`), `${host}'s health check probes the port Prometheus scrapes`);
    }
  });

  it('points each exporter at the service it reads', () => {
    assert.deepEqual(command('edge-exporter'), [`--nginx.scrape-uri=http://edge:${DEFAULT_PORTS.edgeStatus}/stub_status`], 'the edge’s stub_status listener (EDGE_STATUS_LISTEN)');
    assert.equal(envOf(services.edge!).EDGE_STATUS_LISTEN, String(DEFAULT_PORTS.edgeStatus));
    const dsn = new URL(envOf(services['postgres-exporter']!).DATA_SOURCE_NAME!);
    assert.equal(dsn.host, address('postgres', 'compose'));
    assert.equal(dsn.password, envOf(services.postgres!).POSTGRES_PASSWORD, 'the exporter logs in with the server’s password');
    assert.equal(envOf(services['redis-exporter']!).REDIS_ADDR, `redis://${address('redis', 'compose')}`);
  });

  it('gives Prometheus the lab’s configuration and rules, read-only, and a bounded store', () => {
    assert.ok(mounts('prometheus').some((v) => v.endsWith('/deploy/prometheus:/etc/prometheus:ro')));
    assert.ok(command('prometheus').includes('--config.file=/etc/prometheus/prometheus.yml'));
    assert.ok(command('prometheus').includes('--storage.tsdb.path=/prometheus'));
    assert.ok(command('prometheus').some((c) => c.startsWith('--storage.tsdb.retention.')), 'retention is bounded');
    const config = parse(read('deploy/prometheus/prometheus.yml')) as { scrape_configs: ScrapeTargetsConfig[] };
    const targets = config.scrape_configs.flatMap(scrapeTargets);
    assert.ok(targets.length >= 10);
    for (const target of targets) assert.ok(services[target.split(':')[0]!], `${target} (scraped by deploy/prometheus/prometheus.yml) is a Compose service`);
  });

  it('provisions Grafana from deploy/grafana: the datasource and the generated dashboards, read-only', () => {
    assert.ok(mounts('grafana').some((v) => v.endsWith('/deploy/grafana/provisioning:/etc/grafana/provisioning:ro')));
    assert.ok(mounts('grafana').some((v) => v.endsWith('/deploy/grafana/dashboards:/etc/grafana/dashboards:ro')));
    const provider = parse(read('deploy/grafana/provisioning/dashboards/dashboards.yml')) as { providers: { options: { path: string } }[] };
    assert.deepEqual(provider.providers.map((p) => p.options.path), ['/etc/grafana/dashboards'], 'the provider reads the mounted folder');
    const home = envOf(services.grafana!).GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH!;
    assert.match(home, /^\/etc\/grafana\/dashboards\/[a-z-]+\.json$/);
    assert.ok(existsSync(join(REPO_ROOT, 'deploy/grafana/dashboards', home.split('/').at(-1)!)), `the home dashboard ${home} exists`);
  });

  it('lets visitors read Grafana without an account, and nobody sign up', () => {
    const env = envOf(services.grafana!);
    assert.equal(env.GF_AUTH_ANONYMOUS_ENABLED, 'true');
    assert.equal(env.GF_AUTH_ANONYMOUS_ORG_ROLE, 'Viewer', 'anonymous visitors cannot edit');
    assert.equal(env.GF_USERS_ALLOW_SIGN_UP, 'false');
    assert.equal(env.GF_SECURITY_ADMIN_PASSWORD, 'admin', 'the admin password defaults to .env.example’s GRAFANA_ADMIN_PASSWORD');
  });
});
