/**
 * The native lab: creates each service's database and role, migrates and seeds, then runs
 * orders, fulfillment, notifications and gateway as supervised child processes on localhost
 * and waits until every one is ready; then, where installed, the exporters and Prometheus
 * scraping all of it (see prometheus.ts). `npm start` uses it with the defaults; tests use it with
 * free ports, unique database names, a unique Redis key prefix and their own RabbitMQ vhost
 * (see testLabOptions).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { PORTS } from '@orderlab/contracts/topology';
import { createTestVhost } from '@orderlab/platform/testing';
import { amqpUrl, findExecutable, inheritedEnv, pgAdminUrl, rabbitmqPrometheusPort, redisUrl } from './config.js';
import { dropServiceDatabase, ensureServiceDatabase, serviceDatabaseUrl, type ServiceDatabase } from './databases.js';
import { findNginx, nginxArgs, testEdgeConfig, writeEdgeConfig, type EdgeTemplateVars } from './edge.js';
import { LineSplitter, LogSink, tailLines, type LogOutput } from './log-sink.js';
import { DEFAULT_LOGS_DIR, DEFAULT_PROMETHEUS_DATA_DIR, REPO_ROOT, serviceEntry } from './paths.js';
import { assertPortsFree, freePort } from './ports.js';
import {
  EXPORTER_PACKAGES,
  MONITORS,
  checkPrometheusConfig,
  ensureRabbitmqPrometheus,
  exporterCommand,
  nativeScrapeJobs,
  prometheusArgs,
  writePrometheusConfig,
  type Exporter,
  type Monitor,
  type ScrapeSource,
} from './prometheus.js';
import { createReporter, type Reporter } from './reporter.js';
import { NotReadyError, Supervisor, describeExit, type ExitInfo } from './supervisor.js';

/** The services the lab runs, in start order: the edge (Nginx) fronts gateway and notifications, traffic drives the edge. */
export const LAB_SERVICES = ['orders', 'fulfillment', 'notifications', 'gateway', 'edge', 'traffic'] as const;

/** One of the lab's services. */
export type LabService = (typeof LAB_SERVICES)[number];

/** The services that own a database. */
export type DatabaseService = 'orders' | 'fulfillment' | 'notifications';

/** The services that own a database, in migration order. */
export const DATABASE_SERVICES: readonly DatabaseService[] = ['orders', 'fulfillment', 'notifications'];

/** Every port the lab listens on. */
export interface LabPorts {
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
  /** The broker without a vhost (default TEST_AMQP_URL or amqp://guest:guest@127.0.0.1:5672). */
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
  /** Postgres superuser URL (default TEST_PG_ADMIN_URL or postgres@127.0.0.1:5432). */
  pgAdminUrl?: string;
  /** Redis URL of the services (default redis://127.0.0.1:6379). */
  redisUrl?: string;
  /**
   * Throwaway lab (tests): when start-up fails, its databases, Redis keys and created vhost are
   * removed before the error is thrown, and dispose() also deletes its log folder.
   */
  ephemeral?: boolean;
}

/** Where to reach the running lab. */
export interface LabUrls {
  /** The public entry (Nginx), e.g. http://127.0.0.1:8080: /api/v1/… and /docs. */
  edge: string;
  /** Nginx stub_status, e.g. http://127.0.0.1:8088/stub_status (internal). */
  edgeStatus: string;
  /** The traffic generator: status page at /, API at /mode and /status. */
  traffic: string;
  /** Base URL of the gateway itself (behind the edge), e.g. http://127.0.0.1:8081 */
  gateway: string;
  docs: string;
  openapi: string;
  /** host:port of the orders gRPC server. */
  ordersGrpc: string;
  ordersOps: string;
  fulfillmentOps: string;
  /** Base URL of the notifications REST API, e.g. http://127.0.0.1:8084 */
  notifications: string;
  /** Prometheus (UI and /api/v1), e.g. http://127.0.0.1:9090; undefined when it does not run. */
  prometheus?: string;
}

