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
import { silentReporter, type Reporter } from './reporter.js';
import { NotReadyError, Supervisor, type ServiceSpec } from './supervisor.js';
import { cachedTool, ToolInstalls, toolPath, VICTORIALOGS } from './tools.js';

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
export type LogsState = 'installing' | 'starting' | 'running' | 'failed' | 'cancelled';

/**
 * VictoriaLogs of one lab: created with its supervisor (not started); start() installs it when
 * not built yet, then starts it and waits for /health. Stopping is the lab's (its stop stages
 * hold the supervisor); cancel() keeps a pending start from starting it once the lab is stopping.
 */
export class LogBackend {
  readonly supervisor: Supervisor;
  /** True when it was already built when this lab was set up. */
  readonly builtAtStart: boolean;
  private readonly installs: ToolInstalls;
  private readonly reporter: Reporter;
  private state: LogsState = 'installing';
  private problemLine: string | undefined;
  private cancelled = false;
  private running: Promise<void> | undefined;

  constructor(private readonly options: LogBackendOptions) {
    this.reporter = options.reporter ?? silentReporter;
    this.installs = new ToolInstalls({ reporter: this.reporter, ...(options.cacheDir ? { cacheDir: options.cacheDir } : {}) });
    this.builtAtStart = cachedTool(VICTORIALOGS, options.cacheDir) !== undefined;
    this.supervisor = new Supervisor(victoriaLogsSpec(options.port, options.dirs, options.cacheDir), {
      logFile: join(options.logsDir, `${LOG_BACKEND}.log`),
      // Its own lines are not the services' JSON: raw, and only in its file unless asked.
      output: (options.output ?? 'none') === 'none' ? 'none' : 'raw',
      color: options.color ?? false,
      reporter: this.reporter,
      ...(options.restartDelayMs ? { restartDelayMs: options.restartDelayMs } : {}),
      stopTimeoutMs: LOG_BACKEND_STOP_TIMEOUT_MS,
    });
  }

  /** Installs it when not built, starts it and waits until ready. Same promise when called again; never rejects unhandled. */
  start(): Promise<void> {
    if (!this.running) {
      this.running = this.run();
      this.running.catch(() => {});
    }
    return this.running;
  }

  private async run(): Promise<void> {
    try {
      await this.installs.start(VICTORIALOGS);
      if (this.cancelled) throw new Error('the lab stopped before VictoriaLogs started');
      this.state = 'starting';
      const started = Date.now();
      this.reporter.info(`starting ${LOG_BACKEND}`);
      this.supervisor.start();
      try {
        await this.supervisor.waitReady({ timeoutMs: this.options.readyTimeoutMs ?? 60_000 });
      } catch (err) {
        if (err instanceof NotReadyError) throw new Error(`${err.message}; see ${this.supervisor.logFile}`, { cause: err });
        throw err;
      }
      this.reporter.info(`${LOG_BACKEND} ready in ${((Date.now() - started) / 1000).toFixed(1)} s (pid ${this.supervisor.pid})`);
      this.state = 'running';
    } catch (err) {
      this.state = this.cancelled ? 'cancelled' : 'failed';
      this.problemLine = `the log store does not run: ${err instanceof Error ? err.message : String(err)}`;
      throw new Error(this.problemLine, { cause: err });
    }
  }

  /** Resolves once it runs and is ready; rejects past `timeoutMs` or when it cannot start. */
  async waitReady(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`VictoriaLogs is not ready within ${timeoutMs} ms (${this.describe()})`)), timeoutMs);
    });
    try {
      await Promise.race([this.start(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Keeps a start still waiting for its install from starting it (the lab is stopping). */
  cancel(): void {
    this.cancelled = true;
  }

  get status(): LogsState {
    return this.state;
  }

  /** One line for the banner and errors. */
  describe(): string {
    if (this.state === 'installing') {
      const pending = this.installs.pending();
      return pending.length > 0 ? `installing ${pending.join(', ')}` : 'installed, starting';
    }
    if (this.state === 'failed' || this.state === 'cancelled') return this.problemLine ?? this.state;
    return this.state;
  }
}
