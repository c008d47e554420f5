/**
 * The four traffic modes and their parameters: TypeBox schemas (the control API validates
 * bodies with them, the status shows them) and the shape of the rate over time (no I/O).
 */
import Type, { type Static } from 'typebox';

/** The modes, in the order the status page shows them. */
export const MODES = ['steady', 'burst', 'overload', 'pause'] as const;
/** One traffic mode. */
export type Mode = (typeof MODES)[number];

/** Highest rate any mode accepts, in requests per second. */
export const MAX_RATE = 10_000;

const Rate = (description: string) => Type.Number({ minimum: 0, maximum: MAX_RATE, description });
const strict = { additionalProperties: false } as const;

/** steady: a constant arrival rate. */
export const SteadyParams = Type.Object({ rate: Rate('Arrivals per second') }, { ...strict, title: 'SteadyParams' });
export type SteadyParams = Static<typeof SteadyParams>;

/** burst: a baseline with a peak at the start of every period. */
export const BurstParams = Type.Object(
  {
    baseRate: Rate('Arrivals per second between peaks'),
    peakRate: Rate('Arrivals per second during a peak'),
    periodMs: Type.Integer({ minimum: 1000, maximum: 3_600_000, description: 'Time from one peak to the next' }),
    durationMs: Type.Integer({ minimum: 100, maximum: 3_600_000, description: 'How long each peak lasts; shorter than periodMs' }),
  },
  { ...strict, title: 'BurstParams' },
);
export type BurstParams = Static<typeof BurstParams>;

/** overload: ramp up step by step until the target saturates, then hold that rate. */
export const OverloadParams = Type.Object(
  {
    startRate: Type.Number({ minimum: 1, maximum: MAX_RATE, description: 'Rate of the first step' }),
    stepRate: Type.Number({ minimum: 1, maximum: MAX_RATE, description: 'Added to the rate after every step the target kept up with' }),
    stepIntervalMs: Type.Integer({ minimum: 1000, maximum: 600_000, description: 'Length of one step' }),
    maxRate: Type.Number({ minimum: 1, maximum: MAX_RATE, description: 'The ramp never goes above this rate' }),
    errorRatio: Type.Number({ minimum: 0, maximum: 1, description: 'Saturated when the failed share of a step is above this' }),
    p99Ms: Type.Integer({ minimum: 1, maximum: 600_000, description: 'Saturated when the p99 latency of a step is above this' }),
  },
  { ...strict, title: 'OverloadParams' },
);
export type OverloadParams = Static<typeof OverloadParams>;

/** pause: nothing is sent. */
export const PauseParams = Type.Object({}, { ...strict, title: 'PauseParams' });
export type PauseParams = Static<typeof PauseParams>;

/** Parameters of every mode. */
export interface ModeParams {
  steady: SteadyParams;
  burst: BurstParams;
  overload: OverloadParams;
  pause: PauseParams;
}

/** Schema of each mode's parameters. */
export const MODE_PARAMS = { steady: SteadyParams, burst: BurstParams, overload: OverloadParams, pause: PauseParams } as const;

/** Body of POST /mode/{mode}: any subset of the mode's parameters; unknown fields are rejected. */
export const MODE_BODIES = {
  steady: Type.Partial(SteadyParams, { ...strict, title: 'SteadyOverrides' }),
  burst: Type.Partial(BurstParams, { ...strict, title: 'BurstOverrides' }),
  overload: Type.Partial(OverloadParams, { ...strict, title: 'OverloadOverrides' }),
  pause: Type.Partial(PauseParams, { ...strict, title: 'PauseOverrides' }),
} as const;

/** What the schemas cannot say: relations between fields. Empty when the parameters are coherent. */
export function paramProblems<M extends Mode>(mode: M, params: ModeParams[M]): { field: string; detail: string }[] {
  if (mode === 'burst') {
    const p = params as BurstParams;
    if (p.durationMs >= p.periodMs) return [{ field: 'durationMs', detail: `must be shorter than periodMs (${p.periodMs})` }];
  }
  if (mode === 'overload') {
    const p = params as OverloadParams;
    if (p.startRate > p.maxRate) return [{ field: 'startRate', detail: `must not be above maxRate (${p.maxRate})` }];
  }
  return [];
}

/** The burst rate `elapsedMs` after the mode began: the peak first, then the baseline, every period. */
export function burstRateAt(params: BurstParams, elapsedMs: number): number {
  const phase = ((elapsedMs % params.periodMs) + params.periodMs) % params.periodMs;
  return phase < params.durationMs ? params.peakRate : params.baseRate;
}
