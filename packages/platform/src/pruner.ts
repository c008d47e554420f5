/**
 * Age-based pruning of the tables that grow with traffic (docs/configuration.md, "Retention"):
 * a background job that deletes rows older than each table's retention in bounded batches, on an
 * interval with jitter, never overlapping itself, and stops within a deadline. Each service lists
 * its tables; the SQL, the schedule, the log line and `orderlab_pruned_rows_total` live here.
 */
import type pg from 'pg';
import Type from 'typebox';
import type { Logger } from './logger.js';
import { NO_METRICS, type ServiceMetrics } from './metrics.js';
import { settleWithin } from './timeout.js';

/** Milliseconds per hour: retentions are configured in hours (`*_RETENTION_HOURS`). */
export const HOUR_MS = 3_600_000;

/** PRUNE_INTERVAL_MS: spread into a service's config schema. */
export const pruneIntervalConfig = Type.Integer({ default: 60_000, minimum: 100, maximum: 3_600_000 });

/** The bounds of one run, unless a service overrides them. */
export const PRUNER_LIMITS = {
  /** Rows per DELETE: short transactions, short row locks. */
  batchSize: 1_000,
  /** Batches per table per run (20,000 rows); a larger backlog is worked off over the next runs. */
  maxBatchesPerRun: 20,
  /** Server-side cap on each DELETE. */
  statementTimeoutMs: 5_000,
  /** How long stop() waits for a run in progress before closing its connection. */
  stopTimeoutMs: 1_000,
} as const;

/** Each delay between runs is the interval ± this fraction, so services sharing a server do not prune in step. */
const JITTER = 0.2;
const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

/** One table kept bounded by age. */
export interface PruneTable {
  /** The table; also the `db_collection_name` of orderlab_pruned_rows_total. */
  table: string;
  /** The timestamp that ages. Index it: each batch takes the oldest rows first. Rows where it is NULL are never deleted. */
  ageColumn: string;
  /** Rows whose ageColumn lies further in the past than this are deleted (0: as soon as it has passed). */
  retentionMs: number;
  /** A further condition a row must meet to be deleted, in SQL (written in code, never from input). */
  where?: string;
}

export interface PrunerOptions {
  pool: pg.Pool;
  logger: Logger;
  /** Counts orderlab_pruned_rows_total; disabled metrics cost nothing. */
  metrics?: ServiceMetrics;
  /** Pruned in this order, each run (list a referencing table before the table it references). */
  tables: readonly PruneTable[];
  /** PRUNE_INTERVAL_MS: the mean time between the end of one run and the start of the next. */
  intervalMs: number;
  batchSize?: number;
  maxBatchesPerRun?: number;
  statementTimeoutMs?: number;
}

/** Rows deleted by one run, by table. */
export type PruneResult = Record<string, number>;

/** The running job. */
export interface Pruner {
  /** Schedules the runs: the first after one (jittered) interval. */
  start(): void;
  /** Runs once now, after any run in progress; resolves to the rows deleted. Failures are logged, not thrown. */
  runOnce(): Promise<PruneResult>;
  /**
   * Cancels future runs and lets the run in progress finish its current batch. Past timeoutMs it
   * closes that batch's connection (the server rolls the batch back) and resolves at once.
   */
  stop(timeoutMs?: number): Promise<void>;
}

// ctid = ANY(ARRAY(…)) is a TID scan: the inner SELECT finds and locks the batch on the age
// column's index, the DELETE then goes straight to those rows. SKIP LOCKED: rows someone else
// holds (another replica's pruner, a transaction still using them) wait for the next run.
function deleteStatement({ table, ageColumn, where }: PruneTable): string {
  return `DELETE FROM ${table} WHERE ctid = ANY(ARRAY(
    SELECT ctid FROM ${table}
     WHERE ${ageColumn} < now() - $1 * interval '1 millisecond'${where === undefined ? '' : ` AND (${where})`}
     ORDER BY ${ageColumn}
     LIMIT $2
       FOR UPDATE SKIP LOCKED))`;
}

