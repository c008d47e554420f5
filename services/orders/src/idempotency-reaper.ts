/** Deletes expired idempotency keys in bounded batches so the table stays the size of one TTL. */
import type { Logger } from '@orderlab/platform';
import type pg from 'pg';
import { buildPeriodicTask, type PeriodicTask } from './periodic-task.js';

/** How often the reaper runs, and how much one run may delete. */
export const REAPER = { intervalMs: 60_000, batchSize: 1_000, maxBatchesPerRun: 10 } as const;

/** Deletes up to one batch of expired keys; resolves to the number deleted. */
export async function reapExpiredKeys(pool: pg.Pool, batchSize: number = REAPER.batchSize): Promise<number> {
  const { rowCount } = await pool.query(
    `DELETE FROM idempotency_keys
      WHERE (scope, key) IN (
        SELECT scope, key FROM idempotency_keys
         WHERE expires_at <= now()
         ORDER BY expires_at
         LIMIT $1
           FOR UPDATE SKIP LOCKED)`,
    [batchSize],
  );
  return rowCount ?? 0;
}

/** The periodic reaper. */
export function buildIdempotencyReaper({ pool, logger }: { pool: pg.Pool; logger: Logger }): PeriodicTask {
  const log = logger.child({ component: 'idempotency-reaper' });
  return buildPeriodicTask(
    'idempotency reaper',
    REAPER.intervalMs,
    async () => {
      let deleted = 0;
      for (let batch = 0; batch < REAPER.maxBatchesPerRun; batch += 1) {
        const count = await reapExpiredKeys(pool);
        deleted += count;
        if (count < REAPER.batchSize) break;
      }
      if (deleted > 0) log.info({ deleted }, 'expired idempotency keys deleted');
    },
    log,
  );
}
