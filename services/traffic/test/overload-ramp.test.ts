import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { judgeStep, MIN_STEP_SAMPLES, OverloadRamp } from '../src/overload-ramp.js';
import type { OverloadParams } from '../src/traffic-modes.js';
import type { OutcomeClass } from '../src/window-stats.js';

const params: OverloadParams = { startRate: 10, stepRate: 10, stepIntervalMs: 10_000, maxRate: 50, errorRatio: 0.05, p99Ms: 500 };

/** Feeds one step's worth of synthetic outcomes, then moves the clock to the step's end. */
function step(ramp: OverloadRamp, t: { now: number }, outcomes: [OutcomeClass, number, number][], dropped = 0): number {
  for (const [outcome, latencyMs, n] of outcomes) for (let i = 0; i < n; i++) ramp.record(outcome, latencyMs);
  for (let i = 0; i < dropped; i++) ramp.recordDropped();
  t.now += params.stepIntervalMs;
  return ramp.rateAt(t.now);
}

describe('overload ramp', () => {
  it('steps up by stepRate after every healthy step, then saturates on the failed ratio and holds that rate', () => {
    const t = { now: 0 };
    const ramp = new OverloadRamp(params, t.now);
    assert.equal(ramp.rateAt(0), 10);
    assert.equal(ramp.rateAt(9_999), 10);
    assert.equal(step(ramp, t, [['2xx', 20, 100]]), 20);
    assert.equal(step(ramp, t, [['2xx', 20, 190], ['4xx', 20, 10]]), 30); // 4xx is the client's fault, not saturation
    assert.equal(ramp.view(t.now).step, 3);
    // 6 % failed: 5xx, timeouts and connection errors all count.
    assert.equal(step(ramp, t, [['2xx', 20, 282], ['5xx', 20, 10], ['timeout', 5000, 4], ['error', 1, 4]]), 30);
    const view = ramp.view(t.now);
    assert.equal(view.phase, 'saturated');
    assert.equal(view.saturated, true);
    assert.equal(view.saturationRate, 30);
    assert.match(view.reason!, /failed ratio 6\.0 %/);
    // Held: later steps, healthy or not, change nothing.
    assert.equal(step(ramp, t, [['2xx', 20, 500]]), 30);
    assert.equal(step(ramp, t, [['2xx', 20, 500]]), 30);
    assert.equal(ramp.view(t.now).step, 3);
  });

  it('saturates when the p99 of a step is above p99Ms', () => {
    const t = { now: 0 };
    const ramp = new OverloadRamp(params, 0);
    assert.equal(step(ramp, t, [['2xx', 20, 100]]), 20);
    assert.equal(step(ramp, t, [['2xx', 20, 190], ['2xx', 900, 10]]), 20);
    assert.equal(ramp.view(t.now).saturationRate, 20);
    assert.match(ramp.view(t.now).reason!, /^p99 \d+ ms > 500 ms$/);
  });

  it('counts arrivals dropped at the in-flight bound as failures (a hanging target saturates too)', () => {
    const t = { now: 0 };
    const ramp = new OverloadRamp(params, 0);
    assert.equal(step(ramp, t, [['2xx', 20, 5]], 95), 10);
    assert.equal(ramp.view(t.now).saturated, true);
  });

  it(`extends a step until it has ${MIN_STEP_SAMPLES} outcomes`, () => {
    const t = { now: 0 };
    const ramp = new OverloadRamp(params, 0);
    assert.equal(step(ramp, t, [['2xx', 20, MIN_STEP_SAMPLES - 1]]), 10);
    assert.equal(ramp.view(t.now).phase, 'ramping');
    ramp.record('2xx', 20);
    assert.equal(ramp.rateAt(t.now + 1), 20);
  });

  it('holds at maxRate without claiming saturation, and still reports saturation found there later', () => {
    const t = { now: 0 };
    const ramp = new OverloadRamp(params, 0);
    for (const expected of [20, 30, 40, 50, 50]) assert.equal(step(ramp, t, [['2xx', 20, 100]]), expected);
    assert.equal(ramp.view(t.now).phase, 'at-max');
    assert.equal(ramp.view(t.now).saturated, false);
    assert.equal(step(ramp, t, [['5xx', 20, 100]]), 50);
    assert.equal(ramp.view(t.now).saturationRate, 50);
  });

  it('judgeStep: ratio and p99 rules, nothing to judge without samples', () => {
    assert.equal(judgeStep(params, { completed: 0, failed: 0, dropped: 0, p99Ms: null }), null);
    assert.equal(judgeStep(params, { completed: 100, failed: 5, dropped: 0, p99Ms: 500 }), null); // at the threshold is fine
    assert.notEqual(judgeStep(params, { completed: 100, failed: 6, dropped: 0, p99Ms: 10 }), null);
    assert.notEqual(judgeStep(params, { completed: 100, failed: 0, dropped: 0, p99Ms: 501 }), null);
  });
});
