import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Waterfall } from '../src/trace-waterfall.js';
import { orderTrace, startFakeJaeger } from './support/fake-jaeger.js';
import { orderTempoTrace, startFakeTempo } from './support/fake-tempo.js';
import { startFakeTarget } from './support/fake-target.js';
import { startTraffic, type TestTraffic } from './support/traffic.js';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';

/** GET /api/traces/{id}: status, headers and the parsed body. */
async function getTrace(traffic: TestTraffic, id: string) {
  const res = await fetch(`${traffic.url}/api/traces/${id}`);
  return { status: res.status, type: res.headers.get('content-type') ?? '', retryAfter: res.headers.get('retry-after'), body: (await res.json()) as Record<string, unknown> };
}

/** The console reading a fake Tempo, as Compose runs it (TRACES_QUERY_API=tempo). */
async function consoleOnTempo(t: Parameters<typeof startTraffic>[0]) {
  const target = await startFakeTarget();
  t.after(() => target.close());
  const tempo = await startFakeTempo();
  t.after(() => tempo.close());
  const traffic = await startTraffic(t, { TARGET_URL: target.url, TRAFFIC_MODE: 'pause', TRACES_QUERY_API: 'tempo', TRACES_QUERY_URL: tempo.url });
  return { target, tempo, traffic };
}

