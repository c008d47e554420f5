/**
 * db_client_* metrics for a pg.Pool (docs/metrics.md): every statement a pooled client runs
 * (pool.query and the clients of pool.connect() alike) and the pool's connection gauges; and
 * how a statement is named (sqlNames), which its span shares (tracing/postgres-spans.ts).
 */
import type pg from 'pg';
import { DB_DURATION_BUCKETS, secondsSince, type BoundHistogram, type ServiceMetrics } from './metrics.js';

/** db_collection_name when the statement names no table (SELECT 1, BEGIN, …). */
export const NO_COLLECTION = 'none';

/** How a statement is named in metrics. */
export interface SqlNames {
  /** First keyword upper-cased; for `WITH … <stmt>`, the keyword of the main statement. */
  operation: string;
  /** First table after FROM/INTO/UPDATE/JOIN anywhere in the statement (CTE bodies included), or `none`. */
  collection: string;
}

const TOKEN = /"(?:[^"]|"")*"|'(?:[^']|'')*'|[A-Za-z_][A-Za-z0-9_$]*(?:\.(?:[A-Za-z_][A-Za-z0-9_$]*|"(?:[^"]|"")*"))*|[(),;]|\S/g;
const TABLE_KEYWORDS = new Set(['FROM', 'INTO', 'UPDATE', 'JOIN']);
/** `FOR UPDATE`, `FOR NO KEY UPDATE`, `DO UPDATE`: row locks and upserts, no table follows. */
const NOT_A_TABLE_BEFORE_UPDATE = new Set(['FOR', 'KEY', 'DO']);
/** Functions whose arguments use FROM (`extract(epoch FROM t)`), which names no table. */
const FROM_FUNCTIONS = new Set(['EXTRACT', 'SUBSTRING', 'TRIM', 'OVERLAY', 'POSITION']);
/** Words that can follow FROM/JOIN/INTO without being a table (`FROM (SELECT …)` starts with '('). */
const NOT_TABLES = new Set(['SELECT', 'LATERAL', 'ONLY', 'ROWS', 'SET', 'SKIP', 'NOWAIT', 'OF', 'VALUES']);
const MAX_CACHED = 1_000;
const cache = new Map<string, SqlNames>();

/** Names a SQL statement for db_operation_name / db_collection_name (memoised: statements are constants). */
export function sqlNames(sql: string): SqlNames {
  const cached = cache.get(sql);
  if (cached !== undefined) return cached;
  const names = parseSqlNames(sql);
  // Bounded in case a caller builds statements dynamically; constants fit easily.
  if (cache.size < MAX_CACHED) cache.set(sql, names);
  return names;
}

