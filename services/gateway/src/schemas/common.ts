/**
 * Schemas shared by every route: problem details, headers, pagination. Each TypeBox schema is
 * at once the validator, the TypeScript type and a piece of the OpenAPI document.
 */
import {
  CursorSchema,
  LimitSchema,
  NextCursorSchema,
  problemResponses as platformProblemResponses,
  ProblemSchema,
  requestIdHeader,
  TimestampSchema,
  UuidSchema,
  type ProblemStatus,
} from '@orderlab/platform';
import Type from 'typebox';
import { IDEMPOTENCY_KEY_PATTERN } from '../idempotency-key.js';

export { jsonResponse } from '@orderlab/platform';

/** The problem+json body, defined once in the platform. */
export const Problem = ProblemSchema;

/** An opaque page cursor (platform). */
export const Cursor = CursorSchema;

/** Page size of list endpoints (platform). */
export const Limit = LimitSchema;

/** A list page's nextCursor: null on the last page (platform). */
export const NextCursor = NextCursorSchema;

/** An id in a path, which orders stores as a UUID. */
export const Uuid = UuidSchema;

/** ISO 4217 code; every amount comes with one. */
export const Currency = Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217 currency code', examples: ['EUR'] });

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
export const CreatedHeaders = {
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
export function problemResponses(statuses: ProblemStatus[]) {
  return platformProblemResponses(statuses, { descriptions: PROBLEM_DESCRIPTIONS, retryAfter: RETRY_AFTER });
}

/** Problems any route backed by an orders call can answer with. */
export const ORDERS_CALL_PROBLEMS: ProblemStatus[] = [400, 429, 500, 503, 504];
