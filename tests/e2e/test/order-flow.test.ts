import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { notificationsOf } from './events-helpers.js';
import { eventually, http, labFor, productIds } from './helpers.js';

describe('an order through the edge and the real services', () => {
  it('is accepted, priced from the catalog, fulfilled, notified, and joined in every log by the id the edge made', async (t) => {
    const lab = await labFor(t, 'order_flow', {
      env: { fulfillment: { FULFILLMENT_PICK_MS: '20', FULFILLMENT_PACK_MS: '20', FULFILLMENT_SHIP_MS: '20' } },
    });
    const [first, second] = await productIds(lab, 2);
    const product = (await http(lab.urls.gateway, 'GET', `/api/v1/products/${first}`)).json();

    // Through the edge, without an X-Request-Id: Nginx makes one and every hop keeps it.
    const created = await http(lab.urls.edge, 'POST', '/api/v1/orders', {
      body: { customerId: 'cust-e2e', items: [{ productId: first, quantity: 3 }, { productId: second, quantity: 1 }] },
      headers: { 'idempotency-key': randomUUID() },
    });
    assert.equal(created.status, 201, created.text);
    const requestId = created.headers.get('x-request-id') ?? '';
    assert.match(requestId, /^[0-9a-f]{32}$/, 'the edge created the request id');
    const order = created.json();
    assert.equal(created.headers.get('location'), `/api/v1/orders/${String(order.id)}`);
    assert.equal(order.status, 'pending');
    const items = order.items as { productId: string; quantity: number; unitPriceCents: number }[];
    assert.equal(items[0]?.unitPriceCents, product.priceCents, 'the price comes from the catalog');
    assert.equal(order.totalCents, items.reduce((sum, i) => sum + i.quantity * i.unitPriceCents, 0));

    const fulfilled = await eventually('the order to be fulfilled', async () => {
      const res = await http(lab.urls.edge, 'GET', `/api/v1/orders/${String(order.id)}`);
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

    // The notifications API answers through the edge too.
    const viaEdge = await http(lab.urls.edge, 'GET', `/api/v1/notifications?orderId=${String(order.id)}`);
    assert.equal(viaEdge.status, 200);
    assert.equal((viaEdge.json().items as unknown[]).length, 2);

    // The edge's JSON access line for the POST carries the id, the route, the status and the upstream.
    const access = lab.logLines('edge').find((l) => l.request_id === requestId);
    assert.ok(access, 'the edge logged the request');
    assert.equal(access.method, 'POST');
    assert.equal(access.path, '/api/v1/orders');
    assert.equal(access.status, 201);
    assert.equal(access.upstream, `127.0.0.1:${lab.ports.gateway}`);

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
