/**
 * Errors the orders service raises on purpose. Each carries a kind (what went wrong, mapped to a
 * gRPC status in one place: grpc-server.ts) and a stable code that clients can branch on.
 * The domain stays free of gRPC so it can be unit-tested and reused.
 */

/** The classes of expected failure, one per gRPC status we use. */
export type ErrorKind =
  | 'invalid_argument'
  | 'not_found'
  | 'already_exists'
  | 'aborted'
  | 'failed_precondition'
  | 'unavailable'
  | 'deadline_exceeded'
  | 'cancelled';

/** Stable error codes of the orders service (sent in trailing metadata `orderlab-error-code`). */
export const OrdersErrorCode = {
  validationFailed: 'VALIDATION_FAILED',
  idempotencyKeyRequired: 'IDEMPOTENCY_KEY_REQUIRED',
  idempotencyKeyInvalid: 'IDEMPOTENCY_KEY_INVALID',
  idempotencyKeyInUse: 'IDEMPOTENCY_KEY_IN_USE',
  idempotencyKeyMismatch: 'IDEMPOTENCY_KEY_MISMATCH',
  productNotFound: 'PRODUCT_NOT_FOUND',
  productSkuExists: 'PRODUCT_SKU_EXISTS',
  orderNotFound: 'ORDER_NOT_FOUND',
  currencyMismatch: 'CURRENCY_MISMATCH',
  invalidCursor: 'INVALID_CURSOR',
  transactionConflict: 'TRANSACTION_CONFLICT',
  databaseUnavailable: 'DATABASE_UNAVAILABLE',
  databaseTimeout: 'DATABASE_TIMEOUT',
  deadlineExceeded: 'DEADLINE_EXCEEDED',
  overloaded: 'OVERLOADED',
  shuttingDown: 'SHUTTING_DOWN',
  cancelled: 'CANCELLED',
  internal: 'INTERNAL',
} as const;

/** One of the codes above. */
export type OrdersErrorCode = (typeof OrdersErrorCode)[keyof typeof OrdersErrorCode];

/** An expected failure whose message is safe to show to the caller. */
export class DomainError extends Error {
  override readonly name = 'DomainError';

  constructor(
    readonly kind: ErrorKind,
    readonly code: OrdersErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Shorthand for the most common failure: bad input, with a message naming the field. */
export function invalidArgument(message: string, code: OrdersErrorCode = OrdersErrorCode.validationFailed): DomainError {
  return new DomainError('invalid_argument', code, message);
}
