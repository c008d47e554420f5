/**
 * What the traces view needs from a trace store, and the bounded HTTP read both stores share.
 * The console reads Jaeger's query API natively and Grafana Tempo's in Compose
 * (TRACES_QUERY_API); each client turns its store's answer into the same trace model (Jaeger's
 * JSON, which trace-waterfall.ts shapes), so the page cannot tell them apart. Every fault of the
 * store becomes an AppError the console answers with (503 + Retry-After), never a 500.
 */
import { AppError, ErrorCode } from '@orderlab/platform';
import { Pool } from 'undici';
import type { JaegerTrace } from './jaeger-client.js';

/** The trace stores the console can read. */
export const TRACE_STORE_APIS = ['jaeger', 'tempo'] as const;
export type TraceStoreApi = (typeof TRACE_STORE_APIS)[number];

/** How long the console waits for the store, from sending to the last byte. */
export const TRACE_STORE_TIMEOUT_MS = 3_000;
/** The largest answer read (a lab trace is tens of KiB; this is thousands of spans). */
export const MAX_TRACE_BYTES = 16 * 1024 * 1024;
/** Seconds a client is told to wait before asking again after a store fault. */
const RETRY_AFTER_S = 2;

/** A trace store as the console uses it. */
export interface TraceStoreClient {
  /** The store's name as the pages and problems say it: "Jaeger" or "Tempo". */
  readonly storeName: string;
  /** The trace, or undefined when the store does not have it (yet); throws AppError 503 (or 422) on a fault. */
  getTrace(traceId: string): Promise<JaegerTrace | undefined>;
  close(): Promise<void>;
}

export interface TraceStoreClientOptions {
  /** TRACES_QUERY_URL: an origin, optionally with a path prefix. */
  url: string;
  timeoutMs?: number;
}

/** The bounded HTTP side of a store client: one small pool, a whole-request timeout, a cap on the body. */
export interface StoreHttp {
  /**
   * GET path as JSON: undefined for 404 (the store does not have it, yet); a 503 naming the
   * store for any other status or a body that is not JSON; 422 past the size cap.
   */
  getJson(path: string): Promise<unknown>;
  /** A 503 naming the store, for answers of the wrong status or shape. */
  unavailable(detail: string, cause?: unknown): AppError;
  close(): Promise<void>;
}

/** Connections open on the first request; `path` is appended to the URL's own path prefix. */
export function createStoreHttp(storeName: string, { url, timeoutMs = TRACE_STORE_TIMEOUT_MS }: TraceStoreClientOptions): StoreHttp {
  const base = new URL(url);
  const prefix = base.pathname.replace(/\/$/, '');
  // A person opening traces, not load: a few connections are plenty.
  const pool = new Pool(base.origin, { connections: 4, connectTimeout: timeoutMs, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });

  function unavailable(detail: string, cause?: unknown): AppError {
    return new AppError({ code: ErrorCode.DEPENDENCY_UNAVAILABLE, status: 503, detail, retryAfterSeconds: RETRY_AFTER_S, cause });
  }
  function tooLarge(): AppError {
    return new AppError({ code: 'TRACE_TOO_LARGE', status: 422, detail: `The trace is larger than the console reads (${MAX_TRACE_BYTES / 1024 / 1024} MiB of ${storeName} JSON).` });
  }

  return {
    async getJson(path) {
      const signal = AbortSignal.timeout(timeoutMs);
      let text: string;
      try {
        const response = await pool.request({ path: `${prefix}${path}`, method: 'GET', headers: { accept: 'application/json' }, signal });
        if (response.statusCode !== 200) {
          await response.body.dump({ limit: 64 * 1024 });
          if (response.statusCode === 404) return undefined;
          throw unavailable(`${storeName} (${base.origin}) answered ${response.statusCode} for the trace.`);
        }
        const length = Number(response.headers['content-length'] ?? 0);
        if (length > MAX_TRACE_BYTES) {
          await response.body.dump({ limit: 0 }).catch(() => undefined);
          throw tooLarge();
        }
        text = await readAtMost(response.body, MAX_TRACE_BYTES, tooLarge);
      } catch (err) {
        if (err instanceof AppError) throw err;
        if (signal.aborted || /TIMEOUT/.test((err as { code?: string }).code ?? '')) {
          throw unavailable(`${storeName} (${base.origin}) did not answer within ${timeoutMs} ms.`, err);
        }
        throw unavailable(`${storeName} (${base.origin}) is not reachable: ${(err as { code?: string }).code ?? (err as Error).message}.`, err);
      }
      try {
        return JSON.parse(text) as unknown;
      } catch (err) {
        throw unavailable(`${storeName} answered with something that is not JSON.`, err);
      }
    },
    unavailable,
    close: () => pool.close(),
  };
}

/** The body as text, or `tooLarge()` past `limit` bytes (the rest is not read). */
async function readAtMost(body: AsyncIterable<Buffer> & { destroy(): void }, limit: number, tooLarge: () => AppError): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > limit) {
      body.destroy();
      throw tooLarge();
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
