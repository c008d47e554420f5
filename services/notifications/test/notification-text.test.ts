import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatMoney, notificationOf } from '../src/notification-text.js';
import { itemCreated, orderCreated, orderFailed, orderFulfilled } from './support/events.js';

describe('notificationOf', () => {
  it('says who placed an order, how many items and the total', () => {
    const event = orderCreated();
    assert.deepEqual(notificationOf(event), {
      type: 'order.created',
      orderId: event.data.id,
      customerId: 'cust-0001',
      productId: null,
      message: `Order ${event.data.id} for cust-0001 was placed: 3 items, $12.34`,
    });
  });

  it('counts one item in the singular', () => {
    const event = orderCreated({ items: [{ productId: '7d6f1c2e-0000-4000-8000-000000000001', quantity: 1, unitPriceCents: 99 }], totalCents: 99, currency: 'EUR' });
    assert.match(notificationOf(event).message, /was placed: 1 item, €0\.99$/);
  });

  it('names the shipment of a fulfilled order and the reason of a failed one', () => {
    const created = orderCreated();
    const fulfilled = orderFulfilled(created);
    assert.equal(
      notificationOf(fulfilled).message,
      `Order ${created.data.id} for cust-0001 was fulfilled: shipment ${fulfilled.data.shipmentId}, tracking number TRK-000123`,
    );
    assert.equal(notificationOf(orderFailed(created)).message, `Order ${created.data.id} for cust-0001 could not be fulfilled: fulfillment gave up after 5 deliveries`);
  });

  it('announces a new product with its price, and no order or customer', () => {
    const event = itemCreated();
    assert.deepEqual(notificationOf(event), {
      type: 'item.created',
      orderId: null,
      customerId: null,
      productId: event.data.id,
      message: 'New in the catalog: Earl Grey tea, 100 g (TEA-EARL-GREY-100) at €5.99',
    });
  });

  it('clips long free text so a message stays short', () => {
    const event = itemCreated();
    event.data.name = 'x'.repeat(5000);
    const { message } = notificationOf(event);
    assert.ok(message.length < 300, `${message.length} chars`);
    assert.match(message, /x…/);
  });
});

describe('formatMoney', () => {
  it('formats integer cents in their currency', () => {
    assert.equal(formatMoney(1234, 'USD'), '$12.34');
    assert.equal(formatMoney(100000, 'GBP'), '£1,000.00');
    assert.equal(formatMoney(0, 'EUR'), '€0.00');
  });
});
