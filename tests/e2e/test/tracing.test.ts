/**
 * Tracing end to end, with the real OpenTelemetry Collector and Jaeger the lab builds and
 * supervises: one order placed through the edge with a client's `traceparent` is one trace in
 * Jaeger, from the gateway through orders, the outbox, the Redis stream, the worker and RabbitMQ to
 * notifications, with no span whose parent is missing; its log lines carry its trace id and
 * Prometheus holds its exemplars. Then the two promises about cost: losing the Collector or
 * Jaeger fails and slows no request, and TRACING_ENABLED=false turns every bit of it off.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { describe, it } from 'node:test';
import type { Lab } from '@orderlab/lab';
import { notificationsOf } from './events-helpers.js';
import { eventually, http, labFor, productIds } from './helpers.js';

/** The fast fulfillment of these tests (the simulated pick, pack and ship delays). */
const QUICK_FULFILLMENT = { FULFILLMENT_PICK_MS: '20', FULFILLMENT_PACK_MS: '20', FULFILLMENT_SHIP_MS: '20' };

interface JaegerSpan {
  traceID: string;
  spanID: string;
  operationName: string;
  references: { refType: string; spanID: string }[];
  processID: string;
  tags: { key: string; value: unknown }[];
}

interface Span {
  service: string;
  name: string;
  id: string;
  parent: string | undefined;
  links: string[];
  tags: Record<string, unknown>;
}

/** The trace as Jaeger's query API has it now ([] while it has none). */
async function jaegerTrace(lab: Lab, traceId: string): Promise<Span[]> {
  const res = await fetch(`${lab.urls.tracing!.jaegerQuery}/api/traces/${traceId}`, { signal: AbortSignal.timeout(5_000) });
  if (res.status === 404) return [];
  const text = await res.text();
  assert.equal(res.status, 200, text);
  const body = JSON.parse(text) as { data: { spans: JaegerSpan[]; processes: Record<string, { serviceName: string }> }[] };
  const trace = body.data[0];
  if (trace === undefined) return [];
  return trace.spans.map((s) => ({
    service: trace.processes[s.processID]?.serviceName ?? '?',
    name: s.operationName,
    id: s.spanID,
    parent: s.references.find((r) => r.refType === 'CHILD_OF')?.spanID,
    links: s.references.filter((r) => r.refType === 'FOLLOWS_FROM').map((r) => r.spanID),
    tags: Object.fromEntries(s.tags.map((t) => [t.key, t.value])),
  }));
}

/** The spans of `service` named `name` (a string: exactly; a RegExp: matching). */
function find(spans: Span[], service: string, name: string | RegExp): Span[] {
  return spans.filter((s) => s.service === service && (typeof name === 'string' ? s.name === name : name.test(s.name)));
}

const CREATE_ORDER = 'orderlab.orders.v1.OrderService/CreateOrder';
const COMPLETE_FULFILLMENT = 'orderlab.orders.v1.OrderService/CompleteFulfillment';

/** What one fulfilled and twice-notified order's trace must hold before it is judged. */
function complete(spans: Span[]): boolean {
  return (
    find(spans, 'gateway', 'POST /api/v1/orders').length === 1 &&
    find(spans, 'gateway', CREATE_ORDER).length === 1 &&
    find(spans, 'orders', CREATE_ORDER).length === 1 &&
    find(spans, 'fulfillment', 'process fulfillment:requests').length === 1 &&
    find(spans, 'fulfillment', COMPLETE_FULFILLMENT).length === 1 &&
    find(spans, 'orders', COMPLETE_FULFILLMENT).length === 1 &&
    find(spans, 'orders', 'send orderlab.events').length === 2 &&
    find(spans, 'notifications', 'process notifications').length === 2 &&
    find(spans, 'fulfillment', 'XACK').length === 1
  );
}

