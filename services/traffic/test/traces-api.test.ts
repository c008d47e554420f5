import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { waitFor } from '@orderlab/platform/testing';
import type { RecentTraces } from '../src/trace-records.js';
import type { Waterfall } from '../src/trace-waterfall.js';
import { startFakeJaeger, orderTrace } from './support/fake-jaeger.js';
import { startFakeTarget } from './support/fake-target.js';
import { startTraffic, type TestTraffic } from './support/traffic.js';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';

async function recentWhere(traffic: TestTraffic, label: string, check: (r: RecentTraces) => boolean): Promise<RecentTraces> {
  return waitFor(label, async () => {
    const recent = (await (await fetch(`${traffic.url}/api/traces/recent`)).json()) as RecentTraces;
    return check(recent) ? recent : undefined;
  }, { timeoutMs: 15_000, intervalMs: 100 });
}

/** GET /api/traces/{id}: status, headers and the parsed body. */
async function getTrace(traffic: TestTraffic, id: string) {
  const res = await fetch(`${traffic.url}/api/traces/${id}`);
  return { status: res.status, type: res.headers.get('content-type') ?? '', retryAfter: res.headers.get('retry-after'), body: (await res.json()) as Record<string, unknown> };
}

describe('GET /api/traces/recent', () => {
  it('lists the slowest and the failed requests with the trace ids the target answered', async (t) => {
    const target = await startFakeTarget({ failRoute: 'GET /api/v1/notifications' });
    t.after(() => target.close());
    const traffic = await startTraffic(t, { TARGET_URL: target.url, STEADY_RATE: '60' });

    const recent = await recentWhere(traffic, 'slow and failed requests', (r) => r.slowest.length >= 10 && r.failed.length >= 3);
    assert.equal(recent.windowSeconds, 300);
    assert.equal(recent.responses.untraced, 0);
    assert.ok(recent.responses.traced >= recent.slowest.length);
    for (const row of [...recent.slowest, ...recent.failed]) {
      // Each trace id is one the target sent for a request of that route.
      assert.equal(target.traces.get(row.traceId!), `${row.method} ${row.route}`, JSON.stringify(row));
      assert.ok(Date.now() - Date.parse(row.time) < 60_000);
    }
    const durations = recent.slowest.map((r) => r.durationMs);
    assert.deepEqual(durations, [...durations].sort((a, b) => b - a));
    assert.ok(recent.failed.every((r) => r.status === 500 && r.journey === 'read-notifications' && r.route === '/api/v1/notifications'));
  });

  it('ignores a malformed traceresponse: the rows have no trace, and the count says so', async (t) => {
    const target = await startFakeTarget({ traceresponse: 'malformed' });
    t.after(() => target.close());
    const traffic = await startTraffic(t, { TARGET_URL: target.url, STEADY_RATE: '50' });
    const recent = await recentWhere(traffic, 'responses', (r) => r.slowest.length >= 5);
    assert.ok(recent.slowest.every((r) => r.traceId === null));
    assert.equal(recent.responses.traced, 0);
    assert.ok(recent.responses.untraced >= 5);
  });

  it('lists timeouts among the failed requests, without a trace', async (t) => {
    const target = await startFakeTarget({ hang: true });
    t.after(() => target.close());
    const traffic = await startTraffic(t, { TARGET_URL: target.url, STEADY_RATE: '20', REQUEST_TIMEOUT_MS: '200' });
    const recent = await recentWhere(traffic, 'timeouts', (r) => r.failed.length >= 3);
    assert.ok(recent.failed.every((r) => r.outcome === 'timeout' && r.status === null && r.traceId === null));
    assert.deepEqual(recent.slowest, []);
  });
});

