/**
 * The HTTP client of the target (the edge): an undici Pool with a bounded number of keep-alive
 * connections, a whole-request timeout (queueing in the pool, headers and body), and every
 * outcome classified instead of thrown.
 */
import { HTTP_HEADERS } from '@orderlab/contracts/headers';
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import { MAX_LEARN_BYTES, type PlannedRequest } from './journeys.js';
import { TRACERESPONSE_HEADER, traceIdFromTraceresponse } from './traceresponse.js';
import { statusClass, type OutcomeClass } from './window-stats.js';

/** Sent with every request so the edge's access log tells generated traffic apart. */
export const USER_AGENT = 'orderlab-traffic/0.1';

/** How one request ended. */
export interface RequestOutcome {
  outcome: OutcomeClass;
  /** The HTTP status, or undefined for a timeout or connection error. */
  status?: number;
  latencyMs: number;
  /** The response said Idempotent-Replayed: true. */
  replayed: boolean;
  /** The body, when the request asked for it and it was 2xx. */
  body?: string;
  /** The error code of a connection error (ECONNREFUSED, UND_ERR_SOCKET…). */
  errorCode?: string;
  /** The trace the request became, from a well-formed traceresponse header. */
  traceId?: string;
}

export interface TargetClientOptions {
  /** Base URL; request paths are appended to its path. */
  url: string;
  /** Keep-alive connections at most; requests beyond wait in the pool (bounded by MAX_IN_FLIGHT). */
  connections: number;
  /** Whole-request timeout, from the moment the request is handed to the pool. */
  timeoutMs: number;
}

/** Sends planned requests to the target. */
export interface TargetClient {
  send(request: PlannedRequest): Promise<RequestOutcome>;
  /** Waits for running requests, then closes the connections. */
  close(): Promise<void>;
  /** Aborts running requests and closes at once. */
  destroy(): Promise<void>;
}

/** Creates the pool; connections open lazily on the first requests. */
export function createTargetClient({ url, connections, timeoutMs }: TargetClientOptions): TargetClient {
  const base = new URL(url);
  const prefix = base.pathname.replace(/\/$/, '');
  const pool = new Pool(base.origin, {
    connections,
    pipelining: 1,
    connectTimeout: Math.min(timeoutMs, 10_000),
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    keepAliveTimeout: 30_000,
  });

  return {
    async send(request) {
      const started = performance.now();
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), timeoutMs);
      try {
        const response = await pool.request({
          path: prefix + request.path,
          method: request.method,
          headers: { 'user-agent': USER_AGENT, ...request.headers },
          body: request.body ?? null,
          signal: controller.signal,
        });
        const replayed = response.headers[HTTP_HEADERS.idempotentReplayed] === 'true';
        const traceId = traceIdFromTraceresponse(response.headers[TRACERESPONSE_HEADER]);
        const length = Number(response.headers['content-length'] ?? 0);
        let body: string | undefined;
        if (request.readBody && response.statusCode < 300 && length <= MAX_LEARN_BYTES) body = await response.body.text();
        else await response.body.dump({ limit: MAX_LEARN_BYTES });
        const result: RequestOutcome = { outcome: statusClass(response.statusCode), status: response.statusCode, latencyMs: performance.now() - started, replayed };
        if (body !== undefined) result.body = body;
        if (traceId !== undefined) result.traceId = traceId;
        return result;
      } catch (err) {
        const latencyMs = performance.now() - started;
        const code = (err as { code?: string }).code;
        if (controller.signal.aborted || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') {
          return { outcome: 'timeout', latencyMs, replayed: false };
        }
        return { outcome: 'error', latencyMs, replayed: false, errorCode: code ?? (err as Error).name };
      } finally {
        clearTimeout(timer);
      }
    },
    close: () => pool.close(),
    destroy: () => pool.destroy(),
  };
}
