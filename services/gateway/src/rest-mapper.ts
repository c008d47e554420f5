/** Turns orders' gRPC messages into the REST shapes of the OpenAPI document. */
import type { Order__Output, OrderStatus__Output, Product__Output } from '@orderlab/contracts';
import type { Order, OrderStatus } from './schemas/order.js';
import type { Product } from './schemas/product.js';

const STATUS: Readonly<Record<OrderStatus__Output, OrderStatus | undefined>> = {
  ORDER_STATUS_UNSPECIFIED: undefined,
  ORDER_STATUS_PENDING: 'pending',
  ORDER_STATUS_FULFILLING: 'fulfilling',
  ORDER_STATUS_FULFILLED: 'fulfilled',
  ORDER_STATUS_FAILED: 'failed',
};

/** A catalog product as the API returns it. */
export function toProduct(p: Product__Output): Product {
  return {
    id: p.id,
    sku: p.sku,
    name: p.name,
    description: p.description,
    priceCents: p.priceCents,
    currency: p.currency,
    createdAt: p.createdAt,
  };
}

/** An order as the API returns it; an order without a status is a bug in orders (→ 500). */
export function toOrder(o: Order__Output): Order {
  const status = STATUS[o.status];
  if (status === undefined) throw new Error(`order ${o.id} has no status (${o.status})`);
  return {
    id: o.id,
    customerId: o.customerId,
    status,
    items: o.items.map((i) => ({ productId: i.productId, quantity: i.quantity, unitPriceCents: i.unitPriceCents })),
    totalCents: o.totalCents,
    currency: o.currency,
    createdAt: o.createdAt,
    updatedAt: o.updatedAt,
  };
}

/** proto3 says "no next page" with an empty string; the API says it with null. */
export function toNextCursor(pageToken: string): string | null {
  return pageToken === '' ? null : pageToken;
}
