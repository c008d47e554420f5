/**
 * Static checks of the Docker Compose lab (compose.yaml, Dockerfile, .env.example, Makefile):
 * there is no Docker engine in CI, so the file is validated by docker-compose itself
 * (`config`), read as YAML for the lab's rules, and compared with the native runner, so that
 * `docker compose up` and `npm start` run the same services with the same settings.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { DATABASE_SERVICES, DEFAULT_PORTS, LAB_SERVICES, REPO_ROOT, labServiceEnv, type LabService } from '@orderlab/lab';

interface ComposeService {
  profiles?: string[];
  image?: string;
  build?: { context?: string; dockerfile?: string } | string;
  command?: string[] | string;
  user?: string;
  init?: boolean;
  restart?: string;
  stop_grace_period?: string;
  environment?: Record<string, string | number | boolean | null>;
  ports?: (string | { published?: string | number; target?: number; host_ip?: string })[];
  healthcheck?: { test?: string[] | string; disable?: boolean };
  entrypoint?: string[] | string;
  depends_on?: Record<string, { condition?: string }> | string[];
  deploy?: { resources?: { limits?: { cpus?: string | number; memory?: string } } };
  volumes?: (string | { source?: string; target?: string })[];
}

interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

const INFRA = ['postgres', 'redis', 'rabbitmq'] as const;
/** The metrics profile: Prometheus, Grafana and the exporters of docs/metrics.md's scrape targets. */
const METRICS_SERVICES = ['prometheus', 'grafana', 'edge-exporter', 'postgres-exporter', 'redis-exporter'] as const;
/**
 * Containers whose image has nothing a health check could run (FROM scratch: no shell, no
 * wget), each with where its health shows instead. Nothing may wait for them to be healthy.
 */
const NO_HEALTHCHECK: Record<string, string> = { 'edge-exporter': 'up{job="edge"} and nginx_up in Prometheus' };
/** Published UIs and their container port (= the default host port). */
const UI_PORTS = { prometheus: 9090, grafana: 3000 } as const;
const NODE_SERVICES = ['orders', 'fulfillment', 'notifications', 'gateway', 'traffic'] as const;
/** Variables the nginx image itself reads (its entrypoint), not the edge template's. */
const NGINX_IMAGE_VARIABLES = ['NGINX_ENVSUBST_FILTER', 'NGINX_ENTRYPOINT_WORKER_PROCESSES_AUTOTUNE'];
/** Per service: the port its health check and the native lab's readiness probe use. */
const HEALTH_PORTS: Record<Exclude<LabService, 'edge'>, number> = {
  orders: DEFAULT_PORTS.ordersOps,
  fulfillment: DEFAULT_PORTS.fulfillmentOps,
  notifications: DEFAULT_PORTS.notifications,
  gateway: DEFAULT_PORTS.gateway,
  traffic: DEFAULT_PORTS.traffic,
};

const read = (name: string) => readFileSync(join(REPO_ROOT, name), 'utf8');

/** compose.yaml as written (anchors and `<<` merges resolved, `${…}` left as text). */
const raw = parse(read('compose.yaml'), { merge: true }) as ComposeFile;

/**
 * `docker-compose config` with a clean environment and an explicit env file (never a
 * developer's own .env): what Compose itself makes of the file.
 */
function composeConfig(envFile: string, extraArgs: string[] = []): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync('docker-compose', ['-f', 'compose.yaml', '--env-file', envFile, ...extraArgs, 'config'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp' },
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: `${result.stderr}${result.error?.message ?? ''}` };
}

const emptyEnvDir = mkdtempSync(join(tmpdir(), 'orderlab-compose-test-'));
const EMPTY_ENV = join(emptyEnvDir, 'empty.env');
writeFileSync(EMPTY_ENV, '');
process.on('exit', () => rmSync(emptyEnvDir, { recursive: true, force: true }));