/** The lab's RabbitMQ vhost and the URL its services connect with. */
export interface LabRabbitMq {
  vhost: string;
  /** amqp://…/<vhost>, what RABBITMQ_URL is set to. */
  url: string;
}

/** A running lab, returned by startLab once every service is ready. */
export interface Lab {
  readonly urls: LabUrls;
  readonly ports: LabPorts;
  readonly databases: Record<DatabaseService, { name: string; url: string }>;
  readonly redisKeyPrefix: string;
  readonly redisUrl: string;
  readonly rabbitmq: LabRabbitMq;
  readonly logsDir: string;
  readonly services: Readonly<Record<LabService, Supervisor>>;
  /** The services this lab runs (edge and traffic are optional). */
  readonly enabled: readonly LabService[];
  /** The monitoring processes that run (Prometheus and the exporters found installed). */
  readonly monitors: Readonly<Partial<Record<Monitor, Supervisor>>>;
  /** The jobs Prometheus scrapes (empty without Prometheus). */
  readonly scrapeJobs: readonly string[];
  /** The rendered prometheus.yml, when Prometheus runs. */
  readonly prometheusConfig?: string;
  /** Why parts of the monitoring do not run (a missing exporter, RabbitMQ's plugin), one line each with its fix. */
  readonly monitoringProblems: readonly string[];
  /** Sends a signal (default SIGKILL) and waits for the exit; the service stays down unless autoRestart. */
  kill(service: LabService, signal?: NodeJS.Signals, options?: { autoRestart?: boolean }): Promise<ExitInfo>;
  /** Stops the service gracefully if it runs, starts it again and waits until it is ready. */
  restart(service: LabService): Promise<void>;
  /** Resolves once the service answers 200 on /readyz (e.g. after an automatic restart). */
  waitReady(service: LabService, timeoutMs?: number): Promise<void>;
  /** The JSON lines the service logged so far (this run), parsed. */
  logLines(service: LabService): Record<string, unknown>[];
  /** Path of the service's log file. */
  logFile(service: LabService): string;
  /** SIGTERM to every process in stages (see STOP_STAGES), in parallel within a stage; SIGKILL past the deadlines. Idempotent. */
  stop(): Promise<void>;
  /** Drops the lab's databases (roles are shared and kept). */
  dropDatabases(): Promise<void>;
  /** Deletes every Redis key under the lab's prefix (refuses an empty prefix). */
  deleteRedisKeys(): Promise<void>;
  /** Deletes the lab's RabbitMQ vhost if the lab created it (never `/` or one it was given). */
  deleteVhost(): Promise<void>;
  /** For tests: stop(), dropDatabases(), deleteRedisKeys(), deleteVhost() and, for an ephemeral lab, its log folder. */
  dispose(): Promise<void>;
}

/** Thrown when the lab cannot start; `message` says what to do, `logTail` shows why. */
export class LabStartError extends Error {
  constructor(
    message: string,
    readonly service?: string,
    readonly logTail: string[] = [],
  ) {
    super(message);
    this.name = 'LabStartError';
  }
}

const ROLES: Record<DatabaseService, { role: string; password: string }> = {
  orders: { role: 'orders', password: 'orders' },
  fulfillment: { role: 'fulfillment', password: 'fulfillment' },
  notifications: { role: 'notifications', password: 'notifications' },
};
const TASK_TIMEOUT_MS = 120_000;

/**
 * stop() goes stage by stage, each stage in parallel: first what observes or drives the lab
 * (Prometheus must not record the shutdown as an outage), then the edge, then the services
 * that drain work still calling orders, then orders.
 */
