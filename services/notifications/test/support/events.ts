/** Valid events of every type, as the orders service publishes them, for tests to vary. */
import { randomUUID } from 'node:crypto';
import type { EventOf } from '@orderlab/contracts';

const NOW = '2026-11-23T10:00:00.000Z';

/** An order.created event: 3 items, $12.34. */
export function orderCreated(overrides: Partial<EventOf<'order.created'>['data']> = {}, id = randomUUID()): EventOf<'order.created'> {
  return {
    id,
    type: 'order.created',
    timestamp: NOW,
    source_service: 'orders',
    data: {
      id: randomUUID(),
      customerId: 'cust-0001',
      status: 'pending',
      items: [
        { productId: randomUUID(), quantity: 2, unitPriceCents: 450 },
        { productId: randomUUID(), quantity: 1, unitPriceCents: 334 },
      ],
      totalCents: 1234,
      currency: 'USD',
      createdAt: NOW,
      updatedAt: NOW,
      ...overrides,
    },
  };
}

/** An order.fulfilled event for the order of `created`. */
export function orderFulfilled(created: EventOf<'order.created'>, id = randomUUID()): EventOf<'order.fulfilled'> {
  return {
    id,
    type: 'order.fulfilled',
    timestamp: NOW,
    source_service: 'orders',
    data: { ...created.data, status: 'fulfilled', shipmentId: randomUUID(), trackingNumber: 'TRK-000123' },
  };
}

/** An order.failed event for the order of `created`. */
export function orderFailed(created: EventOf<'order.created'>, id = randomUUID()): EventOf<'order.failed'> {
  return {
    id,
    type: 'order.failed',
    timestamp: NOW,
    source_service: 'orders',
    data: { ...created.data, status: 'failed', failureReason: 'fulfillment gave up after 5 deliveries' },
  };
}

/** An item.created event. */
export function itemCreated(id = randomUUID()): EventOf<'item.created'> {
  return {
    id,
    type: 'item.created',
    timestamp: NOW,
    source_service: 'orders',
    data: {
      id: randomUUID(),
      sku: 'TEA-EARL-GREY-100',
      name: 'Earl Grey tea, 100 g',
      description: 'Black tea with bergamot',
      priceCents: 599,
      currency: 'EUR',
      createdAt: NOW,
    },
  };
}
