/**
 * What each of the lab's processes is told: the variables of docs/configuration.md (for the
 * edge, its template's), and the URL its readiness is probed at. compose.yaml sets the same
 * variables, and tests/e2e/test/compose-native.test.ts holds the two against each other.
 */
import { join } from 'node:path';
import { HOST } from '@orderlab/contracts/topology';
import { inheritedEnv } from './config.js';
import { resolveOptions, type LabOptions, type LabPorts, type LabService, type ResolvedLabOptions } from './lab-options.js';

/** The services started with the tracing hook (`node --import …/tracing/register.js`); traffic plays an external client. */
export const TRACED_SERVICES: readonly LabService[] = ['orders', 'fulfillment', 'notifications', 'gateway'];

/**
 * The tracing variables of a traced service (read by packages/platform/src/tracing/settings.ts):
 * on or off, where to export spans (the Collector's OTLP/HTTP receiver), the environment's name.
 */
function tracingEnv(r: ResolvedLabOptions): Record<string, string> {
  return {
    TRACING_ENABLED: String(r.tracing),
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://${HOST}:${r.ports.otlpHttp}`,
    DEPLOYMENT_ENVIRONMENT: 'lab',
  };
}

/** The lab's own variables for each service, exactly those of docs/configuration.md (the edge: its template's). */
function ownEnv(service: LabService, r: ResolvedLabOptions): Record<string, string> {
  const ordersGrpc = `${HOST}:${r.ports.ordersGrpc}`;
  const own: Record<LabService, Record<string, string>> = {
    orders: {
      GRPC_PORT: String(r.ports.ordersGrpc),
      OPS_PORT: String(r.ports.ordersOps),
      DATABASE_URL: r.databases.orders.url,
      MIGRATE_ON_START: 'false',
      REDIS_URL: r.redisUrl,
      REDIS_KEY_PREFIX: r.redisKeyPrefix,
      RABBITMQ_URL: r.rabbitmqUrl,
    },
    fulfillment: {
      OPS_PORT: String(r.ports.fulfillmentOps),
      DATABASE_URL: r.databases.fulfillment.url,
      MIGRATE_ON_START: 'false',
      REDIS_URL: r.redisUrl,
      REDIS_KEY_PREFIX: r.redisKeyPrefix,
      ORDERS_GRPC_ADDR: ordersGrpc,
      // A stable name (like a StatefulSet pod's) lets a restarted worker take its own pending
      // entries back at once instead of waiting FULFILLMENT_CLAIM_IDLE_MS for XAUTOCLAIM.
      CONSUMER_NAME: 'fulfillment-1',
    },
    notifications: {
      PORT: String(r.ports.notifications),
      DATABASE_URL: r.databases.notifications.url,
      MIGRATE_ON_START: 'false',
      RABBITMQ_URL: r.rabbitmqUrl,
    },
    gateway: {
      PORT: String(r.ports.gateway),
      ORDERS_GRPC_ADDR: ordersGrpc,
    },
    edge: {
      EDGE_LISTEN: `${HOST}:${r.ports.edge}`,
      EDGE_STATUS_LISTEN: `${HOST}:${r.ports.edgeStatus}`,
      GATEWAY_UPSTREAM: `${HOST}:${r.ports.gateway}`,
      NOTIFICATIONS_UPSTREAM: `${HOST}:${r.ports.notifications}`,
      // nginx appends its JSON access lines to the same file the runner appends its stderr to.
      EDGE_ACCESS_LOG: join(r.logsDir, 'edge.log'),
    },
    traffic: {
      PORT: String(r.ports.traffic),
      TARGET_URL: `http://${HOST}:${r.ports.edge}`,
      // The generator is the lab's external client: its requests are not traced by itself (a
      // trace starts at the gateway); the console reads the traces from Jaeger's query API.
      TRACING_ENABLED: 'false',
      TRACES_QUERY_API: 'jaeger',
      TRACES_QUERY_URL: `http://${HOST}:${r.ports.jaegerQuery}`,
      // The console's logs view reads VictoriaLogs' LogsQL API (the native lab's log store).
      LOGS_QUERY_URL: `http://${HOST}:${r.ports.victoriaLogs}`,
    },
  };
  if (service === 'edge') return own.edge;
  const tracing = TRACED_SERVICES.includes(service) ? tracingEnv(r) : {};
  return { LOG_LEVEL: r.logLevel, HOST, ...own[service], ...tracing };
}

/** Environment of each service's process: the runner's own, the lab's variables, then `extra`. */
export function serviceEnv(service: LabService, r: ResolvedLabOptions, extra: LabOptions['env']): Record<string, string> {
  return { ...inheritedEnv(), ...ownEnv(service, r), ...extra?.[service] };
}

/**
 * The variables the native lab sets for a service with these options (default: `npm start`'s),
 * without the inherited environment. For the edge, the values of its template's variables.
 * compose.yaml is checked against it so both ways of running the lab agree.
 */
export function labServiceEnv(service: LabService, options: LabOptions = {}): Record<string, string> {
  const vhost = typeof options.rabbitmqVhost === 'string' ? options.rabbitmqVhost : '/';
  return ownEnv(service, resolveOptions(options, vhost));
}

/** Where a service says it is ready: /readyz on its HTTP port (the edge: its own /healthz). */
export function readyUrl(service: LabService, ports: LabPorts): string {
  if (service === 'edge') return `http://${HOST}:${ports.edge}/healthz`;
  const port = { orders: ports.ordersOps, fulfillment: ports.fulfillmentOps, notifications: ports.notifications, gateway: ports.gateway, traffic: ports.traffic }[service];
  return `http://${HOST}:${port}/readyz`;
}
