import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ROUTES, type PlannedRequest, type RequestKind } from '../src/journeys.js';
import type { RequestOutcome } from '../src/target-client.js';
import { FAILED_COUNT, SLOWEST_COUNT, SLOWEST_WINDOW_MS, TraceRecords } from '../src/trace-records.js';
import { statusClass } from '../src/window-stats.js';

const WALL = Date.parse('2026-12-07T12:00:00.000Z');
const request = (kind: RequestKind = 'view-product', path = '/api/v1/products/p1'): PlannedRequest => ({ kind, method: 'GET', path, headers: {}, readBody: false });
const answered = (status: number, latencyMs: number, traceId?: string): RequestOutcome => ({
  outcome: statusClass(status),
  status,
  latencyMs,
  replayed: false,
  ...(traceId === undefined ? {} : { traceId }),
});
const traceId = (n: number) => n.toString(16).padStart(32, '0');

describe('trace records', () => {
  it('lists the slowest responses of the window, slowest first, with what a row shows', () => {
    const records = new TraceRecords({ wallOffsetMs: WALL, routes: ROUTES });
    for (let i = 1; i <= 1000; i++) records.record(i, request(), answered(200, i % 100 === 0 ? 1000 + i : i % 50, traceId(i)));
    const { slowest } = records.recent(2000);
    assert.equal(slowest.length, SLOWEST_COUNT);
    assert.deepEqual(slowest.slice(0, 10).map((r) => r.durationMs), [2000, 1900, 1800, 1700, 1600, 1500, 1400, 1300, 1200, 1100]);
    assert.ok(slowest.slice(10).every((r) => r.durationMs === 49));
    assert.deepEqual(slowest[0], {
      time: '2026-12-07T12:00:01.000Z',
      journey: 'view-product',
      method: 'GET',
      route: '/api/v1/products/{id}',
      path: '/api/v1/products/p1',
      status: 200,
      outcome: '2xx',
      durationMs: 2000,
      traceId: traceId(1000),
    });
  });

  it('forgets slow requests older than the window', () => {
    const records = new TraceRecords({ wallOffsetMs: WALL, routes: ROUTES });
    records.record(1_000, request(), answered(200, 5_000, traceId(1)));
    records.record(SLOWEST_WINDOW_MS - 1_000, request(), answered(200, 10, traceId(2)));
    assert.deepEqual(records.recent(SLOWEST_WINDOW_MS).slowest.map((r) => r.traceId), [traceId(1), traceId(2)]);
    assert.deepEqual(records.recent(SLOWEST_WINDOW_MS + 2_000).slowest.map((r) => r.traceId), [traceId(2)]);
    assert.deepEqual(records.recent(3 * SLOWEST_WINDOW_MS).slowest, []);
  });

  it('keeps the last failed requests, newest first; a timeout or connection error is listed without a trace', () => {
    const records = new TraceRecords({ wallOffsetMs: WALL, routes: ROUTES });
    for (let i = 1; i <= FAILED_COUNT + 5; i++) records.record(i * 10, request('browse', '/api/v1/products?limit=10'), answered(503, 3, traceId(i)));
    records.record(400, request('place-order', '/api/v1/orders'), { outcome: 'timeout', latencyMs: 5000, replayed: false });
    records.record(410, request(), { outcome: 'error', latencyMs: 1, replayed: false, errorCode: 'ECONNREFUSED' });
    records.record(420, request(), answered(404, 2, traceId(99))); // a 4xx is the client's fault, not a failure
    const { failed } = records.recent(500);
    assert.equal(failed.length, FAILED_COUNT);
    assert.deepEqual(failed[0], {
      time: '2026-12-07T12:00:00.410Z', journey: 'view-product', method: 'GET', route: '/api/v1/products/{id}', path: '/api/v1/products/p1',
      status: null, outcome: 'error', durationMs: 1, traceId: null, errorCode: 'ECONNREFUSED',
    });
    assert.equal(failed[1]!.outcome, 'timeout');
    assert.equal(failed[1]!.traceId, null);
    assert.deepEqual(failed.slice(2).map((r) => r.traceId), Array.from({ length: FAILED_COUNT - 2 }, (_, i) => traceId(FAILED_COUNT + 5 - i)));
    assert.ok(failed.every((r) => r.status !== 404));
    // The timeout had no response: it is not among the slowest responses.
    assert.ok(records.recent(500).slowest.every((r) => r.status !== null));
  });

  it('counts responses with and without a trace, and lists an untraced one without a link', () => {
    const records = new TraceRecords({ wallOffsetMs: WALL, routes: ROUTES });
    records.record(1, request(), answered(200, 7));
    records.record(2, request(), answered(200, 3, traceId(5)));
    const recent = records.recent(10);
    assert.deepEqual(recent.responses, { traced: 1, untraced: 1 });
    assert.deepEqual(recent.slowest.map((r) => r.traceId), [null, traceId(5)]);
  });

  it('stays bounded under a long overload', () => {
    const records = new TraceRecords({ wallOffsetMs: WALL, routes: ROUTES, slowestCount: 5, failedCount: 3, windowMs: 60_000 });
    for (let i = 0; i < 200_000; i++) records.record(i * 5, request(), answered(i % 7 === 0 ? 500 : 200, (i * 7919) % 1000, traceId(i + 1)));
    const recent = records.recent(200_000 * 5);
    assert.equal(recent.slowest.length, 5);
    assert.ok(recent.slowest.every((r) => r.durationMs === 999));
    assert.equal(recent.failed.length, 3);
  });
});