const STOP_STAGES: readonly (readonly (LabService | Monitor)[])[] = [
  ['prometheus', 'edge-exporter', 'postgres-exporter', 'redis-exporter', 'traffic'],
  ['edge'],
  ['gateway', 'notifications', 'fulfillment'],
  ['orders'],
];
/** After this long every process still running is killed: the whole lab is down within 15 s of SIGTERM. */
const LAB_STOP_DEADLINE_MS = 13_000;
/** Per process, SIGKILL this long after SIGTERM (the services give themselves 10 s: SHUTDOWN_TIMEOUT_MS). */
const SERVICE_STOP_TIMEOUT_MS = 11_000;

interface Resolved {
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
}

/** The lab's own variables for each service, exactly those of docs/configuration.md (the edge: its template's). */
function ownEnv(service: LabService, r: Resolved): Record<string, string> {
  const ordersGrpc = `127.0.0.1:${r.ports.ordersGrpc}`;
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
      EDGE_LISTEN: `127.0.0.1:${r.ports.edge}`,
      EDGE_STATUS_LISTEN: `127.0.0.1:${r.ports.edgeStatus}`,
      GATEWAY_UPSTREAM: `127.0.0.1:${r.ports.gateway}`,
      NOTIFICATIONS_UPSTREAM: `127.0.0.1:${r.ports.notifications}`,
      // nginx appends its JSON access lines to the same file the runner appends its stderr to.
      EDGE_ACCESS_LOG: join(r.logsDir, 'edge.log'),
    },
    traffic: {
      PORT: String(r.ports.traffic),
      TARGET_URL: `http://127.0.0.1:${r.ports.edge}`,
    },
  };
  if (service === 'edge') return own.edge;
  return { LOG_LEVEL: r.logLevel, HOST: '127.0.0.1', ...own[service] };
}

