/**
 * Static checks of compose.yaml itself: valid for docker-compose with every profile, the
 * services it runs, and the rules every container follows (pinned images, limits, health
 * checks, non-root users, start order, published ports, volumes). See compose-helpers.ts.
 */
import assert from 'node:assert/strict';
import { relative } from 'node:path';
import { describe, it } from 'node:test';
import { PORTS } from '@orderlab/contracts/topology';
import { DATABASE_SERVICES, DEFAULT_PORTS, LAB_SERVICES, REPO_ROOT, TRACED_SERVICES, TRACING_REGISTER } from '@orderlab/lab';
import { INFRA, LOGS_SERVICES, NODE_SERVICES, NO_HEALTHCHECK, TRACING_SERVICES, composeConfig, emptyEnvFile, resolvedConfig } from './compose-helpers.js';

/** The metrics profile: Prometheus, Grafana and the exporters of docs/metrics.md's scrape targets. */
const METRICS_SERVICES = ['prometheus', 'grafana', 'edge-exporter', 'postgres-exporter', 'redis-exporter'] as const;
/** Published UIs and their container port (= the default host port). */
const UI_PORTS = { prometheus: PORTS.prometheus, grafana: PORTS.grafana } as const;

describe('compose.yaml', () => {
  it('is valid for docker-compose, on its own and with every planned profile', () => {
    for (const profile of [undefined, 'metrics', 'logs', 'tracing', 'kafka', 'auth', 'cicd', 'full']) {
      const result = composeConfig(emptyEnvFile(), profile ? ['--profile', profile] : []);
      assert.equal(result.status, 0, `docker-compose ${profile ? `--profile ${profile} ` : ''}config failed:\n${result.stderr}`);
    }
  });

  it('runs every service of the native lab, the three backing stores and the migrate job, and nothing else, without a profile', () => {
    const core = Object.entries(resolvedConfig().services).filter(([, s]) => s.profiles === undefined);
    assert.deepEqual(core.map(([name]) => name).sort(), [...LAB_SERVICES, ...INFRA, 'migrate'].sort());
  });

  it('adds Prometheus, Grafana and the exporters with the metrics profile, the Collector and Tempo with tracing, Alloy, Loki and VictoriaLogs with logs (each also with full), and nothing else', () => {
    const profiled = Object.entries(resolvedConfig().services).filter(([, s]) => s.profiles !== undefined);
    assert.deepEqual(profiled.map(([name]) => name).sort(), [...METRICS_SERVICES, ...TRACING_SERVICES, ...LOGS_SERVICES].sort());
    for (const [name, service] of profiled) {
      const profile = (TRACING_SERVICES as readonly string[]).includes(name) ? 'tracing' : (LOGS_SERVICES as readonly string[]).includes(name) ? 'logs' : 'metrics';
      assert.deepEqual([...service.profiles!].sort(), ['full', profile], name);
    }
  });

  it('pins every image to an exact version', () => {
    for (const [name, service] of Object.entries(resolvedConfig().services)) {
      assert.ok(service.image, `${name} names an image`);
      if (service.build) {
        assert.doesNotMatch(service.image, /:latest$|^[^:]+$/, `${name}: our own image has a tag other than latest`);
        continue;
      }
      // x.y.z (vx.y.z for the exporters' own tags), or a digest; Postgres numbers its releases
      // major.minor (17.11 is exact).
      const exact = name === 'postgres' ? /:\d+\.\d+(-[a-z0-9.]+)?$/ : /:v?\d+\.\d+\.\d+(-[a-z0-9.-]+)?$/;
      assert.ok(exact.test(service.image) || /@sha256:[0-9a-f]{64}$/.test(service.image), `${name}: ${service.image} is pinned to an exact version`);
    }
  });

  it('builds every TypeScript service and the migrate job from the one Dockerfile, as one image', () => {
    const services = resolvedConfig().services;
    const built = Object.entries(services).filter(([, s]) => s.build !== undefined);
    assert.deepEqual(built.map(([name]) => name).sort(), [...NODE_SERVICES, 'migrate'].sort());
    assert.equal(new Set(built.map(([, s]) => s.image)).size, 1, 'one image tag for all of them');
    for (const [name, service] of built) {
      assert.ok(typeof service.build === 'object', name);
      assert.equal(service.build.context, REPO_ROOT, `${name} builds from the repository root`);
      assert.equal(service.build.dockerfile ?? 'Dockerfile', 'Dockerfile', name);
    }
    // The image's WORKDIR is /app: the tracing hook at the path the native runner uses, inside it.
    const hook = `/app/${relative(REPO_ROOT, TRACING_REGISTER)}`;
    for (const name of NODE_SERVICES) {
      const traced = (TRACED_SERVICES as readonly string[]).includes(name);
      const command = traced ? ['node', '--import', hook, `services/${name}/dist/src/main.js`] : ['node', `services/${name}/dist/src/main.js`];
      assert.deepEqual(services[name]!.command, command, `${name} runs its own main.js${traced ? ', with the tracing hook first, like the native lab' : ''}`);
      assert.equal(services[name]!.init, true, `${name} runs under an init (signals reach node, zombies are reaped)`);
    }
  });

  it('limits the memory and CPU of every container', () => {
    for (const [name, service] of Object.entries(resolvedConfig().services)) {
      const limits = service.deploy?.resources?.limits;
      assert.match(String(limits?.memory ?? ''), /^\d+[MG]$/, `${name} has a memory limit`);
      assert.ok(Number(limits?.cpus) > 0 && Number(limits?.cpus) <= 2, `${name} has a CPU limit`);
    }
  });

  it('health-checks every long-running container; migrate is a one-shot job that is never restarted', () => {
    for (const [name, service] of Object.entries(resolvedConfig().services)) {
      if (name === 'migrate') {
        assert.equal(service.restart, 'no', 'unless-stopped would run the job again after every exit');
        assert.equal(service.healthcheck, undefined);
        continue;
      }
      assert.equal(service.restart, 'unless-stopped', `${name} restarts after a crash`);
      assert.match(String(service.stop_grace_period ?? ''), /^\d+s$/, `${name} has a stop grace period`);
      // `disable: true`, which docker-compose config spells test: [NONE].
      const disabled = service.healthcheck?.disable === true || JSON.stringify(service.healthcheck?.test) === '["NONE"]';
      if (name in NO_HEALTHCHECK) {
        assert.ok(disabled, `${name}: the exception is written down in compose.yaml`);
        continue;
      }
      assert.ok(service.healthcheck?.test && !disabled, `${name} has a health check`);
    }
  });

  it('runs every container as a non-root user, but Alloy, which reads the Docker socket', () => {
    const expected: Record<string, string> = {
      postgres: 'postgres',
      redis: 'redis',
      rabbitmq: 'rabbitmq',
      edge: 'nginx',
      // Numeric where the image is minimal: busybox's nobody, Grafana's grafana, the exporters' own uids.
      prometheus: '65534:65534',
      grafana: '472',
      'edge-exporter': '1001:1001',
      'postgres-exporter': '65534:65534',
      'redis-exporter': '59000:59000',
      // The Collector's and Tempo's images: their own unprivileged uid.
      'otel-collector': '10001:10001',
      tempo: '10001:10001',
      // Loki's image's loki user; distroless's nonroot user for VictoriaLogs.
      loki: '10001:10001',
      victorialogs: '65532:65532',
      // The one root container: the Docker socket opens to root and the host's docker group,
      // whose id differs per host (compose.yaml says why, and what production does instead).
      alloy: '0:0',
    };
    for (const [name, service] of Object.entries(resolvedConfig().services)) {
      assert.equal(service.user, expected[name] ?? 'node', `${name} runs as its image's unprivileged user`);
    }
  });

  it('starts in dependency order: each service waits for what it connects to being healthy, and for migrate to finish', () => {
    const services = resolvedConfig().services;
    const conditions = (name: string) => {
      const deps = services[name]!.depends_on;
      assert.ok(deps && !Array.isArray(deps), `${name} uses depends_on with conditions`);
      return Object.fromEntries(Object.entries(deps).map(([dep, d]) => [dep, d.condition]));
    };
    assert.deepEqual(conditions('migrate'), { postgres: 'service_healthy' });
    for (const name of DATABASE_SERVICES) assert.equal(conditions(name).migrate, 'service_completed_successfully', name);
    assert.deepEqual(conditions('orders'), { migrate: 'service_completed_successfully', postgres: 'service_healthy', redis: 'service_healthy', rabbitmq: 'service_healthy' });
    assert.equal(conditions('fulfillment').orders, 'service_healthy');
    assert.equal(conditions('fulfillment').redis, 'service_healthy');
    assert.equal(conditions('notifications').rabbitmq, 'service_healthy');
    assert.deepEqual(conditions('gateway'), { orders: 'service_healthy' });
    assert.deepEqual(conditions('edge'), { gateway: 'service_healthy', notifications: 'service_healthy' });
    assert.deepEqual(conditions('traffic'), { edge: 'service_healthy' });
    for (const name of INFRA) assert.equal(services[name]!.depends_on, undefined, `${name} depends on nothing`);
    // The exporters wait for what they read; Grafana for its datasource. Prometheus waits for
    // nothing, so it records the lab coming up.
    assert.deepEqual(conditions('edge-exporter'), { edge: 'service_healthy' });
    assert.deepEqual(conditions('postgres-exporter'), { postgres: 'service_healthy' });
    assert.deepEqual(conditions('redis-exporter'), { redis: 'service_healthy' });
    assert.deepEqual(conditions('grafana'), { prometheus: 'service_healthy' });
    assert.equal(services.prometheus!.depends_on, undefined, 'prometheus depends on nothing');
    // The Collector starts after its trace store; Tempo waits for nothing (Prometheus, where it
    // writes the service graph, is in another profile and may not run).
    assert.deepEqual(conditions('otel-collector'), { tempo: 'service_started' });
    assert.equal(services.tempo!.depends_on, undefined, 'tempo depends on nothing');
    // Alloy starts after its stores; the stores wait for nothing. Logs are optional like tracing.
    assert.deepEqual(conditions('alloy'), { loki: 'service_healthy', victorialogs: 'service_started' });
    assert.equal(services.loki!.depends_on, undefined, 'loki depends on nothing');
    assert.equal(services.victorialogs!.depends_on, undefined, 'victorialogs depends on nothing');
    for (const [name, service] of Object.entries(services)) {
      if ((LOGS_SERVICES as readonly string[]).includes(name)) continue;
      const deps = service.depends_on && !Array.isArray(service.depends_on) ? Object.keys(service.depends_on) : (service.depends_on ?? []);
      for (const dep of LOGS_SERVICES) assert.ok(!deps.includes(dep), `${name} starts without ${dep}`);
    }
    // Tracing is optional: no service of the core or of metrics waits for the tracing profile.
    for (const [name, service] of Object.entries(services)) {
      if ((TRACING_SERVICES as readonly string[]).includes(name)) continue;
      const deps = service.depends_on && !Array.isArray(service.depends_on) ? Object.keys(service.depends_on) : (service.depends_on ?? []);
      for (const dep of TRACING_SERVICES) assert.ok(!deps.includes(dep), `${name} starts without ${dep}`);
    }
    for (const [name, service] of Object.entries(services)) {
      const deps = service.depends_on && !Array.isArray(service.depends_on) ? service.depends_on : {};
      for (const [dep, d] of Object.entries(deps)) {
        if (dep in NO_HEALTHCHECK) assert.notEqual(d.condition, 'service_healthy', `${name} would wait forever for ${dep}, which has no health check`);
      }
    }
  });

  it('publishes only the edge, the traffic page and the Prometheus and Grafana UIs, on loopback, at the native lab ports', () => {
    const published = Object.entries(resolvedConfig().services).filter(([, s]) => (s.ports ?? []).length > 0);
    assert.deepEqual(published.map(([name]) => name).sort(), ['edge', 'grafana', 'prometheus', 'traffic']);
    for (const [name, port] of Object.entries(UI_PORTS)) {
      assert.deepEqual((resolvedConfig().services[name]!.ports ?? []).map(String), [`127.0.0.1:${port}:${port}/tcp`], name);
    }
    const edgePorts = (resolvedConfig().services.edge!.ports ?? []).map(String);
    const trafficPorts = (resolvedConfig().services.traffic!.ports ?? []).map(String);
    assert.deepEqual(edgePorts, [`127.0.0.1:${DEFAULT_PORTS.edge}:${DEFAULT_PORTS.edge}/tcp`]);
    assert.deepEqual(trafficPorts, [`127.0.0.1:${DEFAULT_PORTS.traffic}:${DEFAULT_PORTS.traffic}/tcp`]);
  });

  it('keeps the data of Postgres, Redis and RabbitMQ in named volumes', () => {
    const services = resolvedConfig().services;
    const mounts = (name: string) => (services[name]!.volumes ?? []).map(String);
    assert.ok(mounts('postgres').some((v) => v.startsWith('postgres-data:/var/lib/postgresql/data')));
    assert.ok(mounts('redis').some((v) => v.startsWith('redis-data:/data')));
    assert.ok(mounts('rabbitmq').some((v) => v.startsWith('rabbitmq-data:/var/lib/rabbitmq')));
    assert.ok(mounts('postgres').some((v) => v.endsWith('/deploy/postgres/initdb:/docker-entrypoint-initdb.d:ro')));
    assert.ok(mounts('edge').some((v) => v.endsWith('/deploy/nginx/templates:/etc/nginx/templates:ro')));
    assert.ok(mounts('prometheus').some((v) => v.startsWith('prometheus-data:/prometheus')));
    assert.ok(mounts('grafana').some((v) => v.startsWith('grafana-data:/var/lib/grafana')));
    assert.ok(mounts('tempo').some((v) => v.startsWith('tempo-data:/var/tempo')));
  });
});
