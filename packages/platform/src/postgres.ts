/** Bounded Postgres pools and versioned migrations. */
import { runner } from 'node-pg-migrate';
import pg from 'pg';
import type { Logger } from './logger.js';
import type { ServiceMetrics } from './metrics.js';
import { instrumentPgPool } from './postgres-metrics.js';

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

/** A pg.Pool with every limit set; idle-client errors are logged instead of crashing the process. */
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
  if (options.metrics) instrumentPgPool(pool, options.metrics, options.applicationName);
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
