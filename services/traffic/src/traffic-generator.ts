/**
 * The generator: the current mode gives the target rate, the scheduler starts arrivals at that
 * rate, the planner says what each arrival asks, the client sends it, and every outcome lands
 * in the totals, the sliding window and (in overload mode) the ramp.
 */
import { performance } from 'node:perf_hooks';
import { type Logger } from '@orderlab/platform';
import { DURATION_BUCKETS, NO_METRICS, type ServiceMetrics } from '@orderlab/platform/metrics';
import { ArrivalScheduler } from './arrival-scheduler.js';
import { JourneyPlanner, REQUEST_KINDS, ROUTES, type JourneyWeights, type RequestKind } from './journeys.js';
import { OverloadRamp, type OverloadView } from './overload-ramp.js';
import type { TargetClient } from './target-client.js';
import { TraceRecords, type RecentTraces } from './trace-records.js';
import { burstRateAt, MODES, type Mode, type ModeParams } from './traffic-modes.js';
import { OUTCOME_CLASSES, WindowStats, zeroCounts, type OutcomeClass, type OutcomeCounts, type WindowSummary } from './window-stats.js';

export interface TrafficGeneratorOptions {
  client: TargetClient;
  logger: Logger;
  /** Where the traffic goes (shown in the status). */
  targetUrl: string;
  initialMode: Mode;
  /** Each mode's parameters until a POST overrides them. */
  modeParams: ModeParams;
  maxInFlight: number;
  weights: JourneyWeights;
  retryRatio: number;
  windowSeconds: number;
  /** http_client_* and traffic_* metrics (no-ops by default). */
  metrics?: ServiceMetrics;
  /** Monotonic ms clock (default performance.now). */
  now?: () => number;
  random?: () => number;
}

/** The current mode and its parameters. */
export interface ModeView {
  mode: Mode;
  params: ModeParams[Mode];
  /** When the mode was switched to (wall clock). */
  since: string;
}

/** One request kind's counters. */
export interface KindCounts {
  route: string;
  /** Weight of its journey; null for retry-order, a share of place-order (orderRetryRatio). */
  weight: number | null;
  sent: number;
  outcomes: OutcomeCounts;
}

/** GET /status. */
export interface TrafficStatus extends ModeView {
  target: string;
  uptimeSeconds: number;
  targetRate: number;
  /** Requests sent per second over the window (since the mode switch at most); null in the first second. */
  achievedRate: number | null;
  windowSeconds: number;
  inFlight: number;
  maxInFlight: number;
  sent: { total: number; window: number };
  dropped: { total: number; window: number };
  responses: { total: OutcomeCounts; window: OutcomeCounts };
  /** (5xx + timeouts + errors) / completed, over the window; null without completions. */
  errorRatio: number | null;
  latencyMs: WindowSummary['latencyMs'];
  /** Share of place-order arrivals that re-send a completed order (same key, same body). */
  orderRetryRatio: number;
  /** Orders answered with Idempotent-Replayed: true (the retries). */
  replayed: number;
  overload: OverloadView | null;
  journeys: Record<RequestKind, KindCounts>;
  memory: { products: number; orders: number; retryable: number };
}

