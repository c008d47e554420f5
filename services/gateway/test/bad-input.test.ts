import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Problem } from '@orderlab/platform';
import type { InjectOptions } from 'fastify';
import { PRODUCTS, startFakeOrders, UNKNOWN_ID } from './helpers/fake-orders.js';
import { startGateway, type Cleanup } from './helpers/gateway.js';

const PRODUCT_ID = PRODUCTS[0]!.id;
const JSON_HEADERS = { 'content-type': 'application/json', 'idempotency-key': 'bad-input-key' };
const ORDER = { customerId: 'cust-1', items: [{ productId: PRODUCT_ID, quantity: 2 }] };
const PRODUCT = { sku: 'TEA-GREEN-SENCHA', name: 'Sencha green tea, 100 g', priceCents: 790, currency: 'EUR' };
const BODY_LIMIT_BYTES = 8192;

interface Case {
  name: string;
  request: InjectOptions;
  status: number;
  code: string;
  /** JSON pointers expected in errors[] (validation failures). */
  pointers?: string[];
  allow?: string;
}

function postOrder(body: unknown, headers: Record<string, string> = JSON_HEADERS): InjectOptions {
  return { method: 'POST', url: '/api/v1/orders', headers, payload: typeof body === 'string' ? body : JSON.stringify(body) };
}

function postProduct(body: unknown): InjectOptions {
  return { method: 'POST', url: '/api/v1/products', headers: JSON_HEADERS, payload: JSON.stringify(body) };
}

function withItem(item: Record<string, unknown>) {
  return { customerId: 'cust-1', items: [item] };
}

