/** Bounded Postgres pools and versioned migrations. */
import { runner } from 'node-pg-migrate';
import pg from 'pg';
import type { Logger } from './logger.js';
import type { ServiceMetrics } from './metrics.js';
import { performance } from 'node:perf_hooks';
import { pgStatementMetrics, type StatementObserver } from './postgres-metrics.js';
import { endStatementSpan, pgStatementSpans, type StatementSpanStarter } from './tracing/postgres-spans.js';

export interface PgPoolOptions {
  connectionString: string;
  /** Upper bound of connections; callers beyond it wait up to connectionTimeoutMs. */
  max: number;
  applicationName: string;
  /** Server-side cap on any one statement. */
  statementTimeoutMs?: number;
  /** How long to wait for a free connection (or a new one) before failing. */
  connectionTimeoutMs?: number;
  /** Records db_client_* under db_client_connection_pool_name = applicationName. */
  metrics?: ServiceMetrics;
}

/**
 * Wraps the query method of every client the pool opens, before it is handed out (pool.query()
 * runs on one too, so each statement is seen once, transactions included): observe gets each
 * statement's duration (metrics), startSpan makes its span (tracing). Nothing is wrapped when
 * neither is on.
 */
function instrumentStatements(pool: pg.Pool, observe: StatementObserver | undefined, startSpan: StatementSpanStarter | undefined): void {
  if (observe === undefined && startSpan === undefined) return;
  const finished = (sql: string, started: number, span: ReturnType<StatementSpanStarter>, err: unknown) => {
    observe?.(sql, started, err);
    if (span !== undefined) endStatementSpan(span, err);
  };
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as { query: unknown }).query = (...args: unknown[]) => {
      const first = args[0] as string | { text?: string; submit?: unknown } | undefined;
      // Submittables (cursors, streams) finish on their own schedule; they are not used here.
      if (first === undefined || (typeof first === 'object' && typeof first.submit === 'function')) return query(...args);
      const sql = typeof first === 'string' ? first : (first.text ?? '');
      const started = performance.now();
      const span = startSpan?.(sql);
      const last = args.at(-1);
      if (typeof last === 'function') {
        args[args.length - 1] = (err: unknown, ...rest: unknown[]) => {
          finished(sql, started, span, err);
          (last as (...a: unknown[]) => void)(err, ...rest);
        };
        return query(...args);
      }
      const result = query(...args) as Promise<unknown>;
      result.then(
        () => finished(sql, started, span, undefined),
        (err: unknown) => finished(sql, started, span, err ?? new Error('rejected')),
      );
      return result;
    };
  });
}

/**
 * A pg.Pool with every limit set; idle-client errors are logged instead of crashing the process.
 * Each statement is measured (metrics on) and gets a span inside a recorded trace (tracing on).
 */
export function createPgPool(options: PgPoolOptions, logger: Logger): pg.Pool {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max,
    application_name: options.applicationName,
    statement_timeout: options.statementTimeoutMs ?? 5_000,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 2_000,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
  });
  pool.on('error', (err) => logger.warn({ err }, 'idle postgres client failed'));
  instrumentStatements(
    pool,
    options.metrics === undefined ? undefined : pgStatementMetrics(pool, options.metrics, options.applicationName),
    pgStatementSpans(options.connectionString),
  );
  return pool;
}

export interface MigrateOptions {
  databaseUrl: string;
  /** Folder of node-pg-migrate SQL files (`-- Up Migration` / `-- Down Migration`). */
  dir: string;
  logger: Logger;
}

/** Applies pending migrations; concurrent callers wait on node-pg-migrate's advisory lock. */
export async function runMigrations({ databaseUrl, dir, logger }: MigrateOptions): Promise<string[]> {
  const log = logger.child({ component: 'migrations' });
  const applied = await runner({
    databaseUrl,
    dir,
    direction: 'up',
    migrationsTable: 'pgmigrations',
    singleTransaction: true,
    checkOrder: true,
    advisoryLockMode: 'wait',
    logger: {
      debug: (msg: string) => log.debug(msg),
      info: (msg: string) => log.debug(msg),
      warn: (msg: string) => log.warn(msg),
      error: (msg: string) => log.error(msg),
    },
  });
  const names = applied.map((m) => m.name);
  log.info({ applied: names }, names.length > 0 ? 'migrations applied' : 'schema up to date');
  return names;
}