/** Builds the pruner over a service's pool; nothing runs until start() or runOnce(). */
export function buildPruner({ pool, logger, metrics = NO_METRICS, tables, intervalMs, ...limits }: PrunerOptions): Pruner {
  const { batchSize, maxBatchesPerRun, statementTimeoutMs, stopTimeoutMs } = { ...PRUNER_LIMITS, ...limits };
  for (const { table, ageColumn, retentionMs } of tables) {
    if (!IDENTIFIER.test(table) || !IDENTIFIER.test(ageColumn)) throw new Error(`pruner: ${table}.${ageColumn} is not a plain lower-case identifier`);
    if (!(retentionMs >= 0)) throw new Error(`pruner: the retention of ${table} must be 0 or more milliseconds`);
  }
  const log = logger.child({ component: 'pruner' });
  const pruned = metrics.counter<'db_collection_name'>({
    name: 'orderlab_pruned_rows_total',
    help: 'Rows deleted by age (retention), by table.',
    labelNames: ['db_collection_name'],
  });
  // Every table's series exists from the start, so rate() and absence alerts work before the first prune.
  for (const { table } of tables) pruned.inc({ db_collection_name: table }, 0);
  const statements = tables.map((target) => ({ ...target, sql: deleteStatement(target) }));

  let started = false;
  let stopping = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<PruneResult> | undefined;
  /** The connection of the batch in flight, which stop() closes past its deadline. */
  let active: pg.PoolClient | undefined;

  async function deleteBatch(sql: string, retentionMs: number): Promise<number> {
    const client = await pool.connect();
    if (stopping) {
      client.release();
      return 0;
    }
    active = client;
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      await client.query(`SET LOCAL statement_timeout = ${statementTimeoutMs}`);
      const { rowCount } = await client.query(sql, [retentionMs, batchSize]);
      await client.query('COMMIT');
      return rowCount ?? 0;
    } catch (err) {
      await client.query('ROLLBACK').catch((rollbackErr: unknown) => {
        broken = rollbackErr instanceof Error ? rollbackErr : new Error(String(rollbackErr));
      });
      throw err;
    } finally {
      active = undefined;
      // A connection that could not roll back is closed rather than handed to the next caller.
      client.release(broken);
    }
  }

  async function run(): Promise<PruneResult> {
    const startedAt = performance.now();
    const result: PruneResult = {};
    const capped: string[] = [];
    const failed: string[] = [];
    let firstError: unknown;
    for (const { table, sql, retentionMs } of statements) {
      let deleted = 0;
      try {
        for (let batch = 1; !stopping; batch += 1) {
          const count = await deleteBatch(sql, retentionMs);
          deleted += count;
          pruned.inc({ db_collection_name: table }, count);
          if (count < batchSize) break;
          if (batch === maxBatchesPerRun) {
            capped.push(table);
            break;
          }
        }
      } catch (err) {
        failed.push(table);
        firstError ??= err;
      }
      result[table] = deleted;
    }
    if (Object.values(result).some((n) => n > 0)) {
      log.info(
        { pruned: result, ...(capped.length > 0 ? { capped } : {}), duration_ms: Math.round(performance.now() - startedAt) },
        'old rows pruned',
      );
    }
    // While stopping, a failure is the deadline closing the connection; stop() said so already.
    if (failed.length > 0 && !stopping) log.warn({ err: firstError, tables: failed }, 'pruning failed; retrying at the next run');
    return result;
  }

  async function runOnce(): Promise<PruneResult> {
    while (running) await running;
    const current = run();
    running = current;
    try {
      return await current;
    } finally {
      running = undefined;
    }
  }

  function schedule(): void {
    if (stopping) return;
    const delay = intervalMs * (1 - JITTER + 2 * JITTER * Math.random());
    timer = setTimeout(() => void runOnce().finally(schedule), delay);
    timer.unref();
  }

  return {
    start() {
      if (started || stopping) return;
      started = true;
      schedule();
    },
    runOnce,
    async stop(timeoutMs = stopTimeoutMs) {
      stopping = true;
      clearTimeout(timer);
      const current = running;
      if (!current) return;
      if (await settleWithin(current, timeoutMs)) return;
      log.warn({ timeout_ms: timeoutMs }, 'prune run still going at the stop deadline; closing its connection (the batch rolls back)');
      // Ends the socket: the statement rejects here at once; the server rolls back the open transaction.
      await active?.end().catch(() => undefined);
    },
  };
}
