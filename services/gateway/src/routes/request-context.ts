/** What every route takes from the HTTP request to pass on to orders, and how a create answers. */
import { isValidTraceparent } from '@orderlab/contracts/formats';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CallContext } from '../orders-client.js';
import { IDEMPOTENCY_KEY_HEADER, IDEMPOTENT_REPLAYED_HEADER, parseIdempotencyKey } from '../idempotency-key.js';

/** The gRPC call context of a request: its id, its traceparent if well-formed, its logger. */
export function callContextOf(request: FastifyRequest): CallContext {
  const traceparent = request.headers.traceparent;
  return {
    requestId: request.id,
    log: request.log,
    ...(isValidTraceparent(traceparent) ? { traceparent } : {}),
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

/**
 * Answers a create with 201 and the resource at location, marked Idempotent-Replayed when orders
 * replayed the response of an earlier create with the same key.
 */
export function replyCreated<Resource>(reply: FastifyReply, resource: Resource, location: string, replayed: boolean): Resource {
  reply.code(201).header('location', location);
  if (replayed) reply.header(IDEMPOTENT_REPLAYED_HEADER, 'true');
  return resource;
}