/** Builds the generator; start() begins sending. */
export function createTrafficGenerator(options: TrafficGeneratorOptions) {
  const now = options.now ?? (() => performance.now());
  const wallOffset = Date.now() - now();
  const startedAt = now();
  const window = new WindowStats(options.windowSeconds);
  const planner = new JourneyPlanner({ weights: options.weights, retryRatio: options.retryRatio, ...(options.random ? { random: options.random } : {}) });
  const totals = { sent: 0, dropped: 0, replayed: 0, outcomes: zeroCounts() };
  const traces = new TraceRecords({ wallOffsetMs: wallOffset, routes: ROUTES });
  const kinds = Object.fromEntries(
    REQUEST_KINDS.map((kind) => [
      kind,
      {
        route: ROUTES[kind],
        weight: kind === 'retry-order' ? null : options.weights[kind],
        sent: 0,
        outcomes: zeroCounts(),
      },
    ]),
  ) as Record<RequestKind, KindCounts>;

  let mode: Mode = options.initialMode;
  let params: ModeParams[Mode] = options.modeParams[mode];
  let modeStartedAt = startedAt;
  let ramp: OverloadRamp | undefined = mode === 'overload' ? new OverloadRamp(options.modeParams.overload, startedAt) : undefined;
  let wasSaturated = false;
  const metrics = registerTrafficMetrics(options.metrics ?? NO_METRICS, {
    mode: () => mode,
    targetRate: () => rateAt(now()),
    achievedRate: () => window.sentRate(now(), modeStartedAt) ?? 0,
    inFlight: () => scheduler.inFlight,
  });

  function rateAt(t: number): number {
    switch (mode) {
      case 'steady':
        return (params as ModeParams['steady']).rate;
      case 'burst':
        return burstRateAt(params as ModeParams['burst'], t - modeStartedAt);
      case 'overload': {
        const rate = ramp!.rateAt(t);
        const view = ramp!.view(t);
        if (view.saturated && !wasSaturated) {
          wasSaturated = true;
          options.logger.warn({ saturation_rate: view.saturationRate, reason: view.reason }, 'target saturated; holding the rate');
        }
        return rate;
      }
      case 'pause':
        return 0;
    }
  }

  const scheduler = new ArrivalScheduler({
    now,
    rateAt,
    maxInFlight: options.maxInFlight,
    onDrop: (t) => {
      totals.dropped += 1;
      metrics.dropped.inc();
      window.recordDropped(t);
      ramp?.recordDropped();
    },
    launch: async (t) => {
      const request = planner.next();
      const runRamp = ramp;
      totals.sent += 1;
      kinds[request.kind].sent += 1;
      metrics.sent.inc({ journey: request.kind });
      window.recordSent(t);
      const result = await options.client.send(request);
      metrics.observeResponse(request.kind, request.method, result.outcome, result.status, result.latencyMs);
      record(request.kind, result.outcome, result.latencyMs, runRamp);
      traces.record(t, request, result);
      if (result.replayed) totals.replayed += 1;
      if (result.status !== undefined) planner.learn(request, { status: result.status, ...(result.body === undefined ? {} : { body: result.body }) });
    },
  });

  function record(kind: RequestKind, outcome: OutcomeClass, latencyMs: number, runRamp: OverloadRamp | undefined): void {
    totals.outcomes[outcome] += 1;
    kinds[kind].outcomes[outcome] += 1;
    window.recordOutcome(now(), outcome, latencyMs);
    // Only the overload run that sent it: a request of the previous mode says nothing about this ramp.
    if (runRamp !== undefined && runRamp === ramp) runRamp.record(outcome, latencyMs);
  }

  function modeView(): ModeView {
    return { mode, params, since: new Date(wallOffset + modeStartedAt).toISOString() };
  }

  return {
    /** Starts sending at the current mode's rate. */
    start(): void {
      scheduler.start();
    },
    /** Stops starting arrivals; requests already sent go on. */
    stopScheduling(): void {
      scheduler.stop();
    },
    /** Resolves true once no request is running, false at the deadline. */
    drain(timeoutMs: number): Promise<boolean> {
      return scheduler.drain(timeoutMs);
    },
    get running(): boolean {
      return scheduler.started;
    },
    /** Switches to `next` with these (complete, validated) parameters. */
    setMode<M extends Mode>(next: M, modeParams: ModeParams[M]): ModeView {
      const t = now();
      // Arrivals due under the old mode up to now are started at the old rate.
      if (scheduler.started) scheduler.tick();
      mode = next;
      params = modeParams;
      modeStartedAt = t;
      ramp = next === 'overload' ? new OverloadRamp(modeParams as ModeParams['overload'], t) : undefined;
      wasSaturated = false;
      scheduler.resetDue();
      options.logger.info({ mode: next, params: modeParams }, 'traffic mode switched');
      return modeView();
    },
    mode: modeView,
    /** The slowest and the failed requests of late, with their trace ids (the traces view). */
    recentTraces(): RecentTraces {
      return traces.recent(now());
    },
    status(): TrafficStatus {
      const t = now();
      const summary = window.summary(t);
      const completed = OUTCOME_CLASSES.reduce((n, c) => n + summary.outcomes[c], 0);
      const failed = summary.outcomes['5xx'] + summary.outcomes.timeout + summary.outcomes.error;
      return {
        ...modeView(),
        target: options.targetUrl,
        uptimeSeconds: Math.round((t - startedAt) / 100) / 10,
        targetRate: rateAt(t),
        achievedRate: round(window.sentRate(t, modeStartedAt)),
        windowSeconds: options.windowSeconds,
        inFlight: scheduler.inFlight,
        maxInFlight: options.maxInFlight,
        sent: { total: totals.sent, window: summary.sent },
        dropped: { total: totals.dropped, window: summary.dropped },
        responses: { total: { ...totals.outcomes }, window: summary.outcomes },
        errorRatio: completed === 0 ? null : failed / completed,
        latencyMs: {
          p50: round(summary.latencyMs.p50),
          p95: round(summary.latencyMs.p95),
          p99: round(summary.latencyMs.p99),
        },
        orderRetryRatio: options.retryRatio,
        replayed: totals.replayed,
        overload: ramp ? ramp.view(t) : null,
        journeys: structuredClone(kinds),
        memory: planner.memory(),
      };
    },
  };
}

