import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import pg from 'pg';
import { createServiceMetrics, type ServiceMetrics } from '../src/metrics.js';
import { createPgPool } from '../src/postgres.js';
import { buildPruner, HOUR_MS, type PrunerOptions } from '../src/pruner.js';
import { captureLogs, createTestDatabase, promtoolProblems, sampleValue, waitFor } from '../src/testing/index.js';

const APPLICATION_NAME = 'pruner-test';

/** A database with `jobs`: 35 finished jobs two days old, and rows a one-day retention must keep. */
async function createJobs(t: TestContext) {
  const db = await createTestDatabase('pruner');
  t.after(() => db.drop());
  const { logger, lines } = captureLogs('test');
  const metrics = createServiceMetrics({ enabled: true, service: 'test', version: '1' });
  const pool = createPgPool({ connectionString: db.url, max: 3, applicationName: APPLICATION_NAME, metrics }, logger);
  t.after(() => pool.end());
  await pool.query(`
    CREATE TABLE jobs (id serial PRIMARY KEY, state text NOT NULL, finished_at timestamptz);
    CREATE INDEX jobs_finished_at_idx ON jobs (finished_at);
    INSERT INTO jobs (state, finished_at)
    SELECT 'done', now() - interval '2 days' - g * interval '1 second' FROM generate_series(1, 35) g
    UNION ALL SELECT 'kept for audit', now() - interval '2 days' FROM generate_series(1, 3)
    UNION ALL SELECT 'done', now() - interval '23 hours' FROM generate_series(1, 4)
    UNION ALL SELECT 'running', NULL FROM generate_series(1, 2)`);
  const options = (overrides: Partial<PrunerOptions> = {}): PrunerOptions => ({
    pool,
    logger,
    metrics,
    tables: [{ table: 'jobs', ageColumn: 'finished_at', retentionMs: 24 * HOUR_MS, where: "state <> 'kept for audit'" }],
    intervalMs: 60_000,
    batchSize: 10,
    ...overrides,
  });
  const remaining = async () => {
    const { rows } = await pool.query<{ state: string; n: number }>('SELECT state, count(*)::int AS n FROM jobs GROUP BY state ORDER BY state');
    return Object.fromEntries(rows.map((row) => [row.state, row.n]));
  };
  return { db, pool, logs: lines, metrics, options, remaining };
}

const scrape = async (metrics: ServiceMetrics) => (metrics.registry ? metrics.registry.metrics() : '');
const deleteStatements = (text: string) =>
  sampleValue(text, 'db_client_operation_duration_seconds_count', { db_operation_name: 'DELETE', db_collection_name: 'jobs', error_type: '' });