const CASES: Case[] = [
  { name: 'malformed JSON', request: postOrder('{"customerId": "cust-1", "items": ['), status: 400, code: 'MALFORMED_JSON' },
  { name: 'an empty JSON body', request: postOrder(''), status: 400, code: 'MALFORMED_JSON' },
  { name: 'a JSON array instead of an object', request: postOrder([ORDER]), status: 400, code: 'VALIDATION_FAILED' },
  { name: 'customerId of the wrong type', request: postOrder({ ...ORDER, customerId: 42 }), status: 400, code: 'VALIDATION_FAILED', pointers: ['#/customerId'] },
  { name: 'customerId with spaces', request: postOrder({ ...ORDER, customerId: 'bob smith' }), status: 400, code: 'VALIDATION_FAILED', pointers: ['#/customerId'] },
  { name: 'customerId longer than 64', request: postOrder({ ...ORDER, customerId: 'c'.repeat(65) }), status: 400, code: 'VALIDATION_FAILED', pointers: ['#/customerId'] },
  { name: 'missing items', request: postOrder({ customerId: 'cust-1' }), status: 400, code: 'VALIDATION_FAILED', pointers: ['#/items'] },
  { name: 'items that is not an array', request: postOrder({ customerId: 'cust-1', items: 'tea' }), status: 400, code: 'VALIDATION_FAILED', pointers: ['#/items'] },
  { name: 'no items', request: postOrder({ customerId: 'cust-1', items: [] }), status: 400, code: 'VALIDATION_FAILED', pointers: ['#/items'] },
  {
    name: 'more than 50 items',
    request: postOrder({ customerId: 'cust-1', items: Array.from({ length: 51 }, () => ({ productId: PRODUCT_ID, quantity: 1 })) }),
    status: 400,
    code: 'VALIDATION_FAILED',
    pointers: ['#/items'],
  },
  { name: 'a negative quantity', request: postOrder(withItem({ productId: PRODUCT_ID, quantity: -1 })), status: 400, code: 'VALIDATION_FAILED', pointers: ['#/items/0/quantity'] },
  { name: 'a zero quantity', request: postOrder(withItem({ productId: PRODUCT_ID, quantity: 0 })), status: 400, code: 'VALIDATION_FAILED', pointers: ['#/items/0/quantity'] },
  { name: 'a quantity above 100', request: postOrder(withItem({ productId: PRODUCT_ID, quantity: 101 })), status: 400, code: 'VALIDATION_FAILED', pointers: ['#/items/0/quantity'] },
  { name: 'a huge quantity', request: postOrder(withItem({ productId: PRODUCT_ID, quantity: 1e21 })), status: 400, code: 'VALIDATION_FAILED', pointers: ['#/items/0/quantity'] },
  { name: 'a fractional quantity', request: postOrder(withItem({ productId: PRODUCT_ID, quantity: 1.5 })), status: 400, code: 'VALIDATION_FAILED', pointers: ['#/items/0/quantity'] },
  { name: 'a quantity sent as a string', request: postOrder(withItem({ productId: PRODUCT_ID, quantity: '2' })), status: 400, code: 'VALIDATION_FAILED', pointers: ['#/items/0/quantity'] },
  { name: 'a productId that is not a UUID', request: postOrder(withItem({ productId: 'tea', quantity: 1 })), status: 400, code: 'VALIDATION_FAILED', pointers: ['#/items/0/productId'] },
  { name: 'an unknown top-level field (rejected, not stripped)', request: postOrder({ ...ORDER, totalCents: 1 }), status: 400, code: 'VALIDATION_FAILED', pointers: ['#/totalCents'] },
  {
    name: 'a client-supplied price on an item',
    request: postOrder(withItem({ productId: PRODUCT_ID, quantity: 1, unitPriceCents: 1 })),
    status: 400,
    code: 'VALIDATION_FAILED',
    pointers: ['#/items/0/unitPriceCents'],
  },
  {
    name: 'a body larger than BODY_LIMIT_BYTES',
    request: postOrder({ ...ORDER, note: 'x'.repeat(BODY_LIMIT_BYTES) }),
    status: 413,
    code: 'PAYLOAD_TOO_LARGE',
  },
  {
    name: 'a text/plain body',
    request: postOrder(JSON.stringify(ORDER), { ...JSON_HEADERS, 'content-type': 'text/plain' }),
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
  },
  {
    name: 'a form-encoded body',
    request: postOrder('customerId=cust-1', { ...JSON_HEADERS, 'content-type': 'application/x-www-form-urlencoded' }),
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
  },
  { name: 'a missing Idempotency-Key', request: postOrder(ORDER, { 'content-type': 'application/json' }), status: 400, code: 'IDEMPOTENCY_KEY_REQUIRED' },
  {
    name: 'an Idempotency-Key longer than 255',
    request: postOrder(ORDER, { ...JSON_HEADERS, 'idempotency-key': 'k'.repeat(256) }),
    status: 400,
    code: 'IDEMPOTENCY_KEY_INVALID',
  },
  {
    name: 'an unterminated quoted Idempotency-Key',
    request: postOrder(ORDER, { ...JSON_HEADERS, 'idempotency-key': '"abc' }),
    status: 400,
    code: 'IDEMPOTENCY_KEY_INVALID',
  },
  { name: 'a product SKU too short', request: postProduct({ ...PRODUCT, sku: 'AB' }), status: 400, code: 'VALIDATION_FAILED', pointers: ['#/sku'] },
  { name: 'a blank product name', request: postProduct({ ...PRODUCT, name: '   ' }), status: 400, code: 'VALIDATION_FAILED', pointers: ['#/name'] },
  { name: 'a cursor that no server could have issued', request: { method: 'GET', url: '/api/v1/products?cursor=%3Cscript%3E' }, status: 400, code: 'VALIDATION_FAILED', pointers: ['#/cursor'] },
  // Found by Schemathesis: orders answered 500, since Postgres text cannot hold U+0000.
  { name: 'a NUL character in a product description', request: postProduct({ ...PRODUCT, description: 'Sencha\u0000' }), status: 400, code: 'VALIDATION_FAILED', pointers: ['#/description'] },
  { name: 'a control character in a product name', request: postProduct({ ...PRODUCT, name: 'Sencha\u0013' }), status: 400, code: 'VALIDATION_FAILED', pointers: ['#/name'] },
  { name: 'a line break in a product name', request: postProduct({ ...PRODUCT, name: 'Sencha\ngreen tea' }), status: 400, code: 'VALIDATION_FAILED', pointers: ['#/name'] },
  { name: 'a lower-case currency', request: postProduct({ ...PRODUCT, currency: 'eur' }), status: 400, code: 'VALIDATION_FAILED', pointers: ['#/currency'] },
  { name: 'a zero price', request: postProduct({ ...PRODUCT, priceCents: 0 }), status: 400, code: 'VALIDATION_FAILED', pointers: ['#/priceCents'] },
  { name: 'a price above 10,000,000 cents', request: postProduct({ ...PRODUCT, priceCents: 10_000_001 }), status: 400, code: 'VALIDATION_FAILED', pointers: ['#/priceCents'] },
  { name: 'a price in units, not cents', request: postProduct({ ...PRODUCT, priceCents: 7.9 }), status: 400, code: 'VALIDATION_FAILED', pointers: ['#/priceCents'] },
  { name: 'an unknown product field', request: postProduct({ ...PRODUCT, id: PRODUCT_ID }), status: 400, code: 'VALIDATION_FAILED', pointers: ['#/id'] },
  {
    name: 'a product POST without Idempotency-Key',
    request: { method: 'POST', url: '/api/v1/products', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(PRODUCT) },
    status: 400,
    code: 'IDEMPOTENCY_KEY_REQUIRED',
  },
  { name: 'an order id that is not a UUID', request: { method: 'GET', url: '/api/v1/orders/42' }, status: 400, code: 'VALIDATION_FAILED', pointers: ['#/id'] },
  { name: 'a product id that is not a UUID', request: { method: 'GET', url: '/api/v1/products/tea' }, status: 400, code: 'VALIDATION_FAILED', pointers: ['#/id'] },
  { name: 'listing orders without customerId', request: { method: 'GET', url: '/api/v1/orders' }, status: 400, code: 'VALIDATION_FAILED', pointers: ['#/customerId'] },
  { name: 'a page size of 0', request: { method: 'GET', url: '/api/v1/orders?customerId=cust-1&limit=0' }, status: 400, code: 'VALIDATION_FAILED', pointers: ['#/limit'] },
  { name: 'a page size of 101', request: { method: 'GET', url: '/api/v1/products?limit=101' }, status: 400, code: 'VALIDATION_FAILED', pointers: ['#/limit'] },
  { name: 'a page size that is not a number', request: { method: 'GET', url: '/api/v1/products?limit=ten' }, status: 400, code: 'VALIDATION_FAILED', pointers: ['#/limit'] },
  { name: 'an unknown query parameter', request: { method: 'GET', url: '/api/v1/products?sort=price' }, status: 400, code: 'VALIDATION_FAILED', pointers: ['#/sort'] },
  { name: 'an unknown route', request: { method: 'GET', url: '/api/v1/customers' }, status: 404, code: 'NOT_FOUND' },
  { name: 'an unknown route outside the API', request: { method: 'GET', url: '/wp-login.php' }, status: 404, code: 'NOT_FOUND' },
  { name: 'DELETE on an order', request: { method: 'DELETE', url: `/api/v1/orders/${UNKNOWN_ID}` }, status: 405, code: 'METHOD_NOT_ALLOWED', allow: 'GET, HEAD' },
  { name: 'PUT on the product collection', request: { method: 'PUT', url: '/api/v1/products', payload: '{}', headers: JSON_HEADERS }, status: 405, code: 'METHOD_NOT_ALLOWED', allow: 'GET, HEAD, POST' },
];