/** The generator createTrafficGenerator builds. */
export type TrafficGenerator = ReturnType<typeof createTrafficGenerator>;

/** Two decimals are plenty for a status. */
function round(value: number | null): number | null {
  return value === null ? null : Math.round(value * 100) / 100;
}

/** What the gauges read on scrape. */
interface TrafficGauges {
  mode(): Mode;
  targetRate(): number;
  achievedRate(): number;
  inFlight(): number;
}

/**
 * The generator's metrics (docs/metrics.md, "traffic"). http_route is the journey's path template
 * in Fastify's syntax (`/api/v1/orders/:id`), so it joins the gateway's http_server_* series.
 */
function registerTrafficMetrics(metrics: ServiceMetrics, read: TrafficGauges) {
  const routes = Object.fromEntries(
    REQUEST_KINDS.map((kind) => [kind, ROUTES[kind].replace(/^[A-Z]+ /, '').replace(/\{(\w+)\}/g, ':$1')]),
  ) as Record<RequestKind, string>;
  const duration = metrics.histogram<'http_request_method' | 'http_route' | 'http_response_status_code' | 'error_type'>({
    name: 'http_client_request_duration_seconds',
    help: 'Duration of the requests sent to the target, by journey route and outcome.',
    labelNames: ['http_request_method', 'http_route', 'http_response_status_code', 'error_type'],
    buckets: DURATION_BUCKETS,
  });
  metrics.gauge<'mode'>({
    name: 'orderlab_traffic_mode',
    help: 'The current mode (1) and the others (0).',
    labelNames: ['mode'],
    collect(gauge) {
      const current = read.mode();
      for (const mode of MODES) gauge.set({ mode }, mode === current ? 1 : 0);
    },
  });
  metrics.gauge({ name: 'orderlab_traffic_target_requests_per_second', help: 'Arrival rate the mode asks for now.', collect: (g) => g.set({}, read.targetRate()) });
  metrics.gauge({
    name: 'orderlab_traffic_achieved_requests_per_second',
    help: 'Requests sent per second over the status window.',
    collect: (g) => g.set({}, read.achievedRate()),
  });
  metrics.gauge({ name: 'orderlab_traffic_in_flight_requests', help: 'Requests sent and not answered yet.', collect: (g) => g.set({}, read.inFlight()) });
  return {
    sent: metrics.counter<'journey'>({ name: 'orderlab_traffic_sent_requests_total', help: 'Requests sent, by journey.', labelNames: ['journey'] }),
    dropped: metrics.counter({ name: 'orderlab_traffic_dropped_arrivals_total', help: 'Arrivals not sent because MAX_IN_FLIGHT requests were already running.' }),
    observeResponse(kind: RequestKind, method: string, outcome: OutcomeClass, status: number | undefined, latencyMs: number) {
      if (!metrics.enabled) return;
      const labels: Record<string, string | number> = { http_request_method: method, http_route: routes[kind] };
      if (status !== undefined) labels.http_response_status_code = status;
      if (outcome === 'timeout' || outcome === 'error') labels.error_type = outcome;
      else if (status !== undefined && status >= 500) labels.error_type = String(status);
      duration.observe(labels, latencyMs / 1000);
    },
  };
}