describe('buildPruner', () => {
  it('deletes rows older than the retention in batches until one comes back short, and keeps the rest', async (t) => {
    const { metrics, options, remaining, logs } = await createJobs(t);
    const before = await scrape(metrics);
    const pruner = buildPruner(options());
    t.after(() => pruner.stop());

    const result = await pruner.runOnce();

    assert.deepEqual(result, { jobs: 35 });
    assert.deepEqual(await remaining(), { done: 4, 'kept for audit': 3, running: 2 }, 'younger rows, excluded rows and rows without an age stay');
    const after = await scrape(metrics);
    assert.equal(sampleValue(before, 'orderlab_pruned_rows_total', { db_collection_name: 'jobs' }), 0, 'the series exists before the first prune');
    assert.equal(sampleValue(after, 'orderlab_pruned_rows_total', { db_collection_name: 'jobs' }), 35);
    assert.equal(deleteStatements(after) - deleteStatements(before), 4, 'batches of 10, 10, 10 and 5');
    assert.deepEqual(await promtoolProblems(after), []);
    const runLines = logs().filter((line) => line.msg === 'old rows pruned');
    assert.equal(runLines.length, 1);
    assert.deepEqual(runLines[0]?.pruned, { jobs: 35 });
    assert.equal(runLines[0]?.component, 'pruner');
  });

  it('stops a run at its cap and leaves the rest to the next run; a run that deletes nothing logs nothing', async (t) => {
    const { metrics, options, remaining, logs } = await createJobs(t);
    const pruner = buildPruner(options({ maxBatchesPerRun: 2 }));
    t.after(() => pruner.stop());

    assert.deepEqual(await pruner.runOnce(), { jobs: 20 });
    assert.equal((await remaining()).done, 4 + 15);
    assert.deepEqual(await pruner.runOnce(), { jobs: 15 });
    assert.deepEqual(await pruner.runOnce(), { jobs: 0 });

    assert.equal(sampleValue(await scrape(metrics), 'orderlab_pruned_rows_total', { db_collection_name: 'jobs' }), 35);
    const runLines = logs().filter((line) => line.msg === 'old rows pruned');
    assert.deepEqual(runLines.map((line) => [line.pruned, line.capped]), [[{ jobs: 20 }, ['jobs']], [{ jobs: 15 }, undefined]]);
  });

  it('runs by itself on its interval once started', async (t) => {
    const { options, remaining } = await createJobs(t);
    const pruner = buildPruner(options({ intervalMs: 100 }));
    t.after(() => pruner.stop());

    pruner.start();

    await waitFor('the scheduled run to prune the old jobs', async () => (await remaining()).done === 4);
    assert.deepEqual(await remaining(), { done: 4, 'kept for audit': 3, running: 2 });
  });

  it('keeps counting nothing and registering nothing when metrics are disabled', async (t) => {
    const { options, remaining } = await createJobs(t);
    const disabled = createServiceMetrics({ enabled: false, service: 'test', version: '1' });
    const pruner = buildPruner(options({ metrics: disabled }));
    t.after(() => pruner.stop());

    assert.deepEqual(await pruner.runOnce(), { jobs: 35 });
    assert.equal((await remaining()).done, 4);
    assert.equal(disabled.registry, undefined);
  });

  it('stop() during a run ends it within its deadline; the batch in flight rolls back', async (t) => {
    const { db, pool, options, remaining, logs } = await createJobs(t);
    // Another session holds the table, so the pruner's DELETE waits on the lock; its own timeout is far away.
    const holder = new pg.Client({ connectionString: db.url });
    // Dropping the database at cleanup terminates this session; that is expected.
    holder.on('error', () => undefined);
    await holder.connect();
    t.after(() => holder.end());
    await holder.query('BEGIN');
    await holder.query('LOCK TABLE jobs IN ACCESS EXCLUSIVE MODE');
    const pruner = buildPruner(options({ statementTimeoutMs: 600_000 }));
    const run = pruner.runOnce();
    // Polled from the pool: inside the holder's transaction pg_stat_activity would stay one snapshot.
    const pruningSessions = async () => {
      const { rows } = await pool.query<{ waiting: boolean }>(
        `SELECT wait_event_type = 'Lock' AS waiting FROM pg_stat_activity
          WHERE datname = current_database() AND application_name = $1 AND query LIKE 'DELETE FROM jobs%'`,
        [APPLICATION_NAME],
      );
      return rows;
    };
    await waitFor('the DELETE to wait for the lock', async () => (await pruningSessions()).some((s) => s.waiting));

    // Resolving at all is the assertion: without the deadline this would wait for the lock.
    await pruner.stop(100);

    assert.deepEqual(await run, { jobs: 0 });
    assert.ok(logs().some((line) => line.msg === 'prune run still going at the stop deadline; closing its connection (the batch rolls back)'));
    await holder.query('COMMIT');
    await waitFor('the abandoned session to end', async () => (await pruningSessions()).length === 0);
    assert.equal((await remaining()).done, 35 + 4, 'nothing was deleted');
    assert.deepEqual(await pruner.runOnce(), { jobs: 0 }, 'a stopped pruner deletes nothing');
  });

  it('refuses a table or column that is not a plain identifier', async (t) => {
    const { options } = await createJobs(t);
    assert.throws(() => buildPruner(options({ tables: [{ table: 'jobs; DROP TABLE jobs', ageColumn: 'finished_at', retentionMs: 0 }] })), /not a plain lower-case identifier/);
    assert.throws(() => buildPruner(options({ tables: [{ table: 'jobs', ageColumn: 'finished_at', retentionMs: -1 }] })), /0 or more milliseconds/);
  });
});
