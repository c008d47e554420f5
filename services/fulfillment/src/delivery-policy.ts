/** When a fulfillment request is retried and when it is dead-lettered. Plain functions, no I/O. */

/** What to do with a pending entry. */
export type Decision = 'process' | 'retry' | 'dead-letter';

/**
 * Before processing: an entry delivered more than `maxDeliveries` times has already had its
 * `maxDeliveries` attempts (the ones before crashed or failed), so it is not tried again.
 */
export function decideBeforeProcessing(deliveries: number, maxDeliveries: number): Decision {
  return deliveries > maxDeliveries ? 'dead-letter' : 'process';
}

/**
 * After a failed attempt: a permanent error (retrying cannot help) or the last allowed
 * delivery dead-letters at once; anything else stays pending for a later redelivery.
 */
export function decideAfterFailure(options: { deliveries: number; maxDeliveries: number; permanent: boolean }): Decision {
  if (options.permanent) return 'dead-letter';
  return options.deliveries >= options.maxDeliveries ? 'dead-letter' : 'retry';
}

/** How often idle entries are reclaimed: often enough to notice a dead consumer soon after it died. */
export function reclaimIntervalMs(claimIdleMs: number): number {
  return Math.max(1, Math.min(Math.floor(claimIdleMs / 2), 5_000));
}

/** Exponential backoff for the read loop while Redis fails: 100 ms doubling to 5 s. */
export function readBackoffMs(consecutiveFailures: number): number {
  return Math.min(100 * 2 ** Math.max(0, consecutiveFailures - 1), 5_000);
}
