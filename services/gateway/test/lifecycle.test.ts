import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { waitFor } from '@orderlab/platform/testing';
import { gate, PRODUCTS, startFakeOrders } from './helpers/fake-orders.js';
import { startGateway } from './helpers/gateway.js';

describe('health and shutdown', () => {
  it('is live always, and ready only while orders reports SERVING', async (t) => {
    const fake = await startFakeOrders();
    t.after(() => fake.stop());
    const { gateway } = await startGateway(t, { ordersAddress: fake.address });
    const app = gateway.app;

    assert.equal((await app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200);
    fake.setHealth('NOT_SERVING');
    const unready = await app.inject({ method: 'GET', url: '/readyz' });
    assert.equal(unready.statusCode, 503);
    assert.ok(unready.headers['retry-after']);
    assert.equal(unready.json<{ checks: Record<string, string> }>().checks.orders, 'orders is NOT_SERVING');

    fake.stop();
    assert.equal((await app.inject({ method: 'GET', url: '/readyz' })).statusCode, 503);
    assert.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
  });

  it('finishes a request in flight before stopping, then refuses new connections', async (t) => {
    const fake = await startFakeOrders();
    t.after(() => fake.stop());
    const { gateway, url } = await startGateway(t, { ordersAddress: fake.address, listen: true });
    const held = gate();
    fake.on('ListProducts', async () => {
      await held.opened;
      return { products: [...PRODUCTS], nextPageToken: '' };
    });

    const inFlight = fetch(`${url}/api/v1/products`, { headers: { connection: 'close' } });
    await waitFor('the request to reach orders', () => fake.callsTo('ListProducts').length === 1);
    const stopped = gateway.stop();
    held.open();

    const res = await inFlight;
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { items: unknown[] }).items.length, PRODUCTS.length);
    await stopped;
    await assert.rejects(fetch(`${url}/healthz`));
  });
});
