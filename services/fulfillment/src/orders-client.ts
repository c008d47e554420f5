/**
 * The worker's only call into the orders service: CompleteFulfillment, made with the platform's
 * unaryCall (deadline, call context as metadata, call metrics).
 */
import { status as GrpcStatus } from '@grpc/grpc-js';
import { createOrderServiceClient, FulfillmentOutcome, ORDER_SERVICE_NAME, type CompleteFulfillmentRequest } from '@orderlab/contracts';
import { errorCodeOf, grpcClientCallRecorder, isServiceError, unaryCall, type CallContext } from '@orderlab/platform/grpc';
import { NO_METRICS, type ServiceMetrics } from '@orderlab/platform/metrics';

/** What the worker reports for one order. */
export type CompleteFulfillmentInput =
  | { orderId: string; outcome: 'shipped'; shipmentId: string; trackingNumber: string }
  | { orderId: string; outcome: 'failed'; failureReason: string };

/** Correlation carried to orders as call metadata: the platform's call context. */
export type { CallContext } from '@orderlab/platform/grpc';

/** The orders boundary as the worker sees it (a real gRPC client, or a stand-in in tests). */
export interface OrdersClient {
  /** Resolves once orders has recorded the outcome; rejects with the gRPC error otherwise. */
  completeFulfillment(input: CompleteFulfillmentInput, context: CallContext): Promise<void>;
  close(): void;
}

export interface OrdersClientOptions {
  /** host:port of the orders gRPC server. */
  address: string;
  deadlineMs: number;
  /** rpc_client_call_duration_seconds of every call. */
  metrics?: ServiceMetrics;
}

/** The CompleteFulfillment message of an outcome. */
function toRequest(input: CompleteFulfillmentInput): CompleteFulfillmentRequest {
  return input.outcome === 'shipped'
    ? {
        orderId: input.orderId,
        outcome: FulfillmentOutcome.FULFILLMENT_OUTCOME_SHIPPED,
        shipmentId: input.shipmentId,
        trackingNumber: input.trackingNumber,
      }
    : {
        orderId: input.orderId,
        outcome: FulfillmentOutcome.FULFILLMENT_OUTCOME_FAILED,
        failureReason: input.failureReason,
      };
}

/** A gRPC OrdersClient; every call has a deadline of deadlineMs. */
export function createOrdersClient({ address, deadlineMs, metrics = NO_METRICS }: OrdersClientOptions): OrdersClient {
  const client = createOrderServiceClient(address);
  const recordCall = grpcClientCallRecorder(metrics);
  const completeFulfillment = client.completeFulfillment.bind(client);
  const options = { rpcMethod: `${ORDER_SERVICE_NAME}/CompleteFulfillment`, deadlineMs, recordCall };
  return {
    async completeFulfillment(input, context) {
      await unaryCall(completeFulfillment, toRequest(input), context, options);
    },
    close() {
      client.close();
    },
  };
}

// Statuses that say "this request will never succeed as sent" (gRPC's own retry guidance);
// everything else — UNAVAILABLE, DEADLINE_EXCEEDED, INTERNAL, … — may pass on a later try.
const PERMANENT = new Set<number>([GrpcStatus.INVALID_ARGUMENT, GrpcStatus.NOT_FOUND, GrpcStatus.FAILED_PRECONDITION]);

/** True when orders rejected the request for good, so retrying it is pointless. */
export function isPermanentOrdersError(err: unknown): boolean {
  return isServiceError(err) && PERMANENT.has(err.code);
}

/** A short description of an orders error for logs and dead letters, e.g. `UNAVAILABLE: No connection established`. */
export function describeOrdersError(err: unknown): string {
  if (!isServiceError(err)) return err instanceof Error ? err.message : String(err);
  const code = errorCodeOf(err);
  return `${GrpcStatus[err.code] ?? err.code}${code ? ` (${code})` : ''}: ${err.details}`;
}
