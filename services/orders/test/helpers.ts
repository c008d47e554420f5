/** Shared set-up of the component tests: a real database, Redis prefix and orders service per test. */
import * as grpc from '@grpc/grpc-js';
import {
  createOrderServiceClient,
  type CompleteFulfillmentRequest,
  type CreateOrderRequest,
  type CreateOrderResponse__Output,
  type CreateProductRequest,
  type CreateProductResponse__Output,
  type GetOrderRequest,
  type GetProductRequest,
  type ListOrdersRequest,
  type ListOrdersResponse__Output,
  type ListProductsRequest,
  type ListProductsResponse__Output,
  type Order__Output,
  type OrderServiceClient,
  type Product__Output,
} from '@orderlab/contracts';
import { parseConfig, type Logger } from '@orderlab/platform';
import { createPgPool, runMigrations } from '@orderlab/platform/postgres';
import {
  captureLogs,
  createTestDatabase,
  deleteRedisPrefix,
  TEST_REDIS_URL,
  testRedisPrefix,
} from '@orderlab/platform/testing';
import { Redis } from 'ioredis';
import { createServer } from 'node:net';
import type { TestContext } from 'node:test';
import type pg from 'pg';
import { ordersConfigSchema, type OrdersConfig } from '../src/config.js';
import { MIGRATIONS_DIR } from '../src/migrations.js';
import { buildOrdersService } from '../src/orders-service.js';

/** Runs cleanups (sync or async, each awaited) in reverse order of registration after the test, whatever happened. */
export function cleanupStack(t: TestContext): (fn: () => unknown) => void {
  const stack: (() => unknown)[] = [];
  t.after(async () => {
    for (const fn of stack.reverse()) await fn();
  });
  return (fn) => void stack.push(fn);
}

/** A migrated database, a Redis prefix and clients to inspect both, all removed after the test. */
export interface TestStores {
  databaseUrl: string;
  prefix: string;
  pool: pg.Pool;
  redis: Redis;
  logger: Logger;
  logs: () => Record<string, unknown>[];
  onCleanup: (fn: () => unknown) => void;
}

/** Creates the stores for one test. */
export async function createStores(t: TestContext, label: string): Promise<TestStores> {
  const onCleanup = cleanupStack(t);
  const db = await createTestDatabase(`orders_${label}`);
  onCleanup(() => db.drop());
  const { logger, lines } = captureLogs('orders', 'debug');
  await runMigrations({ databaseUrl: db.url, dir: MIGRATIONS_DIR, logger });
  const pool = createPgPool({ connectionString: db.url, max: 3, applicationName: 'orders-test' }, logger);
  onCleanup(() => pool.end());
  const prefix = testRedisPrefix(`orders_${label}`);
  const redis = new Redis(TEST_REDIS_URL);
  onCleanup(() => redis.quit());
  onCleanup(() => deleteRedisPrefix(redis, prefix));
  return { databaseUrl: db.url, prefix, pool, redis, logger, logs: lines, onCleanup };
}

/** A port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A broker address that refuses connections at once. */
export const UNREACHABLE_AMQP_URL = 'amqp://guest:guest@127.0.0.1:1';

/** Configuration for a test service: ports 0, small pool, the test's database and prefix. */
export function testConfig(stores: Pick<TestStores, 'databaseUrl' | 'prefix'>, env: Record<string, string> = {}): OrdersConfig {
  return parseConfig(ordersConfigSchema, {
    HOST: '127.0.0.1',
    GRPC_PORT: '0',
    OPS_PORT: '0',
    DATABASE_URL: stores.databaseUrl,
    DATABASE_POOL_MAX: '4',
    REDIS_KEY_PREFIX: stores.prefix,
    OUTBOX_POLL_INTERVAL_MS: '100',
    SHUTDOWN_TIMEOUT_MS: '2000',
    // Tests that do not look at events keep off the shared broker: nothing listens on port 1, so
    // the service runs as during a RabbitMQ outage. Event tests pass a per-test vhost's URL.
    RABBITMQ_URL: UNREACHABLE_AMQP_URL,
    ...env,
  });
}

/** A started orders service with a client, plus the stores behind it. */
export interface TestService extends TestStores {
  client: OrdersTestClient;
  grpcPort: number;
  opsPort: number;
  config: OrdersConfig;
  /** The service's ordered shutdown (also run after the test; it runs once). */
  stop(): Promise<void>;
}

