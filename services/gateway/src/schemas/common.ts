/**
 * Schemas shared by every route: problem details, headers, pagination. Each TypeBox schema is
 * at once the validator, the TypeScript type and a piece of the OpenAPI document.
 */
import { ProblemSchema } from '@orderlab/platform';
import Type, { type TSchema } from 'typebox';

/** The problem+json body, defined once in the platform. */
export const Problem = ProblemSchema;

/** An opaque page cursor: pass a response's nextCursor back to get the next page. */
export const Cursor = Type.String({
  pattern: '^[A-Za-z0-9_-]+$',
  maxLength: 1024,
  description: 'nextCursor of the previous page',
});

/** Page size of list endpoints. */
export const Limit = Type.Integer({ minimum: 1, maximum: 100, default: 20, description: 'Page size' });

/** A list page's nextCursor: null on the last page. */
export const NextCursor = Type.Unsafe<string | null>({
  type: ['string', 'null'],
  description: 'Cursor of the next page; null on the last page',
});

/** An id in a path, which orders stores as a UUID. */
export const Uuid = Type.String({ format: 'uuid', description: 'A UUID' });

/** ISO 4217 code; every amount comes with one. */
export const Currency = Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217 currency code', examples: ['EUR'] });

/** A timestamp as RFC 3339 in UTC. */
export const Timestamp = Type.String({ format: 'date-time', description: 'RFC 3339 timestamp (UTC)' });

const correlationHeaders = {
  'x-request-id': Type.Optional(
    Type.String({ description: 'Correlation id; kept when 1-128 characters of [A-Za-z0-9._:-], otherwise replaced' }),
  ),
  traceparent: Type.Optional(Type.String({ description: 'W3C trace context, passed on to the orders service' })),
};

/** Request headers every route accepts (never rejected: a bad X-Request-Id is replaced). */
export const ReadHeaders = Type.Object(correlationHeaders);

/** Request headers of the POST routes. */
export const WriteHeaders = Type.Object({
  'idempotency-key': Type.String({
    minLength: 1,
    description:
      'Required. 1-255 printable ASCII characters (a UUID is a good choice), bare or as an RFC 8941 quoted string. ' +
      'Retrying with the same key and body replays the first response; a different body gets 422; ' +
      'a retry while the first request is still running gets 409.',
  }),
  ...correlationHeaders,
});

const RequestIdHeader = { 'X-Request-Id': { type: 'string', description: 'The request id (echoed or generated)' } };
const RetryAfterHeader = { 'Retry-After': { type: 'integer', description: 'Seconds to wait before retrying' } };

/** Response headers of a 201. */
export const CreatedHeaders = {
  Location: { type: 'string', description: 'URL of the created resource' },
  'Idempotent-Replayed': {
    type: 'string',
    enum: ['true'],
    description: 'Present when this is the stored response of an earlier request with the same Idempotency-Key',
  },
};

/** A JSON success response for the OpenAPI document and the serializer (an allowlist of fields). */
export function jsonResponse<T extends TSchema>(schema: T, description: string, headers: Record<string, object> = {}) {
  return {
    description,
    headers: { ...RequestIdHeader, ...headers },
    content: { 'application/json': { schema } },
  };
}

const PROBLEM_DESCRIPTIONS = {
  400: 'Malformed or invalid request (bad JSON, failed validation, missing or bad Idempotency-Key)',
  404: 'No such resource',
  409: 'Conflict: the SKU exists, or a request with this Idempotency-Key is still in progress (Retry-After)',
  413: 'Request body too large',
  415: 'Request body is not application/json',
  422: 'Idempotency-Key reused with a different request, or the order names an unknown product',
  429: 'The orders service is rate limiting (Retry-After)',
  500: 'Unexpected error; quote request_id when reporting it',
  503: 'Overloaded or the orders service is unavailable (Retry-After)',
  504: 'The orders service did not answer in time (Retry-After)',
} as const;

/** HTTP statuses a route can answer with problem+json. */
export type ProblemStatus = keyof typeof PROBLEM_DESCRIPTIONS;

const RETRYABLE: ReadonlySet<ProblemStatus> = new Set<ProblemStatus>([409, 429, 503, 504]);

/** The problem+json responses of a route, for the OpenAPI document and the serializer. */
export function problemResponses(statuses: ProblemStatus[]) {
  const responses: Partial<Record<ProblemStatus, ReturnType<typeof problemResponse>>> = {};
  for (const status of statuses) responses[status] = problemResponse(status);
  return responses;
}

function problemResponse(status: ProblemStatus) {
  return {
    description: PROBLEM_DESCRIPTIONS[status],
    headers: RETRYABLE.has(status) ? { ...RequestIdHeader, ...RetryAfterHeader } : RequestIdHeader,
    content: { 'application/problem+json': { schema: Problem } },
  };
}

/** Problems any route backed by an orders call can answer with. */
export const ORDERS_CALL_PROBLEMS: ProblemStatus[] = [400, 429, 500, 503, 504];
