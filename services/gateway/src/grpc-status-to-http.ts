/**
 * The one place where an orders gRPC failure becomes an HTTP problem. The status mapping
 * follows google/rpc/code.proto; a few stable codes from the trailing metadata override it.
 */
import { status as GrpcStatus } from '@grpc/grpc-js';
import { OrdersErrorCode } from '@orderlab/contracts';
import { AppError, ErrorCode } from '@orderlab/platform';
import { errorCodeOf, isServiceError } from '@orderlab/platform/grpc';

/** The OrderService methods the gateway calls. */
export type OrdersRpc = 'ListProducts' | 'GetProduct' | 'CreateProduct' | 'CreateOrder' | 'GetOrder' | 'ListOrders';

/** Seconds a client should wait before retrying a 409-in-use, 429, 503 or 504. */
export const RETRY_AFTER_SECONDS = 1;

/** The gateway's own codes for a gRPC status orders sent no code of its own with (docs/errors.md). */
export const GatewayErrorCode = {
  failedPrecondition: 'FAILED_PRECONDITION',
  conflict: 'CONFLICT',
  rateLimited: 'RATE_LIMITED',
  requestCancelled: 'REQUEST_CANCELLED',
  notImplemented: 'NOT_IMPLEMENTED',
} as const;

/** What one gRPC failure turns into. */
export interface HttpMapping {
  status: number;
  /** Fallback stable code when orders sent none (4xx) and the code always used for 5xx. */
  code: string;
  retryAfterSeconds?: number;
}

/** gRPC status → HTTP status; anything not listed (UNKNOWN, INTERNAL, DATA_LOSS, auth…) is a 500. */
export const STATUS_TO_HTTP: ReadonlyMap<GrpcStatus, HttpMapping> = new Map<GrpcStatus, HttpMapping>([
  [GrpcStatus.INVALID_ARGUMENT, { status: 400, code: ErrorCode.VALIDATION_FAILED }],
  [GrpcStatus.FAILED_PRECONDITION, { status: 400, code: GatewayErrorCode.failedPrecondition }],
  [GrpcStatus.OUT_OF_RANGE, { status: 400, code: ErrorCode.VALIDATION_FAILED }],
  [GrpcStatus.NOT_FOUND, { status: 404, code: ErrorCode.NOT_FOUND }],
  [GrpcStatus.ALREADY_EXISTS, { status: 409, code: GatewayErrorCode.conflict }],
  [GrpcStatus.ABORTED, { status: 409, code: GatewayErrorCode.conflict }],
  [GrpcStatus.RESOURCE_EXHAUSTED, { status: 429, code: GatewayErrorCode.rateLimited, retryAfterSeconds: RETRY_AFTER_SECONDS }],
  [GrpcStatus.CANCELLED, { status: 499, code: GatewayErrorCode.requestCancelled }],
  [GrpcStatus.UNIMPLEMENTED, { status: 501, code: GatewayErrorCode.notImplemented }],
  [GrpcStatus.UNAVAILABLE, { status: 503, code: ErrorCode.DEPENDENCY_UNAVAILABLE, retryAfterSeconds: RETRY_AFTER_SECONDS }],
  [GrpcStatus.DEADLINE_EXCEEDED, { status: 504, code: ErrorCode.DEPENDENCY_TIMEOUT, retryAfterSeconds: RETRY_AFTER_SECONDS }],
]);

const INTERNAL: HttpMapping = { status: 500, code: ErrorCode.INTERNAL };

/** Stable codes from orders whose HTTP meaning is more specific than their gRPC status. */
const CODE_OVERRIDES: Readonly<Partial<Record<string, (rpc: OrdersRpc) => Omit<HttpMapping, 'code'> | undefined>>> = {
  // Same key, different request: the IETF Idempotency-Key draft says 422.
  [OrdersErrorCode.idempotencyKeyMismatch]: () => ({ status: 422 }),
  // Same key while the first request is still running: 409, and try again shortly.
  [OrdersErrorCode.idempotencyKeyInUse]: () => ({ status: 409, retryAfterSeconds: RETRY_AFTER_SECONDS }),
  // The body names a product that does not exist: the request is well-formed but unprocessable.
  [OrdersErrorCode.productNotFound]: (rpc) => (rpc === 'CreateOrder' ? { status: 422 } : undefined),
  [OrdersErrorCode.productSkuExists]: () => ({ status: 409 }),
};

/** Details written for clients by orders are shown on 4xx, capped so a bug cannot flood a response. */
const MAX_DETAIL_LENGTH = 500;

const SERVER_DETAILS: Readonly<Record<number, string>> = {
  499: 'The request was cancelled before the orders service answered.',
  501: 'This operation is not implemented by the orders service.',
  503: 'The orders service is unavailable. Retry later.',
  504: 'The orders service did not answer in time. Retry later.',
};

/** The HTTP mapping of a gRPC status plus orders' stable code, for the given method. */
export function httpMappingOf(grpcStatus: GrpcStatus, stableCode: string | undefined, rpc: OrdersRpc): HttpMapping {
  const base = STATUS_TO_HTTP.get(grpcStatus) ?? INTERNAL;
  if (stableCode === undefined) return base;
  const override = CODE_OVERRIDES[stableCode]?.(rpc);
  if (override) return { code: stableCode, ...override };
  // A 4xx keeps orders' own code (ORDER_NOT_FOUND reads better than NOT_FOUND); a 5xx never does.
  return base.status < 500 ? { ...base, code: stableCode } : base;
}

/** The problem a failed orders call becomes; anything that is not a gRPC error is returned as is. */
export function grpcErrorToHttp(err: unknown, rpc: OrdersRpc): unknown {
  if (!isServiceError(err)) return err;
  const mapping = httpMappingOf(err.code, errorCodeOf(err), rpc);
  return new AppError({
    status: mapping.status,
    code: mapping.code,
    detail: detailFor(mapping.status, err.details),
    retryAfterSeconds: mapping.retryAfterSeconds,
    cause: err,
  });
}

function detailFor(status: number, grpcDetails: string): string {
  const clientError = status < 500 && status !== 499;
  if (clientError && grpcDetails !== '') return grpcDetails.slice(0, MAX_DETAIL_LENGTH);
  return SERVER_DETAILS[status] ?? (status >= 500 ? 'The orders service failed to handle this request.' : 'The request was rejected.');
}
