/**
 * The orders service assembled: Postgres pool, Redis, RabbitMQ, cache, use cases, gRPC server
 * (with health and reflection), ops HTTP server, the two outbox relays (fulfillment stream, events)
 * and their LISTEN wake-up, reconciler, and the pruner that keeps its tables bounded.
 * Reads like a table of contents; tests start the real thing on port 0.
 */
import { closeInOrder, type Closer, type Logger } from '@orderlab/platform';
import { buildOpsServer } from '@orderlab/platform/http';
import { createServiceMetrics, type ServiceMetrics } from '@orderlab/platform/metrics';
import { buildPruner, createPgPool } from '@orderlab/platform/postgres';
import { connectRabbitMq, type RabbitMq } from '@orderlab/platform/rabbitmq';
import { closeRedis, waitForRedis } from '@orderlab/platform/redis';
import type { OrdersConfig } from './config.js';
import { checkPostgres } from './database.js';
import { buildGrpcServer } from './grpc-server.js';
import { buildEventPublisher } from './event-publisher.js';
import { buildEventRelay } from './event-relay.js';
import { buildOrdersApp } from './orders-app.js';
import { registerOrdersGauges } from './orders-metrics.js';
import { buildOutboxListener } from './outbox-listener.js';
import { buildOutboxRelay } from './outbox-relay.js';
import { buildReconciler } from './reconciler.js';
import { buildOrdersCache } from './redis-cache.js';
import { createRedisClient, REDIS_CLOSE_TIMEOUT_MS, REDIS_START_WAIT_MS } from './redis-client.js';
import { ordersPruneTables } from './retention.js';

/** Any one SQL statement is cancelled after this (it surfaces as UNAVAILABLE DATABASE_TIMEOUT). */
const STATEMENT_TIMEOUT_MS = 5_000;

/** The running service. */
export interface OrdersService {
  /** Starts serving; ports are the bound ones (useful with port 0). */
  start(): Promise<{ grpcPort: number; opsPort: number }>;
  /**
   * Ordered shutdown: NOT_SERVING, drain gRPC, stop background work (the relays let their batch
   * settle, confirm waits included), close RabbitMQ, close Redis, close the pool.
   */
  stop(): Promise<void>;
}

/** What the service is built with besides its configuration. */
export interface OrdersServiceDeps {
  logger: Logger;
  /** The process's metrics; made from METRICS_ENABLED when omitted. */
  metrics?: ServiceMetrics;
}

/** The package.json whose version the service's orderlab_build_info reports. */
const PACKAGE_JSON = new URL('../../package.json', import.meta.url);

