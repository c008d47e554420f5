/**
 * The native lab's log store: VictoriaLogs, supervised like the services (restarted when it
 * dies, logged to <logsDir>/victorialogs.log), fed by the lab's OpenTelemetry Collector, whose
 * file_log receiver tails the services' log files and the edge's access log (the pipeline is
 * deploy/victorialogs/collector-logs.yaml, merged over the Collector's own config). VictoriaLogs
 * is built by the tool installer on first use (~30 s cold), in the background: the core lab
 * never waits for it.
 */
import { join } from 'node:path';
import { HOST } from '@orderlab/contracts/topology';
import { inheritedEnv } from './config.js';
import type { LogOutput } from './log-sink.js';
import { REPO_ROOT } from './paths.js';
import { BuiltBackends, type BackendsState } from './built-backends.js';
import type { Reporter } from './reporter.js';
import type { ServiceSpec, Supervisor } from './supervisor.js';
import { toolPath, VICTORIALOGS } from './tools.js';

/** The log store's process name (its log file, its Compose service). */
export const LOG_BACKEND = 'victorialogs' as const;

/** The logs pipeline the Collector loads after its own config when the lab ships logs. */
export const LOGS_COLLECTOR_CONFIG = join(REPO_ROOT, 'deploy', 'victorialogs', 'collector-logs.yaml');

/** The files the Collector tails: every service's log, the edge's access log, and their rotated copies. */
export const SHIPPED_LOG_FILES = ['orders', 'fulfillment', 'notifications', 'gateway', 'edge', 'traffic'] as const;

/**
 * Retention: log lines older than 7 days are deleted (whole days at a time), and the oldest days
 * go first once the store holds more than 1 GiB. Measured under `overload` the lab writes
 * roughly 1 GiB of raw JSON per hour, which VictoriaLogs compresses about tenfold.
 */
export const VICTORIALOGS_RETENTION = '7d';
export const VICTORIALOGS_MAX_DISK = '1GiB';

/** Go's soft memory limit for VictoriaLogs: the garbage collector works harder near it. */
const GOMEMLIMIT = '200MiB';

/** SIGKILL this long after SIGTERM: VictoriaLogs flushes its in-memory parts, then exits. */
export const LOG_BACKEND_STOP_TIMEOUT_MS = 5_000;

/** Where the store and the Collector's offsets live. */
export interface LogsDirs {
  /** VictoriaLogs' -storageDataPath. */
  store: string;
  /** The Collector's file_storage: read offsets and the export queue. */
  collectorStorage: string;
}

/** The folders under a lab's logs data folder. */
export function logsDirs(dataDir: string): LogsDirs {
  return { store: join(dataDir, 'victorialogs'), collectorStorage: join(dataDir, 'otel-collector') };
}

/** VictoriaLogs' base URL on this port: /select/logsql/query, /select/vmui/, /health. */
export function victoriaLogsUrl(port: number): string {
  return `http://${HOST}:${port}`;
}

/** The variables deploy/victorialogs/collector-logs.yaml reads. */
export function logsCollectorEnv(options: { logsDir: string; dirs: LogsDirs; victoriaLogsPort: number }): Record<string, string> {
  return {
    LOGS_INCLUDE: join(options.logsDir, `{${SHIPPED_LOG_FILES.join(',')}}.log*`),
    LOGS_STORAGE_DIR: options.dirs.collectorStorage,
    LOGS_EXPORT_ENDPOINT: `${victoriaLogsUrl(options.victoriaLogsPort)}/insert/opentelemetry/v1/logs`,
  };
}

/** How VictoriaLogs runs: on 127.0.0.1 at the port, its data in the lab's folder, retention bounded by age and disk. */
export function victoriaLogsSpec(port: number, dirs: LogsDirs, cacheDir?: string): ServiceSpec {
  return {
    name: LOG_BACKEND,
    command: toolPath(VICTORIALOGS, cacheDir),
    args: [
      `-httpListenAddr=${HOST}:${port}`,
      `-storageDataPath=${dirs.store}`,
      `-retentionPeriod=${VICTORIALOGS_RETENTION}`,
      `-retention.maxDiskSpaceUsageBytes=${VICTORIALOGS_MAX_DISK}`,
    ],
    env: { ...inheritedEnv(), GOMEMLIMIT },
    cwd: REPO_ROOT,
    readyUrl: `${victoriaLogsUrl(port)}/health`,
  };
}

/** What LogBackend needs. */
export interface LogBackendOptions {
  port: number;
  dirs: LogsDirs;
  logsDir: string;
  output?: LogOutput;
  color?: boolean;
  reporter?: Reporter;
  /** The tool cache (default toolCacheDir()). */
  cacheDir?: string;
  restartDelayMs?: { initial: number; max: number };
  /** Deadline for VictoriaLogs to be ready once started (default 60 s). */
  readyTimeoutMs?: number;
}

/** Where the log store is: still being built, starting, running, or failed (see problem). */
export type LogsState = BackendsState;

/**
 * VictoriaLogs of one lab: created with its supervisor (not started); start() installs it when
 * not built yet, then starts it and waits for /health (built-backends.ts).
 */
export class LogBackend extends BuiltBackends<typeof LOG_BACKEND> {
  constructor(options: LogBackendOptions) {
    super({
      ...options,
      subject: 'the log store',
      backends: [[LOG_BACKEND, { spec: victoriaLogsSpec(options.port, options.dirs, options.cacheDir), tool: VICTORIALOGS }]],
      stopTimeoutMs: LOG_BACKEND_STOP_TIMEOUT_MS,
    });
  }

  get supervisor(): Supervisor {
    return this.supervisors[LOG_BACKEND];
  }
}
