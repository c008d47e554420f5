/**
 * The native lab's tracing backends: Jaeger v2 (the trace store) and the lab's OpenTelemetry
 * Collector in front of it, supervised like the services (restarted when they die, logged to
 * <logsDir>/jaeger.log and otel-collector.log). Both are built by the tool installer on first
 * use — minutes when cold — so their installs run in the background and each starts once built:
 * the core lab never waits for a first build. Each reads its config from deploy/ (the
 * Collector's is also Compose's) with every address set here from the lab's ports.
 */
import { join } from 'node:path';
import { HOST } from '@orderlab/contracts/topology';
import { inheritedEnv } from './config.js';
import type { LogOutput } from './log-sink.js';
import { REPO_ROOT } from './paths.js';
import { BuiltBackends, type BackendsState } from './built-backends.js';
import type { Reporter } from './reporter.js';
import type { ServiceSpec } from './supervisor.js';
import { JAEGER, OTEL_COLLECTOR, toolPath, type ToolSpec } from './tools.js';

/** The backends in start order: the store first, then the Collector that exports to it. */
export const TRACE_BACKENDS = ['jaeger', 'otel-collector'] as const;

/** One of the tracing backends; named like their Compose services and log files. */
export type TraceBackend = (typeof TRACE_BACKENDS)[number];

/** The Collector's config, natively and in Compose. */
export const COLLECTOR_CONFIG = join(REPO_ROOT, 'deploy', 'otel-collector', 'config.yaml');
/** Jaeger's config (native only; Compose runs Tempo). */
export const JAEGER_CONFIG = join(REPO_ROOT, 'deploy', 'jaeger', 'config.yaml');

/**
 * Traces Jaeger keeps in memory (the oldest are evicted). Measured on the lab under `overload`
 * (≈ 2 400 spans/s, the store full within 30 s): Jaeger ≈ 142 MB RSS and the Collector ≈ 56 MB,
 * inside the 250 MB for both; 10 000 traces took Jaeger to 195 MB (252 MB for both).
 */
export const JAEGER_MAX_TRACES = 5_000;

/**
 * Go's soft memory limits: the garbage collector works harder near them instead of letting the
 * heap double. The Collector's sits under its memory_limiter (limit_mib 100 in its config).
 */
const GOMEMLIMIT: Record<TraceBackend, string> = { jaeger: '160MiB', 'otel-collector': '80MiB' };

/** Per backend, SIGKILL this long after SIGTERM: the Collector flushes its last batch, then exits. */
export const TRACE_BACKEND_STOP_TIMEOUT_MS = 5_000;

/** The tool each backend is built as. */
export const TRACE_BACKEND_TOOLS: Readonly<Record<TraceBackend, ToolSpec>> = { jaeger: JAEGER, 'otel-collector': OTEL_COLLECTOR };

/** The ports of the tracing backends (named as in the topology, packages/contracts/src/topology.ts). */
export interface TracingPorts {
  otlpGrpc: number;
  otlpHttp: number;
  collectorHealth: number;
  collectorMetrics: number;
  spanMetrics: number;
  jaegerQuery: number;
  jaegerQueryGrpc: number;
  jaegerOtlpGrpc: number;
  jaegerHealth: number;
  jaegerMetrics: number;
}

/** The variables deploy/otel-collector/config.yaml reads (compose.yaml sets the same ones). */
export function collectorEnv(ports: TracingPorts): Record<string, string> {
  return {
    OTLP_GRPC_ENDPOINT: `${HOST}:${ports.otlpGrpc}`,
    OTLP_HTTP_ENDPOINT: `${HOST}:${ports.otlpHttp}`,
    TRACES_EXPORT_ENDPOINT: `${HOST}:${ports.jaegerOtlpGrpc}`,
    SPAN_METRICS_ENDPOINT: `${HOST}:${ports.spanMetrics}`,
    COLLECTOR_HEALTH_ENDPOINT: `${HOST}:${ports.collectorHealth}`,
    COLLECTOR_METRICS_HOST: HOST,
    COLLECTOR_METRICS_PORT: String(ports.collectorMetrics),
  };
}

/** The variables deploy/jaeger/config.yaml reads. */
export function jaegerEnv(ports: TracingPorts, maxTraces = JAEGER_MAX_TRACES): Record<string, string> {
  return {
    JAEGER_OTLP_GRPC_ENDPOINT: `${HOST}:${ports.jaegerOtlpGrpc}`,
    JAEGER_QUERY_HTTP_ENDPOINT: `${HOST}:${ports.jaegerQuery}`,
    JAEGER_QUERY_GRPC_ENDPOINT: `${HOST}:${ports.jaegerQueryGrpc}`,
    JAEGER_HEALTH_ENDPOINT: `${HOST}:${ports.jaegerHealth}`,
    JAEGER_METRICS_HOST: HOST,
    JAEGER_METRICS_PORT: String(ports.jaegerMetrics),
    JAEGER_MAX_TRACES: String(maxTraces),
  };
}

/** Where each backend says it is ready: the Collector's health_check, Jaeger's healthcheckv2. */
export function traceBackendReadyUrl(backend: TraceBackend, ports: TracingPorts): string {
  return backend === 'jaeger' ? `http://${HOST}:${ports.jaegerHealth}/status` : `http://${HOST}:${ports.collectorHealth}/`;
}

