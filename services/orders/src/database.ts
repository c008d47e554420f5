/** Postgres plumbing shared by the repositories: transactions and fault classification. */
import type pg from 'pg';
import { DomainError, OrdersErrorCode } from './domain/errors.js';

/** Anything that can run a query: the pool or a client inside a transaction. */
export type Queryable = Pick<pg.PoolClient, 'query'>;

/**
 * Runs fn inside BEGIN … COMMIT on one pooled connection. `beforeBegin` runs once a connection
 * is held (waiting for one can take up to the pool's connection timeout) so a call whose
 * deadline has passed meanwhile does not start a transaction at all.
 */
export async function inTransaction<T>(
  pool: pg.Pool,
  fn: (client: pg.PoolClient) => Promise<T>,
  beforeBegin?: () => void,
): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    beforeBegin?.();
    await client.query('BEGIN');
    try {
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch((rollbackError: unknown) => {
        // A connection that cannot roll back is unusable: destroy it instead of reusing it.
        broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
      });
      throw err;
    }
  } finally {
    client.release(broken);
  }
}

const NETWORK_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'EAI_AGAIN']);

/**
 * Turns a database fault into the DomainError a caller should see, or undefined when err is
 * not a recognised dependency fault (a bug, which the caller reports as INTERNAL). A dependency
 * fault is never INTERNAL: clients retry UNAVAILABLE, and alerts can tell the two apart.
 */
export function classifyDatabaseError(err: unknown): DomainError | undefined {
  if (!(err instanceof Error)) return undefined;
  const code = (err as { code?: unknown }).code;
  const sqlState = typeof code === 'string' ? code : '';
  if (sqlState === '57014') {
    return new DomainError('unavailable', OrdersErrorCode.databaseTimeout, 'the database did not answer in time; retry later');
  }
  if (sqlState === '40001' || sqlState === '40P01' || sqlState === '55P03') {
    return new DomainError('aborted', OrdersErrorCode.transactionConflict, 'the request conflicted with a concurrent one; retry it');
  }
  if (
    NETWORK_ERRORS.has(sqlState) ||
    sqlState.startsWith('08') || // connection exceptions
    sqlState.startsWith('53') || // insufficient resources, e.g. too many connections
    sqlState === '57P01' || sqlState === '57P02' || sqlState === '57P03' || // shutting down / starting up
    sqlState === '3D000' || // the database does not exist (yet)
    /timeout exceeded when trying to connect|Connection terminated|connection (is )?closed|Client has encountered a connection error/i.test(err.message)
  ) {
    return new DomainError('unavailable', OrdersErrorCode.databaseUnavailable, 'the database is unavailable; retry later');
  }
  return undefined;
}

/** Whether err is a unique violation of the named constraint (or of any, without a name). */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  const e = err as { code?: unknown; constraint?: unknown } | undefined;
  return e?.code === '23505' && (constraint === undefined || e.constraint === constraint);
}

/**
 * Readiness probe of the pool: SELECT 1, unless callers are already queueing for connections —
 * a saturated pool means Postgres is answering, and a probe stuck in that queue would report a
 * busy service as down.
 */
export async function checkPostgres(pool: pg.Pool): Promise<void> {
  if (pool.waitingCount > 0) return;
  await pool.query('SELECT 1');
}
