/**
 * Redis is not the source of truth: a stream entry can be lost with a
 * Redis restart, or its consumer can die for good. Every RECONCILER_INTERVAL_MS the reconciler
 * re-queues open orders (pending/fulfilling) whose last fulfillment request is older than
 * RECONCILER_STALE_AFTER_MS and that have no undelivered request: it writes a new
 * `fulfillment` outbox row and bumps fulfillment_requested_at, in one transaction. The worker is
 * idempotent per order, so a re-queue of an order that was merely slow does no double work.
 */
import type { Logger } from '@orderlab/platform';
import type pg from 'pg';
import { inTransaction } from './database.js';
import { OUTBOX_CHANNEL } from './outbox-listener.js';
import { buildPeriodicTask, type PeriodicTask } from './periodic-task.js';

/** Orders re-queued per run at most; the rest wait for the next run. */
export const RECONCILER_BATCH_SIZE = 500;

const REQUEUE_SQL = `
  WITH stale AS (
    SELECT o.id FROM orders o
     WHERE o.status IN ('pending', 'fulfilling')
       AND o.fulfillment_requested_at < now() - $1 * interval '1 millisecond'
       AND NOT EXISTS (
         SELECT 1 FROM outbox x
          WHERE x.aggregate_id = o.id AND x.destination = 'fulfillment' AND x.sent_at IS NULL)
     ORDER BY o.fulfillment_requested_at
     LIMIT $2
       FOR UPDATE OF o SKIP LOCKED
  ), bumped AS (
    UPDATE orders o SET fulfillment_requested_at = now()
      FROM stale WHERE o.id = stale.id
    RETURNING o.id, o.request_id
  )
  INSERT INTO outbox (destination, type, aggregate_id, payload, request_id)
  SELECT 'fulfillment', 'fulfillment.requested', id, jsonb_build_object('orderId', id, 'requeued', true), request_id
    FROM bumped
  RETURNING aggregate_id`;

export interface ReconcilerOptions {
  pool: pg.Pool;
  logger: Logger;
  intervalMs: number;
  staleAfterMs: number;
  batchSize?: number;
}

/** Re-queues stale open orders once; resolves to their ids. */
export async function requeueStaleOrders(pool: pg.Pool, staleAfterMs: number, batchSize = RECONCILER_BATCH_SIZE): Promise<string[]> {
  return inTransaction(pool, async (client) => {
    const { rows } = await client.query<{ aggregate_id: string }>(REQUEUE_SQL, [staleAfterMs, batchSize]);
    if (rows.length > 0) await client.query(`SELECT pg_notify('${OUTBOX_CHANNEL}', '')`);
    return rows.map((row) => row.aggregate_id);
  });
}

/** The periodic reconciler. */
export function buildReconciler({ pool, logger, intervalMs, staleAfterMs, batchSize }: ReconcilerOptions): PeriodicTask {
  const log = logger.child({ component: 'reconciler' });
  return buildPeriodicTask(
    'reconciler',
    intervalMs,
    async () => {
      const requeued = await requeueStaleOrders(pool, staleAfterMs, batchSize);
      if (requeued.length > 0) log.warn({ requeued: requeued.length, orderIds: requeued.slice(0, 20) }, 're-queued stale orders for fulfillment');
      else log.debug({ requeued: 0 }, 'no stale orders');
    },
    log,
  );
}