function parseSqlNames(sql: string): SqlNames {
  const text = sql.replace(/--[^\n]*/g, ' ').replace(/\/\*[\s\S]*?\*\//g, ' ');
  const tokens = text.match(TOKEN) ?? [];
  const upper = tokens.map((t) => (t.startsWith('"') ? t : t.toUpperCase()));
  return { operation: operationOf(upper), collection: collectionOf(tokens, upper, cteNames(tokens, upper)) };
}

/** The main statement's keyword: after `WITH [RECURSIVE] a AS (…), b AS (…)` when there is one. */
function operationOf(upper: string[]): string {
  let i = upper.findIndex((t) => t !== '(');
  if (i < 0) return 'UNKNOWN';
  if (upper[i] !== 'WITH') return /^[A-Z]+$/.test(upper[i] ?? '') ? (upper[i] as string) : 'UNKNOWN';
  // Skip the CTE list: the main statement is the first word at depth 0 after a CTE body that is not ','.
  let depth = 0;
  for (i += 1; i < upper.length; i++) {
    const t = upper[i];
    if (t === '(') depth++;
    else if (t === ')') {
      depth--;
      // After a CTE body comes ',' (another CTE) or the main statement; after `name(cols)` comes AS.
      const next = upper[i + 1] ?? '';
      if (depth === 0 && next !== ',' && next !== 'AS' && /^[A-Z]+$/.test(next)) return next;
    }
  }
  return 'WITH';
}

/** Names defined by a WITH clause: `FROM claimed` reads a CTE, not a table. */
function cteNames(tokens: string[], upper: string[]): Set<string> {
  const names = new Set<string>();
  for (let i = 1; i < upper.length; i++) {
    if (upper[i] !== 'AS') continue;
    const next = upper[i + 1] === 'NOT' ? upper[i + 3] : upper[i + 1] === 'MATERIALIZED' ? upper[i + 2] : upper[i + 1];
    if (next !== '(') continue;
    // `name AS (` or `name(col, …) AS (`, right after WITH, RECURSIVE or ','.
    let at = i - 1;
    if (upper[at] === ')') {
      while (at > 0 && upper[at] !== '(') at--;
      at--;
    }
    const before = tokens[at];
    if (before !== undefined && /^[A-Za-z_"]/.test(before) && ['WITH', ',', 'RECURSIVE'].includes(upper[at - 1] ?? '')) {
      names.add(normalise(before));
    }
  }
  return names;
}

function collectionOf(tokens: string[], upper: string[], ctes: Set<string>): string {
  const openers: string[] = [];
  for (let i = 0; i < upper.length; i++) {
    const t = upper[i] as string;
    if (t === '(') {
      openers.push(upper[i - 1] ?? '');
      continue;
    }
    if (t === ')') {
      openers.pop();
      continue;
    }
    if (!TABLE_KEYWORDS.has(t)) continue;
    if (t === 'UPDATE' && NOT_A_TABLE_BEFORE_UPDATE.has(upper[i - 1] ?? '')) continue;
    if (t === 'FROM' && FROM_FUNCTIONS.has(openers.at(-1) ?? '')) continue;
    const candidate = tokens[i + 1];
    const candidateUpper = upper[i + 1];
    if (candidate === undefined || candidateUpper === undefined || !/^[A-Za-z_"]/.test(candidate) || NOT_TABLES.has(candidateUpper)) continue;
    // `FROM unnest($1)` calls a function; `INTO t (a, b)` lists columns.
    if ((t === 'FROM' || t === 'JOIN') && upper[i + 2] === '(') continue;
    const name = normalise(candidate);
    if (ctes.has(name)) continue;
    return name;
  }
  return NO_COLLECTION;
}

/** Lower-cased, unquoted, without a schema: `public."Orders"` → `Orders`, `ORDERS` → `orders`. */
function normalise(identifier: string): string {
  const last = identifier.match(/"(?:[^"]|"")*"$|[^.]+$/)?.[0] ?? identifier;
  return last.startsWith('"') ? last.slice(1, -1).replace(/""/g, '"') : last.toLowerCase();
}

/** error_type of a failed statement: `timeout`, the SQLSTATE code (`23505`), or `_OTHER`. */
export function dbErrorType(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  const message = err instanceof Error ? err.message : '';
  // 57014 = query_canceled, which is how statement_timeout ends a statement.
  if (code === '57014' || /timeout/i.test(message)) return 'timeout';
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : '_OTHER';
}

interface PoolInstruments {
  duration: ReturnType<ServiceMetrics['histogram']>;
  pools: Map<string, pg.Pool>;
}

/** Called when a statement finished: its text, its start (performance.now()) and its error, if any. */
export type StatementObserver = (sql: string, started: number, err: unknown) => void;

/**
 * The db_client_* metrics of pool under db_client_connection_pool_name=poolName: its connection
 * gauges, and the observer that records each statement's duration (createPgPool calls it for
 * every statement of the pool's clients). Undefined when metrics are off.
 */
export function pgStatementMetrics(pool: pg.Pool, metrics: ServiceMetrics, poolName: string): StatementObserver | undefined {
  if (!metrics.enabled) return undefined;
  const instruments = metrics.shared<PoolInstruments>('postgres-pools', () => createPoolInstruments(metrics));
  instruments.pools.set(poolName, pool);
  const { duration } = instruments;
  const labelsOf = ({ operation, collection }: SqlNames, errorType: string) => ({
    db_system_name: 'postgresql',
    db_client_connection_pool_name: poolName,
    db_operation_name: operation,
    db_collection_name: collection,
    error_type: errorType,
  });
  // The successful statements' series, by statement text: the statements are constants, so each
  // gets its series once instead of building labels and a key per run (the orders service runs
  // about ten per order). Bounded like sqlNames' cache.
  const succeeded = new Map<string, BoundHistogram>();
  const successSeries = (sql: string): BoundHistogram => {
    let series = succeeded.get(sql);
    if (series === undefined) {
      series = duration.bind(labelsOf(sqlNames(sql), ''));
      if (succeeded.size < MAX_CACHED) succeeded.set(sql, series);
    }
    return series;
  };
  return (sql, started, err) => {
    if (err === undefined || err === null) successSeries(sql).observe(secondsSince(started));
    else duration.observe(labelsOf(sqlNames(sql), dbErrorType(err)), secondsSince(started));
  };
}

function createPoolInstruments(metrics: ServiceMetrics): PoolInstruments {
  const pools = new Map<string, pg.Pool>();
  const duration = metrics.histogram({
    name: 'db_client_operation_duration_seconds',
    help: 'Duration of database statements, as the client saw them.',
    labelNames: ['db_system_name', 'db_client_connection_pool_name', 'db_operation_name', 'db_collection_name', 'error_type'],
    buckets: DB_DURATION_BUCKETS,
  });
  metrics.gauge({
    name: 'db_client_connection_count',
    help: 'Connections of the pool, by state.',
    labelNames: ['db_client_connection_pool_name', 'db_client_connection_state'],
    collect(gauge) {
      for (const [name, pool] of pools) {
        gauge.set({ db_client_connection_pool_name: name, db_client_connection_state: 'idle' }, pool.idleCount);
        gauge.set({ db_client_connection_pool_name: name, db_client_connection_state: 'used' }, pool.totalCount - pool.idleCount);
      }
    },
  });
  metrics.gauge({
    name: 'db_client_connection_pending_requests',
    help: 'Callers waiting for a connection of the pool.',
    labelNames: ['db_client_connection_pool_name'],
    collect(gauge) {
      for (const [name, pool] of pools) gauge.set({ db_client_connection_pool_name: name }, pool.waitingCount);
    },
  });
  metrics.gauge({
    name: 'db_client_connection_max',
    help: 'Most connections the pool opens.',
    labelNames: ['db_client_connection_pool_name'],
    collect(gauge) {
      for (const [name, pool] of pools) gauge.set({ db_client_connection_pool_name: name }, pool.options.max ?? 10);
    },
  });
  return { duration, pools };
}
