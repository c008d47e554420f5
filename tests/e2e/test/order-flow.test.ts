import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { eventually, http, labFor, placeOrder, productIds } from './helpers.js';

describe('an order through the real services', () => {
  it('is accepted by the gateway, priced from the catalog, fulfilled, and correlated in every log', async (t) => {
    const lab = await labFor(t, 'order_flow', {
      env: { fulfillment: { FULFILLMENT_PICK_MS: '20', FULFILLMENT_PACK_MS: '20', FULFILLMENT_SHIP_MS: '20' } },
    });
    const [first, second] = await productIds(lab, 2);
    const product = (await http(lab.urls.gateway, 'GET', `/api/v1/products/${first}`)).json();
    const requestId = `e2e-${Date.now()}`;

    const created = await placeOrder(lab, {
      customerId: 'cust-e2e',
      items: [{ productId: first, quantity: 3 }, { productId: second, quantity: 1 }],
    }, undefined, { 'x-request-id': requestId });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.headers.get('x-request-id'), requestId);
    const order = created.json();
    assert.equal(created.headers.get('location'), `/api/v1/orders/${String(order.id)}`);
    assert.equal(order.status, 'pending');
    const items = order.items as { productId: string; quantity: number; unitPriceCents: number }[];
    assert.equal(items[0]?.unitPriceCents, product.priceCents, 'the price comes from the catalog');
    assert.equal(order.totalCents, items.reduce((sum, i) => sum + i.quantity * i.unitPriceCents, 0));

    const fulfilled = await eventually('the order to be fulfilled', async () => {
      const res = await http(lab.urls.gateway, 'GET', `/api/v1/orders/${String(order.id)}`);
      assert.equal(res.status, 200);
      return res.json().status === 'fulfilled' ? res.json() : undefined;
    });
    assert.equal(fulfilled.totalCents, order.totalCents);

    const listed = await http(lab.urls.gateway, 'GET', '/api/v1/orders?customerId=cust-e2e');
    assert.deepEqual((listed.json().items as { id: string }[]).map((o) => o.id), [order.id]);

    // One request id joins the lines of all three services for this order.
    for (const service of ['gateway', 'orders', 'fulfillment'] as const) {
      const lines = await eventually(`${service} to log ${requestId}`, async () => {
        const found = lab.logLines(service).filter((l) => l.request_id === requestId);
        return found.length > 0 ? found : undefined;
      }, 5_000);
      assert.ok(lines.every((l) => l.service === service && typeof l.time === 'string' && typeof l.msg === 'string'));
    }
  });
});
