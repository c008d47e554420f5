/**
 * The console's logs view: GET /api/logs (search by request id, trace id, service and level),
 * GET /api/logs/errors/recent (the live error tail), GET /api/logs/error-rate (error lines per
 * service, last 15 minutes), all read from VictoriaLogs, and the page that shows them, /logs.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { LogsClient } from '../logs-client.js';
import { LOGS_PAGE_HTML } from '../logs-page.js';
import { parseLogFilter } from '../logs-query.js';

/** Routes polled by the logs page: logged at debug level only. */
export const QUIET_LOG_ROUTES = ['/api/logs/errors/recent', '/api/logs/error-rate'];

/** The logs routes; `logs` reads VictoriaLogs' LogsQL API. */
export function logRoutes(logs: LogsClient): FastifyPluginAsyncTypebox {
  return async (app) => {
    // The page validates nothing itself: it asks the API and shows its 400 or 503 in words.
    app.get('/logs', async (_request, reply) => reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(LOGS_PAGE_HTML));

    app.get('/api/logs', async (request, reply) => {
      const filter = parseLogFilter(request.query as Record<string, unknown>);
      const found = await logs.search(filter);
      return reply.header('cache-control', 'no-store').send({ ...found, limit: filter.limit, since: filter.since });
    });

    app.get('/api/logs/errors/recent', async (_request, reply) => reply.header('cache-control', 'no-store').send(await logs.recentErrors()));

    app.get('/api/logs/error-rate', async (_request, reply) => reply.header('cache-control', 'no-store').send(await logs.errorRate()));
  };
}
