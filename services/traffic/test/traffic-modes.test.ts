import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ArrivalScheduler } from '../src/arrival-scheduler.js';
import { burstRateAt, paramProblems, type BurstParams } from '../src/traffic-modes.js';
import { FakeClock } from './support/seeded-random.js';

const burst: BurstParams = { baseRate: 20, peakRate: 100, periodMs: 30_000, durationMs: 5000 };

describe('burst shape', () => {
  it('peaks for durationMs at the start of every period, baseline otherwise', () => {
    assert.equal(burstRateAt(burst, 0), 100);
    assert.equal(burstRateAt(burst, 4999), 100);
    assert.equal(burstRateAt(burst, 5000), 20);
    assert.equal(burstRateAt(burst, 29_999), 20);
    assert.equal(burstRateAt(burst, 30_000), 100);
    assert.equal(burstRateAt(burst, 65_000), 20);
  });

  it('sends base × (period − duration) + peak × duration arrivals per period', () => {
    const clock = new FakeClock();
    const s = new ArrivalScheduler({ now: clock.now, rateAt: (t) => burstRateAt(burst, t), maxInFlight: 1e9, launch: () => Promise.resolve() });
    s.tick();
    const counts: number[] = [];
    for (let period = 0; period < 3; period++) {
      const before = s.launched;
      for (let i = 0; i < 30_000 / 5; i++) {
        clock.advance(5);
        s.tick();
      }
      counts.push(s.launched - before);
    }
    const expected = 20 * 25 + 100 * 5;
    for (const n of counts) assert.ok(Math.abs(n - expected) <= 1, `${n} vs ${expected}`);
  });
});

describe('mode parameters', () => {
  it('rejects a peak as long as the period and an overload start above its cap', () => {
    assert.deepEqual(paramProblems('burst', burst), []);
    assert.equal(paramProblems('burst', { ...burst, durationMs: 30_000 })[0]?.field, 'durationMs');
    const overload = { startRate: 50, stepRate: 10, stepIntervalMs: 1000, maxRate: 40, errorRatio: 0.05, p99Ms: 1000 };
    assert.equal(paramProblems('overload', overload)[0]?.field, 'startRate');
    assert.deepEqual(paramProblems('overload', { ...overload, maxRate: 50 }), []);
  });
});
