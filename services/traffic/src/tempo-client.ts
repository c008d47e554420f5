/**
 * Reads one trace from Grafana Tempo's trace-by-id API (`GET {TRACES_QUERY_URL}/api/v2/traces/{traceId}`),
 * the Compose lab's trace store, and maps its OTLP JSON onto the console's trace model (Jaeger's
 * JSON) the way Jaeger itself translates OTLP: the parent becomes a CHILD_OF reference, links
 * FOLLOWS_FROM references, the kind a `span.kind` tag, the status `otel.status_code` (+ `error`),
 * the scope `otel.scope.name`, events logs with an `event` field. So both stores draw the same
 * waterfall. Bounded and fault-handled by trace-store.ts.
 *
 * Tempo 3.0.3 answers `{ trace: { resourceSpans: [...] }, metrics, status?, message? }`, written
 * by gogo/protobuf's jsonpb (its modules/frontend/combiner; checked against a Tempo 3.0.3 built
 * from its tag): ids are bytes, so base64; 64-bit integers (times, intValue) are strings; enums
 * are names (SPAN_KIND_SERVER, STATUS_CODE_ERROR); zero values are left out; an unknown id is
 * 200 `{ trace: {}, metrics: {} }`. The OTLP/JSON spec's forms (hex ids, numeric enums, numbers)
 * are read too.
 */
import Type, { type Static } from 'typebox';
import { Compile } from 'typebox/compile';
import type { JaegerKeyValue, JaegerSpan, JaegerTrace } from './jaeger-client.js';
import { createStoreHttp, type TraceStoreClient, type TraceStoreClientOptions } from './trace-store.js';

/** A 64-bit integer as jsonpb writes it (a string) or as a number. */
const Int64 = Type.Union([Type.String({ pattern: '^-?[0-9]+$' }), Type.Integer()]);

/** OTLP's AnyValue: one of the fields (arrays and maps nest, so their contents are not checked here). */
const OtlpAnyValue = Type.Object({
  stringValue: Type.Optional(Type.String()),
  boolValue: Type.Optional(Type.Boolean()),
  intValue: Type.Optional(Int64),
  // jsonpb writes NaN and the infinities as strings.
  doubleValue: Type.Optional(Type.Union([Type.Number(), Type.String()])),
  arrayValue: Type.Optional(Type.Object({ values: Type.Optional(Type.Array(Type.Unknown())) })),
  kvlistValue: Type.Optional(Type.Object({ values: Type.Optional(Type.Array(Type.Unknown())) })),
  bytesValue: Type.Optional(Type.String()),
});
const OtlpKeyValue = Type.Object({ key: Type.String(), value: Type.Optional(OtlpAnyValue) });
const OtlpAttributes = Type.Optional(Type.Array(OtlpKeyValue));
/** An enum as its name (jsonpb) or its number (the OTLP/JSON spec). */
const OtlpEnum = Type.Union([Type.String(), Type.Integer()]);

const OtlpSpan = Type.Object({
  traceId: Type.Optional(Type.String()),
  spanId: Type.String(),
  parentSpanId: Type.Optional(Type.String()),
  name: Type.Optional(Type.String()),
  kind: Type.Optional(OtlpEnum),
  startTimeUnixNano: Type.Optional(Int64),
  endTimeUnixNano: Type.Optional(Int64),
  attributes: OtlpAttributes,
  events: Type.Optional(Type.Array(Type.Object({ timeUnixNano: Type.Optional(Int64), name: Type.Optional(Type.String()), attributes: OtlpAttributes }))),
  links: Type.Optional(Type.Array(Type.Object({ traceId: Type.String(), spanId: Type.String() }))),
  status: Type.Optional(Type.Object({ code: Type.Optional(OtlpEnum), message: Type.Optional(Type.String()) })),
});

const OtlpResourceSpans = Type.Object({
  resource: Type.Optional(Type.Object({ attributes: OtlpAttributes })),
  scopeSpans: Type.Optional(
    Type.Array(Type.Object({ scope: Type.Optional(Type.Object({ name: Type.Optional(Type.String()), version: Type.Optional(Type.String()) })), spans: Type.Optional(Type.Array(OtlpSpan)) })),
  ),
});

