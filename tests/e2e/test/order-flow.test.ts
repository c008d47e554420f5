import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { notificationsOf } from './events-helpers.js';
import { eventually, http, labFor, placeOrder, productIds } from './helpers.js';

describe('an order through the real services', () => {
  it('is accepted by the gateway, priced from the catalog, fulfilled, notified, and correlated in every log', async (t) => {
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

    // order.created, then order.fulfilled, reach notifications through RabbitMQ with the request id.
    const notified = await eventually('order.created and order.fulfilled notifications', async () => {
      const items = await notificationsOf(lab, String(order.id));
      return items.length >= 2 ? items : undefined;
    });
    assert.equal(notified.length, 2, JSON.stringify(notified));
    const byType = new Map(notified.map((n) => [n.type, n]));
    const createdNote = byType.get('order.created');
    const fulfilledNote = byType.get('order.fulfilled');
    assert.ok(createdNote && fulfilledNote, `types: ${notified.map((n) => n.type).join(', ')}`);
    for (const note of [createdNote, fulfilledNote]) {
      assert.equal(note.orderId, order.id);
      assert.equal(note.customerId, 'cust-e2e');
      assert.equal(note.requestId, requestId, 'the request id travels with the event');
      assert.equal(typeof note.message, 'string');
    }
    assert.ok(
      Date.parse(String(createdNote.createdAt)) <= Date.parse(String(fulfilledNote.createdAt)),
      'order.created is notified before order.fulfilled',
    );

    // One request id joins the lines of all four services for this order.
    for (const service of ['gateway', 'orders', 'fulfillment', 'notifications'] as const) {
      const lines = await eventually(`${service} to log ${requestId}`, async () => {
        const found = lab.logLines(service).filter((l) => l.request_id === requestId);
        return found.length > 0 ? found : undefined;
      }, 5_000);
      assert.ok(lines.every((l) => l.service === service && typeof l.time === 'string' && typeof l.msg === 'string'));
    }
  });
});
