import assert from 'node:assert/strict';
import http from 'node:http';
import { describe, it } from 'node:test';
import { waitFor } from '@orderlab/platform/testing';
import { gate, PRODUCTS, startFakeOrders } from './helpers/fake-orders.js';
import { startGateway } from './helpers/gateway.js';

describe('MAX_IN_FLIGHT', () => {
  it('sheds requests above the limit with 503 + Retry-After, keeps probes up, and recovers', async (t) => {
    const fake = await startFakeOrders();
    t.after(() => fake.stop());
    const { url } = await startGateway(t, {
      ordersAddress: fake.address,
      listen: true,
      env: { MAX_IN_FLIGHT: '2', GRPC_DEADLINE_MS: '30000' },
    });
    const held = gate();
    fake.on('ListProducts', async () => {
      await held.opened;
      return { products: [...PRODUCTS], nextPageToken: '' };
    });

    const holding = [fetch(`${url}/api/v1/products`), fetch(`${url}/api/v1/products`)];
    await waitFor('both requests to reach orders', () => fake.callsTo('ListProducts').length === 2);

    const shed = await fetch(`${url}/api/v1/orders?customerId=cust-1`);
    assert.equal(shed.status, 503);
    assert.equal(shed.headers.get('retry-after'), '1');
    assert.match(String(shed.headers.get('content-type')), /^application\/problem\+json/);
    assert.equal(((await shed.json()) as { code: string }).code, 'OVERLOADED');
    assert.equal(fake.callsTo('ListOrders').length, 0, 'a shed request never reaches orders');

    assert.equal((await fetch(`${url}/healthz`)).status, 200, 'probes are never shed');
    assert.equal((await fetch(`${url}/api/v1/openapi.json`)).status, 200, 'docs are never shed');

    held.open();
    for (const res of await Promise.all(holding)) assert.equal(res.status, 200);
    assert.equal((await fetch(`${url}/api/v1/orders?customerId=cust-1`)).status, 200, 'capacity comes back');
  });

  it('frees the slot of a request whose client went away', async (t) => {
    const held = gate();
    t.after(() => held.open());
    const fake = await startFakeOrders();
    t.after(() => fake.stop());
    const { url } = await startGateway(t, {
      ordersAddress: fake.address,
      listen: true,
      env: { MAX_IN_FLIGHT: '1', GRPC_DEADLINE_MS: '30000' },
    });
    fake.on('ListProducts', async () => {
      await held.opened;
      return { products: [], nextPageToken: '' };
    });

    // node:http rather than fetch: destroying the request closes its socket at once.
    const abandoned = http.get(`${url}/api/v1/products`);
    const closed = new Promise((resolve) => abandoned.once('close', resolve));
    abandoned.on('error', () => {}); // the reset we cause
    await waitFor('the request to reach orders', () => fake.callsTo('ListProducts').length === 1);
    abandoned.destroy();
    await closed;

    const res = await waitFor('the slot to be freed', async () => {
      const r = await fetch(`${url}/api/v1/orders?customerId=cust-1`);
      return r.status === 200 ? r : undefined;
    });
    assert.equal(res.status, 200);
    held.open();
  });
});
