/**
 * One outgoing unary gRPC call, the way every OrderLab client makes it: the call context as
 * metadata, one deadline over all attempts, each attempt timed for
 * rpc_client_call_duration_seconds, and reads optionally retried on UNAVAILABLE.
 */
import { performance } from 'node:perf_hooks';
import {
  Metadata,
  status as GrpcStatus,
  type CallOptions,
  type ClientUnaryCall,
  type requestCallback,
  type ServiceError,
} from '@grpc/grpc-js';
import { callMetadata, type CallContext } from './call-context.js';
import { isServiceError } from './grpc.js';
import type { GrpcCallRecorder } from './grpc-metrics.js';
import { METADATA } from '@orderlab/contracts/headers';
import { startRpcClientSpan } from './tracing/rpc.js';

/** A grpc-js unary client method in its (request, metadata, options, callback) form. */
export type UnaryMethod<Req, Res> = (
  request: Req,
  metadata: Metadata,
  options: CallOptions,
  callback: requestCallback<Res>,
) => ClientUnaryCall;

export interface UnaryCallOptions {
  /** The full method, `package.Service/Method`: the rpc_method the recorder gets. */
  rpcMethod: string;
  /** Deadline of the whole call, retries included. */
  deadlineMs: number;
  /** Records each attempt's duration and status; none by default. */
  recordCall?: GrpcCallRecorder | undefined;
  /**
   * Attempts in all (default 1). Only UNAVAILABLE is retried: more than one only for calls that
   * are safe to repeat (reads); a write is retried by its client, with its idempotency key.
   */
  attempts?: number | undefined;
  /** Told before each retry, to log it. */
  onRetry?: ((err: ServiceError, attempt: number) => void) | undefined;
}

const NO_RECORDER: GrpcCallRecorder = () => {};

/**
 * Calls method with request on behalf of context (none: no metadata); resolves to the response,
 * rejects with the last attempt's error (a ServiceError, as grpc-js reports it).
 */
export async function unaryCall<Req, Res>(
  method: UnaryMethod<Req, Res>,
  request: Req,
  context: CallContext | undefined,
  { rpcMethod, deadlineMs, recordCall = NO_RECORDER, attempts = 1, onRetry }: UnaryCallOptions,
): Promise<Res> {
  // One deadline for the whole call, so a retried read still answers within deadlineMs.
  const deadline = Date.now() + deadlineMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await attemptCall(method, request, context, deadline, rpcMethod, recordCall);
    } catch (err) {
      const unavailable = isServiceError(err) && err.code === GrpcStatus.UNAVAILABLE;
      if (!unavailable || attempt >= attempts || Date.now() >= deadline) throw err;
      onRetry?.(err, attempt);
    }
  }
}

/**
 * One attempt: a promise over grpc-js's callback, recorded when the status arrives, in a CLIENT
 * span whose traceparent the call carries (the server's span is its child).
 */
function attemptCall<Req, Res>(
  method: UnaryMethod<Req, Res>,
  request: Req,
  context: CallContext | undefined,
  deadline: number,
  rpcMethod: string,
  recordCall: GrpcCallRecorder,
): Promise<Res> {
  const metadata = context === undefined ? new Metadata() : callMetadata(context);
  const span = startRpcClientSpan(rpcMethod);
  if (span.traceparent !== undefined) metadata.set(METADATA.traceparent, span.traceparent);
  return new Promise((resolve, reject) => {
    const started = performance.now();
    method(request, metadata, { deadline }, (err, response) => {
      // The callback runs when the status arrives: that is the call's end.
      const code = err ? err.code : GrpcStatus.OK;
      span.end(code, err?.details);
      recordCall(rpcMethod, code, started, span.sampled);
      if (err) reject(err);
      else if (response === undefined) reject(new Error(`${rpcMethod} answered without a message`));
      else resolve(response);
    });
  });
}
