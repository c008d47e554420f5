/** /api/v1/products: the catalog. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { OrdersApi } from '../orders-client.js';
import { toNextCursor, toProduct } from '../rest-mapper.js';
import { createdResponses, ReadHeaders, readResponses, WriteHeaders } from '../schemas/common.js';
import { CreateProductBody, ListProductsQuery, Product, ProductPage, ProductParams } from '../schemas/product.js';
import { callContextOf, replyCreated, requireIdempotencyKey, writeContextOf } from './request-context.js';

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
          response: readResponses(ProductPage, 'One page of products'),
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
          response: readResponses(Product, 'The product', [404]),
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
          response: createdResponses(Product, 'Created (or the replay of an earlier create with this Idempotency-Key)'),
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
        return replyCreated(reply, product, `${prefix}/products/${product.id}`, created.replayed);
      },
    );
  };
}
