import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LatencyHistogram } from '../src/latency-histogram.js';
import { statusClass, WindowStats } from '../src/window-stats.js';
import { seededRandom } from './support/seeded-random.js';

function within(actual: number | null, expected: number, relative: number): void {
  assert.ok(actual !== null && Math.abs(actual - expected) <= expected * relative, `${actual} not within ${relative * 100} % of ${expected}`);
}

describe('LatencyHistogram', () => {
  it('gives percentiles within 5 % of the exact ones', () => {
    const h = new LatencyHistogram();
    const random = seededRandom(7);
    const samples = Array.from({ length: 20_000 }, () => Math.exp(random() * 8)); // 1 ms … 3 s, log-uniform
    for (const s of samples) h.record(s);
    const sorted = [...samples].sort((a, b) => a - b);
    for (const p of [50, 95, 99]) within(h.percentile(p), sorted[Math.ceil((p / 100) * sorted.length) - 1]!, 0.05);
    assert.equal(h.count, 20_000);
  });

  it('never reports more than the largest sample, and null when empty', () => {
    const h = new LatencyHistogram();
    assert.equal(h.percentile(99), null);
    h.record(3);
    assert.equal(h.percentile(50), 3);
    h.record(0);
    h.record(10_000_000);
    assert.equal(h.percentile(100), 10_000_000);
  });
});

describe('WindowStats', () => {
  it('keeps only the last windowSeconds seconds', () => {
    const w = new WindowStats(10);
    for (let s = 0; s < 30; s++) {
      for (let i = 0; i < 10; i++) {
        w.recordSent(s * 1000 + i);
        w.recordOutcome(s * 1000 + i, s < 20 ? '5xx' : '2xx', s < 20 ? 1000 : 10);
      }
    }
    const summary = w.summary(29_500);
    assert.equal(summary.sent, 100);
    assert.deepEqual(summary.outcomes, { '2xx': 100, '3xx': 0, '4xx': 0, '5xx': 0, timeout: 0, error: 0 });
    assert.equal(summary.latencyMs.p99, 10);
    // Nothing recorded since: the window empties.
    const later = w.summary(60_000);
    assert.equal(later.sent, 0);
    assert.equal(later.latencyMs.p50, null);
  });

  it('sliding-window percentiles move with the window', () => {
    const w = new WindowStats(5);
    for (let s = 0; s < 5; s++) for (let i = 1; i <= 100; i++) w.recordOutcome(s * 1000, '2xx', i);
    within(w.summary(4_000).latencyMs.p50, 50, 0.05);
    within(w.summary(4_000).latencyMs.p95, 95, 0.05);
    for (let s = 5; s < 10; s++) for (let i = 1; i <= 100; i++) w.recordOutcome(s * 1000, '2xx', i * 10);
    within(w.summary(9_000).latencyMs.p50, 500, 0.05);
    within(w.summary(9_000).latencyMs.p99, 990, 0.05);
  });

  it('sentRate counts whole seconds since the mode switch, null before the first one', () => {
    const w = new WindowStats(10);
    for (let t = 0; t < 20_000; t += 10) w.recordSent(t); // 100/s
    assert.equal(w.sentRate(20_000, 0), 100);
    assert.equal(w.sentRate(20_000, 19_500), null);
    assert.equal(w.sentRate(20_500, 18_200), 100); // seconds 19 only
    assert.equal(w.sentRate(25_000, 0), 50); // seconds 15–24, of which 5 sent nothing
  });

  it('classifies statuses', () => {
    assert.deepEqual([200, 201, 304, 404, 422, 500, 503].map(statusClass), ['2xx', '2xx', '3xx', '4xx', '4xx', '5xx', '5xx']);
  });
});
