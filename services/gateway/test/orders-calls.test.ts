import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { type Problem } from '@orderlab/platform';
import { grpcError } from '@orderlab/platform/grpc';
import type { Order } from '../src/schemas/order.js';
import type { Product, ProductPage } from '../src/schemas/product.js';
import { PRODUCTS, startFakeOrders, untilCancelled, UNKNOWN_ID } from './helpers/fake-orders.js';
import { startGateway, TEST_DEADLINE_MS } from './helpers/gateway.js';

const ORDER = { customerId: 'cust-7', items: [{ productId: PRODUCTS[0]!.id, quantity: 3 }, { productId: PRODUCTS[1]!.id, quantity: 1 }] };
const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

function postOrder(key: string, body: unknown = ORDER, headers: Record<string, string> = {}) {
  return {
    method: 'POST' as const,
    url: '/api/v1/orders',
    headers: { 'content-type': 'application/json', 'idempotency-key': key, ...headers },
    payload: JSON.stringify(body),
  };
}

async function setup(t: TestContext, env: Record<string, string> = {}) {
  const fake = await startFakeOrders();
  t.after(() => fake.stop());
  const { gateway, logs } = await startGateway(t, { ordersAddress: fake.address, env });
  return { fake, app: gateway.app, logs };
}

/** Resolves with the elapsed time of fn, so tests can check it did not hang. */
async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - started };
}

describe('POST /api/v1/orders', () => {
  it('places an order priced from the catalog and says where it lives', async (t) => {
    const { app } = await setup(t);
    const res = await app.inject(postOrder('order-key-1'));
    assert.equal(res.statusCode, 201);
    assert.match(String(res.headers['content-type']), /^application\/json/);
    const order = res.json<Order>();
    assert.equal(res.headers.location, `/api/v1/orders/${order.id}`);
    assert.equal(res.headers['idempotent-replayed'], undefined);
    assert.equal(order.status, 'pending');
    assert.equal(order.customerId, 'cust-7');
    assert.deepEqual(order.items, [
      { productId: PRODUCTS[0]!.id, quantity: 3, unitPriceCents: 650 },
      { productId: PRODUCTS[1]!.id, quantity: 1, unitPriceCents: 2490 },
    ]);
    assert.equal(order.totalCents, 3 * 650 + 2490);
    assert.deepEqual(Object.keys(order), ['id', 'customerId', 'status', 'items', 'totalCents', 'currency', 'createdAt', 'updatedAt']);

    const read = await app.inject({ method: 'GET', url: res.headers.location });
    assert.equal(read.statusCode, 200);
    assert.deepEqual(read.json(), order);
  });

  it('replays the first response for a repeated Idempotency-Key, byte for byte', async (t) => {
    const { fake, app } = await setup(t);
    const first = await app.inject(postOrder('replay-key'));
    const again = await app.inject(postOrder('replay-key'));
    assert.equal(first.statusCode, 201);
    assert.equal(again.statusCode, 201);
    assert.equal(again.headers['idempotent-replayed'], 'true');
    assert.equal(again.body, first.body);
    assert.equal(again.headers.location, first.headers.location);
    assert.equal(fake.callsTo('CreateOrder').length, 2);
  });

  it('answers 422 IDEMPOTENCY_KEY_MISMATCH when the key is reused with a different body', async (t) => {
    const { app } = await setup(t);
    assert.equal((await app.inject(postOrder('mismatch-key'))).statusCode, 201);
    const res = await app.inject(postOrder('mismatch-key', { ...ORDER, items: [{ productId: PRODUCTS[0]!.id, quantity: 4 }] }));
    assert.equal(res.statusCode, 422);
    assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
    assert.equal(res.json<Problem>().code, 'IDEMPOTENCY_KEY_MISMATCH');
  });

  it('answers 409 IDEMPOTENCY_KEY_IN_USE with Retry-After while the first request is running', async (t) => {
    const { app, fake } = await setup(t);
    fake.on('CreateOrder', () => {
      throw grpcError(GrpcStatus.ABORTED, 'IDEMPOTENCY_KEY_IN_USE', 'a request with this key is in progress');
    });
    const res = await app.inject(postOrder('busy-key'));
    assert.equal(res.statusCode, 409);
    assert.equal(res.headers['retry-after'], '1');
    assert.equal(res.json<Problem>().code, 'IDEMPOTENCY_KEY_IN_USE');
  });

  it('passes the key, the request id and the traceparent to orders as metadata', async (t) => {
    const { app, fake } = await setup(t);
    const res = await app.inject(postOrder('"quoted key 1"', ORDER, { 'x-request-id': 'client-req-1', traceparent: TRACEPARENT }));
    assert.equal(res.statusCode, 201);
    const [call] = fake.callsTo('CreateOrder');
    assert.equal(call?.metadata['idempotency-key'], 'quoted key 1');
    assert.equal(call?.metadata['x-request-id'], 'client-req-1');
    assert.equal(call?.metadata.traceparent, TRACEPARENT);
  });

  it('does not pass on a malformed traceparent', async (t) => {
    const { app, fake } = await setup(t);
    await app.inject({ method: 'GET', url: '/api/v1/products', headers: { traceparent: 'not-a-trace' } });
    assert.equal(fake.callsTo('ListProducts')[0]?.metadata.traceparent, undefined);
  });

  it('is never retried, even when orders is unavailable', async (t) => {
    const { app, fake } = await setup(t);
    fake.on('CreateOrder', () => {
      throw grpcError(GrpcStatus.UNAVAILABLE, 'DATABASE_UNAVAILABLE', 'database is down');
    });
    const res = await app.inject(postOrder('no-retry-key'));
    assert.equal(res.statusCode, 503);
    assert.equal(res.headers['retry-after'], '1');
    assert.equal(fake.callsTo('CreateOrder').length, 1);
  });
});

