/**
 * Prometheus metrics (docs/metrics.md): one registry per process, prom-client default metrics,
 * `orderlab_build_info`, and instruments that cost nothing when METRICS_ENABLED=false. Counters and
 * histograms are our own (instruments.ts, cheaper per call); gauges and both exposition formats
 * (Prometheus text, and OpenMetrics with exemplars: exposition()) are prom-client's.
 *
 * Instruments are created through ServiceMetrics so that a disabled process registers nothing,
 * starts no default-metrics timers and records into no-ops; callers never check the flag.
 */
import { readFileSync } from 'node:fs';
import { trace, TraceFlags } from '@opentelemetry/api';
import { collectDefaultMetrics, Gauge, Registry, type OpenMetricsContentType } from 'prom-client';
import { FastCounter, FastHistogram, register, type ExemplarSpan } from './instruments.js';
import { registerTracingMetrics } from './tracing/tracing-metrics.js';

export type { ExemplarSpan } from './instruments.js';

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
   * Records value. exemplar (sampledSpan(): the sampled span the observation belongs to, or
   * undefined) becomes the latest exemplar of value's bucket: `trace_id` and `span_id` in the
   * OpenMetrics exposition, where Prometheus reads them and Grafana links to the trace.
   */
  observe(labels: Labels<L>, value: number, exemplar?: ExemplarSpan): void;
  /**
   * The series of these labels, for a hot path that records the same labels again and again
   * (each SQL statement): observing through it skips building the series key each time.
   */
  bind(labels: Labels<L>): BoundHistogram;
}

/** One series of a histogram (HistogramMetric.bind). */
export interface BoundHistogram {
  observe(value: number, exemplar?: ExemplarSpan): void;
}

/**
 * The active span when it is sampled (its trace is exported, so an exemplar pointing at it
 * leads somewhere), else undefined. With tracing off no context manager is registered and
 * this is a few property reads that find no span.
 */
export function sampledSpan(): ExemplarSpan | undefined {
  const span = trace.getActiveSpan();
  if (span === undefined) return undefined;
  const spanContext = span.spanContext();
  return (spanContext.traceFlags & TraceFlags.SAMPLED) !== 0 ? spanContext : undefined;
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
  registerTracingMetrics(registry);
  const shared = new Map<string, unknown>();
  const share = <M>(key: string, create: () => M): M => {
    if (!shared.has(key)) shared.set(key, create());
    return shared.get(key) as M;
  };

  return {
    enabled: true,
    registry,
    counter<L extends string>({ name, help, labelNames = [] }: MetricConfig<L>): CounterMetric<L> {
      // OpenMetrics names a counter's samples <family>_total: with the suffix, both formats agree.
      if (!name.endsWith('_total')) throw new Error(`counter ${name}: a counter's name ends in _total`);
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
        return {
          observe: (labels: Labels<L>, value: number, exemplar?: ExemplarSpan) => histogram.observe(labels, value, exemplar),
          bind: (labels: Labels<L>) => histogram.bind(labels),
        };
      });
    },
    shared: share,
  };
}

/** Disabled metrics, the default of components built without any (unit tests, tools). */
export const NO_METRICS: ServiceMetrics = createServiceMetrics({ enabled: false, service: 'none', version: 'none' });

/** What a scrape gets: the exposition and its Content-Type. */
export interface Exposition {
  contentType: string;
  body: string;
}

/**
 * The registry's metrics in the format the scraper asks for: OpenMetrics, with the histograms'
 * exemplars and `# EOF`, when its Accept header names application/openmetrics-text (Prometheus's
 * does, and it reads exemplars from nothing else); the Prometheus text format otherwise. Sample
 * names are the same in both (counters end in `_total`: ServiceMetrics.counter insists).
 */
export async function exposition(registry: Registry, accept: string | undefined): Promise<Exposition> {
  if (!acceptsOpenMetrics(accept)) return { contentType: registry.contentType, body: await registry.metrics() };
  return { contentType: Registry.OPENMETRICS_CONTENT_TYPE, body: await openMetricsView(registry).metrics() };
}

/** True when an Accept header lists application/openmetrics-text without q=0. */
export function acceptsOpenMetrics(accept: string | undefined): boolean {
  if (accept === undefined || !accept.includes('application/openmetrics-text')) return false;
  return accept.split(',').some((range) => {
    const [type = '', ...params] = range.split(';').map((part) => part.trim().toLowerCase());
    return type === 'application/openmetrics-text' && !params.some((param) => /^q=0(\.0*)?$/.test(param));
  });
}

/** What the registry holds of a metric, and what it reads from it on a scrape. */
interface Collectable {
  name: string;
  help: string;
  type: string;
  aggregator: string;
  get(): Promise<{ name: string; type: string }> | { name: string; type: string };
  getForPromString?(): Promise<{ name: string; type: string }>;
}

/**
 * A registry of the OpenMetrics type, for one scrape, whose metrics read those of registry.
 * Why not switch the process's registry between formats: prom-client writes in the registry's
 * format, and its OpenMetrics pass strips `_total` from the name of every counter object it
 * writes, for good — a shared registry would race between concurrent scrapes and lose the
 * suffix in the Prometheus format after the first OpenMetrics scrape. The views here are
 * per scrape and hand prom-client the counter's name without the suffix (the OpenMetrics
 * family name; it appends `_total` to each sample again); the metrics themselves are shared,
 * so every observation is recorded once whichever format is scraped.
 */
function openMetricsView(registry: Registry): Registry<OpenMetricsContentType> {
  // (prom-client's typings lack the constructor's content-type argument.)
  const view = new Registry<OpenMetricsContentType>();
  view.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  for (const metric of registry.getMetricsAsArray() as unknown as Collectable[]) {
    const family = metric.type === 'counter' ? metric.name.replace(/_total$/, '') : metric.name;
    const read = metric.getForPromString?.bind(metric) ?? metric.get.bind(metric);
    const viewed = {
      name: family,
      help: metric.help,
      type: metric.type,
      aggregator: metric.aggregator,
      get: async () => ({ ...(await read()), name: family }),
    };
    view.registerMetric(viewed as unknown as Parameters<Registry['registerMetric']>[0]);
  }
  return view;
}

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
