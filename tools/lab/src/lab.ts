/**
 * The native lab: creates each service's database and role, migrates and seeds, then runs
 * orders, fulfillment, notifications and gateway as supervised child processes on localhost
 * and waits until every one is ready; then, where installed, the exporters and Prometheus
 * scraping all of it; and, once built (in the background), Jaeger and the OpenTelemetry
 * Collector that the services send their spans to. `npm start` uses it with the defaults; tests use it with free ports,
 * unique database names, a unique Redis key prefix and their own RabbitMQ vhost (see
 * testLabOptions). This file puts the steps together; each has its own file: lab-options.ts
 * (what a lab is, its options), lab-service-env.ts (each process's variables),
 * lab-provisioning.ts (databases, Redis keys, vhost), lab-supervisors.ts (one per process),
 * lab-start-order.ts, lab-monitoring.ts (Prometheus and the exporters), lab-tracing.ts (the
 * Collector and Jaeger), lab-stop-stages.ts.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { HOST } from '@orderlab/contracts/topology';
import { testEdgeConfig, writeEdgeConfig, type EdgeTemplateVars } from './edge.js';
import { monitorPortsToClaim, planMonitoring, prometheusConfigFile, startMonitoring, type RunningMonitoring } from './lab-monitoring.js';
import {
  DATABASE_SERVICES,
  LAB_SERVICES,
  labPorts,
  resolveOptions,
  testLabOptions,
  type DatabaseService,
  type LabOptions,
  type LabPorts,
  type LabService,
} from './lab-options.js';
import { deleteRedisKeys, dropLabDatabases, labVhost, provisionDatabases, runCli } from './lab-provisioning.js';
import { labServiceEnv, serviceEnv } from './lab-service-env.js';
import { LabStartError } from './lab-start-error.js';
import { assertRunnable, servicePortsToClaim, starter, startServices } from './lab-start-order.js';
import { stopInStages, type SupervisorOf } from './lab-stop-stages.js';
import { monitorSupervisors, reportSpawns, serviceSupervisors } from './lab-supervisors.js';
import { LOG_BACKEND, LogBackend, logsCollectorEnv, logsDirs, LOGS_COLLECTOR_CONFIG, victoriaLogsUrl, type LogsState } from './lab-logs.js';
import { DEFAULT_LOG_ROTATION, LogRotator, rotateFile } from './log-rotation.js';
import { TRACE_BACKENDS, TraceBackends, tracingPortsToClaim, tracingUrls, type TraceBackend, type TracingState, type TracingUrls } from './lab-tracing.js';
import { LogSink } from './log-sink.js';
import { assertPortsFree } from './ports.js';
import { MONITORS, type Monitor } from './prometheus.js';
import { DEFAULT_LOGS_DATA_DIR } from './paths.js';
import { createReporter } from './reporter.js';
import type { ExitInfo, Supervisor } from './supervisor.js';

/** Where to reach the running lab. */
export interface LabUrls {
  /** The public entry (Nginx), http://127.0.0.1:<edge port>: /api/v1/… and /docs. */
  edge: string;
  /** Nginx stub_status, http://127.0.0.1:<edgeStatus port>/stub_status (internal). */
  edgeStatus: string;
  /** The traffic generator: status page at /, API at /mode and /status. */
  traffic: string;
  /** Base URL of the gateway itself (behind the edge). */
  gateway: string;
  docs: string;
  openapi: string;
  /** host:port of the orders gRPC server. */
  ordersGrpc: string;
  ordersOps: string;
  fulfillmentOps: string;
  /** Base URL of the notifications REST API. */
  notifications: string;
  /** Prometheus (UI and /api/v1); undefined when it does not run. */
  prometheus?: string;
  /** Jaeger's query API, the Collector's OTLP/HTTP receiver and span metrics; undefined without tracing. */
  tracing?: TracingUrls;
  /** The console's traces view (the traffic generator's /traces); undefined without tracing or traffic. */
  traces?: string;
  /** VictoriaLogs' base URL (LogsQL at /select/logsql/query, its UI at /select/vmui/); undefined without logs. */
  logs?: string;
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
  /** The jobs Prometheus scrapes now (empty without Prometheus; the Collector's are added once it runs). */
  readonly scrapeJobs: readonly string[];
  /** Whether the services are traced (TRACING_ENABLED) and the Collector and Jaeger run once built. */
  readonly tracing: boolean;
  /** The Collector's and Jaeger's supervisors (empty without tracing); they start once built. */
  readonly traceBackends: Readonly<Partial<Record<TraceBackend, Supervisor>>>;
  /** Where the tracing backends are: installing, starting, running, failed ('off' without tracing). */
  tracingStatus(): TracingState | 'off';
  /** One line on the tracing backends for the user: what is installing and for how long, running, or why not. */
  describeTracing(): string;
  /** Resolves once the Collector and Jaeger run and are ready (default deadline 15 min: a cold build); rejects without tracing. */
  waitTracing(timeoutMs?: number): Promise<void>;
  /** Whether the Collector ships the log files to VictoriaLogs, which runs once built. */
  readonly logs: boolean;
  /** VictoriaLogs' supervisor (undefined without logs); it starts once built. */
  readonly logBackend: Supervisor | undefined;
  /** Where VictoriaLogs is: installing, starting, running, failed ('off' without logs). */
  logsStatus(): LogsState | 'off';
  /** One line on the log store for the user. */
  describeLogs(): string;
  /** Resolves once VictoriaLogs runs and is ready and the Collector (which ships the lines) too; rejects without logs. */
  waitLogs(timeoutMs?: number): Promise<void>;
  /** Rotates every log file past the rotation size now (the runner also checks every second); returns the files rotated. */
  rotateLogs(): string[];
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
  /** The JSON lines the service logged so far (this run), parsed: its current file only, not the copies rotated away (<file>.1 …). */
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

/** Where to reach a lab on these ports (Prometheus and tracing only when they run). */
function labUrls(ports: LabPorts, prometheusOn: boolean, tracingOn: boolean, trafficOn: boolean, logsOn: boolean): LabUrls {
  const gateway = `http://${HOST}:${ports.gateway}`;
  return {
    edge: `http://${HOST}:${ports.edge}`,
    edgeStatus: `http://${HOST}:${ports.edgeStatus}/stub_status`,
    traffic: `http://${HOST}:${ports.traffic}`,
    gateway,
    docs: `${gateway}/docs`,
    openapi: `${gateway}/api/v1/openapi.json`,
    ordersGrpc: `${HOST}:${ports.ordersGrpc}`,
    ordersOps: `http://${HOST}:${ports.ordersOps}`,
    fulfillmentOps: `http://${HOST}:${ports.fulfillmentOps}`,
    notifications: `http://${HOST}:${ports.notifications}`,
    ...(prometheusOn ? { prometheus: `http://${HOST}:${ports.prometheus}` } : {}),
    ...(tracingOn ? { tracing: tracingUrls(ports) } : {}),
    ...(tracingOn && trafficOn ? { traces: `http://${HOST}:${ports.traffic}/traces` } : {}),
    ...(logsOn ? { logs: victoriaLogsUrl(ports.victoriaLogs) } : {}),
  };
}

/** How long waitTracing waits by default: a cold build of Jaeger takes 6-8 minutes on 2 cores. */
const TRACING_WAIT_MS = 15 * 60_000;

/**
 * Starts the lab and resolves once every service is ready. Rejects with PortInUseError
 * when a port is taken, or LabStartError (what failed and the tail of its log) — in that
 * case whatever it started is stopped again.
 */
export async function startLab(options: LabOptions = {}): Promise<Lab> {
  const readyTimeoutMs = options.readyTimeoutMs ?? 60_000;
  const ports = labPorts(options);
  const edgeOn = options.edge ?? true;
  const trafficOn = edgeOn && (options.traffic ?? true);
  const enabled = LAB_SERVICES.filter((s) => (s !== 'edge' || edgeOn) && (s !== 'traffic' || trafficOn));
  const monitoring = planMonitoring(options, edgeOn);
  const tracingOn = options.tracing ?? true;
  // The Collector ships the lines: without tracing there is no Collector, so no logs pipeline.
  const logsOn = tracingOn && (options.logs ?? true);
  await assertPortsFree({
    ...servicePortsToClaim(ports, edgeOn, trafficOn),
    ...monitorPortsToClaim(monitoring, ports),
    ...(tracingOn ? tracingPortsToClaim(ports) : {}),
    ...(logsOn ? { 'VictoriaLogs (npm start -- --no-logs runs without)': ports.victoriaLogs } : {}),
  });
  const nginx = assertRunnable(enabled, edgeOn);
  // Created only now that nothing can fail cheaply before it, so a refused start leaks no vhost.
  const vhost = await labVhost(options.rabbitmqVhost);
  const r = resolveOptions(options, vhost.name);

  mkdirSync(r.logsDir, { recursive: true });
  const rotation = { ...DEFAULT_LOG_ROTATION, ...options.logRotation };
  // Each run starts its files empty; the previous runs' lines stay in <name>.log.1 … (and the
  // Collector, which knows them by their first bytes, does not read them again).
  for (const name of [...LAB_SERVICES, ...MONITORS, ...TRACE_BACKENDS, LOG_BACKEND, 'lab']) rotateFile(join(r.logsDir, `${name}.log`), rotation.keep);
  const reporter = createReporter({ print: options.print ?? true, logFile: join(r.logsDir, 'lab.log'), color: r.color });
  const logFile = (service: LabService) => join(r.logsDir, `${service}.log`);
  const envOf = (service: LabService) => serviceEnv(service, r, options.env);
  const edgeFiles = writeEdgeConfig(join(r.logsDir, 'edge-conf'), labServiceEnv('edge', options) as unknown as EdgeTemplateVars);
  if (nginx) {
    const complaint = testEdgeConfig(nginx, edgeFiles);
    if (complaint) {
      await vhost.delete().catch(() => {});
      throw new LabStartError(`the edge's nginx configuration does not pass nginx -t: ${complaint}`, 'edge');
    }
  }
  const services = serviceSupervisors(r, options, { nginx, edgeFiles }, reporter);
  const monitors = monitorSupervisors(monitoring, r, options, reporter);
  const dirs = logsDirs(options.logsDataDir ?? DEFAULT_LOGS_DATA_DIR);
  const logStore = logsOn
    ? new LogBackend({
        port: r.ports.victoriaLogs,
        dirs,
        logsDir: r.logsDir,
        output: r.output,
        color: r.color,
        reporter,
        readyTimeoutMs,
        ...(options.restartDelayMs ? { restartDelayMs: options.restartDelayMs } : {}),
        ...(options.toolCacheDir ? { cacheDir: options.toolCacheDir } : {}),
      })
    : undefined;
  const tracing = tracingOn
    ? new TraceBackends({
        ports: r.ports,
        logsDir: r.logsDir,
        output: r.output,
        color: r.color,
        reporter,
        readyTimeoutMs,
        ...(options.restartDelayMs ? { restartDelayMs: options.restartDelayMs } : {}),
        ...(options.toolCacheDir ? { cacheDir: options.toolCacheDir } : {}),
        ...(options.jaegerMaxTraces ? { jaegerMaxTraces: options.jaegerMaxTraces } : {}),
        ...(logStore
          ? {
              logs: {
                config: LOGS_COLLECTOR_CONFIG,
                env: logsCollectorEnv({ logsDir: r.logsDir, dirs, victoriaLogsPort: r.ports.victoriaLogs }),
                storeReady: () => logStore.start(),
              },
            }
          : {}),
      })
    : undefined;
  const traceBackends: Partial<Record<TraceBackend, Supervisor>> = tracing?.supervisors ?? {};
  const logBackend = logStore?.supervisor;
  const supervisorOf: SupervisorOf = (name) =>
    name === LOG_BACKEND ? logBackend : ((services as Record<string, Supervisor>)[name] ?? monitors[name as Monitor] ?? traceBackends[name as TraceBackend]);
  if (options.onSpawn) reportSpawns([...Object.values(services), ...Object.values(monitors), ...Object.values(traceBackends), ...(logBackend ? [logBackend] : [])], options.onSpawn);
  // Every process's log file is rotated by size; Nginx holds its access log open and reopens it on SIGUSR1.
  const rotator = new LogRotator(
    [...LAB_SERVICES, ...MONITORS, ...TRACE_BACKENDS, LOG_BACKEND].map((name) => ({
      file: join(r.logsDir, `${name}.log`),
      ...(name === 'edge' ? { reopen: () => services.edge.signal('SIGUSR1') } : {}),
    })),
    rotation,
    (file) => reporter.info(`rotated ${file} (past ${rotation.maxBytes} bytes; keeping ${rotation.keep})`),
  );
  rotator.start();

  let running: RunningMonitoring | undefined;
  let stopped: Promise<void> | undefined;
  const stop = () => {
    tracing?.cancel();
    logStore?.cancel();
    rotator.stop();
    return (stopped ??= stopInStages(supervisorOf, reporter));
  };
  const dropDatabases = () => dropLabDatabases(r);
  const deleteKeys = () => deleteRedisKeys(r.redisUrl, r.redisKeyPrefix);

  try {
    // Built in the background (minutes when cold) and started once built; the core lab goes on.
    if (logStore) {
      if (!logStore.builtAtStart) reporter.info('logs: VictoriaLogs is built in the background; the lab does not wait for it');
      logStore.start().then(
        () => reporter.info(`logs ready: VictoriaLogs ${victoriaLogsUrl(r.ports.victoriaLogs)}/select/vmui/`),
        (err: unknown) => {
          if (logStore.status !== 'cancelled') reporter.error(err instanceof Error ? err.message : String(err));
        },
      );
    }
    if (tracing) {
      if (!tracing.builtAtStart) reporter.info('tracing: the OpenTelemetry Collector and Jaeger are built in the background; the lab does not wait for them');
      tracing.start().then(
        async () => {
          const problem = await running?.addSources(['otel-collector']);
          if (problem) reporter.warn(problem);
          reporter.info(`tracing ready: Jaeger's query API ${tracingUrls(r.ports).jaegerQuery}`);
        },
        (err: unknown) => {
          if (tracing.status !== 'cancelled') reporter.error(err instanceof Error ? err.message : String(err));
        },
      );
    }
    reporter.info(`databases: ${DATABASE_SERVICES.map((s) => r.databases[s].name).join(', ')}; RabbitMQ vhost ${vhost.name}`);
    const sinkOf = (service: DatabaseService) => new LogSink(service, logFile(service), r.output, r.color);
    await provisionDatabases(r, { envOf, sinkOf, reporter });
    const startAndWait = starter(supervisorOf, readyTimeoutMs, reporter);
    const seed = options.seed === false ? undefined : () => runCli('orders', 'seed', envOf('orders'), sinkOf('orders'), reporter);
    await startServices(startAndWait, { seed, edgeOn, trafficOn });
    if (monitoring.prometheusOn) {
      running = await startMonitoring(monitoring, r, enabled, startAndWait, reporter, {
        alsoRunning: () => (tracing?.status === 'running' ? ['otel-collector'] : []),
        prometheus: () => monitors.prometheus,
      });
      // The Collector may have come up between Prometheus's start and this line.
      if (tracing?.status === 'running') await running.addSources(['otel-collector']);
    }
    // Already built: they are up within seconds, so the banner can show them running.
    if (tracing?.builtAtStart) await tracing.waitReady(readyTimeoutMs).catch(() => {});
    if (logStore?.builtAtStart) await logStore.waitReady(readyTimeoutMs).catch(() => {});
  } catch (err) {
    await stop();
    if (options.ephemeral) {
      await dropDatabases().catch(() => {});
      if (r.redisKeyPrefix) await deleteKeys().catch(() => {});
    }
    // Nobody gets a handle to a lab that failed, so nobody else could delete its vhost.
    await vhost.delete().catch(() => {});
    throw err;
  }

  return {
    urls: labUrls(r.ports, monitoring.prometheusOn, tracingOn, trafficOn, logsOn),
    ports: r.ports,
    databases: Object.fromEntries(
      DATABASE_SERVICES.map((s) => [s, { name: r.databases[s].name, url: r.databases[s].url }]),
    ) as Lab['databases'],
    redisKeyPrefix: r.redisKeyPrefix,
    redisUrl: r.redisUrl,
    rabbitmq: { vhost: vhost.name, url: r.rabbitmqUrl },
    logsDir: r.logsDir,
    services,
    enabled,
    monitors,
    get scrapeJobs() {
      return running?.scrapeJobs ?? [];
    },
    tracing: tracingOn,
    traceBackends,
    tracingStatus: () => tracing?.status ?? 'off',
    describeTracing: () => tracing?.describe() ?? 'off',
    waitTracing: (timeoutMs = TRACING_WAIT_MS) => (tracing ? tracing.waitReady(timeoutMs) : Promise.reject(new Error('this lab runs without tracing'))),
    logs: logsOn,
    logBackend,
    logsStatus: () => logStore?.status ?? 'off',
    describeLogs: () => logStore?.describe() ?? 'off',
    waitLogs: async (timeoutMs = TRACING_WAIT_MS) => {
      if (!logStore || !tracing) throw new Error('this lab runs without logs');
      const started = Date.now();
      await logStore.waitReady(timeoutMs);
      await tracing.waitReady(Math.max(1, timeoutMs - (Date.now() - started)));
    },
    rotateLogs: () => rotator.check(),
    ...(monitoring.prometheusOn ? { prometheusConfig: prometheusConfigFile(r.logsDir) } : {}),
    monitoringProblems: monitoring.problems,
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
    deleteRedisKeys: deleteKeys,
    deleteVhost: () => vhost.delete(),
    dispose: async () => {
      await stop();
      await dropDatabases();
      if (r.redisKeyPrefix) await deleteKeys();
      await vhost.delete();
      if (options.ephemeral) rmSync(r.logsDir, { recursive: true, force: true });
    },
  };
}

/** startLab(await testLabOptions(label, overrides)); pair it with `t.after(() => lab.dispose())`. */
export async function startTestLab(label: string, overrides: LabOptions = {}): Promise<Lab> {
  return startLab(await testLabOptions(label, overrides));
}
