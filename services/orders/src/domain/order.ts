/**
 * Orders without I/O: validation of a CreateOrder request, pricing from the catalog, and the
 * status machine. Everything here is a plain function, unit-tested in test/domain-order.test.ts.
 */
import { isUuid } from '@orderlab/contracts/formats';
import { CUSTOMER_ID_PATTERN, ORDER_LIMITS } from '@orderlab/contracts/limits';
import { assertIntegerIn } from './checks.js';
import { DomainError, OrdersErrorCode, invalidArgument } from './errors.js';

/** The lifecycle of an order. */
export type OrderStatus = 'pending' | 'fulfilling' | 'fulfilled' | 'failed';

/** One line of an order, with the unit price the catalog had when the order was placed. */
export interface OrderItem {
  productId: string;
  quantity: number;
  unitPriceCents: number;
}

/** An order as the service stores, caches, returns and publishes it (camelCase, ISO times). */
export interface Order {
  id: string;
  customerId: string;
  status: OrderStatus;
  items: OrderItem[];
  totalCents: number;
  currency: string;
  createdAt: string;
  updatedAt: string;
}

/** A validated CreateOrder request. */
export interface CreateOrderInput {
  customerId: string;
  items: { productId: string; quantity: number }[];
}

/** What pricing needs to know about a product. */
export interface CatalogPrice {
  priceCents: number;
  currency: string;
}

const CUSTOMER_ID = new RegExp(CUSTOMER_ID_PATTERN);

/** Checks a customer id (CUSTOMER_ID_PATTERN); throws INVALID_ARGUMENT naming `field`. */
export function validateCustomerId(value: unknown, field = 'customer_id'): string {
  if (typeof value !== 'string' || !CUSTOMER_ID.test(value)) {
    throw invalidArgument(`${field} must be 1-64 characters of letters, digits, '_' or '-'`);
  }
  return value;
}

/** Validates a CreateOrder request; throws INVALID_ARGUMENT naming the first bad field. */
export function validateCreateOrder(request: {
  customerId?: unknown;
  items?: readonly { productId?: unknown; quantity?: unknown }[] | undefined;
}): CreateOrderInput {
  const customerId = validateCustomerId(request.customerId);
  const items = request.items ?? [];
  if (items.length < ORDER_LIMITS.minItems || items.length > ORDER_LIMITS.maxItems) {
    throw invalidArgument(`items must hold ${ORDER_LIMITS.minItems} to ${ORDER_LIMITS.maxItems} entries (got ${items.length})`);
  }
  const seen = new Set<string>();
  const validated = items.map((item, index) => {
    const { productId, quantity } = item;
    if (typeof productId !== 'string' || !isUuid(productId)) {
      throw invalidArgument(`items[${index}].product_id must be a UUID`);
    }
    assertIntegerIn(quantity, `items[${index}].quantity`, ORDER_LIMITS.minQuantity, ORDER_LIMITS.maxQuantity);
    const normalized = productId.toLowerCase();
    if (seen.has(normalized)) {
      throw invalidArgument(`items[${index}].product_id repeats an earlier item; send one line per product`);
    }
    seen.add(normalized);
    return { productId: normalized, quantity };
  });
  return { customerId, items: validated };
}

/** The priced lines of an order, its total and its single currency. */
export interface PricedOrder {
  items: OrderItem[];
  totalCents: number;
  currency: string;
}

/**
 * Prices the items with the catalog's current prices (never the client's). Throws
 * FAILED_PRECONDITION PRODUCT_NOT_FOUND for an unknown product and CURRENCY_MISMATCH when the
 * products are priced in different currencies.
 */
export function priceOrder(
  items: readonly { productId: string; quantity: number }[],
  catalog: ReadonlyMap<string, CatalogPrice>,
): PricedOrder {
  const unknown = items.filter((item) => !catalog.has(item.productId)).map((item) => item.productId);
  if (unknown.length > 0) {
    throw new DomainError('failed_precondition', OrdersErrorCode.productNotFound, `unknown product_id: ${unknown.join(', ')}`);
  }
  const priced = items.map((item) => {
    const price = catalog.get(item.productId) as CatalogPrice;
    return { productId: item.productId, quantity: item.quantity, unitPriceCents: price.priceCents, currency: price.currency };
  });
  const currencies = [...new Set(priced.map((line) => line.currency))];
  if (currencies.length !== 1) {
    throw new DomainError(
      'failed_precondition',
      OrdersErrorCode.currencyMismatch,
      `items are priced in different currencies (${currencies.join(', ')}); place one order per currency`,
    );
  }
  return {
    items: priced.map(({ productId, quantity, unitPriceCents }) => ({ productId, quantity, unitPriceCents })),
    totalCents: priced.reduce((sum, line) => sum + line.unitPriceCents * line.quantity, 0),
    currency: currencies[0] as string,
  };
}

const TRANSITIONS: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  // The fulfillment worker can report back before the relay has marked the order fulfilling.
  pending: ['fulfilling', 'fulfilled', 'failed'],
  fulfilling: ['fulfilled', 'failed'],
  fulfilled: [],
  failed: [],
};

/** Whether an order may move from `from` to `to`. */
export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Whether no further status change is possible. */
export function isTerminal(status: OrderStatus): boolean {
  return TRANSITIONS[status].length === 0;
}

/** What the worker reports. */
export type FulfillmentOutcome = 'shipped' | 'failed';

/** The effect of a fulfillment report: a new status, or nothing because the order is already final. */
export type CompletionDecision = { kind: 'transition'; to: OrderStatus } | { kind: 'unchanged' };

/** Decides what CompleteFulfillment does; repeating it after success changes nothing (idempotent). */
export function decideCompletion(current: OrderStatus, outcome: FulfillmentOutcome): CompletionDecision {
  if (isTerminal(current)) return { kind: 'unchanged' };
  const to: OrderStatus = outcome === 'shipped' ? 'fulfilled' : 'failed';
  if (!canTransition(current, to)) {
    throw new DomainError('failed_precondition', OrdersErrorCode.validationFailed, `cannot move an order from ${current} to ${to}`);
  }
  return { kind: 'transition', to };
}
