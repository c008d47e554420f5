/** What every route takes from the HTTP request to pass on to orders. */
import type { FastifyRequest } from 'fastify';
import type { CallContext } from '../orders-client.js';
import { IDEMPOTENCY_KEY_HEADER, parseIdempotencyKey } from '../idempotency-key.js';

// W3C trace context, version 00; anything else is not forwarded.
const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

/** The gRPC call context of a request: its id, its traceparent if well-formed, its logger. */
export function callContextOf(request: FastifyRequest): CallContext {
  const traceparent = request.headers.traceparent;
  return {
    requestId: request.id,
    log: request.log,
    ...(typeof traceparent === 'string' && TRACEPARENT.test(traceparent) ? { traceparent } : {}),
  };
}

/** The call context of a write, with its Idempotency-Key (already checked by the hook below). */
export function writeContextOf(request: FastifyRequest): CallContext & { idempotencyKey: string } {
  return { ...callContextOf(request), idempotencyKey: parseIdempotencyKey(request.headers[IDEMPOTENCY_KEY_HEADER]) };
}

/**
 * preValidation hook of the POST routes: a missing or malformed key is answered with its own
 * code (IDEMPOTENCY_KEY_REQUIRED / _INVALID) before the body is even validated.
 */
export async function requireIdempotencyKey(request: FastifyRequest): Promise<void> {
  parseIdempotencyKey(request.headers[IDEMPOTENCY_KEY_HEADER]);
}
