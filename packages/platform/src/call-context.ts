/**
 * The call context: the correlation one request carries from service to service (its request id,
 * its W3C traceparent and, on writes, its Idempotency-Key), and its form as gRPC metadata
 * (docs/architecture.md, "How an order flows"). The caller writes it with callMetadata, the
 * server reads it back with callContextFromMetadata.
 */
import { Metadata } from '@grpc/grpc-js';
import { isValidTraceparent } from '@orderlab/contracts/formats';
import { METADATA } from '@orderlab/contracts/headers';
import { metadataValue, requestIdFromMetadata } from './grpc.js';
import { activeTraceparent } from './tracing/trace-context.js';

/** What a call carries about the request that caused it. */
export interface CallContext {
  requestId: string;
  /**
   * The W3C traceparent the call's work belongs to: on the server, its own span's when tracing
   * runs (what the outbox rows it writes carry on), else the caller's if well-formed.
   */
  traceparent?: string | undefined;
  /** The request's Idempotency-Key: required by the create calls. */
  idempotencyKey?: string | undefined;
}

/** The gRPC metadata of a call made on behalf of ctx. */
export function callMetadata(ctx: CallContext): Metadata {
  const metadata = new Metadata();
  metadata.set(METADATA.requestId, ctx.requestId);
  if (ctx.traceparent !== undefined) metadata.set(METADATA.traceparent, ctx.traceparent);
  if (ctx.idempotencyKey !== undefined) metadata.set(METADATA.idempotencyKey, ctx.idempotencyKey);
  return metadata;
}

/**
 * The context of an incoming call: the caller's sane request id (else a new one), the traceparent
 * of the call's own span (tracing on) or the caller's if well-formed, its idempotency key if not
 * empty. Call it inside the handler, where the call's span is active.
 */
export function callContextFromMetadata(metadata: Metadata): CallContext {
  const traceparent = metadataValue(metadata, METADATA.traceparent);
  return {
    requestId: requestIdFromMetadata(metadata),
    traceparent: activeTraceparent() ?? (isValidTraceparent(traceparent) ? traceparent : undefined),
    idempotencyKey: metadataValue(metadata, METADATA.idempotencyKey),
  };
}
