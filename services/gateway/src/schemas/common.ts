/**
 * Schemas shared by every route: problem details, headers, pagination. Each TypeBox schema is
 * at once the validator, the TypeScript type and a piece of the OpenAPI document.
 */
import { ProblemSchema, requestIdHeader, TimestampSchema, UuidSchema } from '@orderlab/platform';
import { jsonResponse, problemResponses as platformProblemResponses, type ProblemStatus } from '@orderlab/platform/http';
import { CURRENCY_PATTERN } from '@orderlab/contracts/limits';
import Type, { type TSchema } from 'typebox';
import { IDEMPOTENCY_KEY_PATTERN } from '../idempotency-key.js';

export { pageQuerySchema, pageSchema } from '@orderlab/platform';

/** The problem+json body, defined once in the platform. */
export const Problem = ProblemSchema;

/** An id in a path, which orders stores as a UUID. */
export const Uuid = UuidSchema;

/** ISO 4217 code; every amount comes with one. */
export const Currency = Type.String({ pattern: CURRENCY_PATTERN, description: 'ISO 4217 currency code', examples: ['EUR'] });

/** A timestamp as RFC 3339 in UTC. */
export const Timestamp = TimestampSchema;

const correlationHeaders = {
  ...requestIdHeader,
  traceparent: Type.Optional(Type.String({ description: 'W3C trace context, passed on to the orders service' })),
};

/** Request headers every route accepts (never rejected: a bad X-Request-Id is replaced). */
export const ReadHeaders = Type.Object(correlationHeaders);

/** Request headers of the POST routes. */
export const WriteHeaders = Type.Object({
  'idempotency-key': Type.String({
    minLength: 1,
    pattern: IDEMPOTENCY_KEY_PATTERN,
    description:
      'Required. 1-255 printable ASCII characters, no leading or trailing space (a UUID is a good choice), ' +
      'bare or as an RFC 8941 quoted string. ' +
      'Retrying with the same key and body replays the first response; a different body gets 422; ' +
      'a retry while the first request is still running gets 409.',
  }),
  ...correlationHeaders,
});

/** Response headers of a 201. */
const CreatedHeaders = {
  Location: { type: 'string', description: 'URL of the created resource' },
  'Idempotent-Replayed': {
    type: 'string',
    enum: ['true'],
    description: 'Present when this is the stored response of an earlier request with the same Idempotency-Key',
  },
};

// Only where the gateway can say more than the platform's generic wording.
const PROBLEM_DESCRIPTIONS: Partial<Record<ProblemStatus, string>> = {
  400: 'Malformed or invalid request (bad JSON, failed validation, missing or bad Idempotency-Key)',
  409: 'Conflict: the SKU exists, or a request with this Idempotency-Key is still in progress (Retry-After)',
  422: 'Idempotency-Key reused with a different request, or the order names an unknown product',
  429: 'The orders service is rate limiting (Retry-After)',
  503: 'Overloaded or the orders service is unavailable (Retry-After)',
  504: 'The orders service did not answer in time (Retry-After)',
};

/** Statuses whose problem carries Retry-After: 409 too, since an Idempotency-Key in use frees up soon. */
const RETRY_AFTER: ProblemStatus[] = [409, 429, 503, 504];

/** The problem+json responses of a route, in the gateway's words (the shape is the platform's). */
function problemResponses(statuses: ProblemStatus[]) {
  return platformProblemResponses(statuses, { descriptions: PROBLEM_DESCRIPTIONS, retryAfter: RETRY_AFTER });
}

/** Problems any route backed by an orders call can answer with. */
const ORDERS_CALL_PROBLEMS: ProblemStatus[] = [400, 429, 500, 503, 504];

/** Problems only a create can answer with: key in use or SKU taken, body too large, not JSON, key reused. */
const CREATE_PROBLEMS: ProblemStatus[] = [409, 413, 415, 422];

/** The responses of a read: 200 with body, or a problem of an orders call (and the extra ones, e.g. 404). */
export function readResponses<T extends TSchema>(body: T, description: string, extra: ProblemStatus[] = []) {
  return { 200: jsonResponse(body, description), ...problemResponses([...ORDERS_CALL_PROBLEMS, ...extra]) };
}

/** The responses of a create: 201 with the resource, its Location and Idempotent-Replayed, or a problem. */
export function createdResponses<T extends TSchema>(body: T, description: string) {
  return {
    201: jsonResponse(body, description, CreatedHeaders),
    ...problemResponses([...ORDERS_CALL_PROBLEMS, ...CREATE_PROBLEMS]),
  };
}
