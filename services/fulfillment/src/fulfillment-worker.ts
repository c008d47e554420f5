/**
 * The fulfillment worker assembled: Postgres pool, two Redis connections, the orders gRPC
 * client, the stream consumer, the ops HTTP server (/healthz, /readyz) and the shipments pruner.
 */
import { Redis } from 'ioredis';
import { buildOpsServer, buildPruner, createPgPool, createServiceMetrics, readPackageVersion, type Logger, type ServiceMetrics } from '@orderlab/platform';
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

/** The worker's metrics from its configuration. */
export function createFulfillmentMetrics(config: Pick<FulfillmentConfig, 'METRICS_ENABLED'>): ServiceMetrics {
  return createServiceMetrics({
    enabled: config.METRICS_ENABLED,
    service: 'fulfillment',
    version: readPackageVersion(new URL('../../package.json', import.meta.url)),
  });
}

/** The worker: start() begins consuming and serving ops HTTP; stop() drains and closes everything. */
export interface FulfillmentWorker {
  start(): Promise<{ opsPort: number }>;
  stop(): Promise<void>;
}

const REDIS_CLOSE_TIMEOUT_MS = 1_000;
const REDIS_COMMAND_TIMEOUT_MS = 5_000;

function createRedis(url: string, name: string, commandTimeoutMs: number, logger: Logger): Redis {
  const redis = new Redis(url, {
    connectionName: name,
    lazyConnect: true,
    connectTimeout: 5_000,
    commandTimeout: commandTimeoutMs,
    // Fail commands quickly while Redis is down; the read loop backs off and retries.
    maxRetriesPerRequest: 1,
    retryStrategy: (attempt) => Math.min(attempt * 200, 5_000),
  });
  redis.on('error', (err) => logger.warn({ err, connection: name }, 'redis connection error'));
  return redis;
}

async function closeRedis(redis: Redis): Promise<void> {
  await Promise.race([redis.quit().catch(() => {}), new Promise((resolve) => setTimeout(resolve, REDIS_CLOSE_TIMEOUT_MS).unref())]);
  redis.disconnect();
}

/** Builds the worker from its configuration; nothing connects until start(). */
export function buildFulfillmentWorker(config: FulfillmentConfig, deps: FulfillmentWorkerDeps): FulfillmentWorker {
  const logger = deps.logger;
  const metrics = deps.metrics ?? createFulfillmentMetrics(config);
  const pool = createPgPool(
    { connectionString: config.DATABASE_URL, max: config.DATABASE_POOL_MAX, applicationName: 'fulfillment', metrics },
    logger,
  );
  const commands = createRedis(config.REDIS_URL, 'fulfillment', REDIS_COMMAND_TIMEOUT_MS, logger);
  // The reader's XREADGROUP legitimately waits up to FULFILLMENT_BLOCK_MS for new entries.
  const reader = createRedis(config.REDIS_URL, 'fulfillment-reader', config.FULFILLMENT_BLOCK_MS + REDIS_COMMAND_TIMEOUT_MS, logger);
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

  let stopping = false;
  const ops = buildOpsServer({
    logger,
    metrics,
    accepting: () => !stopping,
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
    async stop() {
      stopping = true;
      // The pruner's run in progress ends within its own deadline (1 s), while the consumer drains.
      await Promise.all([consumer.stop(), pruner.stop()]);
      await ops.stop();
      await Promise.all([closeRedis(reader), closeRedis(commands)]);
      await pool.end();
      if (deps.ordersClient === undefined) ordersClient.close();
    },
  };
}
