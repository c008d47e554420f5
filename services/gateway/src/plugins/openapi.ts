/** The OpenAPI 3.1 document, generated from the route schemas, and Swagger UI at /docs. */
import type { FastifyDynamicSwaggerOptions } from '@fastify/swagger';
import type { FastifySwaggerUiOptions } from '@fastify/swagger-ui';

/** Where the document is served. */
export const OPENAPI_PATH = '/api/v1/openapi.json';
/** Where Swagger UI is served. */
export const DOCS_PREFIX = '/docs';

/** @fastify/swagger options: register it before the API routes so that it sees them all. */
export function swaggerOptions(apiPrefix: string): FastifyDynamicSwaggerOptions {
  return {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'OrderLab API',
        version: '1.0.0',
        description:
          'The public REST API of OrderLab. Every error is RFC 9457 `application/problem+json` with a stable `code` ' +
          'and the `request_id`. Money is integer cents plus an ISO 4217 currency. POST requests need an ' +
          '`Idempotency-Key`; retrying with the same key replays the first response with `Idempotent-Replayed: true`.',
      },
      tags: [
        { name: 'products', description: 'The catalog' },
        { name: 'orders', description: 'Placing orders and following their status' },
      ],
    },
    // Only the API itself is documented; probes, docs and CORS preflights are not part of it.
    transform: ({ schema, url }) => ({
      schema: url.startsWith(`${apiPrefix}/`) ? schema : { ...schema, hide: true },
      url,
    }),
  };
}

/** @fastify/swagger-ui options. */
export const swaggerUiOptions: FastifySwaggerUiOptions = { routePrefix: DOCS_PREFIX };