/** Tempo's answer to GET /api/v2/traces/{traceId}; `status: PARTIAL` when it cut the trace at its size limit. */
export const TempoTraceResponseSchema = Type.Object({
  // Always written, `{}` when Tempo found nothing: its absence means this is not Tempo's answer.
  trace: Type.Object({ resourceSpans: Type.Optional(Type.Array(OtlpResourceSpans)) }),
  status: Type.Optional(OtlpEnum),
  message: Type.Optional(Type.String()),
});
export type TempoTraceResponse = Static<typeof TempoTraceResponseSchema>;
type OtlpAnyValue = Static<typeof OtlpAnyValue>;
type OtlpKeyValue = Static<typeof OtlpKeyValue>;
const checkResponse = Compile(TempoTraceResponseSchema);

/** OTLP's enums, by number and by the lower-case name Jaeger gives the kind. */
const SPAN_KINDS = ['', 'internal', 'server', 'client', 'producer', 'consumer'];
const STATUS_CODES = ['', 'OK', 'ERROR'];

/** A bounded client of Tempo's trace-by-id API; connections open on the first request. */
export function createTempoClient(options: TraceStoreClientOptions): TraceStoreClient {
  const http = createStoreHttp('Tempo', options);
  return {
    storeName: 'Tempo',
    async getTrace(traceId) {
      const body = await http.getJson(`/api/v2/traces/${traceId}`);
      if (body === undefined) return undefined;
      if (!checkResponse.Check(body)) throw http.unavailable('Tempo answered JSON of an unexpected shape (not { trace: { resourceSpans } }).');
      try {
        return tempoTraceToModel(body, traceId);
      } catch (err) {
        throw http.unavailable(`Tempo answered a trace the console cannot read: ${(err as Error).message}.`, err);
      }
    },
    close: () => http.close(),
  };
}

/**
 * Tempo's OTLP trace as the console's trace model (Jaeger's JSON), or undefined when it has no
 * span (Tempo answers an id it does not have with an empty trace). Throws on an id it cannot
 * read. `traceId` is the lower-case id asked for.
 */
export function tempoTraceToModel(response: TempoTraceResponse, traceId: string): JaegerTrace | undefined {
  const processes: JaegerTrace['processes'] = {};
  const spans: JaegerSpan[] = [];
  (response.trace.resourceSpans ?? []).forEach((resourceSpans, index) => {
    const processID = `p${index + 1}`;
    const resource = toTags(resourceSpans.resource?.attributes);
    const serviceTag = resource.find((t) => t.key === 'service.name');
    processes[processID] = { serviceName: serviceTag ? String(serviceTag.value) : 'unknown_service', tags: resource.filter((t) => t !== serviceTag) };
    for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
      const scopeTags: JaegerKeyValue[] = [];
      if (scopeSpans.scope?.name) scopeTags.push(stringTag('otel.scope.name', scopeSpans.scope.name));
      if (scopeSpans.scope?.version) scopeTags.push(stringTag('otel.scope.version', scopeSpans.scope.version));
      for (const span of scopeSpans.spans ?? []) spans.push(toSpan(span, traceId, processID, scopeTags));
    }
  });
  if (spans.length === 0) return undefined;
  const partial = response.status === 'PARTIAL' || response.status === 1;
  return { traceID: traceId, spans, processes, warnings: partial ? [response.message ?? 'Tempo answered part of the trace.'] : null };
}

function toSpan(span: Static<typeof OtlpSpan>, traceId: string, processID: string, scopeTags: JaegerKeyValue[]): JaegerSpan {
  const spanTraceId = span.traceId ? toHexId(span.traceId, 16, 'traceId') : traceId;
  const references: JaegerSpan['references'] = [];
  if (span.parentSpanId) references.push({ refType: 'CHILD_OF', traceID: spanTraceId, spanID: toHexId(span.parentSpanId, 8, 'parentSpanId') });
  for (const link of span.links ?? []) references.push({ refType: 'FOLLOWS_FROM', traceID: toHexId(link.traceId, 16, 'link traceId'), spanID: toHexId(link.spanId, 8, 'link spanId') });

  const tags = [...toTags(span.attributes), ...scopeTags];
  const kind = enumName(span.kind, SPAN_KINDS, 'SPAN_KIND_').toLowerCase();
  if (kind !== '' && kind !== 'unspecified') tags.push(stringTag('span.kind', kind));
  const status = enumName(span.status?.code, STATUS_CODES, 'STATUS_CODE_');
  if (status === 'OK' || status === 'ERROR') tags.push(stringTag('otel.status_code', status));
  if (status === 'ERROR') tags.push({ key: 'error', type: 'bool', value: true });
  if (span.status?.message) tags.push(stringTag('otel.status_description', span.status.message));
  tags.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));

  const startNs = nanos(span.startTimeUnixNano);
  const endNs = nanos(span.endTimeUnixNano);
  return {
    traceID: spanTraceId,
    spanID: toHexId(span.spanId, 8, 'spanId'),
    operationName: span.name ?? '',
    references,
    startTime: micros(startNs),
    duration: endNs > startNs ? micros(endNs - startNs) : 0,
    tags,
    logs: (span.events ?? []).map((event) => ({
      timestamp: micros(nanos(event.timeUnixNano)),
      fields: [stringTag('event', event.name ?? 'event'), ...toTags(event.attributes)],
    })),
    processID,
    warnings: null,
  };
}

