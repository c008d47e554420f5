/**
 * The overload mode's state machine: ramp → saturated (hold) or → at the cap (hold).
 *
 * The rule: the rate starts at startRate and every step lasts stepIntervalMs (longer if it has
 * fewer than MIN_STEP_SAMPLES outcomes, so a judgement never rests on a handful). At the end of a
 * step its outcomes — requests that completed during the step and arrivals dropped during it —
 * are judged: the step failed when
 *   (5xx + timeouts + connection errors + dropped) / (completed + dropped) > errorRatio, or
 *   the p99 latency of the requests completed in the step > p99Ms.
 * A failed step marks the target saturated and the rate stays where it is (saturationRate).
 * Otherwise the rate grows by stepRate, up to maxRate, where it holds and keeps being judged.
 */
import { LatencyHistogram } from './latency-histogram.js';
import type { OverloadParams } from './traffic-modes.js';
import { isFailure, type OutcomeClass } from './window-stats.js';

/** A step with fewer outcomes than this is extended until it has them. */
export const MIN_STEP_SAMPLES = 10;

/** Where the ramp is. */
export type OverloadPhase = 'ramping' | 'saturated' | 'at-max';

/** The outcomes of one step. */
export interface StepStats {
  /** Requests that completed (any response, timeout or error). */
  completed: number;
  /** Of those, 5xx, timeouts and connection errors. */
  failed: number;
  /** Arrivals dropped because MAX_IN_FLIGHT requests were running. */
  dropped: number;
  /** p99 latency of the completed requests, in ms. */
  p99Ms: number | null;
}

/** Why a step counts as saturated, or null when the target kept up. */
export function judgeStep(params: Pick<OverloadParams, 'errorRatio' | 'p99Ms'>, stats: StepStats): string | null {
  const samples = stats.completed + stats.dropped;
  if (samples === 0) return null;
  const ratio = (stats.failed + stats.dropped) / samples;
  if (ratio > params.errorRatio) {
    return `failed ratio ${(ratio * 100).toFixed(1)} % (${stats.failed} failed, ${stats.dropped} dropped of ${samples}) > ${(params.errorRatio * 100).toFixed(1)} %`;
  }
  if (stats.p99Ms !== null && stats.p99Ms > params.p99Ms) {
    return `p99 ${Math.round(stats.p99Ms)} ms > ${params.p99Ms} ms`;
  }
  return null;
}

/** What the status shows of the ramp. */
export interface OverloadView {
  phase: OverloadPhase;
  saturated: boolean;
  /** The rate at which the target saturated (and which is now held), or null. */
  saturationRate: number | null;
  /** The judgement that found it saturated. */
  reason: string | null;
  /** 1 for the first step. */
  step: number;
  /** The current step's outcomes so far. */
  currentStep: StepStats & { elapsedMs: number };
}

/** One run of overload mode, from the switch to it; `now` is a monotonic clock in ms. */
export class OverloadRamp {
  private phase: OverloadPhase = 'ramping';
  private rate: number;
  private step = 1;
  private stepStartedAt: number;
  private saturationRate: number | null = null;
  private reason: string | null = null;
  private completed = 0;
  private failed = 0;
  private dropped = 0;
  private readonly latency = new LatencyHistogram();

  constructor(
    private readonly params: OverloadParams,
    now: number,
  ) {
    this.rate = Math.min(params.startRate, params.maxRate);
    this.stepStartedAt = now;
  }

  /** A request of this run completed. */
  record(outcome: OutcomeClass, latencyMs: number): void {
    this.completed += 1;
    if (isFailure(outcome)) this.failed += 1;
    this.latency.record(latencyMs);
  }

  /** An arrival of this run was dropped. */
  recordDropped(): void {
    this.dropped += 1;
  }

  /** The target rate at `now`, after judging any step that has ended. */
  rateAt(now: number): number {
    this.advance(now);
    return this.rate;
  }

  /** Ends the current step if it is due, judges it, and moves on (or holds). */
  advance(now: number): void {
    if (this.phase === 'saturated') return;
    if (now - this.stepStartedAt < this.params.stepIntervalMs) return;
    const stats = this.stats();
    if (stats.completed + stats.dropped < MIN_STEP_SAMPLES) return;
    const reason = judgeStep(this.params, stats);
    if (reason !== null) {
      this.phase = 'saturated';
      this.saturationRate = this.rate;
      this.reason = reason;
      return;
    }
    if (this.rate >= this.params.maxRate) {
      this.phase = 'at-max';
    } else {
      this.rate = Math.min(this.rate + this.params.stepRate, this.params.maxRate);
      this.step += 1;
    }
    this.stepStartedAt = now;
    this.completed = 0;
    this.failed = 0;
    this.dropped = 0;
    this.latency.reset();
  }

  view(now: number): OverloadView {
    return {
      phase: this.phase,
      saturated: this.phase === 'saturated',
      saturationRate: this.saturationRate,
      reason: this.reason,
      step: this.step,
      currentStep: { ...this.stats(), elapsedMs: Math.max(0, Math.round(now - this.stepStartedAt)) },
    };
  }

  private stats(): StepStats {
    return { completed: this.completed, failed: this.failed, dropped: this.dropped, p99Ms: this.latency.percentile(99) };
  }
}
