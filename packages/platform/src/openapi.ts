/**
 * The OpenAPI 3.1 document of a service, generated from its route schemas (@fastify/swagger),
 * Swagger UI beside it, and the response pieces every route documents: JSON bodies with
 * X-Request-Id and problem+json errors with Retry-After where a retry helps.
 */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import type { TSchema } from 'typebox';
import { ProblemSchema } from './errors.js';

export interface OpenApiOptions {
  title: string;
  version: string;
  /** Markdown shown at the top of the docs. */
  description: string;
  /** Where the JSON document is served, e.g. /api/v1/openapi.json. */
  jsonPath: string;
  /** Where Swagger UI is served, e.g. /docs. */
  docsPath: string;
  /** Only routes under this prefix are documented; probes, docs and CORS preflights are not the API. */
  apiPrefix: string;
  tags?: { name: string; description: string }[];
}

/**
 * Registers the generator, Swagger UI and GET jsonPath. Call it before registering the route
 * plugins it documents (a route added before the generator has loaded is not seen).
 */
export function registerOpenApi(app: FastifyInstance, options: OpenApiOptions): void {
  const { apiPrefix } = options;
  const documented = (url: string) => url === apiPrefix || url.startsWith(`${apiPrefix}/`);
  app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: options.title, version: options.version, description: options.description },
      ...(options.tags ? { tags: options.tags } : {}),
    },
    transform: ({ schema, url }) => ({ schema: documented(url) ? schema : { ...schema, hide: true }, url }),
  });
  app.register(swaggerUi, { routePrefix: options.docsPath });
  app.get(options.jsonPath, { schema: { hide: true } }, async () => app.swagger());
}

/** How every response documents its X-Request-Id header. */
/**
 * The OpenAPI document an app serves at `path`, read in-process (nothing listens), then
 * `close()` — for committing the document exactly as it is served.
 */
export async function readServedDocument(app: FastifyInstance, path: string, close: () => Promise<void>): Promise<unknown> {
  try {
    const res = await app.inject({ method: 'GET', url: path });
    if (res.statusCode !== 200) throw new Error(`GET ${path} answered ${res.statusCode}: ${res.body}`);
    return res.json();
  } finally {
    await close();
  }
}

export const REQUEST_ID_RESPONSE_HEADER = {
  'X-Request-Id': { type: 'string', description: 'The request id (echoed or generated)' },
} as const;

const RETRY_AFTER_RESPONSE_HEADER = {
  'Retry-After': { type: 'integer', description: 'Seconds to wait before retrying' },
} as const;

/** A JSON success response for the OpenAPI document and the serializer (an allowlist of fields). */
export function jsonResponse<T extends TSchema>(schema: T, description: string, headers: Record<string, object> = {}) {
  return {
    description,
    headers: { ...REQUEST_ID_RESPONSE_HEADER, ...headers },
    content: { 'application/json': { schema } },
  };
}

/** What each problem status means, unless a service says it more precisely. */
export const PROBLEM_DESCRIPTIONS = {
  400: 'Malformed or invalid request',
  404: 'No such resource',
  405: 'The path exists but not with this method (see Allow)',
  409: 'Conflict',
  413: 'Request body too large',
  415: 'Request body is not application/json',
  422: 'The request is well-formed but cannot be processed',
  429: 'Too many requests (Retry-After)',
  500: 'Unexpected error; quote request_id when reporting it',
  503: 'Overloaded, shutting down or a dependency is unavailable (Retry-After)',
  504: 'A dependency did not answer in time (Retry-After)',
} as const;

/** HTTP statuses a route can document as problem+json. */
export type ProblemStatus = keyof typeof PROBLEM_DESCRIPTIONS;

export interface ProblemResponseOptions {
  /** Service-specific wording per status (defaults: PROBLEM_DESCRIPTIONS). */
  descriptions?: Partial<Record<ProblemStatus, string>>;
  /** Statuses that carry Retry-After (default 429, 503, 504). */
  retryAfter?: readonly ProblemStatus[];
}

const DEFAULT_RETRY_AFTER: readonly ProblemStatus[] = [429, 503, 504];

/** The problem+json responses of a route, for the OpenAPI document and the serializer. */
export function problemResponses(statuses: readonly ProblemStatus[], options: ProblemResponseOptions = {}) {
  const retryAfter = new Set(options.retryAfter ?? DEFAULT_RETRY_AFTER);
  const responses: Partial<Record<ProblemStatus, ReturnType<typeof problemResponse>>> = {};
  for (const status of statuses) {
    responses[status] = problemResponse(options.descriptions?.[status] ?? PROBLEM_DESCRIPTIONS[status], retryAfter.has(status));
  }
  return responses;
}

function problemResponse(description: string, retryable: boolean) {
  return {
    description,
    headers: retryable ? { ...REQUEST_ID_RESPONSE_HEADER, ...RETRY_AFTER_RESPONSE_HEADER } : { ...REQUEST_ID_RESPONSE_HEADER },
    content: { 'application/problem+json': { schema: ProblemSchema } },
  };
}
