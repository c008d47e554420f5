/**
 * What a lab is made of and how it is configured: its services, its ports (the topology's by
 * default, free ones for a test), the options of startLab and their resolved values.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { PORTS } from '@orderlab/contracts/topology';
import { amqpUrl, pgAdminUrl, rabbitmqPrometheusPort, redisUrl } from './config.js';
import { serviceDatabaseUrl, type ServiceDatabase } from './databases.js';
import type { LogOutput } from './log-sink.js';
import { DEFAULT_LOGS_DIR, REPO_ROOT } from './paths.js';
import { freePorts } from './ports.js';
import type { LogRotationOptions } from './log-rotation.js';
import type { TracingPorts } from './lab-tracing.js';

/** The services the lab runs, in start order: the edge (Nginx) fronts gateway and notifications, traffic drives the edge. */
export const LAB_SERVICES = ['orders', 'fulfillment', 'notifications', 'gateway', 'edge', 'traffic'] as const;

/** One of the lab's services. */
export type LabService = (typeof LAB_SERVICES)[number];

/** The services that own a database. */
export type DatabaseService = 'orders' | 'fulfillment' | 'notifications';

/** The services that own a database, in migration order. */
export const DATABASE_SERVICES: readonly DatabaseService[] = ['orders', 'fulfillment', 'notifications'];

/** Every port the lab listens on (the tracing backends' ones too: see TracingPorts). */
export interface LabPorts extends TracingPorts {
  /** Nginx, the only public entry. */
  edge: number;
  /** Nginx stub_status (internal). */
  edgeStatus: number;
  gateway: number;
  ordersGrpc: number;
  ordersOps: number;
  fulfillmentOps: number;
  notifications: number;
  traffic: number;
  /** Prometheus's UI and API. */
  prometheus: number;
  /** nginx-prometheus-exporter (reads the edge's stub_status). */
  edgeExporter: number;
  postgresExporter: number;
  redisExporter: number;
  /** RabbitMQ's rabbitmq_prometheus plugin: the broker's, shared by every lab on this machine. */
  rabbitmqPrometheus: number;
  /** VictoriaLogs: ingestion, LogsQL API and its UI (vmui). */
  victoriaLogs: number;
}

/** The lab's standard ports, from the topology (packages/contracts/src/topology.ts). */
export const DEFAULT_PORTS: Readonly<LabPorts> = {
  edge: PORTS.edge,
  edgeStatus: PORTS.edgeStatus,
  gateway: PORTS.gateway,
  ordersGrpc: PORTS.ordersGrpc,
  ordersOps: PORTS.ordersOps,
  fulfillmentOps: PORTS.fulfillmentOps,
  notifications: PORTS.notifications,
  traffic: PORTS.traffic,
  prometheus: PORTS.prometheus,
  edgeExporter: PORTS.edgeExporter,
  postgresExporter: PORTS.postgresExporter,
  redisExporter: PORTS.redisExporter,
  rabbitmqPrometheus: PORTS.rabbitmqPrometheus,
  otlpGrpc: PORTS.otlpGrpc,
  otlpHttp: PORTS.otlpHttp,
  collectorHealth: PORTS.collectorHealth,
  collectorMetrics: PORTS.collectorMetrics,
  spanMetrics: PORTS.spanMetrics,
  jaegerQuery: PORTS.jaegerQuery,
  jaegerQueryGrpc: PORTS.jaegerQueryGrpc,
  jaegerOtlpGrpc: PORTS.jaegerOtlpGrpc,
  jaegerHealth: PORTS.jaegerHealth,
  jaegerMetrics: PORTS.jaegerMetrics,
  victoriaLogs: PORTS.victoriaLogs,
};

