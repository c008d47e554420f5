/**
 * The fulfillment worker assembled: Postgres pool, two Redis connections, the orders gRPC
 * client, the stream consumer, the ops HTTP server (/healthz, /readyz) and the shipments pruner.
 */
import { closeInOrder, type Logger } from '@orderlab/platform';
import { buildOpsServer } from '@orderlab/platform/http';
import { createServiceMetrics, type ServiceMetrics } from '@orderlab/platform/metrics';
import { buildPruner, createPgPool } from '@orderlab/platform/postgres';
import { closeRedis, createRedis } from '@orderlab/platform/redis';
import type { FulfillmentConfig } from './config.js';
import { buildOrderFulfiller } from './fulfill-order.js';
import { consumerMetrics, registerQueueGauges } from './fulfillment-metrics.js';
import { createFulfillmentStream, streamKeys } from './fulfillment-stream.js';
import { createOrdersClient, describeOrdersError, isPermanentOrdersError, type OrdersClient } from './orders-client.js';
import { fulfillmentPruneTables } from './retention.js';
import { createShipmentRepository } from './shipment-repository.js';
import { buildStreamConsumer } from './stream-consumer.js';

export interface FulfillmentWorkerDeps {
  logger: Logger;
  /** Defaults to a gRPC client for ORDERS_GRPC_ADDR; an injected client is not closed by stop(). */
  ordersClient?: OrdersClient;
  /** The process's metrics; made from METRICS_ENABLED when omitted. */
  metrics?: ServiceMetrics;
}

/** The package.json whose version the service's orderlab_build_info reports. */
const PACKAGE_JSON = new URL('../../package.json', import.meta.url);

/** The worker: start() begins consuming and serving ops HTTP; stop() drains and closes everything. */
export interface FulfillmentWorker {
  start(): Promise<{ opsPort: number }>;
  stop(): Promise<void>;
}

const REDIS_CLOSE_TIMEOUT_MS = 1_000;
const REDIS_COMMAND_TIMEOUT_MS = 5_000;

/** One of the worker's two connections: connected in start(); while Redis is down commands fail and the read loop backs off. */
function connectionTo(url: string, name: string, commandTimeoutMs: number, logger: Logger) {
  return createRedis({ url, logger, connectionName: name, lazyConnect: true, commandTimeoutMs, connectTimeoutMs: 5_000, reconnectBackoff: { stepMs: 200, maxMs: 5_000 } });
}

/** Builds the worker from its configuration; nothing connects until start(). */
export function buildFulfillmentWorker(config: FulfillmentConfig, deps: FulfillmentWorkerDeps): FulfillmentWorker {
  const logger = deps.logger;
  const metrics = deps.metrics ?? createServiceMetrics({ enabled: config.METRICS_ENABLED, service: 'fulfillment', version: PACKAGE_JSON });
  const pool = createPgPool(
    { connectionString: config.DATABASE_URL, max: config.DATABASE_POOL_MAX, applicationName: 'fulfillment', metrics },
    logger,
  );
  const commands = connectionTo(config.REDIS_URL, 'fulfillment', REDIS_COMMAND_TIMEOUT_MS, logger);
  // The reader's XREADGROUP legitimately waits up to FULFILLMENT_BLOCK_MS for new entries.
  const reader = connectionTo(config.REDIS_URL, 'fulfillment-reader', config.FULFILLMENT_BLOCK_MS + REDIS_COMMAND_TIMEOUT_MS, logger);
  const ordersClient = deps.ordersClient ?? createOrdersClient({ address: config.ORDERS_GRPC_ADDR, deadlineMs: config.GRPC_DEADLINE_MS, metrics });

  const fulfiller = buildOrderFulfiller({
    repository: createShipmentRepository(pool),
    ordersClient,
    delays: { pick: config.FULFILLMENT_PICK_MS, pack: config.FULFILLMENT_PACK_MS, ship: config.FULFILLMENT_SHIP_MS },
    // A worker silent this long counts as dead (its entries get reclaimed), so its lease on the
    // order ends then too; each step renews it.
    leaseMs: config.FULFILLMENT_CLAIM_IDLE_MS,
  });
  const keys = streamKeys(config.REDIS_KEY_PREFIX);
  registerQueueGauges(metrics, { redis: commands, keys });
  const consumer = buildStreamConsumer({
    stream: createFulfillmentStream({ commands, reader, keys, consumerName: config.CONSUMER_NAME }),
    handler: {
      handle: async (request, log) => ((await fulfiller.fulfill(request, log)) === 'busy' ? 'keep' : 'ack'),
      onDeadLetter: (request, reason, log) => fulfiller.reportFailure(request, reason, log),
      isPermanentError: isPermanentOrdersError,
      describeError: describeOrdersError,
    },
    logger: logger.child({ consumer: config.CONSUMER_NAME }),
    concurrency: config.FULFILLMENT_CONCURRENCY,
    blockMs: config.FULFILLMENT_BLOCK_MS,
    claimIdleMs: config.FULFILLMENT_CLAIM_IDLE_MS,
    maxDeliveries: config.FULFILLMENT_MAX_DELIVERIES,
    metrics: consumerMetrics(metrics),
  });
  const pruner = buildPruner({ pool, logger, metrics, tables: fulfillmentPruneTables(config), intervalMs: config.PRUNE_INTERVAL_MS });

  let stopping: Promise<void> | undefined;
  const ops = buildOpsServer({
    logger,
    metrics,
    accepting: () => stopping === undefined,
    checks: [
      { name: 'postgres', check: async () => void (await pool.query('SELECT 1')) },
      { name: 'redis', check: async () => void (await commands.ping()) },
    ],
  });

  return {
    async start() {
      // Redis being down is not fatal: ioredis keeps reconnecting, the read loop backs off,
      // and /readyz says "unready" until it is back.
      await Promise.all([commands.connect(), reader.connect()]).catch((err: unknown) => {
        logger.warn({ err }, 'redis is not reachable yet; retrying in the background');
      });
      const opsPort = await ops.start(config.OPS_PORT, config.HOST);
      consumer.start();
      pruner.start();
      logger.info({ ops_port: opsPort, consumer: config.CONSUMER_NAME }, 'fulfillment worker started');
      return { opsPort };
    },
    stop() {
      // In order, each step within its own deadline: drain the consumer while the pruner ends its
      // run (1 s), stop ops HTTP, close Redis, the pool, then the orders client if it is ours.
      stopping ??= closeInOrder(
        [
          { name: 'stream consumer and pruner', close: async () => void (await Promise.all([consumer.stop(), pruner.stop()])) },
          { name: 'ops server', close: () => ops.stop() },
          { name: 'redis', close: async () => void (await Promise.all([reader, commands].map((redis) => closeRedis(redis, REDIS_CLOSE_TIMEOUT_MS)))) },
          { name: 'postgres pool', close: () => pool.end() },
          {
            name: 'orders gRPC client',
            close: () => {
              if (deps.ordersClient === undefined) ordersClient.close();
            },
          },
        ],
        logger,
      );
      return stopping;
    },
  };
}
