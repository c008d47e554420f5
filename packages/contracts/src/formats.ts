/**
 * Formats of the ids that travel between the services: a UUID (orders, products, outbox rows)
 * and a W3C `traceparent`. Every producer and consumer checks with these, so a value one side
 * accepts is never refused by the other. No dependencies (`@orderlab/contracts/formats`).
 */

/** A UUID in its canonical textual form, any version, either case. */
export const UUID_REGEX = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * W3C trace context, version-format `00`: version, trace id, parent id, flags, in lower-case hex.
 * Only a matching traceparent is passed on (isValidTraceparent), so none can inject into logs.
 */
export const TRACEPARENT_REGEX = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

/** Whether `value` is a UUID (UUID_REGEX). */
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID_REGEX.test(value);
}

/** Whether `value` is a well-formed W3C traceparent (TRACEPARENT_REGEX); only those are passed on. */
export function isValidTraceparent(value: unknown): value is string {
  return typeof value === 'string' && TRACEPARENT_REGEX.test(value);
}
