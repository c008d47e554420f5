/**
 * The fulfillment stream's message contract (docs/configuration.md, "Redis keys"): parsing of
 * one entry's fields into a request, without I/O.
 */
import { isValidRequestId, newRequestId } from '@orderlab/platform';

/** One stream entry as Redis returns it; `fields` is null when the entry was trimmed away. */
export interface StreamEntry {
  id: string;
  fields: Record<string, string> | null;
}

/** A valid fulfillment request. */
export interface FulfillmentRequest {
  /** Stream entry id, e.g. `1763900000000-0`. */
  messageId: string;
  orderId: string;
  /** The request id of the order's creation, or a new one when the producer sent none. */
  requestId: string;
  /** W3C trace context of the producer, when present and well-formed. */
  traceparent?: string;
  /** The entry's fields as written by the producer (dead letters carry them unchanged). */
  fields: Record<string, string>;
}

/** The outcome of parsing: a request, or why the entry can never be processed. */
export type ParsedEntry =
  | { ok: true; request: FulfillmentRequest }
  | { ok: false; reason: string; requestId: string; orderId?: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

/** Turns a flat `[field, value, field, value…]` reply into a record (the last value wins). */
export function fieldsToRecord(flat: readonly string[]): Record<string, string> {
  const record: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) record[flat[i] as string] = flat[i + 1] as string;
  return record;
}

/** Validates a stream entry's fields; a malformed entry is reported with the reason. */
export function parseFulfillmentRequest(messageId: string, fields: Record<string, string>): ParsedEntry {
  const requestId = isValidRequestId(fields.request_id) ? fields.request_id : newRequestId();
  const orderId = fields.order_id;
  if (orderId === undefined || orderId === '') {
    return { ok: false, reason: 'order_id is missing', requestId };
  }
  if (!UUID.test(orderId)) {
    return { ok: false, reason: 'order_id is not a UUID', requestId };
  }
  const traceparent = fields.traceparent;
  return {
    ok: true,
    request: {
      messageId,
      orderId: orderId.toLowerCase(),
      requestId,
      ...(traceparent !== undefined && TRACEPARENT.test(traceparent) ? { traceparent } : {}),
      fields,
    },
  };
}
