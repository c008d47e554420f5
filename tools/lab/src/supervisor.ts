/**
 * Runs one child process like Compose's `restart: unless-stopped`: a child that dies
 * unexpectedly is restarted after a bounded exponential backoff; one that we stopped or
 * killed on purpose stays down. Its output goes to a LogSink (file + terminal).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { settleWithin } from '@orderlab/platform';
import { findExecutable } from './config.js';
import { LineSplitter, LogSink, readJsonLines, tailLines, type LogOutput } from './log-sink.js';
import { silentReporter, type Reporter } from './reporter.js';

/** What to run. */
export interface ServiceSpec {
  name: string;
  command: string;
  args: string[];
  /** The child's complete environment. */
  env: Record<string, string>;
  cwd?: string;
  /** GET here answering 200 means ready; without it the child is ready once spawned. */
  readyUrl?: string;
}

/** How the supervisor records, shows and restarts. */
export interface SupervisorOptions {
  logFile: string;
  output?: LogOutput;
  color?: boolean;
  reporter?: Reporter;
  /** Backoff before restart n is min(initial × 2^(n-1), max). Defaults 250 ms and 15 s. */
  restartDelayMs?: { initial: number; max: number };
  /** A child that ran this long before dying restarts after the initial delay again (default 10 s). */
  resetBackoffAfterMs?: number;
  /** How long stop() waits after SIGTERM before SIGKILL (default 15 s; services allow themselves 10 s). */
  stopTimeoutMs?: number;
}

/** How a child ended. */
export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Thrown by waitReady when the deadline passes; carries the tail of the log. */
export class NotReadyError extends Error {
  constructor(
    readonly service: string,
    readonly reason: string,
    readonly logTail: string[],
  ) {
    super(`${service} is not ready: ${reason}`);
    this.name = 'NotReadyError';
  }
}

type State = 'idle' | 'running' | 'backoff' | 'stopping' | 'stopped';

/** Process groups of every live child, killed if the runner exits without stopping them. */
const liveGroups = new Set<number>();
let exitHookInstalled = false;

