/**
 * The stable error codes of the orders service: sent next to the gRPC status in the trailing
 * metadata key ERROR_CODE_METADATA_KEY, mapped to HTTP by the gateway (grpc-status-to-http.ts)
 * and listed with their meaning in docs/errors.md. The gateway raises the IDEMPOTENCY_KEY_*
 * codes itself too, before a call reaches orders. No dependencies (`@orderlab/contracts/error-codes`).
 */

/** Every code orders may send, by name. */
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
