/** Ordered graceful shutdown with a deadline. */
import closeWithGrace from 'close-with-grace';
import type { Logger } from './logger.js';

export interface Lifecycle {
  /** Registers a closer; closers run in reverse order of registration. */
  onShutdown(name: string, close: () => Promise<void> | void): void;
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

/** Creates the lifecycle of one process. */
export function createLifecycle({ logger, timeoutMs }: LifecycleOptions): Lifecycle {
  const closers: { name: string; close: () => Promise<void> | void }[] = [];
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
        for (const { name, close } of [...closers].reverse()) {
          try {
            await close();
            logger.debug({ step: name }, 'closed');
          } catch (err) {
            logger.error({ err, step: name }, 'error while closing');
          }
        }
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