/** An id as lower-case hex: hex as the OTLP/JSON spec writes it, or base64 as jsonpb writes bytes. */
function toHexId(value: string, bytes: number, field: string): string {
  if (value.length === bytes * 2 && /^[0-9a-fA-F]+$/.test(value)) return value.toLowerCase();
  const decoded = Buffer.from(value, 'base64');
  // Buffer.from skips characters that are not base64: a round trip tells a real id from noise.
  if (decoded.length === bytes && decoded.toString('base64').replace(/=+$/, '') === value.replace(/=+$/, '')) return decoded.toString('hex');
  throw new Error(`${field} ${JSON.stringify(value.slice(0, 48))} is neither ${bytes * 2} hex digits nor ${bytes} bytes of base64`);
}

/** An enum's name without its prefix ("SERVER", "ERROR"), from the name or the number. */
function enumName(value: string | number | undefined, byNumber: string[], prefix: string): string {
  if (value === undefined) return '';
  if (typeof value === 'number') return (byNumber[value] ?? '').toUpperCase();
  return value.startsWith(prefix) ? value.slice(prefix.length) : value.toUpperCase();
}

function nanos(value: string | number | undefined): bigint {
  return value === undefined ? 0n : BigInt(value);
}

/** Whole µs, as Jaeger keeps times (truncated). */
function micros(ns: bigint): number {
  return Number(ns / 1000n);
}

function stringTag(key: string, value: string): JaegerKeyValue {
  return { key, type: 'string', value };
}

/** OTLP attributes as Jaeger tags: typed scalars; arrays and maps as JSON text, as Jaeger shows them. */
function toTags(attributes: OtlpKeyValue[] | undefined): JaegerKeyValue[] {
  return (attributes ?? []).map(({ key, value }) => {
    const v: OtlpAnyValue = value ?? {};
    if (v.stringValue !== undefined) return stringTag(key, v.stringValue);
    if (v.boolValue !== undefined) return { key, type: 'bool', value: v.boolValue };
    if (v.intValue !== undefined) {
      // Beyond 2^53 a number would lose digits: kept as text, as Jaeger's JSON does.
      const n = Number(v.intValue);
      return { key, type: 'int64', value: Number.isSafeInteger(n) ? n : String(v.intValue) };
    }
    if (v.doubleValue !== undefined) return { key, type: 'float64', value: typeof v.doubleValue === 'number' ? v.doubleValue : String(v.doubleValue) };
    if (v.bytesValue !== undefined) return { key, type: 'binary', value: v.bytesValue };
    if (v.arrayValue !== undefined) return stringTag(key, JSON.stringify((v.arrayValue.values ?? []).map(plain)));
    if (v.kvlistValue !== undefined) return stringTag(key, JSON.stringify(Object.fromEntries((v.kvlistValue.values ?? []).map((kv) => [(kv as OtlpKeyValue).key, plain((kv as OtlpKeyValue).value)]))));
    return stringTag(key, '');
  });
}

/** A nested AnyValue as a plain JSON value. */
function plain(value: unknown): unknown {
  const v = (value ?? {}) as OtlpAnyValue;
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.intValue !== undefined) return Number.isSafeInteger(Number(v.intValue)) ? Number(v.intValue) : String(v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.bytesValue !== undefined) return v.bytesValue;
  if (v.arrayValue !== undefined) return (v.arrayValue.values ?? []).map(plain);
  if (v.kvlistValue !== undefined) return Object.fromEntries((v.kvlistValue.values ?? []).map((kv) => [(kv as OtlpKeyValue).key, plain((kv as OtlpKeyValue).value)]));
  return null;
}
