/**
 * The outbox SQL both relays share: claiming a batch of one destination's due rows, and giving
 * rows that were not delivered their next attempt (exponential backoff with jitter).
 */
import type pg from 'pg';
import { backoffMs } from './domain/backoff.js';

/** Which relay a row belongs to (the CHECK constraint of outbox.destination). */
export type OutboxDestination = 'fulfillment' | 'events';

/** Columns every claimed row carries; relays ask for more. */
export interface ClaimedOutboxRow {
  id: string;
  attempts: number;
}

/** A claimed row that was not delivered, and why. */
export interface FailedDelivery {
  row: ClaimedOutboxRow;
  error: unknown;
  /** Overrides the backoff (e.g. a row that can never be valid waits much longer). */
  delayMs?: number;
}

const MAX_ERROR_LENGTH = 500;

/** An error as stored in outbox.last_error (bounded). */
export function errorText(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).slice(0, MAX_ERROR_LENGTH);
}

/**
 * Locks up to `batchSize` due, unsent rows of one destination in delivery order, skipping rows
 * another relay holds (so several relays share the work and never claim the same row). `columns`
 * is a fixed SQL column list chosen by the caller, never user input.
 */
export async function claimOutboxRows<T extends ClaimedOutboxRow>(
  client: pg.PoolClient,
  destination: OutboxDestination,
  batchSize: number,
  columns: string,
): Promise<T[]> {
  const { rows } = await client.query<T>(
    `SELECT ${columns}
       FROM outbox
      WHERE sent_at IS NULL AND destination = $1 AND next_attempt_at <= now()
      ORDER BY seq
      LIMIT $2
        FOR UPDATE SKIP LOCKED`,
    [destination, batchSize],
  );
  return rows;
}

/**
 * SQL (a data-modifying CTE body) that records failed attempts from three array parameters:
 * `$ids::uuid[]`, `$delays::int[]` (ms) and `$errors::text[]`, as produced by retryParams.
 */
export function retrySql(ids: string, delays: string, errors: string): string {
  return `UPDATE outbox o
             SET attempts = o.attempts + 1,
                 next_attempt_at = now() + r.delay_ms * interval '1 millisecond',
                 last_error = r.error
            FROM unnest(${ids}::uuid[], ${delays}::int[], ${errors}::text[]) AS r(id, delay_ms, error)
           WHERE o.id = r.id`;
}

/** The three array parameters of retrySql: ids, backoff delays, error texts. */
export function retryParams(
  failures: readonly FailedDelivery[],
  maxBackoffMs: number,
  random: () => number,
): [string[], number[], string[]] {
  return [
    failures.map(({ row }) => row.id),
    failures.map(({ row, delayMs }) => delayMs ?? backoffMs(row.attempts + 1, maxBackoffMs, random)),
    failures.map(({ error }) => errorText(error)),
  ];
}