/** The Collector's logs pipeline, when the lab ships logs (see lab-logs.ts). */
export interface CollectorLogs {
  /** The config merged over the Collector's own (LOGS_COLLECTOR_CONFIG). */
  config: string;
  /** Its variables (logsCollectorEnv). */
  env: Record<string, string>;
  /** Resolves (or rejects) once the log store is up or cannot start: the Collector starts after it. */
  storeReady: () => Promise<void>;
}

/** The Collector's feature gates when it ships logs (see traceBackendSpec). */
export const LOGS_FEATURE_GATES = 'stanza.synchronousLogEmitter';

/** How a backend runs: its program in the tool cache (built or not yet), its config, its variables. */
export function traceBackendSpec(
  backend: TraceBackend,
  ports: TracingPorts,
  options: { cacheDir?: string; jaegerMaxTraces?: number; logs?: CollectorLogs } = {},
): ServiceSpec {
  const own = backend === 'jaeger' ? jaegerEnv(ports, options.jaegerMaxTraces) : { ...collectorEnv(ports), ...options.logs?.env };
  // A second --config is merged over the first (maps merge, lists are replaced). The feature
  // gate makes the file_log receiver hand each line to the pipeline before it checkpoints the
  // offset past it; by default lines wait in a memory buffer that a kill -9 loses (measured:
  // ~85 lines of a burst gone without it, none with it).
  const logsConfig = backend === 'otel-collector' && options.logs ? ['--config', options.logs.config, `--feature-gates=${LOGS_FEATURE_GATES}`] : [];
  return {
    name: backend,
    command: toolPath(TRACE_BACKEND_TOOLS[backend], options.cacheDir),
    args: ['--config', backend === 'jaeger' ? JAEGER_CONFIG : COLLECTOR_CONFIG, ...logsConfig],
    env: { ...inheritedEnv(), ...own, GOMEMLIMIT: GOMEMLIMIT[backend] },
    cwd: REPO_ROOT,
    readyUrl: traceBackendReadyUrl(backend, ports),
  };
}

/** The backends' ports that must be free, each named for PortInUseError with how to run without them. */
export function tracingPortsToClaim(ports: TracingPorts): Record<string, number> {
  const name = (what: string) => `${what} (npm start -- --no-tracing runs without)`;
  return {
    [name('Collector OTLP/gRPC')]: ports.otlpGrpc,
    [name('Collector OTLP/HTTP')]: ports.otlpHttp,
    [name('Collector health')]: ports.collectorHealth,
    [name('Collector metrics')]: ports.collectorMetrics,
    [name('Collector span metrics')]: ports.spanMetrics,
    [name('Jaeger query API')]: ports.jaegerQuery,
    [name('Jaeger query gRPC')]: ports.jaegerQueryGrpc,
    [name('Jaeger OTLP/gRPC')]: ports.jaegerOtlpGrpc,
    [name('Jaeger health')]: ports.jaegerHealth,
    [name('Jaeger metrics')]: ports.jaegerMetrics,
  };
}

/** Where the tracing backends of a lab are. */
export interface TracingUrls {
  /** Jaeger's query API: /api/traces/<trace id>, /api/services, /api/dependencies. */
  jaegerQuery: string;
  /** The Collector's OTLP/HTTP receiver (the services' OTEL_EXPORTER_OTLP_ENDPOINT). */
  otlpHttp: string;
  /** The Collector's span metrics (Prometheus text / OpenMetrics). */
  spanMetrics: string;
}

/** The tracing URLs of a lab on these ports. */
export function tracingUrls(ports: TracingPorts): TracingUrls {
  return {
    jaegerQuery: `http://${HOST}:${ports.jaegerQuery}`,
    otlpHttp: `http://${HOST}:${ports.otlpHttp}`,
    spanMetrics: `http://${HOST}:${ports.spanMetrics}/metrics`,
  };
}

/** What TraceBackends needs. */
export interface TraceBackendsOptions {
  ports: TracingPorts;
  logsDir: string;
  output?: LogOutput;
  color?: boolean;
  reporter?: Reporter;
  /** The tool cache (default toolCacheDir()). */
  cacheDir?: string;
  restartDelayMs?: { initial: number; max: number };
  /** Deadline for each backend to be ready once started (default 60 s). */
  readyTimeoutMs?: number;
  /** Jaeger's max_traces (default JAEGER_MAX_TRACES). */
  jaegerMaxTraces?: number;
  /** The Collector also ships the lab's log files to the log store. */
  logs?: CollectorLogs;
}

/** Where the backends are: still being built, starting, running, or failed (see problem). */
export type TracingState = BackendsState;

/**
 * The two backends of one lab: created with their supervisors (not started); start() installs
 * whatever is not built yet, then starts Jaeger and the Collector in turn (built-backends.ts).
 * With the logs on, the Collector waits for the log store first: lines read before it is up
 * would only wait in the export queue, and the store failing must not keep the traces from
 * flowing, so its failure is not this one's.
 */
export class TraceBackends extends BuiltBackends<TraceBackend> {
  constructor(options: TraceBackendsOptions) {
    super({
      ...options,
      subject: 'the tracing backends',
      backends: TRACE_BACKENDS.map((b) => [b, { spec: traceBackendSpec(b, options.ports, options), tool: TRACE_BACKEND_TOOLS[b] }] as const),
      stopTimeoutMs: TRACE_BACKEND_STOP_TIMEOUT_MS,
      beforeStart: (b) => (b === 'otel-collector' ? options.logs?.storeReady() : undefined),
    });
  }
}
