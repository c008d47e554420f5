import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { waitFor } from '@orderlab/platform/testing';
import type { ModeView, TrafficStatus } from '../src/traffic-generator.js';
import { startFakeTarget } from './support/fake-target.js';
import { startTraffic } from './support/traffic.js';

/** Waits for a status that satisfies `check`, and returns it. */
function statusWhere(traffic: { status(): Promise<TrafficStatus> }, label: string, check: (s: TrafficStatus) => boolean, timeoutMs = 15_000): Promise<TrafficStatus> {
  return waitFor(label, async () => {
    const s = await traffic.status();
    return check(s) ? s : undefined;
  }, { timeoutMs, intervalMs: 100 });
}

const failures = (s: TrafficStatus) => s.responses.total['4xx'] + s.responses.total['5xx'] + s.responses.total.timeout + s.responses.total.error;

describe('traffic service against a fake edge', () => {
  it('steady against a healthy target: every journey, order retries replayed, zero errors', async (t) => {
    const target = await startFakeTarget();
    t.after(() => target.close());
    const traffic = await startTraffic(t, { TARGET_URL: target.url, STEADY_RATE: '80', ORDER_RETRY_RATIO: '0.3' });

    const s = await statusWhere(traffic, 'every kind of request to have been answered', (s) =>
      Object.values(s.journeys).every((j) => j.outcomes['2xx'] >= 3),
    );
    assert.equal(failures(s), 0, JSON.stringify(s.responses));
    assert.deepEqual(target.invalid, []);
    assert.ok(s.replayed >= 3 && target.replays() >= 3);
    assert.equal(s.dropped.total, 0);
    assert.ok(s.latencyMs.p99 !== null && s.memory.products > 0 && s.memory.orders > 0);
    // Counters are labelled by route template, never by an id.
    assert.deepEqual(new Set(Object.values(s.journeys).map((j) => j.route)), new Set([
      'GET /api/v1/products', 'GET /api/v1/products/{id}', 'POST /api/v1/orders', 'GET /api/v1/orders/{id}', 'GET /api/v1/notifications',
    ]));
  });

  it('a mode switch by POST changes GET /mode and the achieved rate', async (t) => {
    const target = await startFakeTarget();
    t.after(() => target.close());
    const traffic = await startTraffic(t, { TARGET_URL: target.url, STEADY_RATE: '20' });
    await statusWhere(traffic, 'about 20 req/s', (s) => s.achievedRate !== null && Math.abs(s.achievedRate - 20) <= 5);

    const res = await traffic.setMode('steady', { rate: 150 });
    assert.equal(res.status, 200);
    assert.deepEqual(((await res.json()) as ModeView).params, { rate: 150 });
    const mode = await traffic.mode();
    assert.equal(mode.mode, 'steady');
    assert.deepEqual(mode.params, { rate: 150 });
    const before = target.total();
    const s = await statusWhere(traffic, 'about 150 req/s over two whole seconds', (s) =>
      s.achievedRate !== null && Math.abs(s.achievedRate - 150) <= 30 && Date.now() - Date.parse(s.since) >= 3000,
    );
    assert.equal(s.targetRate, 150);
    assert.ok(target.total() - before >= 300, `the target saw ${target.total() - before}`);

    const burst = (await (await traffic.setMode('burst')).json()) as ModeView;
    assert.deepEqual(burst.params, { baseRate: 20, peakRate: 100, periodMs: 30_000, durationMs: 5000 });
    assert.equal((await traffic.status()).targetRate, 100); // a burst starts with its peak
  });

  it('pause sends nothing: the target sees zero requests', async (t) => {
    const target = await startFakeTarget();
    t.after(() => target.close());
    const traffic = await startTraffic(t, { TARGET_URL: target.url, STEADY_RATE: '100' });
    await statusWhere(traffic, 'traffic to flow', (s) => s.sent.total >= 50);

    assert.equal((await traffic.setMode('pause')).status, 200);
    const paused = await statusWhere(traffic, 'requests in flight to finish', (s) => s.inFlight === 0);
    const seen = target.total();
    assert.equal(seen, paused.sent.total);
    const s = await statusWhere(traffic, 'two whole seconds of pause', (s) => s.achievedRate === 0 && Date.now() - Date.parse(s.since) >= 2500);
    assert.equal(s.targetRate, 0);
    assert.equal(s.sent.total, paused.sent.total);
    assert.equal(target.total(), seen);
  });

  it('overload against a target that fails above 60 req/s: saturated, and the rate is held', async (t) => {
    const target = await startFakeTarget({ failAboveRate: 60 });
    t.after(() => target.close());
    const traffic = await startTraffic(t, { TARGET_URL: target.url, TRAFFIC_MODE: 'pause' });
    const res = await traffic.setMode('overload', { startRate: 20, stepRate: 20, stepIntervalMs: 1500, maxRate: 400, errorRatio: 0.05, p99Ms: 2000 });
    assert.equal(res.status, 200);

    const s = await statusWhere(traffic, 'saturation', (s) => s.overload?.saturated === true, 30_000);
    const rate = s.overload!.saturationRate!;
    assert.ok(rate >= 60 && rate <= 120, `saturated at ${rate}`);
    assert.match(s.overload!.reason!, /failed ratio/);
    assert.equal(s.targetRate, rate);
    // Two more step intervals later the ramp has not moved.
    const held = await statusWhere(traffic, 'two more steps', (h) => h.uptimeSeconds >= s.uptimeSeconds + 3);
    assert.equal(held.targetRate, rate);
    assert.equal(held.overload!.step, s.overload!.step);
    assert.equal(held.overload!.saturated, true);
    assert.ok(held.responses.total['5xx'] > 0);
  });

  it('drops arrivals (counted, not queued) while a hanging target holds MAX_IN_FLIGHT requests', async (t) => {
    const target = await startFakeTarget({ hang: true });
    t.after(() => target.close());
    const traffic = await startTraffic(t, {
      TARGET_URL: target.url, STEADY_RATE: '50', MAX_IN_FLIGHT: '5', REQUEST_TIMEOUT_MS: '60000', SHUTDOWN_TIMEOUT_MS: '1000',
    });
    const s = await statusWhere(traffic, 'dropped arrivals', (s) => s.dropped.total >= 20);
    assert.equal(s.inFlight, 5);
    assert.equal(s.sent.total, 5);
    assert.ok(s.dropped.window >= 20);
    await waitFor('the five requests at the target', () => target.total() === 5);
    // Stop with requests hanging: the drain deadline passes and the pool is destroyed, stop() still returns.
    await traffic.service.stop();
    assert.ok(traffic.logs.lines().some((l) => l.msg === 'requests still running at the drain deadline; aborting them'));
  });

  it('counts timeouts when the target is slower than REQUEST_TIMEOUT_MS', async (t) => {
    const target = await startFakeTarget({ delayMs: 1000 });
    t.after(() => target.close());
    const traffic = await startTraffic(t, { TARGET_URL: target.url, STEADY_RATE: '20', REQUEST_TIMEOUT_MS: '200' });
    const s = await statusWhere(traffic, 'timeouts', (s) => s.responses.total.timeout >= 5);
    assert.equal(s.responses.total['2xx'], 0);
    assert.ok(s.errorRatio === 1);
  });

  it('counts connection errors when nothing listens at the target', async (t) => {
    const target = await startFakeTarget();
    await target.close();
    const traffic = await startTraffic(t, { TARGET_URL: target.url, STEADY_RATE: '20' });
    const s = await statusWhere(traffic, 'connection errors', (s) => s.responses.total.error >= 5);
    assert.equal(s.responses.total['2xx'], 0);
  });

  it('stop() lets requests in flight finish, and sends nothing after it began', async (t) => {
    const target = await startFakeTarget({ delayMs: 300 });
    t.after(() => target.close());
    const traffic = await startTraffic(t, { TARGET_URL: target.url, STEADY_RATE: '100' });
    await statusWhere(traffic, 'requests in flight', (s) => s.inFlight >= 10);
    const ready = await fetch(`${traffic.url}/readyz`);
    assert.equal(ready.status, 200);
    const stopping = traffic.service.stop();
    const sentAtStop = traffic.service.generator.status().sent.total;
    await stopping;
    const s = traffic.service.generator.status();
    assert.equal(s.inFlight, 0);
    assert.equal(s.sent.total, sentAtStop);
    assert.equal(s.responses.total['2xx'], s.sent.total);
    assert.equal(target.total(), s.sent.total);
  });
});

