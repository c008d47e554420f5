/**
 * Everything one component test needs: its own database (migrated), its own Redis key
 * prefix, a fake orders server, a captured log, and a way to start the real worker on
 * them. Cleanup runs in reverse order of creation when the test ends.
 */
import type { TestContext } from 'node:test';
import { Redis } from 'ioredis';
import { parseConfig } from '@orderlab/platform';
import { createPgPool, runMigrations } from '@orderlab/platform/postgres';
import { captureLogs, createTestDatabase, deleteRedisPrefix, testRedisPrefix, TEST_REDIS_URL, type CapturedLogs } from '@orderlab/platform/testing';
import { fulfillmentConfigSchema } from '../../src/config.js';
import { buildFulfillmentWorker, type FulfillmentWorker } from '../../src/fulfillment-worker.js';
import { fieldsToRecord } from '../../src/fulfillment-request.js';
import { CONSUMER_GROUP, streamKeys, type StreamKeys } from '../../src/fulfillment-stream.js';
import { MIGRATIONS_DIR } from '../../src/migrations.js';
import { parsePendingReply, type PendingInfo } from '../../src/stream-replies.js';
import { startFakeOrdersServer, type FakeOrdersServer } from './fake-orders-server.js';

/** A shipments row as the tests read it. */
export interface ShipmentRow {
  order_id: string;
  shipment_id: string;
  status: string;
  tracking_number: string | null;
  attempts: number;
  request_id: string | null;
}

export interface RunningWorker {
  worker: FulfillmentWorker;
  opsPort: number;
  /** Stops the worker (once; later calls wait for the first). */
  stop(): Promise<void>;
}

export interface TestEnvironment {
  keys: StreamKeys;
  /** The test's own Redis connection (the worker has its own). */
  redis: Redis;
  orders: FakeOrdersServer;
  logs: CapturedLogs;
  /** Starts the worker with test defaults (no simulated delays, quick reclaim) plus env. */
  startWorker(env?: Record<string, string>): Promise<RunningWorker>;
  /** XADDs a fulfillment request the way the orders relay does. */
  addRequest(fields: Record<string, string>): Promise<string>;
  /** Pending entries of the group, with owner and delivery count. */
  pending(): Promise<PendingInfo[]>;
  shipments(): Promise<ShipmentRow[]>;
  /** Runs SQL against the worker's database. */
  query(sql: string, params?: unknown[]): Promise<void>;
  deadLetters(): Promise<{ id: string; fields: Record<string, string> }[]>;
  /** Creates the consumer group the way the worker does (for tests that read before it starts). */
  createGroup(): Promise<void>;
}

/** Sets up an isolated environment for test t. */
export async function createTestEnvironment(t: TestContext, label: string): Promise<TestEnvironment> {
  const cleanups: (() => Promise<void> | void)[] = [];
  t.after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  const logs = captureLogs('fulfillment');
  const db = await createTestDatabase(`fulfillment_${label}`);
  cleanups.push(() => db.drop());
  await runMigrations({ databaseUrl: db.url, dir: MIGRATIONS_DIR, logger: logs.logger });
  // The platform pool logs client errors: pool.end() resolves before its sockets have closed,
  // so the FORCE drop at cleanup can still hit one, which must not crash the test process.
  const pool = createPgPool({ connectionString: db.url, max: 2, applicationName: 'fulfillment-test' }, logs.logger);
  cleanups.push(() => pool.end());

  const prefix = testRedisPrefix(`fulfillment_${label}`);
  const keys = streamKeys(prefix);
  const redis = new Redis(TEST_REDIS_URL);
  cleanups.push(() => void redis.disconnect());
  cleanups.push(() => deleteRedisPrefix(redis, prefix));

  const orders = await startFakeOrdersServer();
  cleanups.push(() => orders.stop());

  return {
    keys,
    redis,
    orders,
    logs,
    async startWorker(env = {}) {
      const config = parseConfig(fulfillmentConfigSchema, {
        HOST: '127.0.0.1',
        OPS_PORT: '0',
        LOG_LEVEL: 'debug',
        DATABASE_URL: db.url,
        DATABASE_POOL_MAX: '4',
        MIGRATE_ON_START: 'false',
        REDIS_URL: TEST_REDIS_URL,
        REDIS_KEY_PREFIX: prefix,
        ORDERS_GRPC_ADDR: orders.address,
        GRPC_DEADLINE_MS: '2000',
        CONSUMER_NAME: 'worker-under-test',
        FULFILLMENT_PICK_MS: '0',
        FULFILLMENT_PACK_MS: '0',
        FULFILLMENT_SHIP_MS: '0',
        FULFILLMENT_CLAIM_IDLE_MS: '5000',
        FULFILLMENT_BLOCK_MS: '100',
        ...env,
      });
      const worker = buildFulfillmentWorker(config, { logger: logs.logger });
      let stopping: Promise<void> | undefined;
      const stop = () => (stopping ??= worker.stop());
      cleanups.push(stop);
      const { opsPort } = await worker.start();
      return { worker, opsPort, stop };
    },
    addRequest(fields) {
      return redis.xadd(keys.requests, '*', ...Object.entries(fields).flat()) as Promise<string>;
    },
    async pending() {
      return parsePendingReply(await redis.xpending(keys.requests, CONSUMER_GROUP, '-', '+', 1000));
    },
    async shipments() {
      const { rows } = await pool.query<ShipmentRow>('SELECT * FROM shipments ORDER BY created_at, order_id');
      return rows;
    },
    async query(sql, params = []) {
      await pool.query(sql, params);
    },
    async deadLetters() {
      const entries = await redis.xrange(keys.dead, '-', '+');
      return entries.map(([id, flat]) => ({ id, fields: fieldsToRecord(flat) }));
    },
    async createGroup() {
      await redis.xgroup('CREATE', keys.requests, CONSUMER_GROUP, '0', 'MKSTREAM');
    },
  };
}
