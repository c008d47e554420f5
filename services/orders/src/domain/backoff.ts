/** Retry timing without I/O. */

/** First retry delay of an outbox row whose delivery failed. */
export const OUTBOX_BASE_BACKOFF_MS = 250;

/**
 * Delay before the next delivery attempt after `attempts` failures (1 = first failure):
 * exponential from OUTBOX_BASE_BACKOFF_MS, capped at `maxMs`, with "equal jitter" (half fixed,
 * half random) so relays that failed together do not retry in lockstep.
 */
export function backoffMs(attempts: number, maxMs: number, random: () => number = Math.random): number {
  const exponent = Math.min(Math.max(attempts - 1, 0), 30);
  const ceiling = Math.min(maxMs, OUTBOX_BASE_BACKOFF_MS * 2 ** exponent);
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}
