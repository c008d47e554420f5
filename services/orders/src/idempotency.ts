/**
 * Idempotency keys, kept in Postgres and written in the same transaction as the effect
 * (the IETF Idempotency-Key draft, as Stripe implements it; docs/errors.md). The protocol inside one transaction:
 *
 *   1. pg_try_advisory_xact_lock on the (scope, key) pair — not acquired means the first request
 *      with this key is still running: ABORTED IDEMPOTENCY_KEY_IN_USE (the gateway answers 409).
 *   2. findStoredResponse — same fingerprint: replay the stored response; different: refuse
 *      (IDEMPOTENCY_KEY_MISMATCH → 422); expired: delete it and go on.
 *   3. the effect, and the key row with the response, in one statement; then COMMIT.
 *
 * The primary key (scope, key) remains the final arbiter: a unique violation on it becomes
 * IDEMPOTENCY_KEY_IN_USE. Only successful results are stored; a failed request rolls back
 * and leaves nothing, so the client can correct it and retry with the same key.
 */
import { IDEMPOTENCY_KEY_MAX_LENGTH } from '@orderlab/contracts/limits';
import { DomainError, OrdersErrorCode, invalidArgument } from './domain/errors.js';
import type { Queryable } from './database.js';
import { isUniqueViolation } from './database.js';

/** What identifies one idempotent request. */
export interface IdempotencyRequest {
  /** `order:<customerId>` or `product`: keys are only unique within a scope. */
  scope: string;
  key: string;
  fingerprint: string;
}

/** The key from metadata, checked: missing/blank → IDEMPOTENCY_KEY_REQUIRED, too long → INVALID. */
export function requireIdempotencyKey(value: string | undefined): string {
  if (value === undefined || value.trim() === '') {
    throw invalidArgument('the idempotency-key metadata is required on this call', OrdersErrorCode.idempotencyKeyRequired);
  }
  if (value.length > IDEMPOTENCY_KEY_MAX_LENGTH) {
    throw invalidArgument(`idempotency-key must be at most ${IDEMPOTENCY_KEY_MAX_LENGTH} characters`, OrdersErrorCode.idempotencyKeyInvalid);
  }
  return value;
}

/** Idempotency scope of an order: keys are per customer. */
export function orderScope(customerId: string): string {
  return `order:${customerId}`;
}

/** Idempotency scope of CreateProduct. */
export const PRODUCT_SCOPE = 'product';

/**
 * The string whose 64-bit hash names the advisory lock. Length-prefixing the scope keeps
 * ("order:a", "bc") and ("order:ab", "c") apart.
 */
export function advisoryLockKey({ scope, key }: Pick<IdempotencyRequest, 'scope' | 'key'>): string {
  return `${scope.length}:${scope}:${key}`;
}

/** SQL expression taking the advisory lock for `$n` (an advisoryLockKey). */
export function tryLockSql(param: string): string {
  return `pg_try_advisory_xact_lock(hashtextextended(${param}, 0))`;
}

/** The error for a key whose first request is still in flight. */
export function keyInUse(): DomainError {
  return new DomainError(
    'aborted',
    OrdersErrorCode.idempotencyKeyInUse,
    'a request with this idempotency-key is still being processed; retry shortly',
  );
}

/** Takes the advisory lock of the key (statement of its own, so later reads see what the previous holder committed). */
export async function lockKey(client: Queryable, request: IdempotencyRequest): Promise<Date> {
  const { rows } = await client.query<{ locked: boolean; now: Date }>(
    `SELECT ${tryLockSql('$1')} AS locked, now() AS now`,
    [advisoryLockKey(request)],
  );
  if (!rows[0]?.locked) throw keyInUse();
  return rows[0].now;
}

/**
 * The stored response of an unexpired key row, or undefined when the key is new (an expired row
 * is deleted in the same statement). Throws IDEMPOTENCY_KEY_MISMATCH for another request's key.
 * Call it after the lock: its snapshot then includes whatever the previous holder committed.
 */
export async function findStoredResponse<T>(client: Queryable, request: IdempotencyRequest): Promise<T | undefined> {
  const { rows } = await client.query<{ fingerprint: string; response: T }>(
    `WITH expired AS (
       DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2 AND expires_at <= now()
     )
     SELECT fingerprint, response FROM idempotency_keys
      WHERE scope = $1 AND key = $2 AND expires_at > now()`,
    [request.scope, request.key],
  );
  const stored = rows[0];
  if (!stored) return undefined;
  if (stored.fingerprint !== request.fingerprint) {
    throw new DomainError(
      'failed_precondition',
      OrdersErrorCode.idempotencyKeyMismatch,
      'this idempotency-key was already used with a different request; use a new key for a new request',
    );
  }
  return stored.response;
}

/** Maps a unique violation of the key's primary key to IDEMPOTENCY_KEY_IN_USE; rethrows anything else. */
export function rethrowKeyConflict(err: unknown): never {
  if (isUniqueViolation(err, 'idempotency_keys_pkey')) throw keyInUse();
  throw err;
}