/** Options of startLab; all optional, the defaults are `npm start`'s. */
export interface LabOptions {
  /** Ports to use (default DEFAULT_PORTS). */
  ports?: Partial<LabPorts>;
  /** Database names (default `orders`, `fulfillment`, `notifications`); roles keep the service's name. */
  databases?: Partial<Record<DatabaseService, string>>;
  /** REDIS_KEY_PREFIX of orders and fulfillment (default empty). */
  redisKeyPrefix?: string;
  /**
   * RabbitMQ vhost of orders and notifications (default `/`). `{ create: label }` makes a fresh
   * one with createTestVhost(label) once the ports are known to be free; dispose() deletes it.
   */
  rabbitmqVhost?: string | { create: string };
  /** The broker without a vhost (default TEST_AMQP_URL or the topology's DEFAULT_URLS.rabbitmq). */
  amqpUrl?: string;
  /** Run the Nginx edge (default true; needs nginx installed). */
  edge?: boolean;
  /** Run the traffic generator against the edge (default true; needs the edge). */
  traffic?: boolean;
  /**
   * Run Prometheus, scraping every job of docs/metrics.md that runs, with the rules of
   * deploy/prometheus/rules (default: when it is installed; true when it is not is an error).
   */
  prometheus?: boolean;
  /** With Prometheus, also run the installed Postgres, Redis and Nginx exporters and enable RabbitMQ's plugin (default true). */
  exporters?: boolean;
  /** Prometheus's storage (default .lab/prometheus in the repository). */
  prometheusDataDir?: string;
  /**
   * Trace the services (TRACING_ENABLED=true, spans to the Collector) and run the OpenTelemetry
   * Collector and Jaeger, installed in the background when not built yet (default true; false:
   * TRACING_ENABLED=false and neither runs, for a before/after comparison).
   */
  tracing?: boolean;
  /**
   * Ship the services' log lines and the edge's access log to VictoriaLogs (the Collector's
   * logs pipeline) and run VictoriaLogs, installed in the background when not built yet
   * (default true; needs tracing, whose Collector ships them).
   */
  logs?: boolean;
  /** VictoriaLogs' data and the Collector's read offsets (default .lab/logs-data in the repository). */
  logsDataDir?: string;
  /** Size-based rotation of the lab's log files (default DEFAULT_LOG_ROTATION of log-rotation.ts). */
  logRotation?: Partial<LogRotationOptions>;
  /** Jaeger's max_traces (default JAEGER_MAX_TRACES of lab-tracing.ts). */
  jaegerMaxTraces?: number;
  /** The tool cache the Collector and Jaeger are built into (default toolCacheDir()). */
  toolCacheDir?: string;
  /** Extra environment per service; wins over what the lab sets. */
  env?: Partial<Record<LabService, Record<string, string>>>;
  /** LOG_LEVEL of every service (default info). */
  logLevel?: string;
  /** Where <service>.log and lab.log go (default .lab/logs in the repository). */
  logsDir?: string;
  /** How service lines show on the terminal (default pretty on a TTY, else none). */
  output?: LogOutput;
  /** Print the runner's own progress lines (default true). */
  print?: boolean;
  /** Colour on the terminal (default: stdout is a TTY). */
  color?: boolean;
  /** Called with each child's name, pid and a string its command line contains, whenever one is spawned (restarts too). */
  onSpawn?: (name: string, pid: number, marker: string) => void;
  /** Run `cli.js seed` for orders after migrating (default true). */
  seed?: boolean;
  /** Deadline for every service to be ready (default 60 s). */
  readyTimeoutMs?: number;
  /** Deadline per service after SIGTERM in stop() (default 11 s; the whole lab is killed 13 s after stop()). */
  stopTimeoutMs?: number;
  /** Restart backoff (default 250 ms doubling to 15 s). */
  restartDelayMs?: { initial: number; max: number };
  /** Postgres superuser URL (default TEST_PG_ADMIN_URL or the topology's DEFAULT_URLS.postgresAdmin). */
  pgAdminUrl?: string;
  /** Redis URL of the services (default TEST_REDIS_URL or the topology's DEFAULT_URLS.redis). */
  redisUrl?: string;
  /**
   * Throwaway lab (tests): when start-up fails, its databases, Redis keys and created vhost are
   * removed before the error is thrown, and dispose() also deletes its log folder.
   */
  ephemeral?: boolean;
}

/** The options with every default filled in, once the vhost is known. */
export interface ResolvedLabOptions {
  ports: LabPorts;
  databases: Record<DatabaseService, ServiceDatabase & { url: string }>;
  redisKeyPrefix: string;
  redisUrl: string;
  rabbitmqUrl: string;
  pgAdminUrl: string;
  logsDir: string;
  output: LogOutput;
  color: boolean;
  logLevel: string;
  /** Whether the services are traced and the tracing backends run. */
  tracing: boolean;
  /** Whether the Collector ships the log files to VictoriaLogs, which runs (needs tracing). */
  logs: boolean;
}

/** Each service's role and password: its own name, as deploy/postgres/initdb creates them for Compose. */
const ROLES: Record<DatabaseService, { role: string; password: string }> = {
  orders: { role: 'orders', password: 'orders' },
  fulfillment: { role: 'fulfillment', password: 'fulfillment' },
  notifications: { role: 'notifications', password: 'notifications' },
};

/** The lab's ports: the defaults, the broker's own metrics port (the data store's, see data-stores.ts), then the options'. */
export function labPorts(options: LabOptions): LabPorts {
  return { ...DEFAULT_PORTS, rabbitmqPrometheus: rabbitmqPrometheusPort(), ...options.ports };
}

