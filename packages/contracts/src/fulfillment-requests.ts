/**
 * The fulfillment request stream between orders and fulfillment (docs/configuration.md, "Redis
 * keys"): orders' outbox relay XADDs one entry per order to `fulfillment:requests`, the
 * fulfillment worker reads it in its consumer group and moves what it gives up on to
 * `fulfillment:dead`. Both sides build the keys and the entry from here, so a renamed field
 * changes the writer and the reader together. No dependencies (`@orderlab/contracts/fulfillment-requests`).
 */

/** The stream keys, each behind REDIS_KEY_PREFIX (which orders and fulfillment must share). */
export const FULFILLMENT_STREAMS = {
  /** Fulfillment requests, written by orders' outbox relay. */
  requests: 'fulfillment:requests',
  /** Requests the worker gave up on, with `deliveries` and `reason` added. */
  dead: 'fulfillment:dead',
} as const;

/** The field names of one request entry. */
export const FULFILLMENT_REQUEST_FIELDS = {
  orderId: 'order_id',
  requestId: 'request_id',
  traceparent: 'traceparent',
  enqueuedAt: 'enqueued_at',
  outboxId: 'outbox_id',
} as const;

/** What one entry says; absent correlation values are written as empty strings. */
export interface FulfillmentRequestEntry {
  orderId: string;
  /** The request id of the order's creation. */
  requestId: string | null;
  /** W3C trace context of that request. */
  traceparent: string | null;
  /** When the relay wrote the entry (ISO 8601). */
  enqueuedAt: string;
  /** The outbox row the entry came from. */
  outboxId: string;
}

/** The entry as XADD's flat `field, value, …` arguments (a stream field holds a string, never null). */
export function encodeFulfillmentRequest(entry: FulfillmentRequestEntry): string[] {
  const F = FULFILLMENT_REQUEST_FIELDS;
  return [
    F.orderId, entry.orderId,
    F.requestId, entry.requestId ?? '',
    F.traceparent, entry.traceparent ?? '',
    F.enqueuedAt, entry.enqueuedAt,
    F.outboxId, entry.outboxId,
  ];
}
