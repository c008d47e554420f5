/**
 * A fake of Grafana Tempo's trace-by-id API (another service's boundary) for the console's tests:
 * `GET /api/v2/traces/{traceId}` answers the traces it was given as Tempo 3.0.3 writes them
 * (gogo/protobuf jsonpb: base64 ids, 64-bit integers as strings, enum names, zero values left
 * out), and an id it does not have as 200 `{"trace":{},"metrics":{}}` — both read off a Tempo
 * 3.0.3 built from its source tag. `notFoundAs: '404'` answers 404 instead (older Tempos, and
 * the querier's own path, do), which the console must read the same way.
 * Behaviours: answer, fail with 500, answer garbage, or hang.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TempoTraceResponse } from '../../src/tempo-client.js';
import type { SpanSpec } from './fake-jaeger.js';
import { ORDER_TRACE_SPECS } from './fake-jaeger.js';

export interface FakeTempo {
  url: string;
  /** Answers by trace id (lower-case); the test adds them. */
  traces: Map<string, TempoTraceResponse>;
  /** Asked for an id not in `traces`: an answer, or undefined for "not found". */
  resolve?: (traceId: string) => TempoTraceResponse | undefined;
  /** How an unknown id is answered: Tempo 3.0.3's 200 with an empty trace, or a 404. */
  notFoundAs: 'empty' | '404';
  /** Paths asked for, in order. */
  asked: string[];
  behaviour: 'answer' | 'fail' | 'garbage' | 'hang';
  close(): Promise<void>;
}

/** Starts the fake on 127.0.0.1:0. */
export async function startFakeTempo(): Promise<FakeTempo> {
  const traces = new Map<string, TempoTraceResponse>();
  const asked: string[] = [];
  const fake: FakeTempo = { url: '', traces, asked, notFoundAs: 'empty', behaviour: 'answer', close: async () => {} };

  function text(res: ServerResponse, status: number, body: string): void {
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(body);
  }

  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://fake').pathname;
    const match = /^\/api\/v2\/traces\/([^/?]+)$/.exec(path);
    if (req.method !== 'GET' || match === null) return text(res, 404, '404 page not found\n');
    const id = match[1]!;
    asked.push(path);
    if (fake.behaviour === 'hang') return;
    if (fake.behaviour === 'fail') return text(res, 500, 'failed to query the live store\n');
    if (fake.behaviour === 'garbage') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>placeholder</html>');
      return;
    }
    if (!/^[0-9a-fA-F]{1,32}$/.test(id)) return text(res, 400, `invalid trace id: ${id}\n`);
    const key = id.toLowerCase().padStart(32, '0');
    const trace = traces.get(key) ?? fake.resolve?.(key);
    if (!trace) {
      if (fake.notFoundAs === '404') return text(res, 404, 'trace not found\n');
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ trace: {}, metrics: {} }));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(trace));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return fake;
}

const base64 = (hex: string) => Buffer.from(hex, 'hex').toString('base64');
const SPAN_KINDS = { internal: 'SPAN_KIND_INTERNAL', server: 'SPAN_KIND_SERVER', client: 'SPAN_KIND_CLIENT', producer: 'SPAN_KIND_PRODUCER', consumer: 'SPAN_KIND_CONSUMER' } as const;

function anyValue(value: string | number | boolean) {
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  return Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value };
}

/** The spans of `specs` as Tempo answers them: one resourceSpans per service, times in ns from `startUs`. */
export function tempoTrace(traceId: string, specs: SpanSpec[], startUs = Date.now() * 1000): TempoTraceResponse {
  const services = [...new Set(specs.map((s) => s.service))];
  const ns = (us: number) => (BigInt(startUs) * 1000n + BigInt(Math.round(us * 1000))).toString();
  return {
    trace: {
      resourceSpans: services.map((service) => ({
        resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }, { key: 'service.version', value: { stringValue: '0.1.0' } }] },
        scopeSpans: [
          {
            scope: {},
            spans: specs
              .filter((s) => s.service === service)
              .map((s) => ({
                traceId: base64(traceId),
                spanId: base64(s.id),
                ...(s.parent === undefined ? {} : { parentSpanId: base64(s.parent) }),
                name: s.name,
                kind: SPAN_KINDS[s.kind],
                startTimeUnixNano: ns(s.startMs * 1000),
                endTimeUnixNano: ns((s.startMs + s.durationMs) * 1000),
                ...(s.tags ? { attributes: Object.entries(s.tags).map(([key, value]) => ({ key, value: anyValue(value) })) } : {}),
                // Tempo writes an empty status for a span whose status is unset.
                status: s.error ? { code: 'STATUS_CODE_ERROR' } : {},
              })),
          },
        ],
      })),
    },
    metrics: {},
  } as TempoTraceResponse;
}

/** ORDER_TRACE_SPECS as Tempo answers them. */
export function orderTempoTrace(traceId: string, startUs?: number): TempoTraceResponse {
  return tempoTrace(traceId, ORDER_TRACE_SPECS, startUs);
}
