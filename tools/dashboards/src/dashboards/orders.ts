/**
 * Orders: the service that owns the orders. Its gRPC server (RED per method), its PostgreSQL
 * statements and connection pool next to the server's own view (postgres_exporter), its Redis
 * cache, idempotency outcomes, and the outbox that feeds the stream and the event exchange.
 */
import { maybeEmpty, q, type BuiltDashboard } from '../grafana.js';
import { GRPC_SERVER_ERRORS, quantile, ratio, sumRate } from '../promql.js';
import { LAB_DATABASES, labDashboard, rightAxis } from './common.js';

const orders = 'job="orders"';
const DB = 'db_client_operation_duration_seconds';
/** The lab's databases, one per service (deploy/postgres/initdb). */

export function ordersDashboard(): BuiltDashboard {
  return labDashboard({ uid: 'orderlab-orders', name: 'Orders', tags: ['orders', 'grpc', 'postgresql', 'red', 'use'] }, {
    description: 'The orders service: gRPC per method, PostgreSQL statements and pool, the Redis cache, idempotency and the outbox.',
    rows: [
      {
        title: 'gRPC server',
        panels: [
          {
            type: 'timeseries',
            title: 'Calls/s by method',
            description: 'Calls orders handled, per method (CreateOrder, GetOrder, ListProducts, CompleteFulfillment …).',
            unit: 'reqps',
            stack: true,
            queries: [q(sumRate('rpc_server_call_duration_seconds_count', orders, ['rpc_method']), '{{rpc_method}}')],
          },
          {
            type: 'timeseries',
            title: 'Calls/s by status',
            description: 'Every gRPC status orders answered. OK and NOT_FOUND are normal; INTERNAL, UNAVAILABLE, DEADLINE_EXCEEDED are the server failing.',
            unit: 'reqps',
            stack: true,
            queries: [q(sumRate('rpc_server_call_duration_seconds_count', orders, ['rpc_status_code']), '{{rpc_status_code}}')],
          },
          {
            type: 'timeseries',
            title: 'p95 and server-error ratio by method',
            description: 'p95 duration of each method, and the share of its calls that ended with a server-side status.',
            unit: 's',
            queries: [
              q(quantile(0.95, 'rpc_server_call_duration_seconds', orders, ['rpc_method']), 'p95 {{rpc_method}}'),
              q(ratio('rpc_server_call_duration_seconds_count', orders, GRPC_SERVER_ERRORS, ['rpc_method']), 'errors {{rpc_method}}'),
            ],
            overrides: [rightAxis(/^errors /, 'percentunit')],
          },
        ],
      },
      {
        title: 'PostgreSQL statements (orders pool)',
        panels: [
          {
            type: 'table',
            title: 'Statements',
            description: 'Per operation and table: statements/s, share that failed, p95 duration. The busiest and the slowest statements are the first to look at.',
            width: 12,
            queries: [
              q(sumRate(`${DB}_count`, orders, ['db_operation_name', 'db_collection_name']), undefined, { instant: true, format: 'table' }),
              q(ratio(`${DB}_count`, orders, 'error_type!=""', ['db_operation_name', 'db_collection_name']), undefined, { instant: true, format: 'table' }),
              q(quantile(0.95, DB, orders, ['db_operation_name', 'db_collection_name']), undefined, { instant: true, format: 'table' }),
            ],
            columns: ['ops/s', 'error ratio', 'p95 (s)'],
            overrides: [
              { matcher: { id: 'byName', options: 'ops/s' }, properties: [{ id: 'unit', value: 'ops' }, { id: 'decimals', value: 2 }] },
              { matcher: { id: 'byName', options: 'error ratio' }, properties: [{ id: 'unit', value: 'percentunit' }] },
              { matcher: { id: 'byName', options: 'p95 (s)' }, properties: [{ id: 'unit', value: 's' }] },
            ],
          },
          {
            type: 'timeseries',
            title: 'p95 by operation',
            description: 'p95 statement duration per SQL operation (SELECT, INSERT, UPDATE, COMMIT …).',
            unit: 's',
            width: 6,
            queries: [q(quantile(0.95, DB, orders, ['db_operation_name']), '{{db_operation_name}}')],
          },
          {
            type: 'timeseries',
            title: 'Failed statements/s',
            description: 'Statements that failed, by error type: the SQLSTATE code (23505 unique violation …), timeout for a statement timeout, _OTHER for a connection error. Empty while nothing fails.',
            unit: 'ops',
            bars: true,
            width: 6,
            queries: [maybeEmpty(sumRate(`${DB}_count`, `${orders}, error_type!=""`, ['error_type']), '{{error_type}}')],
          },
        ],
      },
      {
        title: 'Connection pool and the PostgreSQL server',
        panels: [
          {
            type: 'timeseries',
            title: 'orders pool',
            description: 'Connections of the orders pool in use and idle, the pool’s maximum, and requests waiting for a connection. Waiting above 0 with used at the maximum: the pool is the bottleneck.',
            queries: [
              q('sum by (db_client_connection_state) (db_client_connection_count{job="orders"})', '{{db_client_connection_state}}'),
              q('max(db_client_connection_max{job="orders"})', 'max'),
              q('sum(db_client_connection_pending_requests{job="orders"})', 'waiting'),
            ],
            overrides: [{ matcher: { id: 'byName', options: 'max' }, properties: [{ id: 'custom.lineStyle', value: { fill: 'dash', dash: [10, 10] } }, { id: 'color', value: { mode: 'fixed', fixedColor: 'red' } }] }],
          },
          {
            type: 'timeseries',
            title: 'Server connections vs max_connections',
            description: 'Backends connected to PostgreSQL (all databases) as a share of max_connections, from postgres_exporter. Every service pool adds up here.',
            unit: 'percentunit',
            min: 0,
            max: 1,
            threshold: { value: 0.8, color: 'orange' },
            queries: [q('sum(pg_stat_database_numbackends{job="postgres"}) / max(pg_settings_max_connections{job="postgres"})', 'used share')],
          },
          {
            type: 'timeseries',
            title: 'Transactions/s and deadlocks by database',
            description: 'Commits + rollbacks per second in each lab database, and deadlocks detected (should stay 0).',
            unit: 'ops',
            queries: [
              q(`sum by (datname) (rate(pg_stat_database_xact_commit{${LAB_DATABASES}}[$__rate_interval]) + rate(pg_stat_database_xact_rollback{${LAB_DATABASES}}[$__rate_interval]))`, '{{datname}}'),
              q(`sum by (datname) (increase(pg_stat_database_deadlocks{${LAB_DATABASES}}[$__rate_interval]))`, 'deadlocks {{datname}}'),
            ],
          },
          {
            type: 'timeseries',
            title: 'Buffer cache hit ratio by database',
            description: 'Share of block reads served from PostgreSQL’s shared buffers instead of disk. Below ~0.99 under steady traffic: the working set does not fit.',
            unit: 'percentunit',
            width: 24,
            height: 6,
            queries: [
              q(
                `sum by (datname) (rate(pg_stat_database_blks_hit{${LAB_DATABASES}}[$__rate_interval])) / (sum by (datname) (rate(pg_stat_database_blks_hit{${LAB_DATABASES}}[$__rate_interval])) + sum by (datname) (rate(pg_stat_database_blks_read{${LAB_DATABASES}}[$__rate_interval])))`,
                '{{datname}}',
              ),
            ],
          },
        ],
      },
      {
        title: 'Cache (Redis) and idempotency',
        panels: [
          {
            type: 'timeseries',
            title: 'Cache hit ratio',
            description: 'Share of product and order-status lookups answered from Redis. Falls after a deploy (cold cache) and when keys expire (CACHE_*_TTL_S).',
            unit: 'percentunit',
            min: 0,
            max: 1,
            queries: [q(`(sum by (cache_name) (rate(orderlab_cache_requests_total{job="orders", result="hit"}[$__rate_interval])) or 0 * sum by (cache_name) (rate(orderlab_cache_requests_total{job="orders"}[$__rate_interval]))) / sum by (cache_name) (rate(orderlab_cache_requests_total{job="orders"}[$__rate_interval]))`, '{{cache_name}}')],
          },
          {
            type: 'timeseries',
            title: 'Cache lookups/s by result',
            description: 'Hits, misses and errors (Redis unreachable: orders falls back to PostgreSQL).',
            unit: 'ops',
            stack: true,
            queries: [q(sumRate('orderlab_cache_requests_total', orders, ['cache_name', 'result']), '{{cache_name}} {{result}}')],
          },
          {
            type: 'timeseries',
            title: 'Idempotency outcomes/s',
            description: 'CreateOrder by outcome: created, replayed (same key and body: the first answer again), conflict (409, the first is still running), mismatch (422, same key with another body).',
            unit: 'ops',
            stack: true,
            queries: [q(sumRate('orderlab_orders_idempotency_requests_total', orders, ['outcome']), '{{outcome}}')],
          },
          {
            type: 'timeseries',
            title: 'Orders by status',
            description: 'How many orders are in each state (counted at most every 15 s). Pending or fulfilling growing without fulfilled growing: fulfillment is stuck.',
            width: 12,
            queries: [q('sum by (order_status) (orderlab_orders_by_status{job="orders"})', '{{order_status}}')],
          },
          {
            type: 'timeseries',
            title: 'Redis server',
            description: 'Memory used vs maxmemory (192 MiB, noeviction: writes fail when full) and connected clients, from redis_exporter.',
            unit: 'bytes',
            width: 12,
            queries: [
              q('sum(redis_memory_used_bytes{job="redis"})', 'memory used'),
              q('sum(redis_memory_max_bytes{job="redis"})', 'maxmemory'),
              q('sum(redis_connected_clients{job="redis"})', 'clients'),
            ],
            overrides: [rightAxis('clients', 'short')],
          },
        ],
      },
      {
        title: 'Outbox',
        panels: [
          {
            type: 'timeseries',
            title: 'Outbox backlog and oldest row',
            description: 'Rows written with an order but not yet sent, per destination, and the age of the oldest. Growing: the stream or the broker is not taking messages.',
            queries: [
              q('sum by (outbox_destination) (orderlab_outbox_backlog_messages{job="orders"})', 'unsent {{outbox_destination}}'),
              q('max by (outbox_destination) (orderlab_outbox_oldest_message_age_seconds{job="orders"})', 'oldest {{outbox_destination}}'),
            ],
            overrides: [rightAxis(/^oldest /, 's')],
          },
          {
            type: 'timeseries',
            title: 'Sent/s by destination and send failures',
            description: 'Messages the outbox relay sent to the Redis stream and the RabbitMQ exchange, and sends that failed (by error type; empty while none fail).',
            unit: 'ops',
            queries: [
              q(sumRate('messaging_client_sent_messages_total', `${orders}, error_type=""`, ['messaging_destination_name']), '{{messaging_destination_name}}'),
              maybeEmpty(sumRate('messaging_client_sent_messages_total', `${orders}, error_type!=""`, ['messaging_destination_name', 'error_type']), 'failed {{messaging_destination_name}} {{error_type}}'),
            ],
          },
          {
            type: 'timeseries',
            title: 'Send p95 by destination',
            description: 'p95 of one send: XADD to the stream, publish + confirm to RabbitMQ.',
            unit: 's',
            queries: [q(quantile(0.95, 'messaging_client_operation_duration_seconds', orders, ['messaging_destination_name']), '{{messaging_destination_name}}')],
          },
        ],
      },
    ],
  });
}
