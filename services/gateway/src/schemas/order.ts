/** REST shapes of orders. Limits are the orders service's own (ORDER_LIMITS of @orderlab/contracts). */
import { CUSTOMER_ID_PATTERN, ORDER_LIMITS } from '@orderlab/contracts/limits';
import Type, { type Static } from 'typebox';
import { Currency, pageQuerySchema, pageSchema, Timestamp, Uuid } from './common.js';

const CustomerId = Type.String({ pattern: CUSTOMER_ID_PATTERN, description: 'The customer placing the order', examples: ['cust-42'] });
const Quantity = Type.Integer({ minimum: ORDER_LIMITS.minQuantity, maximum: ORDER_LIMITS.maxQuantity });

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
      { minItems: ORDER_LIMITS.minItems, maxItems: ORDER_LIMITS.maxItems, description: 'Each product at most once' },
    ),
  },
  { title: 'CreateOrder', additionalProperties: false },
);
export type CreateOrderBody = Static<typeof CreateOrderBody>;

/** One page of a customer's orders, newest first. */
export const OrderPage = pageSchema(Order, 'OrderPage');
export type OrderPage = Static<typeof OrderPage>;

/** Query of GET /api/v1/orders. */
export const ListOrdersQuery = pageQuerySchema({ customerId: CustomerId });

/** Path of GET /api/v1/orders/{id}. */
export const OrderParams = Type.Object({ id: Uuid }, { additionalProperties: false });
