import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { createOrderServiceClient, ORDER_SERVICE_NAME } from '@orderlab/contracts';
import { captureLogs } from '@orderlab/platform/testing';
import { service as healthService } from 'grpc-health-check';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { buildOrdersService } from '../src/orders-service.js';
import { cleanupStack, closedPort, insertProducts, OrdersTestClient, rejection, startOrders, testConfig, withKey } from './helpers.js';

const UNKNOWN = '7a1d3c1e-5f7b-4c59-a7e2-1b6c1f0f9a00';

type HealthClient = grpc.Client & {
  check(request: { service: string }, callback: (err: grpc.ServiceError | null, response: { status: string }) => void): void;
};

/** Asks the standard health service about `name`. */
async function healthOf(port: number, name: string): Promise<string> {
  const Health = grpc.makeGenericClientConstructor(healthService, 'Health') as unknown as new (address: string, credentials: grpc.ChannelCredentials) => HealthClient;
  const client = new Health(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  try {
    return await new Promise((resolve, reject) => client.check({ service: name }, (err, response) => (err ? reject(err) : resolve(response.status))));
  } finally {
    client.close();
  }
}

interface ReflectionResponse {
  listServicesResponse?: { service: { name: string }[] };
}
type ReflectionClient = grpc.Client & {
  serverReflectionInfo(): grpc.ClientDuplexStream<{ listServices: string }, ReflectionResponse>;
};

/** Lists the services the server exposes, through the standard reflection service (v1). */
async function reflectedServices(port: number): Promise<string[]> {
  const protoPath = createRequire(import.meta.url).resolve('@grpc/reflection/build/proto/grpc/reflection/v1/reflection.proto');
  const loaded = grpc.loadPackageDefinition(protoLoader.loadSync(protoPath)) as unknown as {
    grpc: { reflection: { v1: { ServerReflection: new (address: string, credentials: grpc.ChannelCredentials) => ReflectionClient } } };
  };
  const client = new loaded.grpc.reflection.v1.ServerReflection(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  try {
    const stream = client.serverReflectionInfo();
    const reply = new Promise<string[]>((resolve, reject) => {
      stream.once('data', (response: ReflectionResponse) => resolve((response.listServicesResponse?.service ?? []).map((s) => s.name)));
      stream.once('error', reject);
    });
    stream.write({ listServices: '' });
    const names = await reply;
    stream.end();
    return names;
  } finally {
    client.close();
  }
}

describe('gRPC server', () => {
  it('maps errors to status codes with stable error codes', async (t) => {
    const orders = await startOrders(t, 'grpc_errors');
    const c = orders.client;
    const expectations: [() => Promise<unknown>, string, string | undefined][] = [
      [() => c.getOrder({ id: 'not-a-uuid' }), 'INVALID_ARGUMENT', 'VALIDATION_FAILED'],
      [() => c.getOrder({ id: UNKNOWN }), 'NOT_FOUND', 'ORDER_NOT_FOUND'],
      [() => c.getProduct({ id: UNKNOWN }), 'NOT_FOUND', 'PRODUCT_NOT_FOUND'],
      [() => c.getProduct({ id: '' }), 'INVALID_ARGUMENT', 'VALIDATION_FAILED'],
      [() => c.listOrders({}), 'INVALID_ARGUMENT', 'VALIDATION_FAILED'],
      [() => c.listOrders({ customerId: 'c', pageToken: 'garbage' }), 'INVALID_ARGUMENT', 'INVALID_CURSOR'],
      [() => c.listProducts({ pageSize: -1 }), 'INVALID_ARGUMENT', 'VALIDATION_FAILED'],
      [() => c.createProduct({ sku: 'lower', name: 'x', priceCents: 1, currency: 'USD' }, withKey('p1')), 'INVALID_ARGUMENT', 'VALIDATION_FAILED'],
      [() => c.createProduct({ sku: 'OK-1', name: 'x', priceCents: 1, currency: 'USD' }), 'INVALID_ARGUMENT', 'IDEMPOTENCY_KEY_REQUIRED'],
    ];
    for (const [call, status, code] of expectations) {
      const err = await rejection(call());
      assert.deepEqual([err.status, err.code], [status, code], err.message);
    }
  });

  it('logs one line per call with method, status, duration_ms and the request id', async (t) => {
    const orders = await startOrders(t, 'grpc_logs');
    await rejection(orders.client.getOrder({ id: UNKNOWN }, { metadata: { 'x-request-id': 'req-log-1' } }));

    const line = orders.logs().find((l) => l.msg === 'grpc call' && l.request_id === 'req-log-1');
    assert.ok(line, 'a call log line with the request id');
    assert.equal(line.method, 'GetOrder');
    assert.equal(line.status, 'NOT_FOUND');
    assert.equal(typeof line.duration_ms, 'number');
  });

  it('reports SERVING on the standard health service while Postgres answers', async (t) => {
    const orders = await startOrders(t, 'grpc_health');
    assert.equal(await healthOf(orders.grpcPort, ''), 'SERVING');
    assert.equal(await healthOf(orders.grpcPort, ORDER_SERVICE_NAME), 'SERVING');
  });

  it('describes OrderService through server reflection', async (t) => {
    const orders = await startOrders(t, 'grpc_reflection');
    assert.ok((await reflectedServices(orders.grpcPort)).includes(ORDER_SERVICE_NAME));
  });

  it('answers UNAVAILABLE (never INTERNAL) and NOT_SERVING when Postgres is unreachable', async (t) => {
    const onCleanup = cleanupStack(t);
    const { logger } = captureLogs('orders');
    const config = testConfig({ databaseUrl: `postgres://postgres@127.0.0.1:${await closedPort()}/nowhere`, prefix: 'test:orders:nodb:' });
    const service = buildOrdersService(config, { logger });
    const { grpcPort } = await service.start();
    onCleanup(() => service.stop());
    const raw = createOrderServiceClient(`127.0.0.1:${grpcPort}`);
    onCleanup(() => raw.close());
    const client = new OrdersTestClient(raw);

    const err = await rejection(client.getOrder({ id: UNKNOWN }));

    assert.deepEqual([err.status, err.code], ['UNAVAILABLE', 'DATABASE_UNAVAILABLE']);
    assert.equal(await healthOf(grpcPort, ''), 'NOT_SERVING');
  });

  it('pages through a customer’s orders newest first without gaps or repeats', async (t) => {
    const orders = await startOrders(t, 'grpc_list_orders');
    const [product] = await insertProducts(orders.pool, [{ sku: 'P-1', priceCents: 100 }]);
    // Several orders share a created_at so the id tie-breaker is exercised.
    await orders.pool.query(
      `INSERT INTO orders (id, customer_id, status, total_cents, currency, created_at)
       SELECT gen_random_uuid(), 'cust-list', 'fulfilled', 100, 'USD', now() - (n / 3) * interval '1 minute'
         FROM generate_series(1, 23) AS n`,
    );
    await orders.client.createOrder({ customerId: 'other', items: [{ productId: product, quantity: 1 }] }, withKey('k-other'));

    const seen: string[] = [];
    let pageToken = '';
    let pages = 0;
    do {
      const page = await orders.client.listOrders({ customerId: 'cust-list', pageSize: 5, pageToken });
      seen.push(...page.orders.map((o) => o.id));
      assert.ok(page.orders.every((o) => o.customerId === 'cust-list'));
      pageToken = page.nextPageToken;
      pages += 1;
    } while (pageToken !== '' && pages < 10);

    assert.equal(pages, 5);
    assert.equal(seen.length, 23);
    assert.equal(new Set(seen).size, 23);
    const { rows } = await orders.pool.query<{ id: string }>("SELECT id FROM orders WHERE customer_id = 'cust-list' ORDER BY created_at DESC, id DESC");
    assert.deepEqual(seen, rows.map((r) => r.id));
  });
});

describe('CreateProduct', () => {
  it('creates a product with an item.created event, replays a repeat and refuses a taken SKU', async (t) => {
    const orders = await startOrders(t, 'grpc_create_product');
    const request = { sku: 'MUG-1', name: 'Stoneware Mug', description: 'Hand-glazed.', priceCents: 1490, currency: 'USD' };

    const first = await orders.client.createProduct(request, withKey('p-1'));
    const again = await orders.client.createProduct(request, withKey('p-1'));
    const taken = await rejection(orders.client.createProduct(request, withKey('p-2')));

    assert.equal(first.replayed, false);
    assert.deepEqual({ ...first.product, id: undefined, createdAt: undefined }, { ...request, id: undefined, createdAt: undefined });
    assert.equal(again.replayed, true);
    assert.deepEqual(again.product, first.product);
    assert.deepEqual([taken.status, taken.code], ['ALREADY_EXISTS', 'PRODUCT_SKU_EXISTS']);
    assert.deepEqual(await orders.client.getProduct({ id: first.product?.id ?? '' }), first.product);
    const { rows } = await orders.pool.query<{ type: string; payload: Record<string, unknown> }>("SELECT type, payload FROM outbox WHERE destination = 'events'");
    assert.deepEqual(rows.map((r) => [r.type, r.payload.sku]), [['item.created', 'MUG-1']]);
  });
});
