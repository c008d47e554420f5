/** Ordered graceful shutdown with a deadline. */
import closeWithGrace from 'close-with-grace';
import type { Logger } from './logger.js';

/** One named step of a shutdown: closing a server, a connection, a pool. */
export interface Closer {
  name: string;
  close: () => Promise<void> | void;
}

export interface Lifecycle {
  /** Registers a closer; closers run in reverse order of registration. */
  onShutdown(name: string, close: Closer['close']): void;
  /** True once shutdown has begun (readiness turns false). */
  readonly shuttingDown: boolean;
  /** Runs every closer once (later calls wait for the first); errors are logged, not thrown. */
  shutdown(reason: string): Promise<void>;
  /** SIGTERM/SIGINT/fatal errors → shutdown within the deadline, then exit (0 clean, 1 otherwise). */
  installSignalHandlers(): void;
}

export interface LifecycleOptions {
  logger: Logger;
  timeoutMs: number;
}

/**
 * Runs the steps one after the other, in the order given. A step that fails is logged (`step`,
 * `err`) and the next one still runs: a broken connection must not keep the pool behind it open.
 * Each step bounds its own waits; the process-wide deadline is the lifecycle's.
 */
export async function closeInOrder(steps: readonly Closer[], logger: Logger): Promise<void> {
  for (const { name, close } of steps) {
    try {
      await close();
      logger.debug({ step: name }, 'closed');
    } catch (err) {
      logger.error({ err, step: name }, 'error while closing');
    }
  }
}

/** What closing the connections behind a drain (HTTP, broker, pool) may take of the shutdown deadline. */
const CLOSE_RESERVE_MS = 2_000;

/**
 * How long a service's stop() may let in-flight work drain: SHUTDOWN_TIMEOUT_MS less what closing
 * takes afterwards, but at least half of it, so that the process still exits within its deadline.
 */
export function drainBudgetMs(shutdownTimeoutMs: number): number {
  return Math.max(shutdownTimeoutMs - CLOSE_RESERVE_MS, shutdownTimeoutMs / 2);
}

/** Creates the lifecycle of one process. */
export function createLifecycle({ logger, timeoutMs }: LifecycleOptions): Lifecycle {
  const closers: Closer[] = [];
  let running: Promise<void> | undefined;

  const lifecycle: Lifecycle = {
    onShutdown(name, close) {
      closers.push({ name, close });
    },
    get shuttingDown() {
      return running !== undefined;
    },
    shutdown(reason) {
      running ??= (async () => {
        const started = Date.now();
        logger.info({ reason }, 'shutting down');
        await closeInOrder([...closers].reverse(), logger);
        logger.info({ duration_ms: Date.now() - started }, 'shutdown complete');
      })();
      return running;
    },
    installSignalHandlers() {
      closeWithGrace(
        {
          delay: timeoutMs,
          logger: { error: (msg: unknown) => logger.error({ detail: msg }, 'forced exit') },
        },
        async ({ signal, err }) => {
          if (err) logger.fatal({ err }, 'fatal error');
          await lifecycle.shutdown(signal ?? 'fatal error');
          logger.flush();
        },
      );
    },
  };
  return lifecycle;
}