describe('GET /api/traces/{traceId}', () => {
  it('answers the trace from Jaeger as a waterfall', async (t) => {
    const target = await startFakeTarget();
    t.after(() => target.close());
    const jaeger = await startFakeJaeger();
    t.after(() => jaeger.close());
    jaeger.traces.set(TRACE_ID, orderTrace(TRACE_ID));
    const traffic = await startTraffic(t, { TARGET_URL: target.url, TRAFFIC_MODE: 'pause', TRACES_QUERY_URL: jaeger.url });

    const res = await getTrace(traffic, TRACE_ID.toUpperCase());
    assert.equal(res.status, 200);
    assert.match(res.type, /^application\/json/);
    const model = res.body as unknown as Waterfall;
    assert.equal(model.traceId, TRACE_ID);
    assert.deepEqual(model.services.map((s) => s.name), ['gateway', 'orders', 'fulfillment', 'notifications']);
    assert.deepEqual(model.spans.map((s) => s.depth), [0, 1, 2, 3, 3, 4, 0]);
    assert.equal(model.spans[5]!.error, true);
    assert.equal(model.spans[6]!.missingParent, true);
    assert.equal(model.durationMs, 195);
    assert.deepEqual(jaeger.asked, [TRACE_ID]);
  });

  it('refuses a malformed trace id with 400 and does not ask Jaeger', async (t) => {
    const target = await startFakeTarget();
    t.after(() => target.close());
    const jaeger = await startFakeJaeger();
    t.after(() => jaeger.close());
    const traffic = await startTraffic(t, { TARGET_URL: target.url, TRAFFIC_MODE: 'pause', TRACES_QUERY_URL: jaeger.url });
    for (const bad of ['xyz', '0'.repeat(32), `${TRACE_ID}0`, TRACE_ID.slice(4), 'a'.repeat(64), '..%2F..%2Fapi']) {
      const res = await getTrace(traffic, bad);
      assert.equal(res.status, 400, bad);
      assert.match(res.type, /^application\/problem\+json/);
      assert.equal(res.body.code, 'VALIDATION_FAILED');
    }
    const res = await getTrace(traffic, 'xyz');
    assert.match(String(res.body.detail), /32 hexadecimal digits/);
    assert.deepEqual(res.body.errors, [{ in: 'path', pointer: '#/traceId', detail: 'must be a W3C trace id: 32 hexadecimal digits, not all zeros' }]);
    assert.deepEqual(jaeger.asked, []);
  });

  it('answers 404 while Jaeger does not have the trace', async (t) => {
    const target = await startFakeTarget();
    t.after(() => target.close());
    const jaeger = await startFakeJaeger();
    t.after(() => jaeger.close());
    const traffic = await startTraffic(t, { TARGET_URL: target.url, TRAFFIC_MODE: 'pause', TRACES_QUERY_URL: jaeger.url });
    const res = await getTrace(traffic, TRACE_ID);
    assert.equal(res.status, 404);
    assert.match(res.type, /^application\/problem\+json/);
    assert.equal(res.body.code, 'TRACE_NOT_FOUND');
    assert.match(String(res.body.detail), /within a few seconds/);
    // Once the spans arrive, the same URL answers the trace.
    jaeger.traces.set(TRACE_ID, orderTrace(TRACE_ID));
    assert.equal((await getTrace(traffic, TRACE_ID)).status, 200);
  });

  it('answers 503 with Retry-After when Jaeger is down, failing, garbled or too slow — never a 500', async (t) => {
    const target = await startFakeTarget();
    t.after(() => target.close());
    const down = await startFakeJaeger();
    await down.close(); // nothing listens on its port any more
    const jaeger = await startFakeJaeger();
    t.after(() => jaeger.close());
    const viaDown = await startTraffic(t, { TARGET_URL: target.url, TRAFFIC_MODE: 'pause', TRACES_QUERY_URL: down.url });
    const traffic = await startTraffic(t, { TARGET_URL: target.url, TRAFFIC_MODE: 'pause', TRACES_QUERY_URL: jaeger.url });

    const unreachable = await getTrace(viaDown, TRACE_ID);
    assert.equal(unreachable.status, 503);
    assert.match(String(unreachable.body.detail), /not reachable: ECONNREFUSED/);

    jaeger.behaviour = 'fail';
    const failing = await getTrace(traffic, TRACE_ID);
    assert.match(String(failing.body.detail), /answered 500/);
    jaeger.behaviour = 'garbage';
    const garbled = await getTrace(traffic, TRACE_ID);
    assert.match(String(garbled.body.detail), /not JSON/);
    jaeger.behaviour = 'hang';
    const slow = await getTrace(traffic, TRACE_ID);
    assert.match(String(slow.body.detail), /did not answer within 3000 ms/);

    for (const res of [unreachable, failing, garbled, slow]) {
      assert.equal(res.status, 503);
      assert.match(res.type, /^application\/problem\+json/);
      assert.equal(res.body.code, 'DEPENDENCY_UNAVAILABLE');
      assert.equal(res.retryAfter, '2');
    }
  });
});
