/**
 * The orders service's own metrics (docs/metrics.md, "orders"): cache and idempotency counters,
 * the relays' send metrics, and the gauges counted from Postgres on scrape (orders by status,
 * outbox backlog and age), at most every 15 s and never on a request's path.
 */
import { type Logger } from '@orderlab/platform';
import { DURATION_BUCKETS, errorTypeOf, registerSnapshotGauges, type ServiceMetrics } from '@orderlab/platform/metrics';
import type pg from 'pg';
import type { OrderStatus } from './domain/order.js';
import type { OutboxDestination } from './outbox-store.js';
import { throttledWarn } from './throttled-log.js';

const ORDER_STATUSES: readonly OrderStatus[] = ['pending', 'fulfilling', 'fulfilled', 'failed'];

/** cache_name of orderlab_cache_requests_total. */
export type CacheName = 'product' | 'order_status';
/** outcome of orderlab_orders_idempotency_requests_total. */
export type IdempotencyOutcome = 'created' | 'replayed' | 'conflict' | 'mismatch';

/** orderlab_cache_requests_total{cache_name, result}. */
export function cacheRequestsCounter(metrics: ServiceMetrics) {
  return metrics.counter<'cache_name' | 'result'>({
    name: 'orderlab_cache_requests_total',
    help: 'Cache reads by cache and result (hit, miss, error: Redis failed or is down).',
    labelNames: ['cache_name', 'result'],
  });
}

/** orderlab_orders_idempotency_requests_total{outcome}. */
export function idempotencyCounter(metrics: ServiceMetrics) {
  return metrics.counter<'outcome'>({
    name: 'orderlab_orders_idempotency_requests_total',
    help: 'Create calls by idempotency outcome (created, replayed, conflict: key in progress, mismatch: key used for another request).',
    labelNames: ['outcome'],
  });
}

/** Records one send of a relay batch: a counter per message, one duration per batch operation. */
export type SendRecorder = (errors: readonly (Error | null)[], seconds: number) => void;

/** messaging_client_sent_messages_total and messaging_client_operation_duration_seconds for one destination. */
export function sendRecorder(metrics: ServiceMetrics, system: 'redis' | 'rabbitmq', destination: string): SendRecorder {
  const sent = metrics.counter<'messaging_system' | 'messaging_destination_name' | 'error_type'>({
    name: 'messaging_client_sent_messages_total',
    help: 'Messages sent, by system, destination and error_type (empty on success).',
    labelNames: ['messaging_system', 'messaging_destination_name', 'error_type'],
  });
  const duration = metrics.histogram<'messaging_system' | 'messaging_destination_name' | 'messaging_operation_name' | 'error_type'>({
    name: 'messaging_client_operation_duration_seconds',
    help: 'Duration of send operations (one per relay batch: a Redis pipeline, or a batch of RabbitMQ publishes with their confirms).',
    labelNames: ['messaging_system', 'messaging_destination_name', 'messaging_operation_name', 'error_type'],
    buckets: DURATION_BUCKETS,
  });
  const base = { messaging_system: system, messaging_destination_name: destination };
  const sentOk = { ...base, error_type: '' };
  const sendOk = duration.bind({ ...base, messaging_operation_name: 'send', error_type: '' });
  return (errors, seconds) => {
    if (!metrics.enabled || errors.length === 0) return;
    let firstError: Error | undefined;
    let ok = 0;
    for (const error of errors) {
      if (error === null) ok++;
      else {
        sent.inc({ ...base, error_type: errorTypeOf(error) });
        firstError ??= error;
      }
    }
    // One increment for the whole batch's successes (a batch holds up to a hundred messages).
    if (ok > 0) sent.inc(sentOk, ok);
    if (firstError === undefined) sendOk.observe(seconds);
    else duration.observe({ ...base, messaging_operation_name: 'send', error_type: errorTypeOf(firstError) }, seconds);
  };
}