/** The broker URL plus the vhost as its (encoded) path; `/` stays without a path, the client default. */
function vhostUrl(amqpUrl: string, vhost: string): string {
  const base = amqpUrl.replace(/\/+$/, '');
  return vhost === '/' ? base : `${base}/${encodeURIComponent(vhost)}`;
}

/** Fills in every default of `options` for a lab whose RabbitMQ vhost is `vhost`. */
export function resolveOptions(options: LabOptions, vhost: string): ResolvedLabOptions {
  const adminUrl = options.pgAdminUrl ?? pgAdminUrl();
  const db = (service: DatabaseService) => {
    const spec = { name: options.databases?.[service] ?? service, ...ROLES[service] };
    return { ...spec, url: serviceDatabaseUrl(adminUrl, spec) };
  };
  const tty = process.stdout.isTTY === true;
  return {
    ports: labPorts(options),
    databases: { orders: db('orders'), fulfillment: db('fulfillment'), notifications: db('notifications') },
    redisKeyPrefix: options.redisKeyPrefix ?? '',
    redisUrl: options.redisUrl ?? redisUrl(),
    rabbitmqUrl: vhostUrl(options.amqpUrl ?? amqpUrl(), vhost),
    pgAdminUrl: adminUrl,
    logsDir: options.logsDir ?? DEFAULT_LOGS_DIR,
    output: options.output ?? (tty ? 'pretty' : 'none'),
    color: options.color ?? tty,
    logLevel: options.logLevel ?? 'info',
    tracing: options.tracing ?? true,
    logs: (options.logs ?? true) && (options.tracing ?? true),
  };
}

/** Free ports for the tracing backends of a test lab (or a test running them alone). */
export async function freeTracingPorts(): Promise<TracingPorts> {
  const names = ['otlpGrpc', 'otlpHttp', 'collectorHealth', 'collectorMetrics', 'spanMetrics', 'jaegerQuery', 'jaegerQueryGrpc', 'jaegerOtlpGrpc', 'jaegerHealth', 'jaegerMetrics'] as const;
  const ports = await freePorts(names.length);
  return Object.fromEntries(names.map((name, i) => [name, ports[i]])) as unknown as TracingPorts;
}

/** Distinct free ports for a test lab; the broker's metrics port is the same for every lab. */
async function freeLabPorts(): Promise<LabPorts> {
  const [gateway, ordersGrpc, ordersOps, fulfillmentOps, notifications, edge, edgeStatus, traffic, prometheus, edgeExporter, postgresExporter, redisExporter, victoriaLogs] =
    (await freePorts(13)) as [number, number, number, number, number, number, number, number, number, number, number, number, number];
  return {
    edge, edgeStatus, gateway, ordersGrpc, ordersOps, fulfillmentOps, notifications, traffic,
    prometheus, edgeExporter, postgresExporter, redisExporter,
    rabbitmqPrometheus: rabbitmqPrometheusPort(),
    victoriaLogs,
    ...(await freeTracingPorts()),
  };
}

/**
 * Options for a throwaway lab in a test: free ports, no traffic generator, no Prometheus and no
 * tracing (a test that wants them asks; Prometheus's data then lives in the lab's log folder), databases `t_<label>_<id>_orders`,
 * `…_fulfillment` and `…_notifications`, Redis prefix `t:<label>:<id>:`, a fresh RabbitMQ vhost
 * (created by startLab, deleted by dispose), logs in .lab/test-logs/<label>-<id>, nothing
 * printed. Anything in `overrides` wins.
 */
export async function testLabOptions(label: string, overrides: LabOptions = {}): Promise<LabOptions> {
  const slug = label.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 24) || 'lab';
  const id = randomBytes(4).toString('hex');
  const ports = await freeLabPorts();
  const logsDir = join(REPO_ROOT, '.lab', 'test-logs', `${slug}-${id}`);
  return {
    ports,
    databases: { orders: `t_${slug}_${id}_orders`, fulfillment: `t_${slug}_${id}_fulfillment`, notifications: `t_${slug}_${id}_notifications` },
    redisKeyPrefix: `t:${slug}:${id}:`,
    rabbitmqVhost: { create: slug },
    logsDir,
    prometheusDataDir: join(logsDir, 'prometheus-data'),
    logsDataDir: join(logsDir, 'logs-data'),
    output: 'none',
    print: false,
    color: false,
    ephemeral: true,
    // Tests count what they send; a test that wants background traffic asks for it.
    traffic: false,
    prometheus: false,
    // Untraced and without the Collector and Jaeger, unless a test asks (then it awaits them: lab.waitTracing).
    tracing: false,
    // Nor the logs pipeline and VictoriaLogs (a test asks, with tracing: lab.waitLogs).
    logs: false,
    ...overrides,
  };
}
