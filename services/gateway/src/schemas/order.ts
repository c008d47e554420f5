/** REST shapes of orders. Limits match the orders service's own validation. */
import Type, { type Static } from 'typebox';
import { Currency, Cursor, Limit, NextCursor, Timestamp, Uuid } from './common.js';

/** Most lines one order may have. */
export const MAX_ORDER_ITEMS = 50;
/** Most units of one product per line. */
export const MAX_QUANTITY = 100;

const CustomerId = Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$', description: 'The customer placing the order', examples: ['cust-42'] });
const Quantity = Type.Integer({ minimum: 1, maximum: MAX_QUANTITY });

/** Lifecycle of an order: pending → fulfilling → fulfilled, or failed. */
export const OrderStatus = Type.Enum(['pending', 'fulfilling', 'fulfilled', 'failed'], { type: 'string' });
export type OrderStatus = Static<typeof OrderStatus>;

/** An order as the API returns it; prices come from the catalog at the time of ordering. */
export const Order = Type.Object(
  {
    id: Uuid,
    customerId: CustomerId,
    status: OrderStatus,
    items: Type.Array(
      Type.Object(
        { productId: Uuid, quantity: Quantity, unitPriceCents: Type.Integer({ minimum: 1 }) },
        { additionalProperties: false },
      ),
    ),
    totalCents: Type.Integer({ minimum: 0 }),
    currency: Currency,
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  { title: 'Order', additionalProperties: false },
);
export type Order = Static<typeof Order>;

/** Body of POST /api/v1/orders; unknown fields are rejected, prices are never taken from it. */
export const CreateOrderBody = Type.Object(
  {
    customerId: CustomerId,
    items: Type.Array(
      Type.Object({ productId: Uuid, quantity: Quantity }, { additionalProperties: false }),
      { minItems: 1, maxItems: MAX_ORDER_ITEMS, description: 'Each product at most once' },
    ),
  },
  { title: 'CreateOrder', additionalProperties: false },
);
export type CreateOrderBody = Static<typeof CreateOrderBody>;

/** One page of a customer's orders, newest first. */
export const OrderPage = Type.Object(
  { items: Type.Array(Order), nextCursor: NextCursor },
  { title: 'OrderPage', additionalProperties: false },
);
export type OrderPage = Static<typeof OrderPage>;

/** Query of GET /api/v1/orders. */
export const ListOrdersQuery = Type.Object(
  { customerId: CustomerId, limit: Type.Optional(Limit), cursor: Type.Optional(Cursor) },
  { additionalProperties: false },
);

/** Path of GET /api/v1/orders/{id}. */
export const OrderParams = Type.Object({ id: Uuid }, { additionalProperties: false });
