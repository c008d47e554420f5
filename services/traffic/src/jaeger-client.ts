/**
 * Reads one trace from Jaeger's query API (`GET {JAEGER_QUERY_URL}/api/traces/{traceId}`), the
 * v1-style JSON that Jaeger v2 still serves (its Go module carries no UI; the console draws the
 * trace itself). Bounded: one small pool, a whole-request timeout and a cap on the body. Every
 * fault of Jaeger becomes an AppError the console answers with (503 + Retry-After), never a 500.
 */
import { AppError, ErrorCode } from '@orderlab/platform';
import Type, { type Static } from 'typebox';
import { Compile } from 'typebox/compile';
import { Pool } from 'undici';

/** How long the console waits for Jaeger, from sending to the last byte. */
export const JAEGER_TIMEOUT_MS = 3_000;
/** The largest answer read (a lab trace is tens of KiB; this is thousands of spans). */
export const MAX_TRACE_BYTES = 16 * 1024 * 1024;
/** Seconds a client is told to wait before asking again after a Jaeger fault. */
const RETRY_AFTER_S = 2;

/** A tag or log field: `{ key, type, value }`, type one of string, bool, int64, float64, binary. */
const JaegerKeyValue = Type.Object({
  key: Type.String(),
  type: Type.String(),
  value: Type.Union([Type.String(), Type.Number(), Type.Boolean()]),
});

/** A reference: the parent (CHILD_OF) or a link (FOLLOWS_FROM), possibly into another trace. */
const JaegerReference = Type.Object({
  refType: Type.String(),
  traceID: Type.String(),
  spanID: Type.String(),
});

/** One span. startTime is µs since the epoch, duration µs. */
const JaegerSpan = Type.Object({
  traceID: Type.String(),
  spanID: Type.String(),
  operationName: Type.String(),
  references: Type.Union([Type.Array(JaegerReference), Type.Null()]),
  startTime: Type.Number(),
  duration: Type.Number(),
  tags: Type.Union([Type.Array(JaegerKeyValue), Type.Null()]),
  logs: Type.Optional(Type.Union([Type.Array(Type.Object({ timestamp: Type.Number(), fields: Type.Array(JaegerKeyValue) })), Type.Null()])),
  processID: Type.String(),
  warnings: Type.Optional(Type.Union([Type.Array(Type.String()), Type.Null()])),
});

/** One trace: its spans and the processes (a service and its resource tags) they name by processID. */
export const JaegerTraceSchema = Type.Object({
  traceID: Type.String(),
  spans: Type.Array(JaegerSpan),
  processes: Type.Record(Type.String(), Type.Object({ serviceName: Type.String(), tags: Type.Union([Type.Array(JaegerKeyValue), Type.Null()]) })),
  warnings: Type.Optional(Type.Union([Type.Array(Type.String()), Type.Null()])),
});
/** One trace as Jaeger's query API answers it. */
export type JaegerTrace = Static<typeof JaegerTraceSchema>;
export type JaegerSpan = Static<typeof JaegerSpan>;
export type JaegerKeyValue = Static<typeof JaegerKeyValue>;

/** The envelope: `{ data: [trace], total, limit, offset, errors }`; a 404 has data null and errors[{code:404}]. */
const JaegerResponse = Type.Object({ data: Type.Union([Type.Array(JaegerTraceSchema), Type.Null()]) });
const checkResponse = Compile(JaegerResponse);

/** Jaeger's query API as the console uses it. */
export interface JaegerClient {
  /** The trace, or undefined when Jaeger does not have it (yet); throws AppError 503 on a Jaeger fault. */
  getTrace(traceId: string): Promise<JaegerTrace | undefined>;
  close(): Promise<void>;
}

export interface JaegerClientOptions {
  /** JAEGER_QUERY_URL: an origin, optionally with a path prefix. */
  url: string;
  timeoutMs?: number;
}

/** A bounded client of the query API; connections open on the first request. */
export function createJaegerClient({ url, timeoutMs = JAEGER_TIMEOUT_MS }: JaegerClientOptions): JaegerClient {
  const base = new URL(url);
  const prefix = base.pathname.replace(/\/$/, '');
  // A person opening traces, not load: a few connections are plenty.
  const pool = new Pool(base.origin, { connections: 4, connectTimeout: timeoutMs, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });

  function unavailable(detail: string, cause?: unknown): AppError {
    return new AppError({ code: ErrorCode.DEPENDENCY_UNAVAILABLE, status: 503, detail, retryAfterSeconds: RETRY_AFTER_S, cause });
  }

  return {
    async getTrace(traceId) {
      const signal = AbortSignal.timeout(timeoutMs);
      let status: number;
      let text = '';
      try {
        const response = await pool.request({ path: `${prefix}/api/traces/${traceId}`, method: 'GET', headers: { accept: 'application/json' }, signal });
        status = response.statusCode;
        if (status !== 200) {
          await response.body.dump({ limit: 64 * 1024 });
        } else {
          const length = Number(response.headers['content-length'] ?? 0);
          if (length > MAX_TRACE_BYTES) {
            await response.body.dump({ limit: 0 }).catch(() => undefined);
            throw tooLarge();
          }
          text = await readAtMost(response.body, MAX_TRACE_BYTES);
        }
      } catch (err) {
        if (err instanceof AppError) throw err;
        if (signal.aborted || /TIMEOUT/.test((err as { code?: string }).code ?? '')) {
          throw unavailable(`Jaeger (${base.origin}) did not answer within ${timeoutMs} ms.`, err);
        }
        throw unavailable(`Jaeger (${base.origin}) is not reachable: ${(err as { code?: string }).code ?? (err as Error).message}.`, err);
      }
      if (status === 404) return undefined;
      if (status !== 200) throw unavailable(`Jaeger (${base.origin}) answered ${status} for the trace.`);
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch (err) {
        throw unavailable('Jaeger answered with something that is not JSON.', err);
      }
      if (!checkResponse.Check(body)) throw unavailable('Jaeger answered JSON of an unexpected shape (not { data: [trace] }).');
      const trace = body.data?.[0];
      return trace === undefined || trace.spans.length === 0 ? undefined : trace;
    },
    close: () => pool.close(),
  };
}

function tooLarge(): AppError {
  return new AppError({ code: 'TRACE_TOO_LARGE', status: 422, detail: `The trace is larger than the console reads (${MAX_TRACE_BYTES / 1024 / 1024} MiB of Jaeger JSON).` });
}

/** The body as text, or TRACE_TOO_LARGE past `limit` bytes (the rest is not read). */
async function readAtMost(body: AsyncIterable<Buffer> & { destroy(): void }, limit: number): Promise<string> {
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
