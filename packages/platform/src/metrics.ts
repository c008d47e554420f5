/**
 * Prometheus metrics (docs/metrics.md): one registry per process, prom-client default metrics,
 * `orderlab_build_info`, and instruments that cost nothing when METRICS_ENABLED=false. Counters and
 * histograms are our own (instruments.ts, cheaper per call); gauges and the text format are prom-client's.
 *
 * Instruments are created through ServiceMetrics so that a disabled process registers nothing,
 * starts no default-metrics timers and records into no-ops; callers never check the flag.
 */
import { readFileSync } from 'node:fs';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { FastCounter, FastHistogram, register } from './instruments.js';

/** Semantic-convention advice for HTTP, RPC and messaging durations (SLO thresholds sit on 0.25 s). */
export const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
/** Database operations are usually faster, and a slow one is very slow. */
export const DB_DURATION_BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10];

/** Label values by label name; a missing label is exposed as an empty value. */
export type Labels<L extends string> = Partial<Record<L, string | number>>;

/** A monotonically increasing count. */
export interface CounterMetric<L extends string = string> {
  inc(labels?: Labels<L>, value?: number): void;
}

/** A value that goes up and down. */
export interface GaugeMetric<L extends string = string> {
  set(labels: Labels<L>, value: number): void;
  inc(labels?: Labels<L>, value?: number): void;
  dec(labels?: Labels<L>, value?: number): void;
}

/** A distribution of observed values (seconds, for every histogram of the catalogue). */
export interface HistogramMetric<L extends string = string> {
  /**
   * Records value. traceId is the exemplar hook: once tracing lands, a sampled trace id is
   * attached as an OpenMetrics exemplar (`trace_id`). That needs FastHistogram to keep the
   * latest exemplar per bucket and hand it out as each bucket sample's `exemplar` (prom-client's
   * Registry writes those), and the registry switched to the OpenMetrics content type
   * (Prometheus only reads exemplars from that format); until then the argument is ignored.
   */
  observe(labels: Labels<L>, value: number, traceId?: string): void;
  /**
   * The series of these labels, for a hot path that records the same labels again and again
   * (each SQL statement): observing through it skips building the series key each time.
   */
  bind(labels: Labels<L>): BoundHistogram;
}

/** One series of a histogram (HistogramMetric.bind). */
export interface BoundHistogram {
  observe(value: number): void;
}

interface MetricConfig<L extends string> {
  name: string;
  help: string;
  labelNames?: readonly L[];
}

export interface GaugeConfig<L extends string> extends MetricConfig<L> {
  /**
   * Runs on every scrape just before the gauge is read (pool sizes, cached counts). Never called
   * when metrics are disabled. A rejection fails the scrape, so catch what may fail.
   */
  collect?: (gauge: GaugeMetric<L>) => void | Promise<void>;
}

export interface HistogramConfig<L extends string> extends MetricConfig<L> {
  buckets: readonly number[];
}

const NOOP = (): void => {};
const NOOP_COUNTER: CounterMetric<never> = { inc: NOOP };
const NOOP_GAUGE: GaugeMetric<never> = { set: NOOP, inc: NOOP, dec: NOOP };
const NOOP_BOUND_HISTOGRAM: BoundHistogram = { observe: NOOP };
const NOOP_HISTOGRAM: HistogramMetric<never> = { observe: NOOP, bind: () => NOOP_BOUND_HISTOGRAM };

export interface ServiceMetricsOptions {
  /** METRICS_ENABLED. */
  enabled: boolean;
  /** `service_name` of orderlab_build_info (= the Prometheus job). */
  service: string;
  /**
   * `service_version` of orderlab_build_info: the version, or the URL of the package.json that
   * has it (a service passes `new URL('../../package.json', import.meta.url)`), read only when enabled.
   */
  version: string | URL;
}

/** The metrics of one process; pass it down like the logger. */
export interface ServiceMetrics {
  readonly enabled: boolean;
  /** The process's own registry (undefined when disabled). */
  readonly registry: Registry | undefined;
  /** The counter named config.name, created on first use (components of one process share it). */
  counter<L extends string = never>(config: MetricConfig<L>): CounterMetric<L>;
  /** A new gauge; its name must not be registered yet (a collect callback belongs to one owner). */
  gauge<L extends string = never>(config: GaugeConfig<L>): GaugeMetric<L>;
  /** The histogram named config.name, created on first use. */
  histogram<L extends string = never>(config: HistogramConfig<L>): HistogramMetric<L>;
  /** The value created under key by the first caller (e.g. one pool-gauge set for every pool). */
  shared<M>(key: string, create: () => M): M;
}

