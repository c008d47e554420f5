/**
 * compose.yaml against the native lab (npm start, tools/lab/src/lab-service-env.ts): the same
 * variables with the same values where no host is involved, the addresses of the topology's
 * Compose hosts, the same health ports, edge template, migrations and database roles.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { address } from '@orderlab/contracts/topology';
import { DATABASE_SERVICES, DEFAULT_PORTS, LAB_SERVICES, TRACED_SERVICES, labServiceEnv, type LabService } from '@orderlab/lab';
import { NODE_SERVICES, documentedFor, envOf, interpolations, read, resolvedServices, type ComposeService } from './compose-helpers.js';

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

/** The port a healthcheck probes on 127.0.0.1. */
function healthPort(service: ComposeService): number {
  const test = service.healthcheck?.test;
  const text = Array.isArray(test) ? test.join(' ') : (test ?? '');
  const match = /http:\/\/127\.0\.0\.1:(\d+)\//.exec(text);
  assert.ok(match, `a health check probing http://127.0.0.1:<port>/: ${text}`);
  return Number(match[1]);
}

describe('compose.yaml agrees with the native lab (npm start)', () => {
  const services = resolvedServices();
  /** Values that name a host: in Compose the service's name instead of 127.0.0.1. */
  const HOST_SPECIFIC = new Set([
    'HOST',
    'DATABASE_URL',
    'REDIS_URL',
    'RABBITMQ_URL',
    'ORDERS_GRPC_ADDR',
    'TARGET_URL',
    'GATEWAY_UPSTREAM',
    'NOTIFICATIONS_UPSTREAM',
    'EDGE_LISTEN',
    'EDGE_STATUS_LISTEN',
    'EDGE_ACCESS_LOG',
    'OTEL_EXPORTER_OTLP_ENDPOINT',
    'TRACES_QUERY_URL',
    'LOGS_QUERY_URL',
  ]);
  /** Values that name the lab itself, on purpose different: a trace says which lab it came from. */
  const LAB_SPECIFIC: Record<string, { native: string; compose: string }> = {
    DEPLOYMENT_ENVIRONMENT: { native: 'lab', compose: 'compose' },
    // The trace store the console reads: Jaeger natively, Tempo in Compose.
    TRACES_QUERY_API: { native: 'jaeger', compose: 'tempo' },
  };

  for (const service of LAB_SERVICES) {
    it(`sets every variable the native lab sets for ${service}, with the same values where no host is involved`, () => {
      const native = labServiceEnv(service);
      const compose = envOf(services[service]!);
      for (const [name, value] of Object.entries(native)) {
        assert.ok(name in compose, `${service}: ${name} is set in compose.yaml`);
        const differs = LAB_SPECIFIC[name];
        if (differs) assert.deepEqual({ native: value, compose: compose[name] }, differs, `${service} ${name}`);
        else if (!HOST_SPECIFIC.has(name)) assert.equal(compose[name], value, `${service} ${name}`);
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
      assert.equal(`${url.hostname}:${url.port}${url.pathname}`, `${address('postgres', 'compose')}/${name}`, `${name} uses its own database`);
      assert.equal(url.username, name, `${name} connects with its own role`);
    }
    for (const name of ['orders', 'fulfillment'] as const) assert.equal(env(name).REDIS_URL, `redis://${address('redis', 'compose')}`, name);
    assert.equal(env('orders').REDIS_KEY_PREFIX, env('fulfillment').REDIS_KEY_PREFIX, 'orders and fulfillment share the stream');
    for (const name of ['orders', 'notifications'] as const) assert.equal(new URL(env(name).RABBITMQ_URL!).host, address('rabbitmq', 'compose'), name);
    assert.equal(env('orders').RABBITMQ_URL, env('notifications').RABBITMQ_URL, 'one broker and vhost for the events');
    for (const name of NODE_SERVICES) assert.equal(env(name).HOST, '0.0.0.0', `${name} listens beyond the container's loopback`);
    assert.equal(env('traffic').TARGET_URL, `http://edge:${DEFAULT_PORTS.edge}`);
    for (const name of TRACED_SERVICES) assert.equal(env(name).OTEL_EXPORTER_OTLP_ENDPOINT, `http://${address('otlpHttp', 'compose')}`, `${name} exports its spans to the Collector`);
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
