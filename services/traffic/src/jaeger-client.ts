/**
 * Reads one trace from Jaeger's query API (`GET {TRACES_QUERY_URL}/api/traces/{traceId}`), the
 * v1-style JSON that Jaeger v2 still serves (its Go module carries no UI; the console draws the
 * trace itself). This JSON is also the console's trace model: the Tempo client maps OTLP onto it.
 * Bounded and fault-handled by trace-store.ts.
 */
import Type, { type Static } from 'typebox';
import { Compile } from 'typebox/compile';
import { createStoreHttp, type TraceStoreClient, type TraceStoreClientOptions } from './trace-store.js';

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

/** A bounded client of Jaeger's query API; connections open on the first request. */
export function createJaegerClient(options: TraceStoreClientOptions): TraceStoreClient {
  const http = createStoreHttp('Jaeger', options);
  return {
    storeName: 'Jaeger',
    async getTrace(traceId) {
      const body = await http.getJson(`/api/traces/${traceId}`);
      if (body === undefined) return undefined;
      if (!checkResponse.Check(body)) throw http.unavailable('Jaeger answered JSON of an unexpected shape (not { data: [trace] }).');
      const trace = body.data?.[0];
      return trace === undefined || trace.spans.length === 0 ? undefined : trace;
    },
    close: () => http.close(),
  };
}

/** Jaeger's query API as the console uses it (any TraceStoreClient; kept for the package's exports). */
export type JaegerClient = TraceStoreClient;
