/**
 * Errors the orders service raises on purpose. Each carries a kind (what went wrong, mapped to a
 * gRPC status in one place: grpc-server.ts) and a stable code that clients can branch on.
 * The domain stays free of gRPC so it can be unit-tested and reused.
 */
import { OrdersErrorCode } from '@orderlab/contracts/error-codes';

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

/** The stable codes, a contract with the gateway (@orderlab/contracts), next to the error that carries them. */
export { OrdersErrorCode };

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