describe('POST /api/v1/products', () => {
  const PRODUCT = { sku: 'TEA-GREEN-SENCHA', name: 'Sencha green tea, 100 g', priceCents: 790, currency: 'EUR' };
  const post = (key: string) => ({
    method: 'POST' as const,
    url: '/api/v1/products',
    headers: { 'content-type': 'application/json', 'idempotency-key': key },
    payload: JSON.stringify(PRODUCT),
  });

  it('creates a product, and replays it for the same key', async (t) => {
    const { app, fake } = await setup(t);
    const first = await app.inject(post('product-key'));
    assert.equal(first.statusCode, 201);
    const product = first.json<Product>();
    assert.deepEqual({ ...product, id: undefined, createdAt: undefined }, { ...PRODUCT, description: '', id: undefined, createdAt: undefined });
    assert.equal(first.headers.location, `/api/v1/products/${product.id}`);
    assert.equal(fake.callsTo('CreateProduct')[0]?.metadata['idempotency-key'], 'product-key');

    const again = await app.inject(post('product-key'));
    assert.equal(again.statusCode, 201);
    assert.equal(again.headers['idempotent-replayed'], 'true');
    assert.equal(again.body, first.body);
  });

  it('takes any printable text: emoji in the name, tabs and line breaks in the description', async (t) => {
    const { app, fake } = await setup(t);
    const text = { ...PRODUCT, name: '  Sencha 🍵 green tea', description: 'Steep 2 min\tat 70 °C.\r\nNo sugar.' };
    const res = await app.inject({ ...post('text-key'), payload: JSON.stringify(text) });
    assert.equal(res.statusCode, 201, res.body);
    const sent = fake.callsTo('CreateProduct')[0]?.request as { name: string; description: string };
    assert.deepEqual({ name: sent.name, description: sent.description }, { name: text.name, description: text.description });
  });
});

