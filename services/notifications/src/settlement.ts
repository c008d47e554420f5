/**
 * What happens to a delivery once its fate is known. No I/O: the consumer applies the answer.
 *
 * - stored or duplicate → ack (only after COMMIT; a duplicate changed nothing);
 * - poison (not a valid event) → reject without requeue: dead-lettered at once, retrying cannot help;
 * - failed (database down, a row the database refuses…) → requeue after a backoff; the quorum
 *   queue's delivery limit dead-letters a message that keeps failing instead of looping forever.
 */

/** How processing one delivery ended. */
export type Outcome =
  | { kind: 'stored' }
  | { kind: 'duplicate' }
  | { kind: 'poison'; reason: string }
  | { kind: 'failed'; error: unknown };

/** The AMQP action for a delivery. */
export type Settlement =
  | { action: 'ack' }
  | { action: 'dead-letter' }
  | { action: 'requeue'; delayMs: number; lastAttempt: boolean };

export interface RetryPolicy {
  /** NOTIFICATIONS_RETRY_DELAY_MS: wait before the first requeue. */
  baseDelayMs: number;
  /** NOTIFICATIONS_DELIVERY_LIMIT: the queue's x-delivery-limit. */
  deliveryLimit: number;
}

/** Ceiling of the requeue backoff. */
export const MAX_RETRY_DELAY_MS = 30_000;

/**
 * deliveryCount is the broker's `x-delivery-count` header: how many times this message was
 * returned to the queue before this delivery (absent, so 0, on the first).
 */
export function settle(outcome: Outcome, deliveryCount: number, policy: RetryPolicy): Settlement {
  switch (outcome.kind) {
    case 'stored':
    case 'duplicate':
      return { action: 'ack' };
    case 'poison':
      return { action: 'dead-letter' };
    case 'failed': {
      // The broker dead-letters a message returned once its count exceeds the limit; waiting
      // before that return would only hold the message longer.
      const lastAttempt = deliveryCount >= policy.deliveryLimit;
      return { action: 'requeue', delayMs: lastAttempt ? 0 : retryDelayMs(deliveryCount, policy.baseDelayMs), lastAttempt };
    }
  }
}

/** base × 2^deliveryCount, capped at MAX_RETRY_DELAY_MS. */
export function retryDelayMs(deliveryCount: number, baseDelayMs: number): number {
  return Math.min(baseDelayMs * 2 ** Math.min(deliveryCount, 20), MAX_RETRY_DELAY_MS);
}

/** The x-delivery-count header as a number (RabbitMQ sends it as a long; absent on a first delivery). */
export function deliveryCountOf(headers: Record<string, unknown> | undefined): number {
  const value = Number(headers?.['x-delivery-count'] ?? 0);
  return Number.isFinite(value) && value >= 0 ? value : 0;
}
