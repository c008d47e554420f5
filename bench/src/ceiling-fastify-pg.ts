/**
 * Ceiling: a bare Fastify handler doing the order transaction of the orders service (the same
 * use case code: validation, idempotency, pricing, order + items + outbox + key row in one
 * transaction) with no gateway and no gRPC hop. Run as its own process; prints its port.
 * DATABASE_URL must point at a migrated, seeded orders database.
 */
import { CUSTOMER_ID_PATTERN, HTTP_HEADERS, ORDER_LIMITS } from '@orderlab/contracts';
import Fastify from 'fastify';
import { buildOrdersApp, type OrdersCache } from '@orderlab/orders';
import { createLogger } from '@orderlab/platform';
import { createPgPool } from '@orderlab/platform/postgres';

const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) throw new Error('DATABASE_URL is required');

const logger = createLogger({ service: 'ceiling', level: 'warn' });
const pool = createPgPool({ connectionString: databaseUrl, max: 10, applicationName: 'bench-ceiling' }, logger);
// The order path never reads the cache; a no-op keeps Redis out of the ceiling.
const noCache: OrdersCache = {
  getProduct: async () => undefined,
  setProduct: async () => {},
  getProductsPage: async () => undefined,
  setProductsPage: async () => {},
  invalidateProductPages: async () => {},
  getOrder: async () => undefined,
  setOrder: async () => {},
  invalidateOrders: async () => {},
};
const orders = buildOrdersApp({ pool, cache: noCache, idempotencyTtlHours: 24 });

const app = Fastify();
app.post('/orders', {
  schema: {
    body: {
      type: 'object',
      additionalProperties: false,
      required: ['customerId', 'items'],
      properties: {
        customerId: { type: 'string', pattern: CUSTOMER_ID_PATTERN },
        items: {
          type: 'array', minItems: ORDER_LIMITS.minItems, maxItems: ORDER_LIMITS.maxItems,
          items: {
            type: 'object', additionalProperties: false, required: ['productId', 'quantity'],
            properties: {
              productId: { type: 'string', format: 'uuid' },
              quantity: { type: 'integer', minimum: ORDER_LIMITS.minQuantity, maximum: ORDER_LIMITS.maxQuantity },
            },
          },
        },
      },
    },
  },
}, async (request, reply) => {
  const result = await orders.createOrder(request.body as never, {
    requestId: request.id,
    traceparent: undefined,
    idempotencyKey: request.headers[HTTP_HEADERS.idempotencyKey] as string,
    log: logger,
    checkActive: () => {},
  });
  return reply.code(201).send(result.order);
});

await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.server.address();
process.stdout.write(`${typeof address === 'object' && address ? address.port : 0}\n`);
process.on('SIGTERM', () => {
  void app.close().then(() => pool.end()).then(() => process.exit(0));
});