/** Environment of each service's process: the runner's own, the lab's variables, then `extra`. */
function serviceEnv(service: LabService, r: Resolved, extra: LabOptions['env']): Record<string, string> {
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

function readyUrl(service: LabService, ports: LabPorts): string {
  if (service === 'edge') return `http://127.0.0.1:${ports.edge}/healthz`;
  const port = { orders: ports.ordersOps, fulfillment: ports.fulfillmentOps, notifications: ports.notifications, gateway: ports.gateway, traffic: ports.traffic }[service];
  return `http://127.0.0.1:${port}/readyz`;
}

/** Keeps the previous run's log as <name>.log.1 so each run's file starts empty but one run back survives. */
function rotate(file: string): void {
  if (existsSync(file)) renameSync(file, `${file}.1`);
}

/** Runs `node services/<service>/dist/src/cli.js <command>` to completion; its output goes to the service's log. */
function runCli(service: DatabaseService, command: string, env: Record<string, string>, sink: LogSink, reporter: Reporter): Promise<void> {
  return new Promise((resolve, reject) => {
    const entry = serviceEntry(service, 'cli.js');
    reporter.info(`${service}: ${command}`);
    const started = Date.now();
    const child = spawn(process.execPath, [entry, command], { env, cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    for (const stream of [child.stdout, child.stderr]) {
      const splitter = new LineSplitter();
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => sink.write(splitter.push(chunk)));
      stream.on('end', () => sink.write(splitter.flush()));
    }
    const timer = setTimeout(() => child.kill('SIGKILL'), TASK_TIMEOUT_MS);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new LabStartError(`${service} ${command} could not run: ${err.message}`, service));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) {
        reporter.info(`${service}: ${command} done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
        resolve();
      } else {
        reject(
          new LabStartError(
            `${service} ${command} failed (${describeExit({ code, signal })}); see ${sink.file}`,
            service,
            tailLines(sink.file, 20),
          ),
        );
      }
    });
  });
}

/** Deletes every key under `prefix` with SCAN + UNLINK (bounded batches). */
async function deleteKeys(redisUrl: string, prefix: string): Promise<void> {
  if (!prefix) throw new Error('refusing to delete Redis keys without a prefix');
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 5_000 });
  redis.on('error', () => {});
  try {
    await redis.connect();
    const pattern = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** amqp://…:5672 plus the vhost as its (encoded) path; `/` stays without a path, the client default. */
function vhostUrl(amqpUrl: string, vhost: string): string {
  const base = amqpUrl.replace(/\/+$/, '');
  return vhost === '/' ? base : `${base}/${encodeURIComponent(vhost)}`;
}

function resolveOptions(options: LabOptions, vhost: string): Resolved {
  // The broker's metrics port is the data store's (see data-stores.ts), not the lab's to choose.
  const ports = { ...DEFAULT_PORTS, rabbitmqPrometheus: rabbitmqPrometheusPort(), ...options.ports };
  const adminUrl = options.pgAdminUrl ?? pgAdminUrl();
  const db = (service: DatabaseService) => {
    const spec = { name: options.databases?.[service] ?? service, ...ROLES[service] };
    return { ...spec, url: serviceDatabaseUrl(adminUrl, spec) };
  };
  const tty = process.stdout.isTTY === true;
  return {
    ports,
    databases: { orders: db('orders'), fulfillment: db('fulfillment'), notifications: db('notifications') },
    redisKeyPrefix: options.redisKeyPrefix ?? '',
    redisUrl: options.redisUrl ?? redisUrl(),
    rabbitmqUrl: vhostUrl(options.amqpUrl ?? amqpUrl(), vhost),
    pgAdminUrl: adminUrl,
    logsDir: options.logsDir ?? DEFAULT_LOGS_DIR,
    output: options.output ?? (tty ? 'pretty' : 'none'),
    color: options.color ?? tty,
    logLevel: options.logLevel ?? 'info',
  };
}

/**
 * Starts the lab and resolves once every service is ready. Rejects with PortInUseError
 * when a port is taken, or LabStartError (what failed and the tail of its log) — in that
 * case whatever it started is stopped again.
 */
export async function startLab(options: LabOptions = {}): Promise<Lab> {
  const readyTimeoutMs = options.readyTimeoutMs ?? 60_000;
  const ports = { ...DEFAULT_PORTS, rabbitmqPrometheus: rabbitmqPrometheusPort(), ...options.ports };
  const edgeOn = options.edge ?? true;
  const trafficOn = edgeOn && (options.traffic ?? true);
  const enabled = LAB_SERVICES.filter((s) => (s !== 'edge' || edgeOn) && (s !== 'traffic' || trafficOn));
  const prometheusBinary = findExecutable('prometheus');
  const prometheusOn = options.prometheus ?? prometheusBinary !== undefined;
  if (prometheusOn && !prometheusBinary) {
    throw new LabStartError('prometheus is not installed; fix: apt-get install -y prometheus (npm start installs it when run as root)', 'prometheus');
  }
  const monitoringProblems: string[] = [];
  const wantedExporters: Exporter[] = prometheusOn && (options.exporters ?? true) ? ['edge-exporter', 'postgres-exporter', 'redis-exporter'] : [];
  const exporters = wantedExporters.filter((e) => {
    if (e === 'edge-exporter' && !edgeOn) return false;
    if (findExecutable(EXPORTER_PACKAGES[e])) return true;
    monitoringProblems.push(`${e} does not run: ${EXPORTER_PACKAGES[e]} is not installed; fix: apt-get install -y ${EXPORTER_PACKAGES[e]}`);
    return false;
  });
  const monitorsOn: Monitor[] = prometheusOn ? [...exporters, 'prometheus'] : [];
  const monitorPort = { prometheus: ports.prometheus, 'edge-exporter': ports.edgeExporter, 'postgres-exporter': ports.postgresExporter, 'redis-exporter': ports.redisExporter };
  await assertPortsFree({
    'gateway HTTP': ports.gateway,
    'orders gRPC': ports.ordersGrpc,
    'orders ops HTTP': ports.ordersOps,
    'fulfillment ops HTTP': ports.fulfillmentOps,
    'notifications HTTP': ports.notifications,
    ...(edgeOn ? { 'edge HTTP': ports.edge, 'edge stub_status': ports.edgeStatus } : {}),
    ...(trafficOn ? { 'traffic HTTP': ports.traffic } : {}),
    ...Object.fromEntries(monitorsOn.map((m) => [`${m} HTTP (a system service? npm start -- --no-prometheus runs without)`, monitorPort[m]])),
  });
  const nginx = edgeOn ? findNginx() : undefined;
  if (edgeOn && !nginx) {
    throw new LabStartError('nginx is not installed (the edge); fix: apt-get install -y nginx (npm start installs it when run as root)', 'edge');
  }
  for (const service of enabled) {
    if (service === 'edge') continue;
    if (!existsSync(serviceEntry(service, 'main.js'))) {
      throw new LabStartError(`services/${service} is not built (${serviceEntry(service, 'main.js')} is missing); run: npx tsc -b`, service);
    }
  }
  // Created only now that nothing can fail cheaply before it, so a refused start leaks no vhost.
  const createdVhost = typeof options.rabbitmqVhost === 'object' ? await createTestVhost(options.rabbitmqVhost.create) : undefined;
  const vhost = createdVhost?.name ?? (typeof options.rabbitmqVhost === 'string' ? options.rabbitmqVhost : '/');
  const r = resolveOptions(options, vhost);
  let vhostDeleted = false;
  const deleteVhost = async () => {
    if (!createdVhost || vhostDeleted) return;
    await createdVhost.drop();
    vhostDeleted = true;
  };

  mkdirSync(r.logsDir, { recursive: true });
  for (const name of [...LAB_SERVICES, ...MONITORS, 'lab']) rotate(join(r.logsDir, `${name}.log`));
  const reporter = createReporter({ print: options.print ?? true, logFile: join(r.logsDir, 'lab.log'), color: r.color });
  const logFile = (service: LabService) => join(r.logsDir, `${service}.log`);
  const envOf = (service: LabService) => serviceEnv(service, r, options.env);
  const edgeFiles = writeEdgeConfig(join(r.logsDir, 'edge-conf'), labServiceEnv('edge', options) as unknown as EdgeTemplateVars);
  if (nginx) {
    const complaint = testEdgeConfig(nginx, edgeFiles);
    if (complaint) {
      await deleteVhost().catch(() => {});
      throw new LabStartError(`the edge's nginx configuration does not pass nginx -t: ${complaint}`, 'edge');
    }
  }
  const commandOf = (service: LabService) =>
    service === 'edge'
      ? { command: nginx ?? 'nginx', args: nginxArgs(edgeFiles) }
      : { command: process.execPath, args: [serviceEntry(service, 'main.js')] };

  const services = Object.fromEntries(
    LAB_SERVICES.map((service) => [
      service,
      new Supervisor(
        { name: service, ...commandOf(service), env: envOf(service), cwd: REPO_ROOT, readyUrl: readyUrl(service, r.ports) },
        {
          logFile: logFile(service),
          output: r.output,
          color: r.color,
          reporter,
          ...(options.restartDelayMs ? { restartDelayMs: options.restartDelayMs } : {}),
          stopTimeoutMs: options.stopTimeoutMs ?? SERVICE_STOP_TIMEOUT_MS,
        },
      ),
    ]),
  ) as Record<LabService, Supervisor>;

  const prometheusConfig = join(r.logsDir, 'prometheus-conf', 'prometheus.yml');
  const exporterSettings = { ports: r.ports, pgAdminUrl: r.pgAdminUrl, redisUrl: r.redisUrl };
  const monitorSpec = (monitor: Monitor) => {
    const readyUrl = (path: string) => `http://127.0.0.1:${monitorPort[monitor]}${path}`;
    if (monitor === 'prometheus') {
      const dataDir = options.prometheusDataDir ?? DEFAULT_PROMETHEUS_DATA_DIR;
      return { command: prometheusBinary ?? 'prometheus', args: prometheusArgs(prometheusConfig, dataDir, ports.prometheus), env: inheritedEnv(), readyUrl: readyUrl('/-/ready') };
    }
    const exporter = exporterCommand(monitor, exporterSettings);
    return { command: findExecutable(exporter.binary) ?? exporter.binary, args: exporter.args, env: { ...inheritedEnv(), ...exporter.env }, readyUrl: readyUrl('/metrics') };
  };
  const monitors: Partial<Record<Monitor, Supervisor>> = Object.fromEntries(
    monitorsOn.map((monitor) => [
      monitor,
      new Supervisor(
        { name: monitor, cwd: REPO_ROOT, ...monitorSpec(monitor) },
        {
          logFile: join(r.logsDir, `${monitor}.log`),
          // Go programs' log lines are not the services' JSON: shown raw, and only in their file unless asked.
          output: r.output === 'none' ? 'none' : 'raw',
          color: r.color,
          reporter,
          ...(options.restartDelayMs ? { restartDelayMs: options.restartDelayMs } : {}),
          stopTimeoutMs: options.stopTimeoutMs ?? SERVICE_STOP_TIMEOUT_MS,
        },
      ),
    ]),
  );
  let scrapeJobs: string[] = [];
  if (options.onSpawn) {
    const onSpawn = options.onSpawn;
    for (const supervisor of [...Object.values(services), ...Object.values(monitors)]) {
      const { command, args } = supervisor.spec;
      const marker = command === process.execPath ? (args[0] ?? command) : command;
      supervisor.on('spawn', (pid: number) => onSpawn(supervisor.name, pid, marker));
    }
  }

  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      const started = Date.now();
      const supervisorOf = (name: LabService | Monitor): Supervisor | undefined => (services as Record<string, Supervisor>)[name] ?? monitors[name as Monitor];
      const everything = [...LAB_SERVICES, ...MONITORS].flatMap((name) => supervisorOf(name) ?? []);
      // Whatever a stage is still waiting for past the lab's deadline is killed.
      const killer = setTimeout(() => {
        reporter.warn(`the lab is not down ${LAB_STOP_DEADLINE_MS / 1000} s after SIGTERM; killing what is left`);
        for (const supervisor of everything) if (supervisor.running) void supervisor.kill('SIGKILL');
      }, LAB_STOP_DEADLINE_MS);
      try {
        for (const stage of STOP_STAGES) {
          await Promise.all(
            stage.map(async (name) => {
              const supervisor = supervisorOf(name);
              if (!supervisor) return;
              if (!supervisor.running) return void (await supervisor.stop());
              reporter.info(`stopping ${name}`);
              const exit = await supervisor.stop();
              if (exit) reporter.info(`${name} stopped (${describeExit(exit)})`);
            }),
          );
        }
      } finally {
        clearTimeout(killer);
      }
      reporter.info(`every service stopped in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    })());
  const dropDatabases = async () => {
    for (const service of DATABASE_SERVICES) {
      await dropServiceDatabase(r.pgAdminUrl, { name: r.databases[service].name });
    }
  };
  const deleteRedisKeys = () => deleteKeys(r.redisUrl, r.redisKeyPrefix);

  try {
    reporter.info(`databases: ${DATABASE_SERVICES.map((s) => r.databases[s].name).join(', ')}; RabbitMQ vhost ${vhost}`);
    await Promise.all(DATABASE_SERVICES.map((service) => ensureServiceDatabase(r.pgAdminUrl, r.databases[service])));
    const cliSink = (service: DatabaseService) => new LogSink(service, logFile(service), r.output, r.color);
    await Promise.all(DATABASE_SERVICES.map((service) => runCli(service, 'migrate', envOf(service), cliSink(service), reporter)));

    const startAndWait = async (service: LabService | Monitor) => {
      const supervisor = (services as Record<string, Supervisor>)[service] ?? monitors[service as Monitor];
      if (!supervisor) throw new Error(`no supervisor for ${service}`);
      const started = Date.now();
      reporter.info(`starting ${service}`);
      supervisor.start();
      try {
        await supervisor.waitReady({ timeoutMs: Math.max(1_000, readyTimeoutMs - (Date.now() - started)) });
      } catch (err) {
        if (err instanceof NotReadyError) {
          throw new LabStartError(`${err.message}; see ${supervisor.logFile}`, service, err.logTail);
        }
        throw err;
      }
      reporter.info(`${service} ready in ${((Date.now() - started) / 1000).toFixed(1)} s (pid ${supervisor.pid})`);
    };
    // Seeding only inserts rows, so it overlaps with the orders process starting up; both
    // finish before anything else starts, so no client ever sees a half-seeded catalog.
    await Promise.all([
      options.seed === false ? undefined : runCli('orders', 'seed', envOf('orders'), cliSink('orders'), reporter),
      startAndWait('orders'),
    ]);
    // The rest need only orders (or nothing) and come up side by side, started in list order;
    // then the edge in front of them, then the traffic that goes through it.
    const backends: LabService[] = ['fulfillment', 'notifications', 'gateway'];
    await Promise.all(backends.map(startAndWait));
    if (edgeOn) await startAndWait('edge');
    if (trafficOn) await startAndWait('traffic');
    if (prometheusOn) {
      // Scrape what runs: the services, the exporters that started, RabbitMQ's plugin if it answers.
      const running = new Set<ScrapeSource>(enabled.filter((s): s is Exclude<LabService, 'edge'> => s !== 'edge'));
      if (wantedExporters.length > 0) {
        const problem = await ensureRabbitmqPrometheus(r.ports.rabbitmqPrometheus);
        if (problem) monitoringProblems.push(problem);
        else running.add('rabbitmq-plugin');
      }
      await Promise.all(exporters.map(startAndWait));
      for (const exporter of exporters) running.add(exporter);
      running.add('prometheus');
      const jobs = nativeScrapeJobs(r.ports, running);
      writePrometheusConfig(join(r.logsDir, 'prometheus-conf'), jobs);
      const complaint = checkPrometheusConfig(prometheusConfig);
      if (complaint) throw new LabStartError(`the native prometheus.yml does not pass promtool check config: ${complaint}`, 'prometheus');
      scrapeJobs = jobs.map((j) => j.job);
      reporter.info(`prometheus scrapes ${scrapeJobs.join(', ')}`);
      await startAndWait('prometheus');
    }
  } catch (err) {
    await stop();
    if (options.ephemeral) {
      await dropDatabases().catch(() => {});
      if (r.redisKeyPrefix) await deleteRedisKeys().catch(() => {});
    }
    // Nobody gets a handle to a lab that failed, so nobody else could delete its vhost.
    await deleteVhost().catch(() => {});
    throw err;
  }

  const gateway = `http://127.0.0.1:${r.ports.gateway}`;
  return {
    urls: {
      edge: `http://127.0.0.1:${r.ports.edge}`,
      edgeStatus: `http://127.0.0.1:${r.ports.edgeStatus}/stub_status`,
      traffic: `http://127.0.0.1:${r.ports.traffic}`,
      gateway,
      docs: `${gateway}/docs`,
      openapi: `${gateway}/api/v1/openapi.json`,
      ordersGrpc: `127.0.0.1:${r.ports.ordersGrpc}`,
      ordersOps: `http://127.0.0.1:${r.ports.ordersOps}`,
      fulfillmentOps: `http://127.0.0.1:${r.ports.fulfillmentOps}`,
      notifications: `http://127.0.0.1:${r.ports.notifications}`,
      ...(prometheusOn ? { prometheus: `http://127.0.0.1:${r.ports.prometheus}` } : {}),
    },
    ports: r.ports,
    databases: Object.fromEntries(
      DATABASE_SERVICES.map((s) => [s, { name: r.databases[s].name, url: r.databases[s].url }]),
    ) as Lab['databases'],
    redisKeyPrefix: r.redisKeyPrefix,
    redisUrl: r.redisUrl,
    rabbitmq: { vhost, url: r.rabbitmqUrl },
    logsDir: r.logsDir,
    services,
    enabled,
    monitors,
    scrapeJobs,
    ...(prometheusOn ? { prometheusConfig } : {}),
    monitoringProblems,
    kill: (service, signal = 'SIGKILL', killOptions) => services[service].kill(signal, killOptions),
    restart: async (service) => {
      reporter.info(`restarting ${service} (asked to)`);
      await services[service].restart({ readyTimeoutMs });
    },
    waitReady: (service, timeoutMs = readyTimeoutMs) => services[service].waitReady({ timeoutMs }),
    logLines: (service) => services[service].logLines(),
    logFile,
    stop,
    dropDatabases,
    deleteRedisKeys,
    deleteVhost,
    dispose: async () => {
      await stop();
      await dropDatabases();
      if (r.redisKeyPrefix) await deleteRedisKeys();
      await deleteVhost();
      if (options.ephemeral) rmSync(r.logsDir, { recursive: true, force: true });
    },
  };
}

/**
 * Options for a throwaway lab in a test: free ports, no traffic generator and no Prometheus
 * (a test that wants them asks; Prometheus's data then lives in the lab's log folder), databases `t_<label>_<id>_orders`,
 * `…_fulfillment` and `…_notifications`, Redis prefix `t:<label>:<id>:`, a fresh RabbitMQ vhost
 * (created by startLab, deleted by dispose), logs in .lab/test-logs/<label>-<id>, nothing
 * printed. Anything in `overrides` wins.
 */
export async function testLabOptions(label: string, overrides: LabOptions = {}): Promise<LabOptions> {
  const slug = label.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 24) || 'lab';
  const id = randomBytes(4).toString('hex');
  const taken = new Set<number>();
  while (taken.size < 12) taken.add(await freePort());
  const [gateway, ordersGrpc, ordersOps, fulfillmentOps, notifications, edge, edgeStatus, traffic, prometheus, edgeExporter, postgresExporter, redisExporter] =
    [...taken] as [number, number, number, number, number, number, number, number, number, number, number, number];
  const ports: LabPorts = {
    edge, edgeStatus, gateway, ordersGrpc, ordersOps, fulfillmentOps, notifications, traffic,
    prometheus, edgeExporter, postgresExporter, redisExporter,
    // The broker's own metrics port, the same for every lab.
    rabbitmqPrometheus: rabbitmqPrometheusPort(),
  };
  const logsDir = join(REPO_ROOT, '.lab', 'test-logs', `${slug}-${id}`);
  return {
    ports,
    databases: { orders: `t_${slug}_${id}_orders`, fulfillment: `t_${slug}_${id}_fulfillment`, notifications: `t_${slug}_${id}_notifications` },
    redisKeyPrefix: `t:${slug}:${id}:`,
    rabbitmqVhost: { create: slug },
    logsDir,
    prometheusDataDir: join(logsDir, 'prometheus-data'),
    output: 'none',
    print: false,
    color: false,
    ephemeral: true,
    // Tests count what they send; a test that wants background traffic asks for it.
    traffic: false,
    prometheus: false,
    ...overrides,
  };
}

/** startLab(await testLabOptions(label, overrides)); pair it with `t.after(() => lab.dispose())`. */
export async function startTestLab(label: string, overrides: LabOptions = {}): Promise<Lab> {
  return startLab(await testLabOptions(label, overrides));
}
