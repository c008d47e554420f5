/** CORS for browsers on the origins of CORS_ORIGINS, and nothing for anyone else. */
import type { FastifyCorsOptions } from '@fastify/cors';

const ALLOWED_HEADERS = ['Content-Type', 'Idempotency-Key', 'X-Request-Id', 'traceparent'];
const EXPOSED_HEADERS = ['X-Request-Id', 'Retry-After', 'Location', 'Idempotent-Replayed'];
const PREFLIGHT_MAX_AGE_S = 600;

/**
 * @fastify/cors options for an exact-origin allowlist; an empty list means no cross-origin
 * access. A request from any other origin gets no CORS headers at all, and its preflight falls
 * through to the normal 404/405 problem. No credentials: the API has no cookies to share.
 */
export function corsOptions(origins: readonly string[]): FastifyCorsOptions {
  const allowed = new Set(origins);
  return {
    delegator: (request, callback) => {
      const origin = request.headers.origin;
      if (origin === undefined || !allowed.has(origin)) return callback(null, { origin: false });
      callback(null, {
        origin,
        methods: ['GET', 'HEAD', 'POST'],
        allowedHeaders: ALLOWED_HEADERS,
        exposedHeaders: EXPOSED_HEADERS,
        credentials: false,
        maxAge: PREFLIGHT_MAX_AGE_S,
        // A preflight without Access-Control-Request-Method would get a text/plain 400; a 204 is harmless.
        strictPreflight: false,
      });
    },
  };
}