let resolved: ComposeFile | undefined;
/** `docker-compose config` parsed (run once): anchors merged, defaults interpolated, paths absolute. */
function resolvedConfig(): ComposeFile {
  if (resolved) return resolved;
  const result = composeConfig(EMPTY_ENV);
  assert.equal(result.status, 0, `docker-compose config failed:\n${result.stderr}`);
  resolved = parse(result.stdout) as ComposeFile;
  return resolved;
}

/** The value of an environment entry as the container sees it. */
const envOf = (service: ComposeService): Record<string, string> =>
  Object.fromEntries(Object.entries(service.environment ?? {}).map(([k, v]) => [k, v === null ? '' : String(v)]));

/** `| \`NAME\` | … |` rows of one `## heading` section of docs/configuration.md: name → default cell. */
function documented(heading: string): Map<string, string> {
  const section = read('docs/configuration.md')
    .split(/^## /m)
    .find((s) => s.startsWith(heading));
  assert.ok(section, `docs/configuration.md has a "## ${heading}" section`);
  return new Map([...section.matchAll(/^\| `([A-Z][A-Z0-9_]+)` \| ([^|]*) \|/gm)].map((m) => [m[1]!, m[2]!.trim()]));
}

/** What the docs' default cell means as a value: `x` → x, *(empty)* → ''. */
function defaultValue(cell: string): string {
  if (cell === '*(empty)*') return '';
  const match = /^`([^`]*)`$/.exec(cell);
  assert.ok(match, `a default cell in backticks: ${cell}`);
  return match[1]!;
}

/** The variables a service reads, from docs/configuration.md (its own section plus the common one). */
function documentedFor(service: LabService): Map<string, string> {
  if (service === 'edge') return documented('edge');
  return new Map([...documented('Common to every service'), ...documented(service)]);
}

/** `${NAME}`, `${NAME:-default}`, `${NAME-default}` … interpolations in a text, with their defaults. */
function interpolations(text: string): Map<string, string | undefined> {
  const found = new Map<string, string | undefined>();
  for (const match of text.replace(/\$\$/g, '').matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?[-?+]([^}]*))?\}/g)) {
    found.set(match[1]!, match[2]);
  }
  return found;
}

/** .env.example: `## section` → variables, active (NAME=value) or commented (# NAME=value), and the "Set in compose.yaml" list. */
function envExample(): Map<string, { vars: Map<string, { value: string; active: boolean }>; setInCompose: string[] }> {
  const sections = new Map<string, { vars: Map<string, { value: string; active: boolean }>; setInCompose: string[] }>();
  let current: { vars: Map<string, { value: string; active: boolean }>; setInCompose: string[] } | undefined;
  for (const line of read('.env.example').split('\n')) {
    const heading = /^## (.+)$/.exec(line);
    if (heading) {
      current = { vars: new Map(), setInCompose: [] };
      sections.set(heading[1]!.trim(), current);
      continue;
    }
    const setIn = /^# Set in compose\.yaml: (.+)$/.exec(line);
    if (setIn && current) current.setInCompose = setIn[1]!.split(',').map((s) => s.trim());
    const variable = /^(# )?([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (variable) {
      assert.ok(current, `.env.example: ${line} comes after a "## section" line`);
      current.vars.set(variable[2]!, { value: variable[3]!, active: variable[1] === undefined });
    }
  }
  return sections;
}

/** The port a healthcheck probes on 127.0.0.1. */
function healthPort(service: ComposeService): number {
  const test = service.healthcheck?.test;
  const text = Array.isArray(test) ? test.join(' ') : (test ?? '');
  const match = /http:\/\/127\.0\.0\.1:(\d+)\//.exec(text);
  assert.ok(match, `a health check probing http://127.0.0.1:<port>/: ${text}`);
  return Number(match[1]);
}