describe('control API', () => {
  it('answers bad input with problem+json: unknown field, wrong type, bad JSON, inconsistent parameters, unknown mode, wrong method', async (t) => {
    const target = await startFakeTarget();
    t.after(() => target.close());
    const traffic = await startTraffic(t, { TARGET_URL: target.url, TRAFFIC_MODE: 'pause' });
    const post = (path: string, body: string, type = 'application/json') =>
      fetch(`${traffic.url}${path}`, { method: 'POST', headers: { 'content-type': type }, body });
    const cases: [Promise<Response>, number, string][] = [
      [post('/mode/steady', '{"rate":10,"extra":1}'), 400, '#/extra'],
      [post('/mode/steady', '{"rate":"fast"}'), 400, '#/rate'],
      [post('/mode/steady', '{"rate":-1}'), 400, '#/rate'],
      [post('/mode/pause', '{"rate":1}'), 400, '#/rate'],
      [post('/mode/overload', '{"errorRatio":2}'), 400, '#/errorRatio'],
      [post('/mode/burst', '{"durationMs":60000,"periodMs":30000}'), 400, '#/durationMs'],
      [post('/mode/steady', '{"rate":'), 400, 'MALFORMED_JSON'],
      [post('/mode/steady', 'rate=1', 'application/x-www-form-urlencoded'), 415, 'UNSUPPORTED_MEDIA_TYPE'],
      [post('/mode/storm', '{}'), 404, 'NOT_FOUND'],
      [fetch(`${traffic.url}/mode/steady`), 405, 'METHOD_NOT_ALLOWED'],
    ];
    for (const [pending, status, mark] of cases) {
      const res = await pending;
      const text = await res.text();
      assert.equal(res.status, status, text);
      assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
      assert.ok(text.includes(mark), `${mark} in ${text}`);
    }
    // Nothing of that changed the mode.
    assert.equal((await traffic.mode()).mode, 'pause');
  });

  it('serves the status page, /healthz and /readyz', async (t) => {
    const target = await startFakeTarget();
    t.after(() => target.close());
    const traffic = await startTraffic(t, { TARGET_URL: target.url, TRAFFIC_MODE: 'pause' });
    const page = await fetch(traffic.url);
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    const html = await page.text();
    assert.ok(!/<script[^>]+src=|<link[^>]+href=/.test(html), 'nothing is loaded from elsewhere');
    for (const mode of ['steady', 'burst', 'overload', 'pause']) assert.ok(html.includes(`data-mode="${mode}"`));
    assert.equal((await fetch(`${traffic.url}/healthz`)).status, 200);
    assert.equal((await fetch(`${traffic.url}/readyz`)).status, 200);
  });
});
