import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { eventually, http, labFor, productIds } from './helpers.js';

describe('the gateway while orders is down', () => {
  it('answers 503 problem+json with Retry-After within the deadline, and recovers', async (t) => {
    const deadlineMs = 1000;
    const lab = await labFor(t, 'orders_down', { env: { gateway: { GRPC_DEADLINE_MS: String(deadlineMs) } } });
    const [productId] = await productIds(lab, 1);
    await lab.kill('orders', 'SIGKILL');

    for (const [method, path, body] of [
      ['GET', `/api/v1/products/${productId}`, undefined],
      ['GET', '/api/v1/products', undefined],
      ['POST', '/api/v1/orders', { customerId: 'cust-down', items: [{ productId, quantity: 1 }] }],
    ] as const) {
      const started = Date.now();
      const res = await http(lab.urls.gateway, method, path, {
        body,
        headers: method === 'POST' ? { 'idempotency-key': randomUUID() } : {},
        signal: AbortSignal.timeout(deadlineMs * 3),
      });
      const elapsed = Date.now() - started;
      assert.ok(res.status === 503 || res.status === 504, `${method} ${path}: ${res.status} ${res.text}`);
      assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
      assert.ok(Number(res.headers.get('retry-after')) >= 1, 'Retry-After is set');
      assert.equal(res.json().request_id, res.headers.get('x-request-id'));
      assert.doesNotMatch(res.text, /ECONNREFUSED|127\.0\.0\.1|grpc/i, 'no internals');
      t.diagnostic(`${method} ${path} → ${res.status} in ${elapsed} ms`);
    }
    const ready = await http(lab.urls.gateway, 'GET', '/readyz');
    assert.equal(ready.status, 503, 'the gateway reports itself unready while orders is down');

    // Once orders is back, the gateway's channel reconnects by itself (bounded backoff).
    await lab.restart('orders');
    await eventually('the gateway to reach orders again', async () =>
      (await http(lab.urls.gateway, 'GET', `/api/v1/products/${productId}`)).status === 200, 10_000);
  });
});
