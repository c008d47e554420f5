import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { EVENT_ENVELOPES, ORDER_LIMITS, PRODUCT_LIMITS } from '@orderlab/contracts';
import { Compile } from 'typebox/compile';
import { DomainError } from '../src/domain/errors.js';
import { priceOrder, validateCreateOrder } from '../src/domain/order.js';
import { validateCreateProduct } from '../src/domain/product.js';

const NOW = '2026-11-23T10:00:00.000Z';
const orderCreated = Compile(EVENT_ENVELOPES['order.created']);
const itemCreated = Compile(EVENT_ENVELOPES['item.created']);

/** The order.created event of an order of `lines` lines of `quantity` units, as far as orders' domain accepts it. */
function orderEvent(lines: number, quantity: number): { accepted: boolean; event: unknown } {
  const request = { customerId: 'cust-0001', items: Array.from({ length: lines }, () => ({ productId: randomUUID(), quantity })) };
  let accepted = true;
  try {
    validateCreateOrder(request);
  } catch (err) {
    assert.ok(err instanceof DomainError);
    accepted = false;
  }
  const catalog = new Map(request.items.map((item) => [item.productId, { priceCents: PRODUCT_LIMITS.maxPriceCents, currency: 'EUR' }]));
  const priced = priceOrder(request.items, catalog);
  const data = { id: randomUUID(), customerId: request.customerId, status: 'pending', ...priced, createdAt: NOW, updatedAt: NOW };
  return { accepted, event: { id: randomUUID(), type: 'order.created', timestamp: NOW, source_service: 'orders', data } };
}

describe('the event schemas and what orders accepts', () => {
  it('order.created holds the largest order orders accepts, and refuses what orders refuses', () => {
    const cases = [
      [ORDER_LIMITS.maxItems, ORDER_LIMITS.maxQuantity],
      [ORDER_LIMITS.maxItems + 1, 1],
      [1, ORDER_LIMITS.maxQuantity + 1],
    ] as const;
    for (const [lines, quantity] of cases) {
      const { accepted, event } = orderEvent(lines, quantity);
      assert.equal(orderCreated.Check(event), accepted, `${lines} lines of ${quantity}: orders ${accepted ? 'accepts' : 'refuses'} it`);
    }
    assert.ok(orderEvent(ORDER_LIMITS.maxItems, ORDER_LIMITS.maxQuantity).accepted);
  });

  it('item.created holds every product orders accepts, at its bounds', () => {
    const product = validateCreateProduct({
      sku: 'ABC',
      name: 'n'.repeat(PRODUCT_LIMITS.maxName),
      description: 'd'.repeat(PRODUCT_LIMITS.maxDescription),
      priceCents: PRODUCT_LIMITS.maxPriceCents,
      currency: 'EUR',
    });
    const event = { id: randomUUID(), type: 'item.created', timestamp: NOW, source_service: 'orders', data: { id: randomUUID(), ...product, createdAt: NOW } };
    assert.ok(itemCreated.Check(event));
    assert.equal(itemCreated.Check({ ...event, data: { ...event.data, priceCents: PRODUCT_LIMITS.maxPriceCents + 1 } }), false);
  });
});
