/**
 * The console's traces view: GET /api/traces/recent (the generator's slowest and failed requests
 * with their trace ids), GET /api/traces/{traceId} (the trace from Jaeger or Tempo as a
 * waterfall), and the two pages that show them, /traces and /traces/{traceId}.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AppError, ErrorCode } from '@orderlab/platform';
import Type from 'typebox';
import type { FastifyReply } from 'fastify';
import { tracePageHtml } from '../trace-page.js';
import type { TraceStoreClient } from '../trace-store.js';
import { toWaterfall } from '../trace-waterfall.js';
import { normalizeTraceId } from '../traceresponse.js';
import { TRACES_PAGE_HTML } from '../traces-page.js';
import type { TrafficGenerator } from '../traffic-generator.js';

/** Routes polled by the traces page: logged at debug level only. */
export const QUIET_TRACE_ROUTES = ['/traces', '/api/traces/recent'];

const TraceIdParams = Type.Object({ traceId: Type.String() });

/** The traces routes; `store` reads the trace store's API (Jaeger or Tempo). */
export function traceRoutes(generator: TrafficGenerator, store: TraceStoreClient): FastifyPluginAsyncTypebox {
  const tracePage = tracePageHtml(store.storeName);
  return async (app) => {
    app.get('/traces', async (_request, reply) => sendPage(reply, TRACES_PAGE_HTML));
    // Any id: the page asks the API below and shows its 400, 404 or 503 in words a learner can act on.
    app.get('/traces/:traceId', async (_request, reply) => sendPage(reply, tracePage));

    app.get('/api/traces/recent', async (_request, reply) => reply.header('cache-control', 'no-store').send(generator.recentTraces()));

    app.get('/api/traces/:traceId', { schema: { params: TraceIdParams } }, async (request, reply) => {
      const traceId = normalizeTraceId(request.params.traceId);
      if (traceId === undefined) {
        const detail = 'must be a W3C trace id: 32 hexadecimal digits, not all zeros';
        throw new AppError({
          code: ErrorCode.VALIDATION_FAILED,
          status: 400,
          detail: `The trace id ${JSON.stringify(request.params.traceId.slice(0, 64))} ${detail}.`,
          errors: [{ in: 'path', pointer: '#/traceId', detail }],
        });
      }
      const trace = await store.getTrace(traceId);
      if (trace === undefined) {
        throw new AppError({
          code: 'TRACE_NOT_FOUND',
          status: 404,
          detail: `${store.storeName} has no trace ${traceId} (yet): spans arrive within a few seconds of the request, and ${store.storeName === 'Jaeger' ? 'Jaeger keeps a bounded number of traces in memory' : `${store.storeName} keeps traces for a bounded time`}.`,
        });
      }
      return reply.header('cache-control', 'no-store').send(toWaterfall(trace));
    });
  };
}

function sendPage(reply: FastifyReply, html: string): FastifyReply {
  return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(html);
}
