/**
 * Header and metadata names that cross a service boundary: the HTTP headers the edge, the
 * gateway and the traffic generator exchange, and the gRPC metadata the gateway and fulfillment
 * send to orders (docs/architecture.md, "How an order flows"). No dependencies, so every
 * package can import it (`@orderlab/contracts/headers`).
 */

/** HTTP header names, lower-case as Node exposes them (HTTP header names are case-insensitive). */
export const HTTP_HEADERS = {
  /** Correlation id of a request, set by the edge and echoed in every response. */
  requestId: 'x-request-id',
  /** W3C trace context, passed through unchanged. */
  traceparent: 'traceparent',
  /** On a traced response: its trace and server span (W3C Trace Context level 2), `00-<trace>-<span>-<flags>`. */
  traceresponse: 'traceresponse',
  /** The client's key of a write (draft-ietf-httpapi-idempotency-key-header). */
  idempotencyKey: 'idempotency-key',
  /** `true` on a response that is the stored answer of an earlier request with the same key. */
  idempotentReplayed: 'idempotent-replayed',
} as const;

/**
 * Metadata keys of every OrderService call. They are the HTTP names on purpose: the gateway
 * passes the request's headers on as metadata, so one name follows a request from edge to orders.
 */
export const METADATA = {
  requestId: HTTP_HEADERS.requestId,
  traceparent: HTTP_HEADERS.traceparent,
  idempotencyKey: HTTP_HEADERS.idempotencyKey,
} as const;

/** Trailing-metadata key carrying the stable error code (one of OrdersErrorCode). */
export const ERROR_CODE_METADATA_KEY = 'orderlab-error-code';
