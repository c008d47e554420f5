import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import type { JaegerTrace } from '../src/jaeger-client.js';
import { toWaterfall } from '../src/trace-waterfall.js';
import { jaegerTrace, orderTrace } from './support/fake-jaeger.js';

/**
 * What Jaeger v2 (v1.75.0, in-memory store) answered to GET /api/traces/4bf92f…4736 after an OTLP
 * trace was posted to its receiver: two services, a span whose parent never arrived, an error
 * span with an exception event, a producer span with a link into another trace, an internal root.
 */
const FIXTURE = new URL('../../test/fixtures/jaeger-trace.json', import.meta.url);
const realTrace = async () => ((JSON.parse(await readFile(FIXTURE, 'utf8')) as { data: JaegerTrace[] }).data[0]!);

describe('trace waterfall', () => {
  it('draws the trace Jaeger really answers: tree order, offsets, kinds, errors, a missing parent', async () => {
    const model = toWaterfall(await realTrace());
    assert.equal(model.traceId, '4bf92f3577b34da6a3ce929d0e0e4736');
    assert.equal(model.spanCount, 6);
    assert.equal(model.durationMs, 42.5);
    assert.deepEqual(
      model.spans.map((s) => [s.depth, s.service, s.name, s.kind, s.startMs, s.durationMs]),
      [
        [0, 'gateway', 'POST /api/v1/orders', 'server', 0, 42.5],
        [1, 'gateway', 'orderlab.orders.v1.OrderService/CreateOrder', 'client', 2, 38],
        [2, 'orders', 'orderlab.orders.v1.OrderService/CreateOrder', 'server', 3, 36],
        [3, 'orders', 'INSERT orders', 'client', 5, 7],
        [3, 'orders', 'publish orderlab.events', 'producer', 20, 2],
        [0, 'orders', 'internal work', 'internal', 25, 1],
      ],
    );
    const [root, , , insert, publish, internal] = model.spans;
    assert.equal(root!.missingParent, true);
    assert.equal(root!.parentSpanId, 'a1a1a1a1a1a1a1a1');
    assert.equal(model.missingParentCount, 1);
    assert.equal(internal!.missingParent, false);
    assert.equal(internal!.parentSpanId, null);
    assert.equal(insert!.error, true);
    assert.equal(model.errorCount, 1);
    assert.equal(insert!.attributes['db.system.name'], 'postgresql');
    assert.deepEqual(insert!.events, [{ offsetMs: 11, name: 'exception', attributes: { 'exception.message': 'duplicate key', 'exception.type': 'Error' } }]);
    assert.deepEqual(publish!.links, [{ traceId: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', spanId: 'bbbbbbbbbbbbbbbb' }]);
    assert.match(root!.warnings[0]!, /invalid parent span IDs=a1a1a1a1a1a1a1a1/);
    assert.deepEqual(model.services.map((s) => [s.name, s.spanCount, s.errorCount]), [['gateway', 2, 0], ['orders', 4, 1]]);
    assert.equal(model.services[0]!.attributes['deployment.environment.name'], 'lab');
    assert.equal(model.startTime, new Date(1796683264775293 / 1000).toISOString());
  });

  it('orders children by start and places a consumer under its producer across services', () => {
    const model = toWaterfall(orderTrace('0af7651916cd43dd8448eb211c80319c'));
    assert.deepEqual(model.spans.map((s) => `${'  '.repeat(s.depth)}${s.service}`), [
      'gateway', '  gateway', '    orders', '      orders', '      orders', '        fulfillment', 'notifications',
    ]);
    assert.deepEqual(model.spans.filter((s) => s.missingParent).map((s) => s.service), ['notifications']);
    assert.deepEqual(model.spans.filter((s) => s.error).map((s) => s.service), ['fulfillment']);
  });

  it('lists every span once even when parents form a cycle, and cuts a huge trace', () => {
    const id = '0af7651916cd43dd8448eb211c80319c';
    const cycle = toWaterfall(jaegerTrace(id, [
      { id: 'b000000000000001', parent: 'b000000000000002', service: 'x', name: 'one', kind: 'internal', startMs: 0, durationMs: 1 },
      { id: 'b000000000000002', parent: 'b000000000000001', service: 'x', name: 'two', kind: 'internal', startMs: 1, durationMs: 1 },
    ]));
    assert.deepEqual(cycle.spans.map((s) => s.name).sort(), ['one', 'two']);
    const many = Array.from({ length: 50 }, (_, i) => ({ id: (i + 1).toString(16).padStart(16, '0'), service: 'x', name: `s${i}`, kind: 'internal' as const, startMs: i, durationMs: 1 }));
    const cut = toWaterfall(jaegerTrace(id, many), 10);
    assert.equal(cut.truncated, true);
    assert.equal(cut.spans.length, 10);
    assert.equal(cut.spanCount, 50);
  });
});
