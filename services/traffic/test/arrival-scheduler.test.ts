import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ArrivalScheduler, MAX_CATCH_UP_MS } from '../src/arrival-scheduler.js';
import { FakeClock, seededRandom } from './support/seeded-random.js';

/** A scheduler on a fake clock whose requests complete at once (or never, with hold). */
function scheduler(rateAt: (t: number) => number, { maxInFlight = 1_000_000, hold = false } = {}) {
  const clock = new FakeClock(1000);
  const pending: (() => void)[] = [];
  const s = new ArrivalScheduler({
    now: clock.now,
    rateAt,
    maxInFlight,
    launch: () => (hold ? new Promise<void>((resolve) => pending.push(resolve)) : Promise.resolve()),
  });
  s.tick(); // the first tick only sets the origin
  return {
    s,
    clock,
    /** Advances simulated time in ticks of tickMs (or the given jittered sizes). */
    run(ms: number, tickMs: number | (() => number) = 5) {
      let left = ms;
      while (left > 0) {
        const step = Math.min(left, typeof tickMs === 'number' ? tickMs : tickMs());
        clock.advance(step);
        s.tick();
        left -= step;
      }
    },
    release() {
      for (const resolve of pending.splice(0)) resolve();
    },
  };
}

describe('ArrivalScheduler', () => {
  for (const rate of [10, 100, 333.3, 2000]) {
    it(`starts rate × time arrivals at ${rate} req/s, whatever the tick size`, () => {
      const fixed = scheduler(() => rate);
      fixed.run(10_000, 5);
      assert.equal(fixed.s.launched, Math.floor(rate * 10));

      const random = seededRandom(rate);
      const jittered = scheduler(() => rate);
      jittered.run(10_000, () => 1 + random() * 20);
      // Floating-point sums of the fractions can be a hair under a whole arrival.
      assert.ok(Math.abs(jittered.s.launched - rate * 10) <= 1, `${jittered.s.launched} vs ${rate * 10}`);
    });
  }

  it('launches several arrivals in one tick when that many are due (no timer per request)', () => {
    const h = scheduler(() => 2000);
    h.run(50, 50);
    assert.equal(h.s.launched, 100);
  });

  it('follows a rate that changes over time (the integral, not the last value)', () => {
    const h = scheduler((t) => (t < 6000 ? 50 : 200));
    h.run(10_000);
    assert.ok(Math.abs(h.s.launched - (50 * 5 + 200 * 5)) <= 1, String(h.s.launched));
  });

  it('sends nothing at rate 0, and resetDue() forgets a carried fraction', () => {
    let rate = 0.5;
    const h = scheduler(() => rate);
    h.run(1900);
    assert.equal(h.s.launched, 0); // 0.95 of an arrival carried
    h.s.resetDue();
    rate = 0;
    h.run(10_000);
    assert.equal(h.s.launched, 0);
  });

  it('drops (and counts) arrivals while maxInFlight requests run, instead of queueing them', () => {
    const drops: number[] = [];
    const clock = new FakeClock();
    const pending: (() => void)[] = [];
    const s = new ArrivalScheduler({
      now: clock.now,
      rateAt: () => 100,
      maxInFlight: 5,
      launch: () => new Promise<void>((resolve) => pending.push(resolve)),
      onDrop: (t) => drops.push(t),
    });
    s.tick();
    for (let i = 0; i < 200; i++) {
      clock.advance(5);
      s.tick();
    }
    assert.equal(s.launched, 5);
    assert.equal(s.inFlight, 5);
    assert.equal(s.dropped, 95);
    assert.equal(drops.length, 95);
  });

  it('starts arrivals again once requests complete', async () => {
    const h = scheduler(() => 100, { maxInFlight: 5, hold: true });
    h.run(1000);
    assert.equal(h.s.launched, 5);
    h.release();
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(h.s.inFlight, 0);
    h.run(1000);
    assert.equal(h.s.launched, 10);
    assert.equal(h.s.dropped, 190);
  });

  it(`integrates at most ${MAX_CATCH_UP_MS} ms after a stall instead of firing every missed arrival`, () => {
    const h = scheduler(() => 100);
    h.run(60_000, 60_000);
    assert.equal(h.s.launched, 100 * (MAX_CATCH_UP_MS / 1000));
  });

  it('drain() resolves true once running requests finish, false at its deadline', async () => {
    const h = scheduler(() => 100, { hold: true });
    h.run(100);
    assert.equal(h.s.inFlight, 10);
    assert.equal(await h.s.drain(1), false);
    const drained = h.s.drain(60_000);
    h.release();
    assert.equal(await drained, true);
    assert.equal(await h.s.drain(1), true);
  });
});