/** The counts are this old at most when a scrape reads them. */
export const COUNTS_MAX_AGE_MS = 15_000;
/** A scrape waits this long at most for fresh counts; after that it shows the previous ones. */
const COUNTS_STATEMENT_TIMEOUT_MS = 1_000;
const DESTINATIONS: readonly OutboxDestination[] = ['fulfillment', 'events'];

const COUNTS_SQL = `
  SELECT 'status' AS kind, status AS key, count(*)::int AS n, 0::float8 AS age_s
    FROM orders GROUP BY status
  UNION ALL
  SELECT 'outbox', destination, count(*)::int, extract(epoch FROM now() - min(created_at))::float8
    FROM outbox WHERE sent_at IS NULL GROUP BY destination`;

interface Counts {
  byStatus: Map<string, number>;
  backlog: Map<string, { messages: number; ageSeconds: number }>;
}

/**
 * Registers orderlab_orders_by_status, orderlab_outbox_backlog_messages and
 * orderlab_outbox_oldest_message_age_seconds. They are counted by one query on scrape when the
 * last count is older than COUNTS_MAX_AGE_MS, under its own statement timeout; a failed count
 * keeps the previous values (and says so once).
 */
export function registerOrdersGauges(metrics: ServiceMetrics, { pool, logger, now = Date.now }: { pool: pg.Pool; logger: Logger; now?: () => number }): void {
  const warn = throttledWarn(logger.child({ component: 'metrics' }));
  let counts: Counts | undefined;
  let countedAt = -Infinity;

  async function count(): Promise<void> {
    const client = await pool.connect();
    try {
      await client.query('BEGIN READ ONLY');
      await client.query(`SET LOCAL statement_timeout = ${COUNTS_STATEMENT_TIMEOUT_MS}`);
      const { rows } = await client.query<{ kind: string; key: string; n: number; age_s: number }>(COUNTS_SQL);
      await client.query('COMMIT');
      const next: Counts = { byStatus: new Map(), backlog: new Map() };
      for (const row of rows) {
        if (row.kind === 'status') next.byStatus.set(row.key, row.n);
        else next.backlog.set(row.key, { messages: row.n, ageSeconds: Math.max(0, row.age_s) });
      }
      counts = next;
      countedAt = now();
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  /**
   * Fresh enough counts, or the previous ones when counting fails (a scrape must not fail).
   * registerSnapshotGauges runs one at a time, so two scrapes never count at once.
   */
  async function current(): Promise<Counts | undefined> {
    if (now() - countedAt >= COUNTS_MAX_AGE_MS) {
      await count().catch((err: unknown) => warn(err, 'counting orders and outbox rows for metrics failed; keeping the previous values'));
    }
    return counts;
  }

  registerSnapshotGauges<Counts>(metrics, current, [
    {
      name: 'orderlab_orders_by_status',
      help: `Orders by status (counted at most every ${COUNTS_MAX_AGE_MS / 1000} s).`,
      labelNames: ['order_status'],
      show(gauge, c) {
        for (const status of ORDER_STATUSES) gauge.set({ order_status: status }, c.byStatus.get(status) ?? 0);
      },
    },
    {
      name: 'orderlab_outbox_backlog_messages',
      help: `Outbox rows not sent yet, by destination (counted at most every ${COUNTS_MAX_AGE_MS / 1000} s).`,
      labelNames: ['outbox_destination'],
      show(gauge, c) {
        for (const d of DESTINATIONS) gauge.set({ outbox_destination: d }, c.backlog.get(d)?.messages ?? 0);
      },
    },
    {
      name: 'orderlab_outbox_oldest_message_age_seconds',
      help: 'Age of the oldest unsent outbox row, by destination (0 when none).',
      labelNames: ['outbox_destination'],
      show(gauge, c) {
        for (const d of DESTINATIONS) gauge.set({ outbox_destination: d }, c.backlog.get(d)?.ageSeconds ?? 0);
      },
    },
  ]);
}
