/** A background job that runs every interval, never overlapping itself, and stops cleanly. */
import type { Logger } from '@orderlab/platform';
import { throttledWarn } from './throttled-log.js';

/** A periodic job. */
export interface PeriodicTask {
  start(): void;
  /** Cancels future runs and waits for the current one. */
  stop(): Promise<void>;
  /** Runs once now (after any run in progress); failures are thrown to the caller. */
  runOnce(): Promise<void>;
}

/** Runs `run` every `intervalMs` (first run one interval after start); failures are logged, throttled. */
export function buildPeriodicTask(name: string, intervalMs: number, run: () => Promise<void>, logger: Logger): PeriodicTask {
  const warn = throttledWarn(logger);
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void> | undefined;

  async function exclusive(): Promise<void> {
    while (current) await current.catch(() => undefined);
    const promise = run();
    current = promise;
    try {
      await promise;
    } finally {
      current = undefined;
    }
  }

  return {
    start() {
      if (timer) return;
      timer = setInterval(() => {
        if (current) return;
        exclusive().catch((err: unknown) => warn(err, `${name} failed; retrying at the next interval`));
      }, intervalMs);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      timer = undefined;
      await current?.catch(() => undefined);
    },
    runOnce: exclusive,
  };
}
