/** HTTP server metrics for Fastify and the GET /metrics route (docs/metrics.md, "HTTP servers"). */
import type { FastifyInstance } from 'fastify';
import { DURATION_BUCKETS, exposition, sampledSpan, type ServiceMetrics } from './metrics.js';

/** http_route of a request no route matched (404s): raw paths would be unbounded. */
export const UNMATCHED_ROUTE = 'unmatched';
/** Where metrics are served. */
export const METRICS_PATH = '/metrics';
/** Scrapes and probes say nothing about the service's users, so they are not recorded. */
const NOT_RECORDED = new Set([METRICS_PATH, '/healthz', '/readyz']);
/** Methods kept as they are; anything else is `_OTHER` (semantic conventions), so labels stay bounded. */
const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'CONNECT', 'TRACE']);

export interface HttpMetricsOptions {
  /**
   * Record http_server_* for the app's requests (default true). The ops servers only serve
   * probes and /metrics, which are never recorded, so they pass false.
   */
  recordRequests?: boolean;
}

/**
 * Adds GET /metrics and the request hooks. Call it on the root instance right after
 * registerHttpDefaults, before load shedding and routes, so shed requests (503) are recorded
 * too. /metrics answers in OpenMetrics, with exemplars, to a scraper that accepts it
 * (Prometheus), else in the Prometheus text format (exposition()). With metrics disabled it
 * adds nothing: /metrics is a 404.
 */
export function registerMetrics(app: FastifyInstance, metrics: ServiceMetrics, { recordRequests = true }: HttpMetricsOptions = {}): void {
  const registry = metrics.registry;
  if (!metrics.enabled || registry === undefined) return;
  app.get(METRICS_PATH, { schema: { hide: true } }, async (request, reply) => {
    const { contentType, body } = await exposition(registry, request.headers.accept);
    return reply.header('vary', 'Accept').type(contentType).send(body);
  });
  if (!recordRequests) return;

  const duration = metrics.histogram({
    name: 'http_server_request_duration_seconds',
    help: 'Duration of HTTP server requests.',
    labelNames: ['http_request_method', 'http_route', 'http_response_status_code'],
    buckets: DURATION_BUCKETS,
  });
  // Requests in progress by method, counted in plain numbers and read on scrape (a gauge
  // update per request start and end costs more than the counting).
  const active = metrics.shared('http_server_active_requests', () => {
    const counts = new Map<string, number>();
    metrics.gauge<'http_request_method'>({
      name: 'http_server_active_requests',
      help: 'Number of HTTP server requests in progress.',
      labelNames: ['http_request_method'],
      collect(gauge) {
        for (const [method, count] of counts) gauge.set({ http_request_method: method }, count);
      },
    });
    return counts;
  });

  // One hook and one listener per request. The response's 'close' fires once however the
  // exchange ends (onResponse is skipped when the client leaves first), so the request leaves
  // the active count there, and its duration is recorded there when the response was written in
  // full. (A second onResponse hook and a second read of request.routeOptions, which Fastify
  // builds anew on every read, cost more than the recording itself.)
  app.addHook('onRequest', (request, reply, done) => {
    const route = request.routeOptions.url ?? UNMATCHED_ROUTE;
    if (NOT_RECORDED.has(route)) return done();
    const method = methodOf(request.method);
    active.set(method, (active.get(method) ?? 0) + 1);
    // The exemplar is the request's span, taken here where it is the active one: 'close' is
    // emitted by the socket's machinery, whose context need not be the request's.
    const exemplar = sampledSpan();
    const res = reply.raw;
    res.on('close', () => {
      active.set(method, (active.get(method) ?? 1) - 1);
      if (res.writableEnded) {
        const labels = { http_request_method: method, http_route: route, http_response_status_code: reply.statusCode };
        duration.observe(labels, reply.elapsedTime / 1000, exemplar);
      }
    });
    done();
  });
}

function methodOf(method: string): string {
  return KNOWN_METHODS.has(method) ? method : '_OTHER';
}