/** Builds the orders service from its configuration; nothing listens until start(). */
export function buildOrdersService(config: OrdersConfig, { logger, metrics = createServiceMetrics({ enabled: config.METRICS_ENABLED, service: 'orders', version: PACKAGE_JSON }) }: OrdersServiceDeps): OrdersService {
  // Each resource registers its close right where it is opened; stop() runs them in reverse.
  const closers: Closer[] = [];
  const onStop = (name: string, close: () => Promise<void>) => closers.push({ name, close });
  let stopping: Promise<void> | undefined;

  const pool = createPgPool(
    { connectionString: config.DATABASE_URL, max: config.DATABASE_POOL_MAX, applicationName: 'orders', statementTimeoutMs: STATEMENT_TIMEOUT_MS, metrics },
    logger,
  );
  onStop('postgres pool', () => pool.end());

  const redis = createRedisClient(config.REDIS_URL, logger);
  onStop('redis', () => closeRedis(redis, REDIS_CLOSE_TIMEOUT_MS));

  // Connected in start(); closed after the relays stop (their in-flight confirms need it).
  let rabbit: RabbitMq | undefined;
  onStop('rabbitmq', async () => rabbit?.close());

  const cache = buildOrdersCache({
    redis,
    keyPrefix: config.REDIS_KEY_PREFIX,
    productTtlS: config.CACHE_PRODUCT_TTL_S,
    orderTtlS: config.CACHE_ORDER_TTL_S,
    logger,
    metrics,
  });
  const relay = buildOutboxRelay({
    pool,
    redis,
    cache,
    logger,
    keyPrefix: config.REDIS_KEY_PREFIX,
    batchSize: config.OUTBOX_BATCH_SIZE,
    pollIntervalMs: config.OUTBOX_POLL_INTERVAL_MS,
    maxBackoffMs: config.OUTBOX_MAX_BACKOFF_MS,
    streamMaxLen: config.STREAM_MAXLEN,
    metrics,
  });
  onStop('outbox relay', () => relay.stop());
  const publisher = buildEventPublisher({
    logger,
    confirmTimeoutMs: config.OUTBOX_CONFIRM_TIMEOUT_MS,
    onReady: () => eventRelay.wake(),
  });
  const eventRelay = buildEventRelay({
    pool,
    publisher,
    logger,
    batchSize: config.OUTBOX_BATCH_SIZE,
    pollIntervalMs: config.OUTBOX_POLL_INTERVAL_MS,
    maxBackoffMs: config.OUTBOX_MAX_BACKOFF_MS,
    metrics,
  });
  onStop('events relay', async () => {
    publisher.stop();
    await eventRelay.stop();
  });
  const wakeRelays = () => {
    relay.wake();
    eventRelay.wake();
  };
  const listener = buildOutboxListener({ databaseUrl: config.DATABASE_URL, logger: logger.child({ component: 'outbox-listener' }), onNotify: wakeRelays });
  onStop('outbox listener', () => listener.stop());
  const app = buildOrdersApp({
    pool,
    cache,
    idempotencyTtlHours: config.IDEMPOTENCY_TTL_HOURS,
    onOutboxWritten: wakeRelays,
    metrics,
  });
  registerOrdersGauges(metrics, { pool, logger });
  const reconciler = buildReconciler({
    pool,
    logger,
    intervalMs: config.RECONCILER_INTERVAL_MS,
    staleAfterMs: config.RECONCILER_STALE_AFTER_MS,
  });
  onStop('reconciler', () => reconciler.stop());
  const pruner = buildPruner({ pool, logger, metrics, tables: ordersPruneTables(config), intervalMs: config.PRUNE_INTERVAL_MS });
  onStop('pruner', () => pruner.stop());

  // RabbitMQ is deliberately not a readiness check: events are asynchronous, so a broker outage
  // delays them (the rows wait in the outbox) but must not take orders out of service.
  const ops = buildOpsServer({
    logger,
    checks: [{ name: 'postgres', check: () => checkPostgres(pool) }],
    accepting: () => stopping === undefined,
    metrics,
  });
  onStop('ops server', () => ops.stop());

  const grpc = buildGrpcServer({ app, pool, logger, metrics });
  // Half the shutdown budget for in-flight calls; the rest is for the relay batch and closing.
  onStop('grpc server', () => grpc.stop(Math.floor(config.SHUTDOWN_TIMEOUT_MS / 2)));

  return {
    async start() {
      if (!(await waitForRedis(redis, REDIS_START_WAIT_MS))) {
        logger.warn({ waitedMs: REDIS_START_WAIT_MS }, 'Redis is not ready; serving from Postgres without the cache until it is');
      }
      const grpcPort = await grpc.start(config.GRPC_PORT, config.HOST);
      const opsPort = await ops.start(config.OPS_PORT, config.HOST);
      // Returns at once; connects (and reconnects) in the background, running publisher.setup each time.
      rabbit = await connectRabbitMq({ url: config.RABBITMQ_URL, connectionName: 'orders', logger, setup: publisher.setup });
      relay.start();
      eventRelay.start();
      listener.start();
      reconciler.start();
      pruner.start();
      logger.info({ grpcPort, opsPort }, 'orders service started');
      return { grpcPort, opsPort };
    },
    stop() {
      stopping ??= closeInOrder([...closers].reverse(), logger);
      return stopping;
    },
  };
}
