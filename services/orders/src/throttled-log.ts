/** Logging for failures that repeat on every request while a dependency is down. */
import type { Logger } from '@orderlab/platform';

/** A warn() that writes at most one line per interval, counting what it held back. */
export type ThrottledWarn = (err: unknown, msg: string) => void;

/** Logs the first failure at once, then at most one line per `intervalMs` with a `suppressed` count. */
export function throttledWarn(logger: Logger, intervalMs = 10_000, now: () => number = Date.now): ThrottledWarn {
  let lastAt = -Infinity;
  let suppressed = 0;
  return (err, msg) => {
    const t = now();
    if (t - lastAt < intervalMs) {
      suppressed += 1;
      return;
    }
    logger.warn({ err, suppressed }, msg);
    lastAt = t;
    suppressed = 0;
  };
}