async function gatewayWithFake(t: Cleanup) {
  const fake = await startFakeOrders();
  t.after(() => fake.stop());
  const { gateway } = await startGateway(t, { ordersAddress: fake.address, env: { BODY_LIMIT_BYTES: String(BODY_LIMIT_BYTES) } });
  return { fake, app: gateway.app };
}

describe('bad input gets a 4xx problem+json, never a 5xx', () => {
  // The cases are stateless, so they share one gateway and one fake orders.
  const cleanups: (() => unknown)[] = [];
  let setup: Awaited<ReturnType<typeof gatewayWithFake>>;
  before(async () => {
    setup = await gatewayWithFake({ after: (fn) => cleanups.push(fn) });
  });
  after(async () => {
    for (const fn of cleanups) await fn();
  });

  for (const c of CASES) {
    it(`answers ${c.status} ${c.code} to ${c.name}`, async () => {
      const { fake, app } = setup;
      const callsBefore = fake.calls.length;
      const res = await app.inject(c.request);

      assert.equal(res.statusCode, c.status, res.body);
      assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
      const problem = res.json<Problem>();
      assert.equal(problem.status, c.status);
      assert.equal(problem.code, c.code);
      assert.equal(typeof problem.title, 'string');
      assert.ok(problem.detail.length > 0);
      assert.equal(problem.request_id, res.headers['x-request-id']);
      assert.match(problem.request_id, /^[0-9a-f]{32}$/);
      if (c.pointers) assert.deepEqual(problem.errors?.map((e) => e.pointer), c.pointers);
      if (c.allow) assert.equal(res.headers.allow, c.allow);
      assert.equal(fake.calls.length, callsBefore, 'bad input must not reach orders');
    });
  }
});

describe('orders rejecting a well-formed request', () => {
  it('answers 422 PRODUCT_NOT_FOUND when the order names an unknown product', async (t) => {
    const { app } = await gatewayWithFake(t);
    const res = await app.inject(postOrder(withItem({ productId: UNKNOWN_ID, quantity: 1 })));
    assert.equal(res.statusCode, 422);
    assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
    const problem = res.json<Problem>();
    assert.equal(problem.code, 'PRODUCT_NOT_FOUND');
    assert.match(problem.detail, new RegExp(UNKNOWN_ID));
  });

  it('answers 404 ORDER_NOT_FOUND for an unknown order id', async (t) => {
    const { app } = await gatewayWithFake(t);
    const res = await app.inject({ method: 'GET', url: `/api/v1/orders/${UNKNOWN_ID}` });
    assert.equal(res.statusCode, 404);
    assert.equal(res.json<Problem>().code, 'ORDER_NOT_FOUND');
  });

  it('answers 404 PRODUCT_NOT_FOUND for an unknown product id', async (t) => {
    const { app } = await gatewayWithFake(t);
    const res = await app.inject({ method: 'GET', url: `/api/v1/products/${UNKNOWN_ID}` });
    assert.equal(res.statusCode, 404);
    assert.equal(res.json<Problem>().code, 'PRODUCT_NOT_FOUND');
  });

  it('answers 409 PRODUCT_SKU_EXISTS for a duplicate SKU', async (t) => {
    const { app } = await gatewayWithFake(t);
    const res = await app.inject(postProduct({ ...PRODUCT, sku: PRODUCTS[0]!.sku }));
    assert.equal(res.statusCode, 409);
    assert.equal(res.json<Problem>().code, 'PRODUCT_SKU_EXISTS');
  });
});
