/** /api/v1/products: the catalog. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { IDEMPOTENT_REPLAYED_HEADER } from '../idempotency-key.js';
import type { OrdersApi } from '../orders-client.js';
import { toNextCursor, toProduct } from '../rest-mapper.js';
import {
  CreatedHeaders,
  jsonResponse,
  ORDERS_CALL_PROBLEMS,
  problemResponses,
  ReadHeaders,
  WriteHeaders,
} from '../schemas/common.js';
import { CreateProductBody, ListProductsQuery, Product, ProductPage, ProductParams } from '../schemas/product.js';
import { callContextOf, requireIdempotencyKey, writeContextOf } from './request-context.js';

/** The catalog routes; mount under API_PREFIX. */
export function productRoutes(orders: OrdersApi, prefix: string): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/products',
      {
        schema: {
          operationId: 'listProducts',
          tags: ['products'],
          summary: 'List the catalog, ordered by name',
          querystring: ListProductsQuery,
          headers: ReadHeaders,
          response: {
            200: jsonResponse(ProductPage, 'One page of products'),
            ...problemResponses(ORDERS_CALL_PROBLEMS),
          },
        },
      },
      async (request) => {
        const page = await orders.listProducts(
          { pageSize: request.query.limit, pageToken: request.query.cursor ?? '' },
          callContextOf(request),
        );
        return { items: page.products.map(toProduct), nextCursor: toNextCursor(page.nextPageToken) };
      },
    );

    app.get(
      '/products/:id',
      {
        schema: {
          operationId: 'getProduct',
          tags: ['products'],
          summary: 'Get one product',
          params: ProductParams,
          headers: ReadHeaders,
          response: {
            200: jsonResponse(Product, 'The product'),
            ...problemResponses([...ORDERS_CALL_PROBLEMS, 404]),
          },
        },
      },
      async (request) => toProduct(await orders.getProduct({ id: request.params.id }, callContextOf(request))),
    );

    app.post(
      '/products',
      {
        preValidation: requireIdempotencyKey,
        schema: {
          operationId: 'createProduct',
          tags: ['products'],
          summary: 'Add a product to the catalog (emits item.created)',
          headers: WriteHeaders,
          body: CreateProductBody,
          response: {
            201: jsonResponse(Product, 'Created (or the replay of an earlier create with this Idempotency-Key)', CreatedHeaders),
            ...problemResponses([...ORDERS_CALL_PROBLEMS, 409, 413, 415, 422]),
          },
        },
      },
      async (request, reply) => {
        const { body } = request;
        const created = await orders.createProduct(
          {
            sku: body.sku,
            name: body.name,
            description: body.description ?? '',
            priceCents: body.priceCents,
            currency: body.currency,
          },
          writeContextOf(request),
        );
        if (created.product === null) throw new Error('CreateProduct answered without a product');
        const product = toProduct(created.product);
        reply.code(201).header('location', `${prefix}/products/${product.id}`);
        if (created.replayed) reply.header(IDEMPOTENT_REPLAYED_HEADER, 'true');
        return product;
      },
    );
  };
}
