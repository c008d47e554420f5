/**
 * The fulfillment worker's configuration: every variable of docs/configuration.md
 * (§ fulfillment), validated once at start-up.
 */
import os from 'node:os';
import { Type, type Static } from 'typebox';
import { commonConfig } from '@orderlab/platform';
import { pruneIntervalConfig } from '@orderlab/platform/postgres';
import { DEFAULT_URLS, PORTS, serviceDatabaseUrl } from '@orderlab/contracts/topology';

const port = (value: number) => Type.Integer({ default: value, minimum: 0, maximum: 65_535 });
const milliseconds = (value: number, minimum = 0) => Type.Integer({ default: value, minimum });

/** The schema: validation, defaults and the `FulfillmentConfig` type in one place. */
export const fulfillmentConfigSchema = Type.Object({
  ...commonConfig,
  OPS_PORT: port(PORTS.fulfillmentOps),
  DATABASE_URL: Type.String({ default: serviceDatabaseUrl('fulfillment'), minLength: 1 }),
  DATABASE_POOL_MAX: Type.Integer({ default: 10, minimum: 1, maximum: 100 }),
  MIGRATE_ON_START: Type.Boolean({ default: true }),
  REDIS_URL: Type.String({ default: DEFAULT_URLS.redis, minLength: 1 }),
  REDIS_KEY_PREFIX: Type.String({ default: '' }),
  ORDERS_GRPC_ADDR: Type.String({ default: DEFAULT_URLS.ordersGrpc, minLength: 1 }),
  GRPC_DEADLINE_MS: milliseconds(2000, 1),
  CONSUMER_NAME: Type.String({ default: `${os.hostname()}-${process.pid}`, minLength: 1, maxLength: 200 }),
  FULFILLMENT_CONCURRENCY: Type.Integer({ default: 8, minimum: 1, maximum: 256 }),
  FULFILLMENT_PICK_MS: milliseconds(100),
  FULFILLMENT_PACK_MS: milliseconds(100),
  FULFILLMENT_SHIP_MS: milliseconds(100),
  FULFILLMENT_MAX_DELIVERIES: Type.Integer({ default: 5, minimum: 1, maximum: 1000 }),
  FULFILLMENT_CLAIM_IDLE_MS: milliseconds(30_000, 1),
  // BLOCK 0 would mean "wait forever" to Redis, so 1 ms is the floor.
  FULFILLMENT_BLOCK_MS: milliseconds(2000, 1),
  SHIPMENTS_RETENTION_HOURS: Type.Integer({ default: 24 * 7, minimum: 1, maximum: 24 * 3650 }),
  PRUNE_INTERVAL_MS: pruneIntervalConfig,
});

/** The validated configuration of the fulfillment worker. */
export type FulfillmentConfig = Static<typeof fulfillmentConfigSchema>;
