/**
 * The worker's side of the fulfillment stream's message contract (FULFILLMENT_REQUEST_FIELDS of
 * @orderlab/contracts, whose encoder orders' relay writes with): parsing of one entry's fields
 * into a request, without I/O.
 */
import { isUuid, isValidTraceparent } from '@orderlab/contracts/formats';
import { FULFILLMENT_REQUEST_FIELDS as F } from '@orderlab/contracts/fulfillment-requests';
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

/** Turns a flat `[field, value, field, value…]` reply into a record (the last value wins). */
export function fieldsToRecord(flat: readonly string[]): Record<string, string> {
  const record: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) record[flat[i] as string] = flat[i + 1] as string;
  return record;
}

/** Validates a stream entry's fields; a malformed entry is reported with the reason. */
export function parseFulfillmentRequest(messageId: string, fields: Record<string, string>): ParsedEntry {
  const sentRequestId = fields[F.requestId];
  const requestId = isValidRequestId(sentRequestId) ? sentRequestId : newRequestId();
  const orderId = fields[F.orderId];
  if (orderId === undefined || orderId === '') {
    return { ok: false, reason: `${F.orderId} is missing`, requestId };
  }
  if (!isUuid(orderId)) {
    return { ok: false, reason: `${F.orderId} is not a UUID`, requestId };
  }
  const traceparent = fields[F.traceparent];
  return {
    ok: true,
    request: {
      messageId,
      orderId: orderId.toLowerCase(),
      requestId,
      ...(isValidTraceparent(traceparent) ? { traceparent } : {}),
      fields,
    },
  };
}