describe('compose.yaml', () => {
  it('is valid for docker-compose, on its own and with every planned profile', () => {
    for (const profile of [undefined, 'metrics', 'logs', 'tracing', 'kafka', 'auth', 'cicd', 'full']) {
      const result = composeConfig(EMPTY_ENV, profile ? ['--profile', profile] : []);
      assert.equal(result.status, 0, `docker-compose ${profile ? `--profile ${profile} ` : ''}config failed:\n${result.stderr}`);
    }
  });

  it('runs every service of the native lab, the three backing stores and the migrate job, and nothing else, without a profile', () => {
    const core = Object.entries(resolvedConfig().services).filter(([, s]) => s.profiles === undefined);
    assert.deepEqual(core.map(([name]) => name).sort(), [...LAB_SERVICES, ...INFRA, 'migrate'].sort());
  });

  it('adds Prometheus, Grafana and the exporters with the metrics profile (and with full), and nothing else', () => {
    const profiled = Object.entries(resolvedConfig().services).filter(([, s]) => s.profiles !== undefined);
    assert.deepEqual(profiled.map(([name]) => name).sort(), [...METRICS_SERVICES].sort());
    for (const [name, service] of profiled) assert.deepEqual([...service.profiles!].sort(), ['full', 'metrics'], name);
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
    for (const name of NODE_SERVICES) {
      assert.deepEqual(services[name]!.command, ['node', `services/${name}/dist/src/main.js`], `${name} runs its own main.js`);
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

  it('runs every container as a non-root user', () => {
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
  });
});

describe('compose.yaml, metrics profile', () => {
  const services = new Proxy<Record<string, ComposeService>>({}, { get: (_, name: string) => resolvedConfig().services[name] });
  const mounts = (name: string) => (services[name]!.volumes ?? []).map(String);
  const command = (name: string) => {
    const value = services[name]!.command;
    return Array.isArray(value) ? value : [];
  };

  it('runs a service for every Compose scrape target of docs/metrics.md, on the documented port', () => {
    const targets = [...read('docs/metrics.md').matchAll(/^\| `[a-z-]+` \| [^|]* \| ([^|]+) \|/gm)].flatMap((m) => [...m[1]!.matchAll(/([a-z-]+):(\d+)/g)].map((t) => ({ host: t[1]!, port: Number(t[2]) })));
    assert.ok(targets.length >= 10, `docs/metrics.md lists the Compose targets (found ${targets.length})`);
    for (const { host } of targets) assert.ok(services[host], `${host} (a scrape target in docs/metrics.md) is a Compose service`);
    const exporterPorts: Record<string, number> = { 'edge-exporter': 9113, 'postgres-exporter': 9187, 'redis-exporter': 9121, prometheus: 9090 };
    for (const [host, port] of Object.entries(exporterPorts)) {
      assert.ok(targets.some((t) => t.host === host && t.port === port), `docs/metrics.md scrapes ${host}:${port}`);
      if (host !== 'edge-exporter') assert.match(JSON.stringify(services[host]!.healthcheck!.test), new RegExp(`127\\.0\\.0\\.1:${port}/`), `${host}'s health check probes the port Prometheus scrapes`);
    }
  });

  it('points each exporter at the service it reads', () => {
    assert.deepEqual(command('edge-exporter'), [`--nginx.scrape-uri=http://edge:${DEFAULT_PORTS.edgeStatus}/stub_status`], 'the edge’s stub_status listener (EDGE_STATUS_LISTEN)');
    assert.equal(envOf(services.edge!).EDGE_STATUS_LISTEN, String(DEFAULT_PORTS.edgeStatus));
    const dsn = new URL(envOf(services['postgres-exporter']!).DATA_SOURCE_NAME!);
    assert.equal(dsn.host, 'postgres:5432');
    assert.equal(dsn.password, envOf(services.postgres!).POSTGRES_PASSWORD, 'the exporter logs in with the server’s password');
    assert.equal(envOf(services['redis-exporter']!).REDIS_ADDR, 'redis://redis:6379');
  });

  it('gives Prometheus the lab’s configuration and rules, read-only, and a bounded store', () => {
    assert.ok(mounts('prometheus').some((v) => v.endsWith('/deploy/prometheus:/etc/prometheus:ro')));
    assert.ok(command('prometheus').includes('--config.file=/etc/prometheus/prometheus.yml'));
    assert.ok(command('prometheus').includes('--storage.tsdb.path=/prometheus'));
    assert.ok(command('prometheus').some((c) => c.startsWith('--storage.tsdb.retention.')), 'retention is bounded');
    const config = parse(read('deploy/prometheus/prometheus.yml')) as { scrape_configs: { job_name: string; static_configs?: { targets: string[] }[] }[] };
    const targets = config.scrape_configs.flatMap((job) => (job.static_configs ?? []).flatMap((c) => c.targets));
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

describe('compose.yaml agrees with the native lab (npm start)', () => {
  const services = new Proxy<Record<string, ComposeService>>({}, { get: (_, name: string) => resolvedConfig().services[name] });
  /** Values that name a host: in Compose the service's name instead of 127.0.0.1. */
  const HOST_SPECIFIC = new Set(['HOST', 'DATABASE_URL', 'REDIS_URL', 'RABBITMQ_URL', 'ORDERS_GRPC_ADDR', 'TARGET_URL', 'GATEWAY_UPSTREAM', 'NOTIFICATIONS_UPSTREAM', 'EDGE_LISTEN', 'EDGE_STATUS_LISTEN', 'EDGE_ACCESS_LOG']);

  for (const service of LAB_SERVICES) {
    it(`sets every variable the native lab sets for ${service}, with the same values where no host is involved`, () => {
      const native = labServiceEnv(service);
      const compose = envOf(services[service]!);
      for (const [name, value] of Object.entries(native)) {
        assert.ok(name in compose, `${service}: ${name} is set in compose.yaml`);
        if (!HOST_SPECIFIC.has(name)) assert.equal(compose[name], value, `${service} ${name}`);
      }
    });

    it(`sets only variables docs/configuration.md documents for ${service}`, () => {
      const docs = documentedFor(service);
      for (const name of Object.keys(envOf(services[service]!))) {
        if (service === 'edge' && NGINX_IMAGE_VARIABLES.includes(name)) continue;
        assert.ok(docs.has(name), `${service}: ${name} is documented`);
      }
    });
  }

  it('points every address at the Compose service that serves it, on the native ports', () => {
    const env = (name: LabService) => envOf(services[name]!);
    assert.equal(env('orders').GRPC_PORT, String(DEFAULT_PORTS.ordersGrpc));
    for (const name of ['fulfillment', 'gateway'] as const) assert.equal(env(name).ORDERS_GRPC_ADDR, `orders:${DEFAULT_PORTS.ordersGrpc}`, name);
    for (const name of DATABASE_SERVICES) {
      const url = new URL(env(name).DATABASE_URL!);
      assert.equal(`${url.hostname}:${url.port}${url.pathname}`, `postgres:5432/${name}`, `${name} uses its own database`);
      assert.equal(url.username, name, `${name} connects with its own role`);
    }
    for (const name of ['orders', 'fulfillment'] as const) assert.equal(env(name).REDIS_URL, 'redis://redis:6379', name);
    assert.equal(env('orders').REDIS_KEY_PREFIX, env('fulfillment').REDIS_KEY_PREFIX, 'orders and fulfillment share the stream');
    for (const name of ['orders', 'notifications'] as const) assert.equal(new URL(env(name).RABBITMQ_URL!).host, 'rabbitmq:5672', name);
    assert.equal(env('orders').RABBITMQ_URL, env('notifications').RABBITMQ_URL, 'one broker and vhost for the events');
    for (const name of NODE_SERVICES) assert.equal(env(name).HOST, '0.0.0.0', `${name} listens beyond the container's loopback`);
    assert.equal(env('traffic').TARGET_URL, `http://edge:${DEFAULT_PORTS.edge}`);
    assert.deepEqual(
      { EDGE_LISTEN: env('edge').EDGE_LISTEN, EDGE_STATUS_LISTEN: env('edge').EDGE_STATUS_LISTEN, GATEWAY_UPSTREAM: env('edge').GATEWAY_UPSTREAM, NOTIFICATIONS_UPSTREAM: env('edge').NOTIFICATIONS_UPSTREAM, EDGE_ACCESS_LOG: env('edge').EDGE_ACCESS_LOG },
      {
        EDGE_LISTEN: String(DEFAULT_PORTS.edge),
        EDGE_STATUS_LISTEN: String(DEFAULT_PORTS.edgeStatus),
        GATEWAY_UPSTREAM: `gateway:${DEFAULT_PORTS.gateway}`,
        NOTIFICATIONS_UPSTREAM: `notifications:${DEFAULT_PORTS.notifications}`,
        EDGE_ACCESS_LOG: '/dev/stdout',
      },
    );
  });

  it('health-checks each service on the port the native lab probes', () => {
    for (const [name, port] of Object.entries(HEALTH_PORTS)) {
      assert.equal(healthPort(services[name]!), port, name);
      assert.match(JSON.stringify(services[name]!.healthcheck!.test), /\/readyz/, `${name}: readiness, not just liveness`);
    }
    assert.equal(healthPort(services.edge!), DEFAULT_PORTS.edge);
  });

  it('renders the edge template with only its own variables, so nginx variables like $uri survive', () => {
    const filter = new RegExp(envOf(services.edge!).NGINX_ENVSUBST_FILTER!);
    const template = read('deploy/nginx/templates/default.conf.template');
    const used = [...interpolations(template).keys()];
    assert.deepEqual(used.sort(), Object.keys(labServiceEnv('edge')).sort(), 'the template uses exactly the native edge variables');
    for (const name of used) assert.match(name, filter, `${name} is substituted`);
    for (const name of ['PATH', 'HOME', 'HOSTNAME', 'NGINX_VERSION']) assert.doesNotMatch(name, filter, `${name} is left alone`);
  });

  it('migrates every database with its service’s own URL and seeds orders, before any service starts', () => {
    const migrate = services.migrate!;
    const script = (migrate.command as string[]).join(' ').replace(/\$\$/g, '$');
    const env = envOf(migrate);
    for (const name of DATABASE_SERVICES) {
      const variable = `${name.toUpperCase()}_DATABASE_URL`;
      assert.equal(env[variable], envOf(services[name]!).DATABASE_URL, `${variable} is ${name}'s DATABASE_URL`);
      assert.ok(script.includes(`DATABASE_URL="$${variable}" node services/${name}/dist/src/cli.js migrate`), `${name} is migrated`);
      assert.equal(envOf(services[name]!).MIGRATE_ON_START, 'false', `${name} leaves migrations to the job`);
    }
    assert.ok(script.includes('DATABASE_URL="$ORDERS_DATABASE_URL" node services/orders/dist/src/cli.js seed'), 'orders is seeded');
    assert.ok(script.indexOf('orders/dist/src/cli.js migrate') < script.indexOf('orders/dist/src/cli.js seed'), 'seed runs after migrate');
    assert.match(String((migrate.command as string[])[1]), /e/, 'the shell stops at the first failing step (sh -e)');
  });

  it('creates the same database roles and owners as the native runner', () => {
    const sql = read('deploy/postgres/initdb/10-service-databases.sql');
    for (const name of DATABASE_SERVICES) {
      const url = new URL(envOf(services[name]!).DATABASE_URL!);
      assert.match(sql, new RegExp(`CREATE ROLE ${name} WITH LOGIN PASSWORD '${url.password}';`), `${name}'s role logs in with the password its URL uses`);
      assert.match(sql, new RegExp(`CREATE DATABASE ${name} OWNER ${name};`), `${name} owns its database`);
    }
  });
});

describe('.env.example', () => {
  const sections = envExample();

  it('lists every variable compose.yaml interpolates, with the default compose.yaml uses', () => {
    const used = interpolations(read('compose.yaml').replace(/^\s*#.*$/gm, ''));
    const listed = new Map([...sections.values()].flatMap((s) => [...s.vars].filter(([, v]) => v.active).map(([k, v]) => [k, v.value] as const)));
    assert.ok(used.size > 0);
    for (const [name, fallback] of used) {
      assert.ok(listed.has(name), `${name} (interpolated by compose.yaml) is in .env.example`);
      assert.equal(listed.get(name), fallback ?? '', `${name}: .env.example shows compose.yaml's default`);
    }
    for (const name of listed.keys()) {
      assert.ok(used.has(name) || name === 'COMPOSE_PROJECT_NAME', `${name} is active in .env.example, so compose.yaml must read it`);
    }
  });

  it('changes nothing when copied to .env as it is', () => {
    const withExample = composeConfig(join(REPO_ROOT, '.env.example'));
    assert.equal(withExample.status, 0, withExample.stderr);
    const plain = composeConfig(EMPTY_ENV);
    assert.equal(withExample.stdout, plain.stdout);
  });

  it('covers every documented variable once: set in compose.yaml, read from .env, or listed commented out with its default', () => {
    const common = documented('Common to every service');
    const groups: [string, LabService | 'common'][] = [
      ['every service', 'common'],
      ['gateway', 'gateway'],
      ['orders', 'orders'],
      ['fulfillment', 'fulfillment'],
      ['notifications', 'notifications'],
      ['traffic', 'traffic'],
      ['edge', 'edge'],
    ];
    assert.deepEqual([...sections.keys()].sort(), ['compose', 'metrics', ...groups.map(([g]) => g)].sort());
    for (const [group, service] of groups) {
      const section = sections.get(group)!;
      // The common variables come from one anchor; orders stands for every TypeScript service.
      const composeEnv = Object.entries(raw.services[service === 'common' ? 'orders' : service]!.environment ?? {}).map(([k, v]) => [k, String(v)] as const);
      const docs = service === 'common' ? common : service === 'edge' ? documented('edge') : documented(service);
      const own = composeEnv.filter(([name]) => docs.has(name) && (service === 'common' || !common.has(name)));
      const fromEnvFile = own.filter(([name, value]) => value.startsWith(`\${${name}:-`)).map(([name]) => name);
      const fixed = own.map(([name]) => name).filter((name) => !fromEnvFile.includes(name));
      const listed = [...section.vars].filter(([, v]) => !v.active).map(([name]) => name);
      assert.deepEqual([...section.setInCompose].sort(), fixed.sort(), `${group}: the "Set in compose.yaml" line`);
      assert.deepEqual([...section.vars].filter(([, v]) => v.active).map(([name]) => name).sort(), fromEnvFile.sort(), `${group}: the active lines`);
      assert.deepEqual(
        [...fixed, ...fromEnvFile, ...listed].sort(),
        [...docs.keys()].filter((name) => service === 'common' || !common.has(name)).sort(),
        `${group}: every documented variable, once`,
      );
      for (const [name, { value }] of section.vars) assert.equal(value, defaultValue(docs.get(name)!), `${group} ${name}: .env.example shows the default of docs/configuration.md (update .env.example when a default changes)`);
    }
  });
});

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');
  const instructions = dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .filter((l) => /^[A-Z]+\s/.test(l));
  const stages = dockerfile.split(/^FROM /m).slice(1);
  const finalStage = stages.at(-1)!;

  it('builds on Node 24, pinned to a patch release, in every stage that pulls an image', () => {
    const images = instructions.filter((l) => l.startsWith('FROM ')).map((l) => l.split(/\s+/)[1]!);
    const pulled = images.filter((image) => !/^[a-z-]+$/.test(image));
    assert.ok(pulled.length > 0);
    for (const image of pulled) assert.match(image, /^node:24\.\d+\.\d+-[a-z]+-slim$/, image);
  });

  it('runs the final stage as the unprivileged node user, in production mode, with an exec-form command', () => {
    assert.match(finalStage, /^USER node$/m);
    assert.match(finalStage, /^ENV NODE_ENV=production$/m);
    const cmd = finalStage.split('\n').filter((l) => /^(CMD|ENTRYPOINT) /.test(l));
    assert.ok(cmd.length > 0);
    for (const line of cmd) assert.doesNotThrow(() => JSON.parse(line.replace(/^(CMD|ENTRYPOINT) /, '')), `${line} is exec form (a JSON array)`);
  });

  it('installs from the lockfile and ships only production dependencies', () => {
    assert.match(dockerfile, /^COPY package\.json package-lock\.json \.\/$/m);
    assert.match(dockerfile, /npm ci --ignore-scripts/);
    assert.match(dockerfile, /npm ci --omit=dev/);
    for (const service of NODE_SERVICES) assert.match(dockerfile, new RegExp(`-w services/${service}\\b`), `${service}'s dependencies are installed`);
  });

  it("copies every workspace's manifest before npm ci, or npm ci fails", () => {
    const root = JSON.parse(read('package.json')) as { workspaces: string[] };
    const lock = JSON.parse(read('package-lock.json')) as { packages: Record<string, { link?: boolean }> };
    const workspaces = Object.keys(lock.packages).filter((p) => p !== '' && !p.startsWith('node_modules/') && !p.includes('/node_modules/'));
    assert.ok(workspaces.length >= root.workspaces.length);
    for (const dir of workspaces) assert.match(dockerfile, new RegExp(`^COPY ${dir}/package\\.json ${dir}/$`, 'm'), dir);
  });

  it('puts into the runtime what the services read at run time: the compiled code, /proto and the migrations', () => {
    assert.match(finalStage, /^COPY --from=build \/app\/proto proto$/m);
    for (const dir of ['packages/platform', 'packages/contracts', ...NODE_SERVICES.map((s) => `services/${s}`)]) {
      assert.match(finalStage, new RegExp(`^COPY --from=build /app/${dir}/dist/src ${dir}/dist/src$`, 'm'), dir);
    }
    for (const name of DATABASE_SERVICES) {
      assert.match(finalStage, new RegExp(`^COPY --from=build /app/services/${name}/migrations services/${name}/migrations$`, 'm'), name);
    }
  });

  it('keeps host build output and secrets out of the build context', () => {
    const ignored = read('.dockerignore').split('\n').map((l) => l.trim());
    for (const entry of ['**/node_modules', '**/dist', '.git', '.env', '.lab']) assert.ok(ignored.includes(entry), entry);
  });
});

describe('Makefile', () => {
  const make = (...args: string[]) => execFileSync('make', ['--no-print-directory', ...args], { cwd: REPO_ROOT, encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });

  it('runs the documented command for each target', () => {
    const expected: Record<string, string> = {
      up: 'docker compose up -d --build',
      down: 'docker compose down',
      logs: 'docker compose logs -f',
      ps: 'docker compose ps',
      start: 'npm start',
      test: 'npm test',
      bench: 'npm run bench',
      status: 'curl -fsS http://127.0.0.1:8089/status',
      'mode-steady': 'curl -fsS -X POST http://127.0.0.1:8089/mode/steady',
      'mode-burst': 'curl -fsS -X POST http://127.0.0.1:8089/mode/burst',
      'mode-overload': 'curl -fsS -X POST http://127.0.0.1:8089/mode/overload',
      'mode-pause': 'curl -fsS -X POST http://127.0.0.1:8089/mode/pause',
    };
    for (const [target, command] of Object.entries(expected)) assert.equal(make('-n', target).trim(), command, target);
    assert.equal(make('-n', 'mode-burst', 'TRAFFIC_URL=http://10.0.0.5:9000').trim(), 'curl -fsS -X POST http://10.0.0.5:9000/mode/burst');
  });

  it('lists every target with a description by default', () => {
    const help = make();
    for (const target of ['up', 'down', 'logs', 'ps', 'start', 'test', 'bench', 'status', 'mode-steady', 'mode-burst', 'mode-overload', 'mode-pause']) {
      assert.match(help, new RegExp(`^ {2}${target} +\\S`, 'm'), target);
    }
  });

  it('uses the traffic port the native lab and Compose publish', () => {
    assert.match(read('Makefile'), new RegExp(`^TRAFFIC_URL \\?= http://127\\.0\\.0\\.1:${DEFAULT_PORTS.traffic}$`, 'm'));
  });
});
