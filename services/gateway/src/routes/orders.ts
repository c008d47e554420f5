/** /api/v1/orders: placing and reading orders. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { OrdersApi } from '../orders-client.js';
import { toNextCursor, toOrder } from '../rest-mapper.js';
import { createdResponses, ReadHeaders, readResponses, WriteHeaders } from '../schemas/common.js';
import { CreateOrderBody, ListOrdersQuery, Order, OrderPage, OrderParams } from '../schemas/order.js';
import { callContextOf, replyCreated, requireIdempotencyKey, writeContextOf } from './request-context.js';

/** The order routes; mount under API_PREFIX. */
export function orderRoutes(orders: OrdersApi, prefix: string): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post(
      '/orders',
      {
        preValidation: requireIdempotencyKey,
        schema: {
          operationId: 'createOrder',
          tags: ['orders'],
          summary: 'Place an order (prices come from the catalog)',
          headers: WriteHeaders,
          body: CreateOrderBody,
          response: createdResponses(Order, 'Placed (or the replay of an earlier order with this Idempotency-Key)'),
        },
      },
      async (request, reply) => {
        const { customerId, items } = request.body;
        const created = await orders.createOrder({ customerId, items }, writeContextOf(request));
        if (created.order === null) throw new Error('CreateOrder answered without an order');
        const order = toOrder(created.order);
        return replyCreated(reply, order, `${prefix}/orders/${order.id}`, created.replayed);
      },
    );

    app.get(
      '/orders/:id',
      {
        schema: {
          operationId: 'getOrder',
          tags: ['orders'],
          summary: 'Get one order and its current status',
          params: OrderParams,
          headers: ReadHeaders,
          response: readResponses(Order, 'The order', [404]),
        },
      },
      async (request) => toOrder(await orders.getOrder({ id: request.params.id }, callContextOf(request))),
    );

    app.get(
      '/orders',
      {
        schema: {
          operationId: 'listOrders',
          tags: ['orders'],
          summary: "List a customer's orders, newest first",
          querystring: ListOrdersQuery,
          headers: ReadHeaders,
          response: readResponses(OrderPage, 'One page of orders'),
        },
      },
      async (request) => {
        const { customerId, limit, cursor } = request.query;
        const page = await orders.listOrders({ customerId, pageSize: limit, pageToken: cursor ?? '' }, callContextOf(request));
        return { items: page.orders.map(toOrder), nextCursor: toNextCursor(page.nextPageToken) };
      },
    );
  };
}