describe('reads', () => {
  it('lists the catalog with a null nextCursor on the last page', async (t) => {
    const { app, fake } = await setup(t);
    const res = await app.inject({ method: 'GET', url: '/api/v1/products?limit=5' });
    assert.equal(res.statusCode, 200);
    const page = res.json<ProductPage>();
    assert.equal(page.nextCursor, null);
    assert.deepEqual(page.items.map((p) => p.sku), PRODUCTS.map((p) => p.sku));
    assert.equal((fake.callsTo('ListProducts')[0]?.request as { pageSize: number }).pageSize, 5);
  });

  it("lists a customer's orders and passes the cursor through", async (t) => {
    const { app, fake } = await setup(t);
    await app.inject(postOrder('list-key'));
    fake.on('ListOrders', () => ({ orders: [], nextPageToken: 'page-2' }));
    const res = await app.inject({ method: 'GET', url: '/api/v1/orders?customerId=cust-7&cursor=page-1' });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { items: [], nextCursor: 'page-2' });
    const request = fake.callsTo('ListOrders')[0]?.request as { customerId: string; pageToken: string; pageSize: number };
    assert.deepEqual({ ...request }, { customerId: 'cust-7', pageToken: 'page-1', pageSize: 20 });
  });

  it('retries a read once when orders is unavailable, then answers 200', async (t) => {
    const { app, fake, logs } = await setup(t);
    let attempts = 0;
    fake.on('GetProduct', ({ id }) => {
      attempts++;
      if (attempts === 1) throw grpcError(GrpcStatus.UNAVAILABLE, 'SHUTTING_DOWN', 'draining');
      return PRODUCTS.find((p) => p.id === id)!;
    });
    const res = await app.inject({ method: 'GET', url: `/api/v1/products/${PRODUCTS[1]!.id}` });
    assert.equal(res.statusCode, 200);
    assert.equal(res.json<Product>().sku, PRODUCTS[1]!.sku);
    assert.equal(fake.callsTo('GetProduct').length, 2);
    assert.ok(logs.lines().some((l) => l.msg === 'orders unavailable, retrying read' && l.request_id === res.headers['x-request-id']));
  });

  it('retries a read only once: a second UNAVAILABLE is a 503', async (t) => {
    const { app, fake } = await setup(t);
    fake.on('GetOrder', () => {
      throw grpcError(GrpcStatus.UNAVAILABLE, 'DATABASE_UNAVAILABLE', 'database is down');
    });
    const res = await app.inject({ method: 'GET', url: `/api/v1/orders/${UNKNOWN_ID}` });
    assert.equal(res.statusCode, 503);
    assert.equal(fake.callsTo('GetOrder').length, 2);
  });

  it('answers a generic 500 without orders internals when orders fails unexpectedly', async (t) => {
    const { app, fake } = await setup(t);
    fake.on('ListProducts', () => {
      throw grpcError(GrpcStatus.INTERNAL, 'INTERNAL', 'relation "products" does not exist; password=hunter2');
    });
    const res = await app.inject({ method: 'GET', url: '/api/v1/products' });
    assert.equal(res.statusCode, 500);
    assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
    assert.doesNotMatch(res.body, /hunter2|relation/);
    assert.equal(res.json<Problem>().code, 'INTERNAL');
  });
});

describe('when orders is down or slow', () => {
  it('answers 503 with Retry-After when nothing listens at ORDERS_GRPC_ADDR, without hanging', async (t) => {
    const fake = await startFakeOrders();
    fake.stop();
    const { gateway } = await startGateway(t, { ordersAddress: fake.address });
    for (const request of [{ method: 'GET' as const, url: '/api/v1/products' }, postOrder('down-key')]) {
      const { value: res, ms } = await timed(() => gateway.app.inject(request));
      assert.equal(res.statusCode, 503);
      assert.equal(res.headers['retry-after'], '1');
      assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
      assert.equal(res.json<Problem>().code, 'DEPENDENCY_UNAVAILABLE');
      assert.ok(ms < 3 * TEST_DEADLINE_MS, `answered after ${Math.round(ms)} ms`);
    }
  });

  it('answers 503 when orders goes away after having answered', async (t) => {
    const { app, fake } = await setup(t);
    assert.equal((await app.inject({ method: 'GET', url: '/api/v1/products' })).statusCode, 200);
    fake.stop();
    const res = await app.inject({ method: 'GET', url: '/api/v1/products' });
    assert.equal(res.statusCode, 503);
    assert.equal(res.headers['retry-after'], '1');
  });

  it('answers 504 with Retry-After when orders does not answer within GRPC_DEADLINE_MS', async (t) => {
    const { app, fake } = await setup(t);
    fake.on('GetOrder', (_request, call) => untilCancelled(call, {}));
    const { value: res, ms } = await timed(() => app.inject({ method: 'GET', url: `/api/v1/orders/${UNKNOWN_ID}` }));
    assert.equal(res.statusCode, 504);
    assert.equal(res.headers['retry-after'], '1');
    assert.equal(res.json<Problem>().code, 'DEPENDENCY_TIMEOUT');
    assert.ok(ms < 3 * TEST_DEADLINE_MS, `answered after ${Math.round(ms)} ms`);
  });

  it('answers 504 to a write that outlives the deadline (the client retries with its key)', async (t) => {
    const { app, fake } = await setup(t);
    fake.on('CreateOrder', (_request, call) => untilCancelled(call, {}));
    const res = await app.inject(postOrder('slow-key'));
    assert.equal(res.statusCode, 504);
    assert.equal(fake.callsTo('CreateOrder').length, 1);
  });
});