function trackChild(pid: number): void {
  liveGroups.add(pid);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Children run in their own process groups, so nothing else would end them when the
  // runner (or a test file using it) exits early.
  process.on('exit', () => {
    for (const group of liveGroups) {
      try {
        process.kill(-group, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });
}

/**
 * util-linux's setpriv sets the child's parent-death signal before it execs the real command:
 * when the runner dies, even by SIGKILL, the kernel sends every child SIGTERM and it stops
 * gracefully on its own (Linux only; elsewhere children are started directly).
 */
const SETPRIV = process.platform === 'linux' ? findExecutable('setpriv') : undefined;

/** The command line that runs `command` with SIGTERM as its parent-death signal, where possible. */
export function withParentDeathSignal(command: string, args: string[]): { command: string; args: string[] } {
  return SETPRIV ? { command: SETPRIV, args: ['--pdeathsig', 'SIGTERM', '--', command, ...args] } : { command, args };
}

const READY_POLL_MS = 100;
const READY_REQUEST_TIMEOUT_MS = 1_000;
/** While waiting for readiness, this many crashes in a row means it will not come up by itself. */
const MAX_CRASHES_WHILE_STARTING = 3;
const SIGKILL_WAIT_MS = 5_000;

/** "exit code 1" or "signal SIGKILL". */
export function describeExit(info: ExitInfo): string {
  return info.signal ? `signal ${info.signal}` : `exit code ${info.code ?? 'unknown'}`;
}

/** Supervises one child; see the module comment. Events: 'spawn' (pid), 'exit' (ExitInfo), 'restart' (count). */
export class Supervisor extends EventEmitter {
  readonly name: string;
  private readonly sink: LogSink;
  private readonly reporter: Reporter;
  private readonly delays: { initial: number; max: number };
  private readonly resetBackoffAfterMs: number;
  private readonly stopTimeoutMs: number;
  private child: ChildProcess | undefined;
  private state: State = 'idle';
  private startedAt = 0;
  private consecutiveFailures = 0;
  private restartCount = 0;
  private crashCount = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private exitWaiters: ((info: ExitInfo) => void)[] = [];
  private lastExitInfo: ExitInfo | undefined;

  constructor(
    readonly spec: ServiceSpec,
    options: SupervisorOptions,
  ) {
    super();
    this.name = spec.name;
    this.sink = new LogSink(spec.name, options.logFile, options.output ?? 'none', options.color ?? false);
    this.reporter = options.reporter ?? silentReporter;
    this.delays = options.restartDelayMs ?? { initial: 250, max: 15_000 };
    this.resetBackoffAfterMs = options.resetBackoffAfterMs ?? 10_000;
    this.stopTimeoutMs = options.stopTimeoutMs ?? 15_000;
  }

  /** Pid of the running child, if any. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** True while a child process exists. */
  get running(): boolean {
    return this.child !== undefined;
  }

  /** How many times the supervisor restarted the child after an unexpected exit. */
  get restarts(): number {
    return this.restartCount;
  }

  /** How the last child ended. */
  get lastExit(): ExitInfo | undefined {
    return this.lastExitInfo;
  }

  /** The log file this child's output is appended to. */
  get logFile(): string {
    return this.sink.file;
  }

  /** Starts the child (and arms automatic restarts). */
  start(): void {
    if (this.child) throw new Error(`${this.name} is already running (pid ${this.child.pid})`);
    clearTimeout(this.restartTimer);
    this.state = 'running';
    this.spawnChild();
  }

  private spawnChild(): void {
    const { env, cwd } = this.spec;
    const { command, args } = withParentDeathSignal(this.spec.command, this.spec.args);
    // Own process group: a Ctrl-C on the terminal reaches only the runner, which then stops
    // the children in order instead of all of them racing at once.
    const child = spawn(command, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    this.child = child;
    this.startedAt = Date.now();
    for (const stream of [child.stdout, child.stderr]) {
      const splitter = new LineSplitter();
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => this.sink.write(splitter.push(chunk)));
      stream?.on('end', () => this.sink.write(splitter.flush()));
    }
    let settled = false;
    const settle = (info: ExitInfo) => {
      if (settled) return;
      settled = true;
      this.onChildExit(child, info);
    };
    child.on('error', (err) => {
      this.reporter.error(`${this.name} could not be run: ${err.message}`, { target: this.name });
      // A spawn failure emits no 'close' when the process never existed.
      if (child.pid === undefined) settle({ code: null, signal: null });
    });
    child.on('close', (code, signal) => settle({ code, signal }));
    if (child.pid !== undefined) {
      trackChild(child.pid);
      this.emit('spawn', child.pid);
    }
  }

  private onChildExit(child: ChildProcess, info: ExitInfo): void {
    if (child.pid !== undefined) liveGroups.delete(child.pid);
    if (child !== this.child) return;
    this.child = undefined;
    this.lastExitInfo = info;
    const waiters = this.exitWaiters;
    this.exitWaiters = [];
    for (const resolve of waiters) resolve(info);
    this.emit('exit', info);
    if (this.state !== 'running') {
      this.state = 'stopped';
      return;
    }
    this.crashCount += 1;
    if (Date.now() - this.startedAt >= this.resetBackoffAfterMs) this.consecutiveFailures = 0;
    const delay = Math.min(this.delays.initial * 2 ** this.consecutiveFailures, this.delays.max);
    this.consecutiveFailures += 1;
    this.reporter.warn(`restarting ${this.name} (${describeExit(info)}) in ${delay} ms`, {
      target: this.name,
      exit_code: info.code,
      signal: info.signal,
      delay_ms: delay,
    });
    this.state = 'backoff';
    this.restartTimer = setTimeout(() => {
      if (this.state !== 'backoff') return;
      this.state = 'running';
      this.restartCount += 1;
      this.spawnChild();
      this.emit('restart', this.restartCount);
    }, delay);
  }

  /** Resolves when the current child exits (at once with the last exit if none runs). */
  waitForExit(): Promise<ExitInfo> {
    if (!this.child) return Promise.resolve(this.lastExitInfo ?? { code: null, signal: null });
    return new Promise((resolve) => this.exitWaiters.push(resolve));
  }

  private signalChild(signal: NodeJS.Signals): void {
    const pid = this.child?.pid;
    if (pid === undefined) return;
    try {
      // The whole group, so nothing the child started outlives it.
      process.kill(-pid, signal);
    } catch {
      try {
        process.kill(pid, signal);
      } catch {
        // already gone
      }
    }
  }

  /** Sends `signal` to the running child without waiting (e.g. SIGHUP: reload its config); false when none runs. */
  signal(signal: NodeJS.Signals): boolean {
    if (!this.child || this.state !== 'running') return false;
    this.signalChild(signal);
    return true;
  }

  /**
   * Sends `signal` to the child and waits for it to exit. By default the child then stays
   * down (like `docker kill`); with `autoRestart` it is treated as a crash and restarted.
   */
  async kill(signal: NodeJS.Signals = 'SIGKILL', options: { autoRestart?: boolean } = {}): Promise<ExitInfo> {
    if (!options.autoRestart) {
      clearTimeout(this.restartTimer);
      this.state = this.child ? 'stopping' : 'stopped';
    }
    if (!this.child) return this.lastExitInfo ?? { code: null, signal: null };
    const exited = this.waitForExit();
    this.signalChild(signal);
    return exited;
  }

  /**
   * Stops the child for good: SIGTERM, then SIGKILL past the deadline. Resolves once it
   * exited (undefined when nothing was running).
   */
  async stop(options: { timeoutMs?: number } = {}): Promise<ExitInfo | undefined> {
    clearTimeout(this.restartTimer);
    if (!this.child) {
      this.state = 'stopped';
      return undefined;
    }
    this.state = 'stopping';
    const timeoutMs = options.timeoutMs ?? this.stopTimeoutMs;
    const exited = this.waitForExit();
    this.signalChild('SIGTERM');
    if (await settleWithin(exited, timeoutMs)) return exited;
    this.reporter.warn(`${this.name} did not exit within ${timeoutMs} ms of SIGTERM; sending SIGKILL`, { target: this.name });
    this.signalChild('SIGKILL');
    return (await settleWithin(exited, SIGKILL_WAIT_MS)) ? exited : { code: null, signal: 'SIGKILL' };
  }

  /** Stops the child gracefully (if running), starts it again and waits until it is ready. */
  async restart(options: { readyTimeoutMs?: number } = {}): Promise<void> {
    await this.stop();
    this.consecutiveFailures = 0;
    this.start();
    await this.waitReady({ timeoutMs: options.readyTimeoutMs ?? 60_000 });
  }

  /**
   * Resolves once the child answers 200 on its readyUrl (or, without one, is spawned).
   * Rejects with NotReadyError past the deadline, when it was stopped, or when it keeps
   * crashing while starting.
   */
  async waitReady(options: { timeoutMs: number }): Promise<void> {
    const deadline = Date.now() + options.timeoutMs;
    const crashesAtStart = this.crashCount;
    let reason = `no answer within ${options.timeoutMs} ms`;
    for (;;) {
      if (this.state === 'stopped' || this.state === 'stopping' || this.state === 'idle') {
        throw this.notReady(`it is ${this.state === 'idle' ? 'not started' : 'stopped'}`);
      }
      if (this.crashCount - crashesAtStart >= MAX_CRASHES_WHILE_STARTING) {
        throw this.notReady(`it exited ${MAX_CRASHES_WHILE_STARTING} times while starting (last: ${describeExit(this.lastExitInfo ?? { code: null, signal: null })})`);
      }
      if (this.child && this.state === 'running') {
        if (!this.spec.readyUrl) return;
        try {
          const res = await fetch(this.spec.readyUrl, { signal: AbortSignal.timeout(READY_REQUEST_TIMEOUT_MS) });
          await res.body?.cancel();
          if (res.status === 200) return;
          reason = `${this.spec.readyUrl} answered ${res.status}`;
        } catch (err) {
          const cause = (err as { cause?: { code?: string } }).cause?.code;
          reason = `${this.spec.readyUrl} did not answer (${cause ?? (err as Error).message})`;
        }
      } else if (this.state === 'backoff') {
        reason = `it exited (${describeExit(this.lastExitInfo ?? { code: null, signal: null })}) and is being restarted`;
      }
      if (Date.now() >= deadline) throw this.notReady(reason);
      await new Promise((r) => setTimeout(r, READY_POLL_MS));
    }
  }

  private notReady(reason: string): NotReadyError {
    return new NotReadyError(this.name, reason, this.logTail(20));
  }

  /** The JSON lines the child wrote to its log file, parsed, oldest first. */
  logLines(): Record<string, unknown>[] {
    return readJsonLines(this.sink.file);
  }

  /** The last `count` raw lines of the log file. */
  logTail(count = 20): string[] {
    return tailLines(this.sink.file, count);
  }
}
