/**
 * Reads logs from VictoriaLogs' LogsQL API (`POST {LOGS_QUERY_URL}/select/logsql/query`, the
 * query as a form field; the answer is JSON lines). Bounded like the Jaeger client: one small
 * pool, a whole-request timeout (also passed to VictoriaLogs as `timeout`, so it stops working
 * when the console stops waiting) and a cap on the body. Every fault of VictoriaLogs becomes an
 * AppError the console answers with (503 + Retry-After), never a 500. The queries come from
 * logs-query.ts, built from validated values only.
 */
import { AppError, ErrorCode } from '@orderlab/platform';
import { Pool } from 'undici';
import {
  ERROR_RATE_WINDOW_MIN,
  errorRateQuery,
  errorRateRows,
  errorTailQuery,
  searchQuery,
  toLogLine,
  type ErrorRateRow,
  type LogFilter,
  type LogLine,
} from './logs-query.js';

/** How long the console waits for VictoriaLogs, from sending to the last byte. */
export const LOGS_TIMEOUT_MS = 3_000;
/** The most of an answer read: 1,000 lines of a few KiB. Beyond it the newest lines read are kept. */
export const MAX_LOGS_BYTES = 8 * 1024 * 1024;
/** Seconds a client is told to wait before asking again after a VictoriaLogs fault. */
const RETRY_AFTER_S = 2;

/** Lines, newest first, and the LogsQL that found them (a learner can paste it into vmui). */
export interface LogLines {
  lines: LogLine[];
  /** True when the answer was larger than the console reads: older lines were left out. */
  truncated: boolean;
  query: string;
}

/** Lines and error lines per service over the window. */
export interface ErrorRate {
  windowMinutes: number;
  services: ErrorRateRow[];
  query: string;
}

/** VictoriaLogs' query API as the console uses it. */
export interface LogsClient {
  search(filter: LogFilter): Promise<LogLines>;
  /** The newest error lines of every service (the live tail polls this). */
  recentErrors(): Promise<LogLines>;
  errorRate(): Promise<ErrorRate>;
  close(): Promise<void>;
}

export interface LogsClientOptions {
  /** LOGS_QUERY_URL: an origin, optionally with a path prefix. */
  url: string;
  timeoutMs?: number;
}

/** A bounded client of the LogsQL API; connections open on the first request. */
export function createLogsClient({ url, timeoutMs = LOGS_TIMEOUT_MS }: LogsClientOptions): LogsClient {
  const base = new URL(url);
  const prefix = base.pathname.replace(/\/$/, '');
  // A person reading logs plus two pollers per open page: a few connections are plenty.
  const pool = new Pool(base.origin, { connections: 4, connectTimeout: timeoutMs, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });

  function unavailable(detail: string, cause?: unknown): AppError {
    return new AppError({ code: ErrorCode.DEPENDENCY_UNAVAILABLE, status: 503, detail, retryAfterSeconds: RETRY_AFTER_S, cause });
  }

  /** Runs one LogsQL query; the JSON lines it answered, and whether the body was cut. */
  async function run(query: string): Promise<{ records: Record<string, unknown>[]; truncated: boolean }> {
    const signal = AbortSignal.timeout(timeoutMs);
    // VictoriaLogs gives up a little before the console does, so its own error can be shown.
    const form = new URLSearchParams({ query, timeout: `${Math.max(1, timeoutMs - 500)}ms` });
    let status: number;
    let text = '';
    let truncated = false;
    try {
      const response = await pool.request({
        path: `${prefix}/select/logsql/query`,
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: form.toString(),
        signal,
      });
      status = response.statusCode;
      ({ text, truncated } = await readAtMost(response.body, status === 200 ? MAX_LOGS_BYTES : 4 * 1024));
    } catch (err) {
      if (signal.aborted || /TIMEOUT/.test((err as { code?: string }).code ?? '')) {
        throw unavailable(`VictoriaLogs (${base.origin}) did not answer within ${timeoutMs} ms.`, err);
      }
      throw unavailable(`VictoriaLogs (${base.origin}) is not reachable: ${(err as { code?: string }).code ?? (err as Error).message}.`, err);
    }
    if (status !== 200) {
      const said = text.trim().split('\n')[0]?.slice(0, 300);
      throw unavailable(`VictoriaLogs (${base.origin}) answered ${status}${said ? `: ${said}` : ''}.`);
    }
    const lines = text.split('\n');
    // A cut body ends in a partial line: drop it.
    if (truncated) lines.pop();
    const records: Record<string, unknown>[] = [];
    for (const line of lines) {
      if (line.trim() === '') continue;
      let record: unknown;
      try {
        record = JSON.parse(line);
      } catch (err) {
        throw unavailable('VictoriaLogs answered with something that is not JSON lines.', err);
      }
      if (record === null || typeof record !== 'object' || Array.isArray(record)) {
        throw unavailable('VictoriaLogs answered JSON lines of an unexpected shape (not one object per line).');
      }
      records.push(record as Record<string, unknown>);
    }
    return { records, truncated };
  }

  async function lines(query: string): Promise<LogLines> {
    const { records, truncated } = await run(query);
    const found = records.map(toLogLine);
    // The query sorts newest first; sorting again costs nothing and holds if it ever does not.
    // (Stable, and by parsed time: RFC 3339 strings with fractions of varying length do not sort as text.)
    found.sort((a, b) => (Date.parse(b.time) || 0) - (Date.parse(a.time) || 0));
    return { lines: found, truncated, query };
  }

  return {
    search: (filter) => lines(searchQuery(filter)),
    recentErrors: () => lines(errorTailQuery()),
    async errorRate() {
      const query = errorRateQuery();
      const { records } = await run(query);
      return { windowMinutes: ERROR_RATE_WINDOW_MIN, services: errorRateRows(records), query };
    },
    close: () => pool.close(),
  };
}

/** The body as text, up to `limit` bytes (the rest is not read). */
async function readAtMost(body: AsyncIterable<Buffer> & { destroy(): void }, limit: number): Promise<{ text: string; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    if (size + chunk.length > limit) {
      chunks.push(chunk.subarray(0, limit - size));
      body.destroy();
      return { text: Buffer.concat(chunks).toString('utf8'), truncated: true };
    }
    size += chunk.length;
    chunks.push(chunk);
  }
  return { text: Buffer.concat(chunks).toString('utf8'), truncated: false };
}
