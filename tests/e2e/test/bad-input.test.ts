import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { http, labFor, productIds } from './helpers.js';

interface Case {
  name: string;
  method: string;
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
  status: number;
  code: string;
}

describe('bad input through the real gateway and orders', () => {
  it('gets the right 4xx problem+json for every malformed request, and never a 5xx', async (t) => {
    const lab = await labFor(t, 'bad_input');
    const [productId, otherId] = await productIds(lab, 2);
    const key = () => ({ 'idempotency-key': randomUUID() });
    const json = { 'content-type': 'application/json' };
    const valid = { customerId: 'cust-bad', items: [{ productId, quantity: 1 }] };
    const cases: Case[] = [
      { name: 'malformed JSON', method: 'POST', path: '/api/v1/orders', body: '{"customerId": "a", "items": [', headers: { ...json, ...key() }, status: 400, code: 'MALFORMED_JSON' },
      { name: 'empty JSON body', method: 'POST', path: '/api/v1/orders', body: '', headers: { ...json, ...key() }, status: 400, code: 'MALFORMED_JSON' },
      { name: 'JSON array instead of object', method: 'POST', path: '/api/v1/orders', body: [], headers: key(), status: 400, code: 'VALIDATION_FAILED' },
      { name: 'quantity as a string', method: 'POST', path: '/api/v1/orders', body: { ...valid, items: [{ productId, quantity: '2' }] }, headers: key(), status: 400, code: 'VALIDATION_FAILED' },
      { name: 'negative quantity', method: 'POST', path: '/api/v1/orders', body: { ...valid, items: [{ productId, quantity: -1 }] }, headers: key(), status: 400, code: 'VALIDATION_FAILED' },
      { name: 'zero quantity', method: 'POST', path: '/api/v1/orders', body: { ...valid, items: [{ productId, quantity: 0 }] }, headers: key(), status: 400, code: 'VALIDATION_FAILED' },
      { name: 'fractional quantity', method: 'POST', path: '/api/v1/orders', body: { ...valid, items: [{ productId, quantity: 1.5 }] }, headers: key(), status: 400, code: 'VALIDATION_FAILED' },
      { name: 'huge quantity', method: 'POST', path: '/api/v1/orders', body: { ...valid, items: [{ productId, quantity: 1e9 }] }, headers: key(), status: 400, code: 'VALIDATION_FAILED' },
      { name: 'no items', method: 'POST', path: '/api/v1/orders', body: { ...valid, items: [] }, headers: key(), status: 400, code: 'VALIDATION_FAILED' },
      { name: 'missing customerId', method: 'POST', path: '/api/v1/orders', body: { items: valid.items }, headers: key(), status: 400, code: 'VALIDATION_FAILED' },
      { name: 'unknown top-level field', method: 'POST', path: '/api/v1/orders', body: { ...valid, totalCents: 1 }, headers: key(), status: 400, code: 'VALIDATION_FAILED' },
      { name: 'unknown item field (client price)', method: 'POST', path: '/api/v1/orders', body: { ...valid, items: [{ productId, quantity: 1, unitPriceCents: 1 }] }, headers: key(), status: 400, code: 'VALIDATION_FAILED' },
      { name: 'productId not a UUID', method: 'POST', path: '/api/v1/orders', body: { ...valid, items: [{ productId: 'beans', quantity: 1 }] }, headers: key(), status: 400, code: 'VALIDATION_FAILED' },
      { name: 'unknown product', method: 'POST', path: '/api/v1/orders', body: { ...valid, items: [{ productId: randomUUID(), quantity: 1 }] }, headers: key(), status: 422, code: 'PRODUCT_NOT_FOUND' },
      { name: 'same product twice', method: 'POST', path: '/api/v1/orders', body: { ...valid, items: [{ productId, quantity: 1 }, { productId, quantity: 2 }] }, headers: key(), status: 400, code: 'VALIDATION_FAILED' },
      { name: 'huge body', method: 'POST', path: '/api/v1/orders', body: { ...valid, customerId: 'x'.repeat(200_000) }, headers: key(), status: 413, code: 'PAYLOAD_TOO_LARGE' },
      { name: 'form-encoded body', method: 'POST', path: '/api/v1/orders', body: 'customerId=a', headers: { 'content-type': 'application/x-www-form-urlencoded', ...key() }, status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
      { name: 'text/plain body', method: 'POST', path: '/api/v1/orders', body: JSON.stringify(valid), headers: { 'content-type': 'text/plain', ...key() }, status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
      { name: 'missing Idempotency-Key', method: 'POST', path: '/api/v1/orders', body: valid, status: 400, code: 'IDEMPOTENCY_KEY_REQUIRED' },
      { name: 'Idempotency-Key too long', method: 'POST', path: '/api/v1/orders', body: valid, headers: { 'idempotency-key': 'k'.repeat(300) }, status: 400, code: 'IDEMPOTENCY_KEY_INVALID' },
      { name: 'order id not a UUID', method: 'GET', path: '/api/v1/orders/123', status: 400, code: 'VALIDATION_FAILED' },
      { name: 'unknown order id', method: 'GET', path: `/api/v1/orders/${randomUUID()}`, status: 404, code: 'ORDER_NOT_FOUND' },
      { name: 'unknown product id', method: 'GET', path: `/api/v1/products/${randomUUID()}`, status: 404, code: 'PRODUCT_NOT_FOUND' },
      { name: 'product id with SQL', method: 'GET', path: `/api/v1/products/${encodeURIComponent("1' OR '1'='1")}`, status: 400, code: 'VALIDATION_FAILED' },
      { name: 'list orders without customerId', method: 'GET', path: '/api/v1/orders', status: 400, code: 'VALIDATION_FAILED' },
      { name: 'limit out of range', method: 'GET', path: '/api/v1/products?limit=0', status: 400, code: 'VALIDATION_FAILED' },
      { name: 'limit not a number', method: 'GET', path: '/api/v1/products?limit=ten', status: 400, code: 'VALIDATION_FAILED' },
      { name: 'forged cursor', method: 'GET', path: '/api/v1/products?cursor=bm90LWEtY3Vyc29y', status: 400, code: 'INVALID_CURSOR' },
      { name: 'unknown route', method: 'GET', path: '/api/v1/nope', status: 404, code: 'NOT_FOUND' },
      { name: 'wrong method', method: 'DELETE', path: `/api/v1/orders/${randomUUID()}`, status: 405, code: 'METHOD_NOT_ALLOWED' },
      { name: 'product with negative price', method: 'POST', path: '/api/v1/products', body: { sku: 'NEG-1', name: 'Negative', priceCents: -5, currency: 'USD' }, headers: key(), status: 400, code: 'VALIDATION_FAILED' },
      { name: 'product with lowercase currency', method: 'POST', path: '/api/v1/products', body: { sku: 'CUR-1', name: 'Currency', priceCents: 5, currency: 'usd' }, headers: key(), status: 400, code: 'VALIDATION_FAILED' },
    ];
    const statuses: string[] = [];
    for (const c of cases) {
      const res = await http(lab.urls.gateway, c.method, c.path, { body: c.body, headers: c.headers });
      statuses.push(`${c.name}: ${res.status}`);
      assert.equal(res.status, c.status, `${c.name}: ${res.text}`);
      assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/, c.name);
      const problem = res.json();
      assert.equal(problem.code, c.code, `${c.name}: ${res.text}`);
      assert.equal(problem.status, c.status, c.name);
      assert.equal(problem.request_id, res.headers.get('x-request-id'), c.name);
      assert.equal(typeof problem.detail, 'string', c.name);
      assert.doesNotMatch(res.text, /\bat \S+\.js|node_modules|SELECT |pg_|stack/i, `${c.name} leaks internals`);
      if (c.status === 405) assert.ok(res.headers.get('allow'), 'a 405 says what is allowed');
    }
    assert.equal(statuses.filter((s) => /: 5\d\d$/.test(s)).length, 0);

    // The services are still healthy and a valid order after all that still works.
    const ok = await http(lab.urls.gateway, 'POST', '/api/v1/orders', {
      body: { customerId: 'cust-bad', items: [{ productId: otherId, quantity: 1 }] },
      headers: key(),
    });
    assert.equal(ok.status, 201, ok.text);
  });
});
