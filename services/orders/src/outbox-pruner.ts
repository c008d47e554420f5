/**
 * Deletes outbox rows that were sent more than the retention ago (both destinations), in bounded
 * batches, so the table holds the undelivered rows plus a window of history for inspection.
 */
import type { Logger } from '@orderlab/platform';
import type pg from 'pg';
import { buildPeriodicTask, type PeriodicTask } from './periodic-task.js';

/** How much one run may delete: batches of this size, at most this many per run. */
export const PRUNER = { batchSize: 1_000, maxBatchesPerRun: 20 } as const;

/** Deletes up to one batch of rows sent more than `retentionHours` ago; resolves to the number deleted. */
export async function pruneSentOutboxRows(pool: pg.Pool, retentionHours: number, batchSize: number = PRUNER.batchSize): Promise<number> {
  const { rowCount } = await pool.query(
    `DELETE FROM outbox
      WHERE id IN (
        SELECT id FROM outbox
         WHERE sent_at < now() - make_interval(hours => $1)
         ORDER BY sent_at
         LIMIT $2
           FOR UPDATE SKIP LOCKED)`,
    [retentionHours, batchSize],
  );
  return rowCount ?? 0;
}

export interface OutboxPrunerOptions {
  pool: pg.Pool;
  logger: Logger;
  retentionHours: number;
  intervalMs: number;
}

/** The periodic pruner. */
export function buildOutboxPruner({ pool, logger, retentionHours, intervalMs }: OutboxPrunerOptions): PeriodicTask {
  const log = logger.child({ component: 'outbox-pruner' });
  return buildPeriodicTask(
    'outbox pruner',
    intervalMs,
    async () => {
      let deleted = 0;
      for (let batch = 0; batch < PRUNER.maxBatchesPerRun; batch += 1) {
        const count = await pruneSentOutboxRows(pool, retentionHours);
        deleted += count;
        if (count < PRUNER.batchSize) break;
      }
      if (deleted > 0) log.info({ deleted, retentionHours }, 'sent outbox rows pruned');
    },
    log,
  );
}