/** Starts the real orders service for one test. */
export async function startOrders(t: TestContext, label: string, env: Record<string, string> = {}): Promise<TestService> {
  return startOrdersWith(await createStores(t, label), env);
}

/** Starts the real orders service on stores made earlier (e.g. after a vhost that must outlive it). */
export async function startOrdersWith(stores: TestStores, env: Record<string, string> = {}): Promise<TestService> {
  const config = testConfig(stores, env);
  const service = buildOrdersService(config, { logger: stores.logger });
  const { grpcPort, opsPort } = await service.start();
  stores.onCleanup(() => service.stop());
  const raw = createOrderServiceClient(`127.0.0.1:${grpcPort}`);
  stores.onCleanup(() => raw.close());
  return { ...stores, config, grpcPort, opsPort, client: new OrdersTestClient(raw), stop: () => service.stop() };
}

/** Call options of the test client. */
export interface CallOptions {
  metadata?: Record<string, string>;
  /** Absolute deadline; 5 s from now by default. */
  deadline?: Date;
}

/** Promise wrappers over the generated client, with metadata given as a plain object. */
export class OrdersTestClient {
  constructor(readonly raw: OrderServiceClient) {}

  private call<Res>(method: string, request: object, { metadata = {}, deadline = new Date(Date.now() + 5_000) }: CallOptions): Promise<Res> {
    const md = new grpc.Metadata();
    for (const [key, value] of Object.entries(metadata)) md.set(key, value);
    return new Promise((resolve, reject) => {
      const fn = (this.raw as unknown as Record<string, (...args: unknown[]) => void>)[method] as (...args: unknown[]) => void;
      fn.call(this.raw, request, md, { deadline }, (err: grpc.ServiceError | null, response: Res) => (err ? reject(err) : resolve(response)));
    });
  }

  listProducts(request: ListProductsRequest = {}, options: CallOptions = {}) {
    return this.call<ListProductsResponse__Output>('ListProducts', request, options);
  }
  getProduct(request: GetProductRequest, options: CallOptions = {}) {
    return this.call<Product__Output>('GetProduct', request, options);
  }
  createProduct(request: CreateProductRequest, options: CallOptions = {}) {
    return this.call<CreateProductResponse__Output>('CreateProduct', request, options);
  }
  createOrder(request: CreateOrderRequest, options: CallOptions = {}) {
    return this.call<CreateOrderResponse__Output>('CreateOrder', request, options);
  }
  getOrder(request: GetOrderRequest, options: CallOptions = {}) {
    return this.call<Order__Output>('GetOrder', request, options);
  }
  listOrders(request: ListOrdersRequest, options: CallOptions = {}) {
    return this.call<ListOrdersResponse__Output>('ListOrders', request, options);
  }
  completeFulfillment(request: CompleteFulfillmentRequest, options: CallOptions = {}) {
    return this.call<Order__Output>('CompleteFulfillment', request, options);
  }
}

/** Inserts catalog rows directly (faster than CreateProduct) and returns their ids. */
export async function insertProducts(
  pool: pg.Pool,
  products: { sku: string; priceCents: number; currency?: string; name?: string }[],
): Promise<string[]> {
  const { rows } = await pool.query<{ id: string; sku: string }>(
    `INSERT INTO products (sku, name, price_cents, currency)
     SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[])
     RETURNING id, sku`,
    [products.map((p) => p.sku), products.map((p) => p.name ?? `Product ${p.sku}`), products.map((p) => p.priceCents), products.map((p) => p.currency ?? 'USD')],
  );
  const ids = new Map(rows.map((row) => [row.sku, row.id]));
  return products.map((p) => ids.get(p.sku) as string);
}

/** Metadata with an idempotency key and a request id. */
export function withKey(key: string, requestId = `req-${key}`): CallOptions {
  return { metadata: { 'idempotency-key': key, 'x-request-id': requestId } };
}

/** The gRPC status code and the stable orderlab code of a failed call. */
export function failure(err: unknown): { status: string; code: string | undefined; message: string } {
  const e = err as grpc.ServiceError;
  const code = e.metadata?.get('orderlab-error-code')[0];
  return { status: grpc.status[e.code] ?? String(e.code), code: typeof code === 'string' ? code : undefined, message: e.details };
}

/** Awaits a promise that must reject, and describes the failure. */
export async function rejection(promise: Promise<unknown>): Promise<ReturnType<typeof failure>> {
  try {
    await promise;
  } catch (err) {
    return failure(err);
  }
  throw new Error('expected the call to fail');
}
