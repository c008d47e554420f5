/**
 * A fake of Jaeger's query API (another service's boundary) for the console's tests:
 * `GET /api/traces/{traceId}` answers the traces it was given in Jaeger's JSON, and the 404 and
 * 400 bodies Jaeger v2 (v1.75.0) answers. The shapes were read off the real binary: an OTLP trace
 * posted to its receiver and read back (test/fixtures/jaeger-trace.json is that answer).
 * Behaviours: answer, fail with 500, answer garbage, or hang.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JaegerTrace } from '../../src/jaeger-client.js';

export interface FakeJaeger {
  url: string;
  /** Traces by id (lower-case); the test adds them. */
  traces: Map<string, JaegerTrace>;
  /** Asked for an id not in `traces`: a trace to answer, or undefined for Jaeger's 404. */
  resolve?: (traceId: string) => JaegerTrace | undefined;
  /** Trace ids asked for, in order. */
  asked: string[];
  behaviour: 'answer' | 'fail' | 'garbage' | 'hang';
  close(): Promise<void>;
}

/** Starts the fake on 127.0.0.1:0. */
export async function startFakeJaeger(): Promise<FakeJaeger> {
  const traces = new Map<string, JaegerTrace>();
  const asked: string[] = [];
  const fake: FakeJaeger = { url: '', traces, asked, behaviour: 'answer', close: async () => {} };

  function json(res: ServerResponse, status: number, body: unknown): void {
    // Jaeger's query API sends its JSON as text/plain on errors and application/json on success.
    res.writeHead(status, { 'content-type': status === 200 ? 'application/json' : 'text/plain; charset=utf-8' });
    res.end(JSON.stringify(body));
  }
  const errors = (code: number, msg: string) => ({ data: null, total: 0, limit: 0, offset: 0, errors: [{ code, msg }] });

  const server = createServer((req, res) => {
    const match = /^\/api\/traces\/([^/?]+)$/.exec(new URL(req.url ?? '/', 'http://fake').pathname);
    if (req.method !== 'GET' || match === null) return json(res, 404, errors(404, '404 page not found'));
    const id = match[1]!;
    asked.push(id);
    if (fake.behaviour === 'hang') return;
    if (fake.behaviour === 'fail') return json(res, 500, errors(500, 'storage failure'));
    if (fake.behaviour === 'garbage') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>placeholder</html>');
      return;
    }
    if (!/^[0-9a-fA-F]{1,32}$/.test(id)) return json(res, 400, errors(400, `strconv.ParseUint: parsing "${id}": invalid syntax`));
    const key = id.toLowerCase().padStart(32, '0');
    const trace = traces.get(key) ?? fake.resolve?.(key);
    if (!trace) return json(res, 404, errors(404, 'trace not found'));
    json(res, 200, { data: [trace], total: 0, limit: 0, offset: 0, errors: null });
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

/** A span of jaegerTrace(): times in ms from the trace's start. */
export interface SpanSpec {
  id: string;
  parent?: string;
  service: string;
  name: string;
  kind: 'server' | 'client' | 'producer' | 'consumer' | 'internal';
  startMs: number;
  durationMs: number;
  error?: boolean;
  tags?: Record<string, string | number | boolean>;
}

/** A trace in Jaeger's JSON (as the real v1.75.0 answers it) from a few span specs. */
export function jaegerTrace(traceId: string, specs: SpanSpec[], startUs = Date.now() * 1000): JaegerTrace {
  const services = [...new Set(specs.map((s) => s.service))];
  const pid = (service: string) => `p${services.indexOf(service) + 1}`;
  const tag = (key: string, value: string | number | boolean) => ({
    key,
    type: typeof value === 'boolean' ? 'bool' : typeof value === 'number' ? (Number.isInteger(value) ? 'int64' : 'float64') : 'string',
    value,
  });
  return {
    traceID: traceId,
    spans: specs.map((s) => ({
      traceID: traceId,
      spanID: s.id,
      operationName: s.name,
      references: s.parent === undefined ? [] : [{ refType: 'CHILD_OF', traceID: traceId, spanID: s.parent }],
      startTime: startUs + Math.round(s.startMs * 1000),
      duration: Math.round(s.durationMs * 1000),
      tags: [
        ...Object.entries(s.tags ?? {}).map(([k, v]) => tag(k, v)),
        ...(s.error ? [tag('error', true), tag('otel.status_code', 'ERROR')] : []),
        tag('span.kind', s.kind),
      ],
      logs: [],
      processID: pid(s.service),
      warnings: null,
    })),
    processes: Object.fromEntries(services.map((service) => [pid(service), { serviceName: service, tags: [tag('service.version', '0.1.0')] }])),
    warnings: null,
  };
}

/** An order's trace as the lab records it: gateway, orders with Postgres, the relay and a worker (a failed consumer, an orphan). */
export const ORDER_TRACE_SPECS: SpanSpec[] = [
  { id: 'a000000000000001', service: 'gateway', name: 'POST /api/v1/orders', kind: 'server', startMs: 0, durationMs: 48, tags: { 'http.route': '/api/v1/orders', 'http.response.status_code': 201 } },
  { id: 'a000000000000002', parent: 'a000000000000001', service: 'gateway', name: 'orderlab.orders.v1.OrderService/CreateOrder', kind: 'client', startMs: 2, durationMs: 44 },
  { id: 'a000000000000003', parent: 'a000000000000002', service: 'orders', name: 'orderlab.orders.v1.OrderService/CreateOrder', kind: 'server', startMs: 3, durationMs: 42 },
  { id: 'a000000000000004', parent: 'a000000000000003', service: 'orders', name: 'INSERT orderlab.orders', kind: 'client', startMs: 6, durationMs: 9, tags: { 'db.system.name': 'postgresql' } },
  { id: 'a000000000000005', parent: 'a000000000000003', service: 'orders', name: 'send fulfillment:requests', kind: 'producer', startMs: 60, durationMs: 1.5, tags: { 'messaging.system': 'redis' } },
  { id: 'a000000000000006', parent: 'a000000000000005', service: 'fulfillment', name: 'process fulfillment:requests', kind: 'consumer', startMs: 75, durationMs: 120, error: true, tags: { 'messaging.destination.name': 'fulfillment:requests' } },
  { id: 'a000000000000007', parent: 'ffffffffffffffff', service: 'notifications', name: 'process orderlab.events', kind: 'consumer', startMs: 80, durationMs: 20 },
];

/** ORDER_TRACE_SPECS in Jaeger's JSON. */
export function orderTrace(traceId: string, startUs?: number): JaegerTrace {
  return jaegerTrace(traceId, ORDER_TRACE_SPECS, startUs);
}