/** Builds the process's metrics; with enabled=false every instrument is a no-op and nothing runs. */
export function createServiceMetrics({ enabled, service, version }: ServiceMetricsOptions): ServiceMetrics {
  if (!enabled) {
    return {
      enabled: false,
      registry: undefined,
      counter: () => NOOP_COUNTER,
      gauge: () => NOOP_GAUGE,
      histogram: () => NOOP_HISTOGRAM,
      shared: (_name, create) => create(),
    };
  }
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const buildInfo = new Gauge({
    name: 'orderlab_build_info',
    help: 'The build that runs (always 1).',
    labelNames: ['service_name', 'service_version'],
    registers: [registry],
  });
  buildInfo.set({ service_name: service, service_version: version instanceof URL ? readPackageVersion(version) : version }, 1);
  const shared = new Map<string, unknown>();
  const share = <M>(key: string, create: () => M): M => {
    if (!shared.has(key)) shared.set(key, create());
    return shared.get(key) as M;
  };

  return {
    enabled: true,
    registry,
    counter<L extends string>({ name, help, labelNames = [] }: MetricConfig<L>): CounterMetric<L> {
      return share(name, () => {
        const counter = new FastCounter({ name, help, labelNames });
        register(registry, counter);
        return { inc: (labels: Labels<L> = {}, value = 1) => counter.inc(labels, value) };
      });
    },
    gauge<L extends string>({ name, help, labelNames = [], collect }: GaugeConfig<L>): GaugeMetric<L> {
      // eslint-disable-next-line prefer-const -- assigned after the gauge whose collect uses it
      let wrapper: GaugeMetric<L>;
      const gauge = new Gauge<L>({
        name,
        help,
        labelNames,
        registers: [registry],
        ...(collect ? { collect: () => collect(wrapper) } : {}),
      });
      wrapper = {
        set: (labels, value) => gauge.set(labels as never, value),
        inc: (labels = {}, value = 1) => gauge.inc(labels as never, value),
        dec: (labels = {}, value = 1) => gauge.dec(labels as never, value),
      };
      return wrapper;
    },
    histogram<L extends string>({ name, help, labelNames = [], buckets }: HistogramConfig<L>): HistogramMetric<L> {
      return share(name, () => {
        // Not prom-client's Histogram: see instruments.ts for why.
        const histogram = new FastHistogram({ name, help, labelNames, buckets });
        register(registry, histogram);
        // traceId: the exemplar hook (see HistogramMetric.observe).
        return {
          observe: (labels: Labels<L>, value: number) => histogram.observe(labels, value),
          bind: (labels: Labels<L>) => histogram.bind(labels),
        };
      });
    },
    shared: share,
  };
}

/** Disabled metrics, the default of components built without any (unit tests, tools). */
export const NO_METRICS: ServiceMetrics = createServiceMetrics({ enabled: false, service: 'none', version: 'none' });

/** One gauge of registerSnapshotGauges: its name, help and labels, and how it shows a snapshot. */
export interface SnapshotGauge<S> extends MetricConfig<string> {
  show: (gauge: GaugeMetric<string>, snapshot: S) => void;
}

/**
 * Gauges that show one snapshot of something read on scrape (a stream's backlog, counts from a
 * table): read() runs once per scrape however many of them show it. When it resolves undefined
 * or rejects, the gauges are left as they are, so a scrape never fails or waits on a store that
 * is down; read() may log, or keep and return older values, itself. Nothing when metrics are off.
 */
export function registerSnapshotGauges<S>(metrics: ServiceMetrics, read: () => Promise<S | undefined>, gauges: readonly SnapshotGauge<S>[]): void {
  if (!metrics.enabled) return;
  let reading: Promise<S | undefined> | undefined;
  // The gauges of one scrape are collected together; the next scrape reads again.
  const snapshot = () => {
    reading ??= read()
      .catch(() => undefined)
      .finally(() => setImmediate(() => (reading = undefined)));
    return reading;
  };
  for (const { show, ...config } of gauges) {
    metrics.gauge({
      ...config,
      async collect(gauge) {
        const s = await snapshot();
        if (s !== undefined) show(gauge, s);
      },
    });
  }
}

/** error_type of a failed send or process step: `timeout` or `_OTHER` (bounded, unlike messages). */
export function errorTypeOf(err: unknown): string {
  const message = err instanceof Error ? `${err.name} ${err.message}` : String(err);
  return /time(d)? ?out/i.test(message) ? 'timeout' : '_OTHER';
}

/** The `version` of the package.json at url, or `unknown`. */
function readPackageVersion(url: URL): string {
  const { version } = JSON.parse(readFileSync(url, 'utf8')) as { version?: unknown };
  return typeof version === 'string' ? version : 'unknown';
}

/** Seconds since a performance.now() reading. */
export function secondsSince(startedMs: number): number {
  return (performance.now() - startedMs) / 1000;
}