describe('GET /api/traces/{traceId} with TRACES_QUERY_API=tempo', () => {
  it('answers the same waterfall from Tempo as from Jaeger for the same trace', async (t) => {
    const { target, tempo, traffic } = await consoleOnTempo(t);
    const jaeger = await startFakeJaeger();
    t.after(() => jaeger.close());
    const onJaeger = await startTraffic(t, { TARGET_URL: target.url, TRAFFIC_MODE: 'pause', TRACES_QUERY_URL: jaeger.url });
    const startUs = 1_796_683_264_775_293;
    tempo.traces.set(TRACE_ID, orderTempoTrace(TRACE_ID, startUs));
    jaeger.traces.set(TRACE_ID, orderTrace(TRACE_ID, startUs));

    const fromTempo = await getTrace(traffic, TRACE_ID.toUpperCase());
    assert.equal(fromTempo.status, 200);
    assert.match(fromTempo.type, /^application\/json/);
    const model = fromTempo.body as unknown as Waterfall;
    assert.deepEqual(model.services.map((s) => s.name), ['gateway', 'orders', 'fulfillment', 'notifications']);
    assert.deepEqual(model.spans.map((s) => s.depth), [0, 1, 2, 3, 3, 4, 0]);
    assert.equal(model.spans[5]!.error, true);
    assert.equal(model.spans[6]!.missingParent, true);
    assert.equal(model.durationMs, 195);
    assert.deepEqual(model, (await getTrace(onJaeger, TRACE_ID)).body);
    // Tempo is asked on its v2 trace-by-id path, with the id in lower case.
    assert.deepEqual(tempo.asked, [`/api/v2/traces/${TRACE_ID}`]);
  });

  it('refuses a malformed trace id with 400 and does not ask Tempo', async (t) => {
    const { tempo, traffic } = await consoleOnTempo(t);
    for (const bad of ['xyz', '0'.repeat(32), TRACE_ID.slice(4)]) {
      const res = await getTrace(traffic, bad);
      assert.equal(res.status, 400, bad);
      assert.equal(res.body.code, 'VALIDATION_FAILED');
    }
    assert.deepEqual(tempo.asked, []);
  });

  it('answers 404 while Tempo does not have the trace, whether Tempo sends an empty trace (3.0.3) or says 404', async (t) => {
    const { tempo, traffic } = await consoleOnTempo(t);
    for (const notFoundAs of ['empty', '404'] as const) {
      tempo.notFoundAs = notFoundAs;
      const res = await getTrace(traffic, TRACE_ID);
      assert.equal(res.status, 404, notFoundAs);
      assert.match(res.type, /^application\/problem\+json/);
      assert.equal(res.body.code, 'TRACE_NOT_FOUND');
      assert.match(String(res.body.detail), /^Tempo has no trace 4bf92f3577b34da6a3ce929d0e0e4736 \(yet\): spans arrive within a few seconds/);
    }
    // Once the spans arrive, the same URL answers the trace.
    tempo.traces.set(TRACE_ID, orderTempoTrace(TRACE_ID));
    assert.equal((await getTrace(traffic, TRACE_ID)).status, 200);
  });

  it('answers 503 with Retry-After when Tempo is down, failing, garbled, unreadable or too slow — never a 500', async (t) => {
    const down = await startFakeTempo();
    await down.close(); // nothing listens on its port any more
    const { target, tempo, traffic } = await consoleOnTempo(t);
    const viaDown = await startTraffic(t, { TARGET_URL: target.url, TRAFFIC_MODE: 'pause', TRACES_QUERY_API: 'tempo', TRACES_QUERY_URL: down.url });

    const unreachable = await getTrace(viaDown, TRACE_ID);
    assert.match(String(unreachable.body.detail), /^Tempo \(http:\/\/127\.0\.0\.1:\d+\) is not reachable: ECONNREFUSED/);
    tempo.behaviour = 'fail';
    const failing = await getTrace(traffic, TRACE_ID);
    assert.match(String(failing.body.detail), /^Tempo \(http:\/\/127\.0\.0\.1:\d+\) answered 500/);
    tempo.behaviour = 'garbage';
    const garbled = await getTrace(traffic, TRACE_ID);
    assert.match(String(garbled.body.detail), /Tempo answered with something that is not JSON/);
    tempo.behaviour = 'answer';
    tempo.traces.set(TRACE_ID, { data: [] } as never);
    tempo.resolve = () => ({ trace: { resourceSpans: [{ scopeSpans: [{ spans: [{ spanId: 'not an id!' }] }] }] } });
    const jaegerShaped = await getTrace(traffic, TRACE_ID);
    assert.match(String(jaegerShaped.body.detail), /unexpected shape/);
    tempo.traces.clear();
    const unreadable = await getTrace(traffic, TRACE_ID);
    assert.match(String(unreadable.body.detail), /Tempo answered a trace the console cannot read: spanId "not an id!"/);
    tempo.behaviour = 'hang';
    const slow = await getTrace(traffic, TRACE_ID);
    assert.match(String(slow.body.detail), /^Tempo \(http:\/\/127\.0\.0\.1:\d+\) did not answer within 3000 ms/);

    for (const res of [unreachable, failing, garbled, jaegerShaped, unreadable, slow]) {
      assert.equal(res.status, 503);
      assert.match(res.type, /^application\/problem\+json/);
      assert.equal(res.body.code, 'DEPENDENCY_UNAVAILABLE');
      assert.equal(res.retryAfter, '2');
    }
  });

  it('answers 422 for a trace beyond 16 MiB of JSON, without reading it all', async (t) => {
    const { tempo, traffic } = await consoleOnTempo(t);
    // 2,000 spans with a 9 KiB attribute each: about 18 MiB, a size Tempo itself could hold.
    const huge = orderTempoTrace(TRACE_ID);
    const spans = huge.trace.resourceSpans![0]!.scopeSpans![0]!.spans!;
    const template = spans[0]!;
    spans.length = 0;
    for (let i = 0; i < 2_000; i += 1) {
      spans.push({ ...template, spanId: Buffer.from(i.toString(16).padStart(16, '0'), 'hex').toString('base64'), attributes: [{ key: 'db.query.text', value: { stringValue: 'x'.repeat(9 * 1024) } }] });
    }
    tempo.traces.set(TRACE_ID, huge);
    const res = await getTrace(traffic, TRACE_ID);
    assert.equal(res.status, 422);
    assert.equal(res.body.code, 'TRACE_TOO_LARGE');
    assert.match(String(res.body.detail), /16 MiB of Tempo JSON/);
  });
});
