/**
 * Backends the tool installer builds on first use (Jaeger, the Collector, VictoriaLogs): each
 * is supervised like the services (restarted when it dies, logged to <logsDir>/<name>.log),
 * installed in the background — minutes when cold — and started once built, in order, each
 * waited for until ready: the core lab never waits for a first build. Stopping is the lab's
 * (its stop stages hold the supervisors); cancel() keeps a pending start from starting anything
 * once the lab is stopping.
 */
import { join } from 'node:path';
import type { LogOutput } from './log-sink.js';
import { silentReporter, type Reporter } from './reporter.js';
import { NotReadyError, Supervisor, type ServiceSpec } from './supervisor.js';
import { cachedTool, ToolInstalls, type ToolSpec } from './tools.js';

/** Where the backends are: still being built, starting, running, or failed (see problem). */
export type BackendsState = 'installing' | 'starting' | 'running' | 'failed' | 'cancelled';

/** One backend: its process and the tool it is built as. */
export interface BuiltBackend {
  spec: ServiceSpec;
  tool: ToolSpec;
}

/** What BuiltBackends needs. */
export interface BuiltBackendsOptions<Name extends string> {
  /** What they are, in messages: `the tracing backends`, `the log store`. */
  subject: string;
  /** The backends in start order. */
  backends: ReadonlyArray<readonly [Name, BuiltBackend]>;
  logsDir: string;
  output?: LogOutput;
  color?: boolean;
  reporter?: Reporter;
  /** The tool cache (default toolCacheDir()). */
  cacheDir?: string;
  restartDelayMs?: { initial: number; max: number };
  /** Deadline for each backend to be ready once started (default 60 s). */
  readyTimeoutMs?: number;
  /** SIGKILL this long after SIGTERM. */
  stopTimeoutMs: number;
  /** Awaited before a backend starts (e.g. the Collector waits for the log store); its failure is ignored. */
  beforeStart?: (name: Name) => Promise<void> | undefined;
}

export class BuiltBackends<Name extends string> {
  readonly supervisors: Readonly<Record<Name, Supervisor>>;
  /** True when all were already built when this lab was set up (they start within seconds). */
  readonly builtAtStart: boolean;
  private readonly installs: ToolInstalls;
  private readonly reporter: Reporter;
  private state: BackendsState = 'installing';
  private problemLine: string | undefined;
  private cancelled = false;
  private running: Promise<void> | undefined;

  constructor(private readonly options: BuiltBackendsOptions<Name>) {
    this.reporter = options.reporter ?? silentReporter;
    this.installs = new ToolInstalls({ reporter: this.reporter, ...(options.cacheDir ? { cacheDir: options.cacheDir } : {}) });
    this.builtAtStart = options.backends.every(([, b]) => cachedTool(b.tool, options.cacheDir) !== undefined);
    // Go programs' log lines are not the services' JSON: shown raw, and only in their file unless asked.
    const output: LogOutput = (options.output ?? 'none') === 'none' ? 'none' : 'raw';
    this.supervisors = Object.fromEntries(
      options.backends.map(([name, b]) => [
        name,
        new Supervisor(b.spec, {
          logFile: join(options.logsDir, `${name}.log`),
          output,
          color: options.color ?? false,
          reporter: this.reporter,
          ...(options.restartDelayMs ? { restartDelayMs: options.restartDelayMs } : {}),
          stopTimeoutMs: options.stopTimeoutMs,
        }),
      ]),
    ) as Record<Name, Supervisor>;
  }

  /**
   * Installs what is not built, then starts each backend in turn, each waited for; resolves
   * once all are ready. Rejects with one line (the install's or the start's failure, or
   * cancellation). Safe to call again: the same promise. Never rejects unhandled.
   */
  start(): Promise<void> {
    if (!this.running) {
      this.running = this.run();
      this.running.catch(() => {});
    }
    return this.running;
  }

  private async run(): Promise<void> {
    const { subject, backends } = this.options;
    try {
      await Promise.all(backends.map(([, b]) => this.installs.start(b.tool)));
      for (const [name] of backends) {
        if (this.cancelled) throw new Error(`the lab stopped before ${subject} started`);
        await this.options.beforeStart?.(name)?.catch(() => {});
        if (this.cancelled) throw new Error(`the lab stopped before ${subject} started`);
        this.state = 'starting';
        await this.startOne(name);
      }
      this.state = 'running';
    } catch (err) {
      this.state = this.cancelled ? 'cancelled' : 'failed';
      this.problemLine = `${subject}: not running: ${err instanceof Error ? err.message : String(err)}`;
      throw new Error(this.problemLine, { cause: err });
    }
  }

  private async startOne(name: Name): Promise<void> {
    const supervisor = this.supervisors[name];
    const started = Date.now();
    this.reporter.info(`starting ${name}`);
    supervisor.start();
    try {
      await supervisor.waitReady({ timeoutMs: this.options.readyTimeoutMs ?? 60_000 });
    } catch (err) {
      if (err instanceof NotReadyError) throw new Error(`${err.message}; see ${supervisor.logFile}`, { cause: err });
      throw err;
    }
    this.reporter.info(`${name} ready in ${((Date.now() - started) / 1000).toFixed(1)} s (pid ${supervisor.pid})`);
  }

  /** Resolves once all run and are ready; rejects past `timeoutMs` or when they cannot start. */
  async waitReady(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${this.options.subject}: not ready within ${timeoutMs} ms (${this.describe()})`)), timeoutMs);
    });
    try {
      await Promise.race([this.start(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Keeps a start still waiting for its installs from starting anything (the lab is stopping). */
  cancel(): void {
    this.cancelled = true;
  }

  get status(): BackendsState {
    return this.state;
  }

  /** Why they do not run, once failed. */
  get problem(): string | undefined {
    return this.problemLine;
  }

  /** One line for the banner and errors: what is installing, starting, running or why not. */
  describe(): string {
    if (this.state === 'installing') {
      const pending = this.installs.pending();
      return pending.length > 0 ? `installing ${pending.join(', ')}` : 'installed, starting';
    }
    if (this.state === 'failed' || this.state === 'cancelled') return this.problemLine ?? this.state;
    return this.state;
  }
}
