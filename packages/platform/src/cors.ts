/**
 * CORS for browsers on an exact-origin allowlist (CORS_ORIGINS), and nothing for anyone else.
 * One config property, one parser and one plugin registration, shared by every HTTP service.
 */
import cors, { type FastifyCorsOptions } from '@fastify/cors';
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';

// One origin is exactly scheme://host[:port]: no path, no trailing slash, no wildcard, not "null".
const ORIGIN = String.raw`https?://(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?`;
const ORIGIN_LIST = new RegExp(String.raw`^\s*(?:${ORIGIN}(?:\s*,\s*${ORIGIN})*)?\s*$`);

/**
 * The `CORS_ORIGINS` config property: comma-separated exact origins, default empty (no
 * cross-origin access). Spread into a service schema: `{ ...commonConfig, CORS_ORIGINS: corsOriginsConfig }`.
 */
export const corsOriginsConfig = Type.Refine(
  Type.String({ default: '' }),
  (value) => ORIGIN_LIST.test(value),
  () => 'must be comma-separated exact origins like https://shop.example:8443 (no *, null, path or trailing slash)',
);

/**
 * The CORS_ORIGINS value as a list of exact origins. Hosts are lower-cased because browsers
 * send the Origin header with a lower-case host, so `https://Shop.example` still matches.
 */
export function parseCorsOrigins(value: string): string[] {
  return value
    .split(',')
    .map((origin) => origin.trim().toLowerCase())
    .filter((origin) => origin !== '');
}

export interface CorsPolicy {
  /** Exact origins allowed; empty means no cross-origin access. */
  origins: readonly string[];
  /** Methods a browser may use cross-origin (default GET, HEAD). */
  methods?: readonly string[];
  /** Request headers a browser may send (default Content-Type, X-Request-Id, traceparent). */
  allowedHeaders?: readonly string[];
  /** Response headers a page may read (default X-Request-Id, Retry-After). */
  exposedHeaders?: readonly string[];
}

const PREFLIGHT_MAX_AGE_S = 600;

/**
 * @fastify/cors options for an exact-origin allowlist. A request from any other origin gets no
 * CORS headers at all, and its preflight falls through to the normal 404/405 problem. No
 * credentials: the APIs have no cookies to share.
 */
export function corsOptions({
  origins,
  methods = ['GET', 'HEAD'],
  allowedHeaders = ['Content-Type', 'X-Request-Id', 'traceparent'],
  exposedHeaders = ['X-Request-Id', 'Retry-After'],
}: CorsPolicy): FastifyCorsOptions {
  const allowed = new Set(origins);
  return {
    delegator: (request, callback) => {
      const origin = request.headers.origin;
      if (origin === undefined || !allowed.has(origin)) return callback(null, { origin: false });
      callback(null, {
        origin,
        methods: [...methods],
        allowedHeaders: [...allowedHeaders],
        exposedHeaders: [...exposedHeaders],
        credentials: false,
        maxAge: PREFLIGHT_MAX_AGE_S,
        // A preflight without Access-Control-Request-Method would get a text/plain 400; a 204 is harmless.
        strictPreflight: false,
      });
    },
  };
}

/** Registers @fastify/cors with corsOptions(policy); call after registerHttpDefaults. */
export function registerCors(app: FastifyInstance, policy: CorsPolicy): void {
  app.register(cors, corsOptions(policy));
}