describe('tracing with the real Collector and Jaeger', () => {
  it('an order through the edge with a client traceparent is one trace, edge to notifications, joined by its logs and exemplars', async (t) => {
    // The generator runs paused: the console is up (its traces view reads Jaeger), no traffic.
    const lab = await labFor(t, 'tracing', {
      tracing: true,
      prometheus: true,
      traffic: true,
      env: { fulfillment: QUICK_FULFILLMENT, traffic: { TRAFFIC_MODE: 'pause' } },
    });
    await lab.waitTracing();
    const [product] = await productIds(lab, 1);

    const traceId = randomBytes(16).toString('hex');
    const clientSpanId = randomBytes(8).toString('hex');
    const created = await http(lab.urls.edge, 'POST', '/api/v1/orders', {
      body: { customerId: 'cust-trace', items: [{ productId: product, quantity: 1 }] },
      headers: { 'idempotency-key': randomUUID(), traceparent: `00-${traceId}-${clientSpanId}-01` },
    });
    assert.equal(created.status, 201, created.text);
    const serverSpanId = new RegExp(`^00-${traceId}-([0-9a-f]{16})-01$`).exec(created.headers.get('traceresponse') ?? '')?.[1];
    assert.ok(serverSpanId, `traceresponse names the client's trace: ${created.headers.get('traceresponse')}`);
    const orderId = String(created.json().id);
    await eventually('order.created and order.fulfilled notifications', async () => (await notificationsOf(lab, orderId)).length >= 2);

    const spans = await eventually('the whole trace in Jaeger', async () => {
      const found = await jaegerTrace(lab, traceId);
      return complete(found) ? found : undefined;
    }, 60_000);
    const byId = new Map(spans.map((s) => [s.id, s]));
    const tree = spans.map((s) => `${s.service}: ${s.name}`).sort().join('\n');

    // One tree: the only parent missing is the client's own span, the gateway's server span's parent.
    const orphans = spans.filter((s) => s.parent === undefined || !byId.has(s.parent));
    assert.deepEqual(orphans.map((s) => [s.service, s.name, s.parent]), [['gateway', 'POST /api/v1/orders', clientSpanId]], tree);
    const root = orphans[0]!;
    assert.equal(root.id, serverSpanId, 'traceresponse names the server span');
    assert.equal(root.tags['http.route'], '/api/v1/orders');

    const parentOf = (s: Span) => byId.get(s.parent ?? '');
    // gateway → orders over gRPC; orders' queries inside its server span.
    const [createServer] = find(spans, 'orders', CREATE_ORDER);
    assert.ok(createServer, tree);
    assert.equal(parentOf(createServer)?.service, 'gateway');
    assert.ok(spans.some((s) => s.service === 'orders' && s.tags['db.system.name'] === 'postgresql' && s.parent === createServer.id), 'orders queries Postgres inside CreateOrder');

    // The outbox: the relay's producer spans are children of the call that wrote the rows.
    const [streamSend] = find(spans, 'orders', 'send fulfillment:requests');
    assert.ok(streamSend, tree);
    assert.equal(streamSend.parent, createServer.id, 'the stream producer span continues CreateOrder (from the outbox row)');
    assert.equal(streamSend.tags['messaging.system'], 'redis');
    assert.equal(streamSend.tags['messaging.operation.type'], 'send');
    assert.equal(streamSend.tags['messaging.destination.name'], 'fulfillment:requests');
    assert.equal(streamSend.links.length, 1, "it links the relay's round");
    const busSends = find(spans, 'orders', 'send orderlab.events');
    assert.equal(busSends.length, 2, tree);
    assert.deepEqual(busSends.map((s) => s.tags['messaging.rabbitmq.destination.routing_key']).sort(), ['order.created', 'order.fulfilled']);
    for (const send of busSends) assert.equal(send.tags['messaging.system'], 'rabbitmq');

    // The worker: its consumer span is the stream producer's child, and its call back is inside it.
    const [consume] = find(spans, 'fulfillment', 'process fulfillment:requests');
    assert.ok(consume, tree);
    assert.equal(consume.parent, streamSend.id);
    assert.equal(consume.tags['messaging.operation.type'], 'process');
    const [completeClient] = find(spans, 'fulfillment', COMPLETE_FULFILLMENT);
    assert.equal(completeClient?.parent, consume.id, 'CompleteFulfillment is called inside the consumer span');
    const [completeServer] = find(spans, 'orders', COMPLETE_FULFILLMENT);
    assert.equal(completeServer?.parent, completeClient.id);
    const fulfilledSend = busSends.find((s) => s.tags['messaging.rabbitmq.destination.routing_key'] === 'order.fulfilled');
    assert.equal(fulfilledSend?.parent, completeServer.id, 'order.fulfilled continues CompleteFulfillment');

    // notifications: each consumer span is the child of its event's producer span.
    for (const process of find(spans, 'notifications', 'process notifications')) {
      assert.equal(parentOf(process)?.name, 'send orderlab.events');
      assert.equal(process.tags['messaging.system'], 'rabbitmq');
    }

    // Every service's log lines of this order carry its trace id.
    for (const service of ['gateway', 'orders', 'fulfillment', 'notifications'] as const) {
      const lines = lab.logLines(service).filter((l) => l.trace_id === traceId);
      assert.ok(lines.length > 0, `${service} logged the order with its trace id`);
      for (const line of lines) assert.match(String(line.span_id), /^[0-9a-f]{16}$/);
    }

    // The console draws the same trace from Jaeger: every service, the client's span the only missing parent.
    const waterfall = await http(lab.urls.traffic, 'GET', `/api/traces/${traceId}`);
    assert.equal(waterfall.status, 200, waterfall.text);
    const model = waterfall.json() as { spans: unknown[]; missingParentCount: number; services: { name: string }[] };
    assert.equal(model.spans.length, spans.length);
    assert.equal(model.missingParentCount, 1);
    assert.deepEqual(model.services.map((s) => s.name).sort(), ['fulfillment', 'gateway', 'notifications', 'orders']);

    // Prometheus keeps exemplars of the request histograms that lead to this trace.
    const prometheus = lab.urls.prometheus;
    assert.ok(prometheus, 'the lab runs Prometheus');
    await eventually('an exemplar of the order in Prometheus', async () => {
      const end = Date.now() / 1000;
      const url = `${prometheus}/api/v1/query_exemplars?query=${encodeURIComponent('http_server_request_duration_seconds_bucket{job="gateway"}')}&start=${end - 600}&end=${end}`;
      const answer = (await (await fetch(url)).json()) as { data: { exemplars: { labels: Record<string, string> }[] }[] };
      return answer.data.some((series) => series.exemplars.some((e) => e.labels.trace_id === traceId));
    }, 60_000);
  });

  it('losing the Collector or Jaeger fails no request, and the spans it could not take are counted', async (t) => {
    const lab = await labFor(t, 'tracing_loss', { tracing: true, env: { fulfillment: QUICK_FULFILLMENT } });
    await lab.waitTracing();
    const ids = await productIds(lab, 5);
    // The slowest request seen: an export that blocked a request would take its whole 5 s
    // timeout, so a bound far above a normal order (tens of ms) but below that tells them apart.
    let slowestMs = 0;
    const place = async (i: number) => {
      const started = performance.now();
      const res = await http(lab.urls.edge, 'POST', '/api/v1/orders', {
        body: { customerId: `cust-loss-${i}`, items: [{ productId: ids[i % ids.length], quantity: 1 }] },
        headers: { 'idempotency-key': randomUUID() },
      });
      slowestMs = Math.max(slowestMs, performance.now() - started);
      return res.status;
    };
    const collector = lab.traceBackends['otel-collector'];
    const jaeger = lab.traceBackends.jaeger;
    assert.ok(collector?.pid && jaeger?.pid, 'both backends run');

    // A hung Collector (stopped, not dead: its socket accepts, nothing answers) is the worst case
    // for the exporters: every export waits for its timeout. Requests must not notice.
    process.kill(collector.pid, 'SIGSTOP');
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 60; i++) statuses.push(await place(i));
      assert.deepEqual([...new Set(statuses)], [201], 'every order accepted while the Collector hangs');
      assert.ok(slowestMs < 2_500, `no request waited for the hung Collector (slowest ${slowestMs.toFixed(0)} ms; an export times out after 5 s)`);
      await eventually('spans lost to the hung Collector to be counted', async () => {
        const text = await (await fetch(`${lab.urls.gateway}/metrics`)).text();
        const failed = Number(/otel_sdk_exporter_span_exported_total\{error_type="export_failed"\} (\d+)/.exec(text)?.[1] ?? 0);
        return failed > 0;
      }, 60_000);
    } finally {
      process.kill(collector.pid, 'SIGCONT');
    }

    // Jaeger killed (a crash: the supervisor restarts it); meanwhile the Collector's queue holds the spans.
    await jaeger.kill('SIGKILL', { autoRestart: true });
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) statuses.push(await place(100 + i));
    assert.deepEqual([...new Set(statuses)], [201], 'every order accepted while Jaeger is away');
    assert.ok(slowestMs < 2_500, `no request waited for Jaeger (slowest ${slowestMs.toFixed(0)} ms)`);
    await eventually('Jaeger restarted by the supervisor', async () => (await fetch(`${lab.urls.tracing!.jaegerQuery}/api/services`).catch(() => undefined))?.status === 200, 60_000);

    // And tracing works again: a new order's trace reaches the restarted Jaeger.
    const traceId = randomBytes(16).toString('hex');
    const res = await http(lab.urls.edge, 'POST', '/api/v1/orders', {
      body: { customerId: 'cust-after', items: [{ productId: ids[0], quantity: 1 }] },
      headers: { 'idempotency-key': randomUUID(), traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` },
    });
    assert.equal(res.status, 201);
    await eventually('the new trace in the restarted Jaeger', async () => (await jaegerTrace(lab, traceId)).length > 0, 60_000);
  });

  it('with tracing off no span is made or sent, no log line has a trace id, and no response a traceresponse', async (t) => {
    const lab = await labFor(t, 'tracing_off', { tracing: false, env: { fulfillment: QUICK_FULFILLMENT } });
    assert.equal(lab.tracingStatus(), 'off');
    assert.equal(lab.urls.tracing, undefined, 'neither the Collector nor Jaeger runs');
    const [product] = await productIds(lab, 1);
    const created = await http(lab.urls.edge, 'POST', '/api/v1/orders', {
      body: { customerId: 'cust-off', items: [{ productId: product, quantity: 1 }] },
      headers: { 'idempotency-key': randomUUID(), traceparent: `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01` },
    });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.headers.get('traceresponse'), null);
    const orderId = String(created.json().id);
    await eventually('order.created and order.fulfilled notifications', async () => (await notificationsOf(lab, orderId)).length >= 2);

    for (const service of ['gateway', 'orders', 'fulfillment', 'notifications'] as const) {
      const pid = lab.services[service].pid;
      assert.ok(pid, `${service} runs`);
      // The hook is on every service's command line; with TRACING_ENABLED=false it loads nothing.
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      assert.ok(cmdline.some((arg) => arg.endsWith('tracing/register.js')), `${service} starts with the tracing hook: ${cmdline.join(' ')}`);
      assert.ok(!lab.logLines(service).some((l) => 'trace_id' in l), `${service} logs no trace ids`);
    }
    for (const url of [lab.urls.gateway, lab.urls.ordersOps, lab.urls.fulfillmentOps, lab.urls.notifications]) {
      const text = await (await fetch(`${url}/metrics`)).text();
      assert.doesNotMatch(text, /otel_sdk_/, `${url}: no tracing SDK runs`);
    }
  });
});
