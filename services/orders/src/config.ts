/** The orders service's environment, validated once at start-up (see docs/configuration.md). */
import { commonConfig } from '@orderlab/platform';
import { pruneIntervalConfig } from '@orderlab/platform/postgres';
import Type, { type Static } from 'typebox';
import { DEFAULT_URLS, PORTS, serviceDatabaseUrl } from '@orderlab/contracts/topology';

const port = (fallback: number) => Type.Integer({ default: fallback, minimum: 0, maximum: 65_535 });

/** Every variable of the orders service, with its default. */
export const ordersConfigSchema = Type.Object({
  ...commonConfig,
  GRPC_PORT: port(50_051),
  OPS_PORT: port(PORTS.ordersOps),
  DATABASE_URL: Type.String({ default: serviceDatabaseUrl('orders'), pattern: '^postgres(ql)?://' }),
  DATABASE_POOL_MAX: Type.Integer({ default: 10, minimum: 1, maximum: 200 }),
  MIGRATE_ON_START: Type.Boolean({ default: true }),
  REDIS_URL: Type.String({ default: DEFAULT_URLS.redis, pattern: '^rediss?://' }),
  REDIS_KEY_PREFIX: Type.String({ default: '', maxLength: 100 }),
  CACHE_PRODUCT_TTL_S: Type.Integer({ default: 60, minimum: 1, maximum: 86_400 }),
  CACHE_ORDER_TTL_S: Type.Integer({ default: 30, minimum: 1, maximum: 86_400 }),
  IDEMPOTENCY_TTL_HOURS: Type.Integer({ default: 24, minimum: 1, maximum: 24 * 30 }),
  OUTBOX_BATCH_SIZE: Type.Integer({ default: 100, minimum: 1, maximum: 1000 }),
  OUTBOX_POLL_INTERVAL_MS: Type.Integer({ default: 1000, minimum: 10, maximum: 60_000 }),
  OUTBOX_MAX_BACKOFF_MS: Type.Integer({ default: 30_000, minimum: 100, maximum: 600_000 }),
  RECONCILER_INTERVAL_MS: Type.Integer({ default: 10_000, minimum: 100, maximum: 3_600_000 }),
  RECONCILER_STALE_AFTER_MS: Type.Integer({ default: 60_000, minimum: 100, maximum: 86_400_000 }),
  STREAM_MAXLEN: Type.Integer({ default: 100_000, minimum: 1000, maximum: 100_000_000 }),
  RABBITMQ_URL: Type.String({ default: DEFAULT_URLS.rabbitmq, pattern: '^amqp://' }),
  OUTBOX_CONFIRM_TIMEOUT_MS: Type.Integer({ default: 5_000, minimum: 100, maximum: 60_000 }),
  OUTBOX_RETENTION_HOURS: Type.Integer({ default: 1, minimum: 1, maximum: 24 * 90 }),
  ORDERS_RETENTION_HOURS: Type.Integer({ default: 24 * 7, minimum: 1, maximum: 24 * 3650 }),
  PRUNE_INTERVAL_MS: pruneIntervalConfig,
});

/** The parsed configuration of the orders service. */
export type OrdersConfig = Static<typeof ordersConfigSchema>;
