/**
 * The notifications service assembled: Postgres pool, the RabbitMQ connection with the event
 * consumer, the Fastify REST API (`/api/v1/notifications`, OpenAPI, docs, health) and the pruner
 * that keeps notifications and processed message ids bounded.
 */
import type { AddressInfo } from 'node:net';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { closeInOrder, drainBudgetMs, type Logger } from '@orderlab/platform';
import {
  registerMetrics,
  httpServerOptions,
  parseCorsOrigins,
  registerCors,
  registerHealthRoutes,
  registerHttpDefaults,
  registerOpenApi,
} from '@orderlab/platform/http';
import { createServiceMetrics, type ServiceMetrics } from '@orderlab/platform/metrics';
import { buildPruner, createPgPool } from '@orderlab/platform/postgres';
import { connectRabbitMq, type RabbitMq } from '@orderlab/platform/rabbitmq';
import Fastify from 'fastify';
import type { NotificationsConfig } from './config.js';
import { buildEventConsumer } from './event-consumer.js';
import { createNotificationRepository } from './notification-repository.js';
import { notificationOf } from './notification-text.js';
import { notificationsPruneTables } from './retention.js';
import { notificationRoutes } from './routes/notifications.js';

/** Every API route lives under this prefix. */
export const API_PREFIX = '/api/v1';
/** Where the OpenAPI document is served (the edge routes /api/v1/notifications* here). */
export const OPENAPI_PATH = '/api/v1/notifications/openapi.json';
/** Where Swagger UI is served. */
export const DOCS_PATH = '/api/v1/notifications/docs';
/** The AMQP connection name, as the management UI shows it. */
export const CONNECTION_NAME = 'notifications';

const API_DESCRIPTION =
  'Notifications of OrderLab: one per order and catalog event consumed from RabbitMQ (`orderlab.events`), ' +
  'stored exactly once per event id. Every error is RFC 9457 `application/problem+json` with a stable `code` and the `request_id`.';

export interface NotificationsServiceDeps {
  logger: Logger;
  /** The process's metrics; made from METRICS_ENABLED when omitted. */
  metrics?: ServiceMetrics;
}

/** The package.json whose version the service's orderlab_build_info reports. */
const PACKAGE_JSON = new URL('../../package.json', import.meta.url);

/** A built service: start() connects and listens on HOST:PORT; stop() drains and closes. */
export interface NotificationsService {
  /** The Fastify instance (for app.inject in tests). */
  app: ReturnType<typeof createApp>;
  start(): Promise<{ port: number }>;
  stop(): Promise<void>;
}

function createApp(config: NotificationsConfig, logger: Logger) {
  return Fastify(
    httpServerOptions({ logger, bodyLimit: config.BODY_LIMIT_BYTES, requestTimeoutMs: config.REQUEST_TIMEOUT_MS }),
  ).withTypeProvider<TypeBoxTypeProvider>();
}

/** Builds the service from its configuration; nothing connects or listens until start(). */
export function buildNotificationsService(config: NotificationsConfig, { logger, metrics = createServiceMetrics({ enabled: config.METRICS_ENABLED, service: 'notifications', version: PACKAGE_JSON }) }: NotificationsServiceDeps): NotificationsService {
  const pool = createPgPool(
    { connectionString: config.DATABASE_URL, max: config.DATABASE_POOL_MAX, applicationName: 'notifications', metrics },
    logger,
  );
  const repository = createNotificationRepository(pool);
  const consumer = buildEventConsumer({
    queue: config.NOTIFICATIONS_QUEUE,
    prefetch: config.NOTIFICATIONS_PREFETCH,
    deliveryLimit: config.NOTIFICATIONS_DELIVERY_LIMIT,
    retryDelayMs: config.NOTIFICATIONS_RETRY_DELAY_MS,
    logger,
    metrics,
    handle: ({ event, requestId }, { redelivered }) =>
      repository.store({ ...notificationOf(event), messageId: event.id, requestId, redelivered }),
  });
  const pruner = buildPruner({ pool, logger, metrics, tables: notificationsPruneTables(config), intervalMs: config.PRUNE_INTERVAL_MS });
  let mq: RabbitMq | undefined;
  let stopping: Promise<void> | undefined;

  const app = createApp(config, logger);
  registerHttpDefaults(app);
  registerMetrics(app, metrics);
  registerCors(app, { origins: parseCorsOrigins(config.CORS_ORIGINS) });
  // The generator must be loaded before the routes it documents are added.
  registerOpenApi(app, {
    title: 'OrderLab notifications API',
    version: '1.0.0',
    description: API_DESCRIPTION,
    jsonPath: OPENAPI_PATH,
    docsPath: DOCS_PATH,
    apiPrefix: API_PREFIX,
    tags: [{ name: 'notifications', description: 'What happened to orders and the catalog' }],
  });
  registerHealthRoutes(
    app,
    [
      {
        name: 'postgres',
        check: async () => {
          // A saturated pool means Postgres answers; a probe queued behind it would call a busy service down.
          if (pool.waitingCount === 0) await pool.query('SELECT 1');
        },
      },
      {
        name: 'rabbitmq',
        check: async () => {
          if (!mq) throw new Error('not started');
          await mq.check();
        },
      },
      {
        name: 'consumer',
        check: async () => {
          if (!consumer.isActive()) throw new Error(`not consuming ${config.NOTIFICATIONS_QUEUE}`);
        },
      },
    ],
    { accepting: () => stopping === undefined },
  );
  app.register(notificationRoutes(repository), { prefix: API_PREFIX });

  return {
    app,
    async start() {
      // Returns at once: the broker may still be down; setup runs on every (re)connect.
      mq = await connectRabbitMq({ url: config.RABBITMQ_URL, connectionName: CONNECTION_NAME, logger, setup: consumer.setup });
      await app.listen({ port: config.PORT, host: config.HOST });
      const port = (app.server.address() as AddressInfo).port;
      pruner.start();
      logger.info({ port, host: config.HOST, queue: config.NOTIFICATIONS_QUEUE }, 'notifications service started');
      return { port };
    },
    stop() {
      // Readiness turns false first; then, in order: drain the consumer (cancel, settle what is
      // in flight) while the pruner ends its run (within its own 1 s deadline), stop HTTP
      // (in-flight requests finish), close AMQP, close the pool.
      const drainMs = drainBudgetMs(config.SHUTDOWN_TIMEOUT_MS);
      stopping ??= closeInOrder(
        [
          { name: 'event consumer and pruner', close: async () => void (await Promise.all([consumer.stop(drainMs), pruner.stop()])) },
          { name: 'http server', close: () => app.close() },
          { name: 'rabbitmq connection', close: async () => mq?.close() },
          { name: 'postgres pool', close: () => pool.end() },
        ],
        logger,
      );
      return stopping;
    },
  };
}
