/**
 * The counter and histogram behind ServiceMetrics: same exposition as prom-client's, a fraction
 * of the cost per call.
 *
 * Why not prom-client's own: a CPU profile of the orders service under load (docs/benchmarks.md, the cost of metrics)
 * showed its Histogram.observe at about 3 µs a call on the lab machine — it validates every
 * label, hashes the label object into a string, and keeps buckets in an object keyed by the
 * bound, so each observation converts a float to a string twice. With ten SQL statements per
 * order that was the largest single cost of metrics on the order path. These keep one series
 * per label-value combination in a Map keyed by the values joined in label-name order, and the
 * buckets in a Float64Array; label names are checked by the compiler (Labels<L>), not at run
 * time. prom-client's Registry still serves both exposition formats: it accepts any object with
 * a name, help, type and get().
 *
 * A histogram also keeps, per series and bucket, the latest exemplar it was given (the trace of
 * one observation in that bucket); prom-client's Registry writes them in the OpenMetrics format
 * only. An observation without one costs a single comparison more.
 */
import type { Registry } from 'prom-client';

/** Label values by label name; a missing label is not exposed (the same as an empty one in PromQL). */
export type LabelValues = Partial<Record<string, string | number>>;

/** The span an observation happened in (an OpenTelemetry SpanContext fits), kept as an exemplar. */
export interface ExemplarSpan {
  readonly traceId: string;
  readonly spanId: string;
}

/** An exemplar as prom-client's Registry writes it: `# {trace_id="…",span_id="…"} value timestamp`. */
interface SampleExemplar {
  labelSet: { trace_id: string; span_id: string };
  value: number;
  /** Seconds since the epoch, as OpenMetrics timestamps are. */
  timestamp: number;
}

/** One sample as prom-client's Registry formats it. */
interface Sample {
  labels: Record<string, string | number>;
  value: number;
  metricName?: string;
  exemplar?: SampleExemplar;
}

/** What prom-client's Registry reads from a metric. */
interface Collected {
  name: string;
  help: string;
  type: 'counter' | 'histogram';
  values: Sample[];
  aggregator: 'sum';
}

const SEPARATOR = '\u0001';
const MISSING = '\u0000';

/** The series key: label values in label-name order (a missing label differs from an empty one). */
function keyOf(labelNames: readonly string[], labels: LabelValues): string {
  let key = '';
  for (const name of labelNames) {
    const value = labels[name];
    key += (value === undefined ? MISSING : String(value)) + SEPARATOR;
  }
  return key;
}

/** The exposed labels: only the declared names that have a value, as strings. */
function labelsOf(labelNames: readonly string[], labels: LabelValues): Record<string, string> {
  const result: Record<string, string> = {};
  for (const name of labelNames) {
    const value = labels[name];
    if (value !== undefined) result[name] = String(value);
  }
  return result;
}

interface MetricSpec {
  name: string;
  help: string;
  labelNames: readonly string[];
}

/**
 * What a counter and a histogram share: the name, help and aggregator prom-client's Registry
 * reads, and the series of type S, one per label-value combination.
 */
abstract class FastMetric<S> {
  readonly name: string;
  readonly help: string;
  readonly aggregator = 'sum';
  abstract readonly type: Collected['type'];
  protected readonly labelNames: readonly string[];
  protected readonly series = new Map<string, S>();

  constructor({ name, help, labelNames }: MetricSpec) {
    this.name = name;
    this.help = help;
    this.labelNames = labelNames;
  }

  /** What the Registry reads: samples under this metric's name, help and type. */
  protected collected(values: Sample[]): Collected {
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }
}

/** A monotonically increasing count per label set. Negative or non-finite increments are ignored. */
export class FastCounter extends FastMetric<{ labels: Record<string, string>; value: number }> {
  readonly type = 'counter';

  constructor(spec: MetricSpec) {
    super(spec);
    // Like prom-client: a counter without labels is exposed (as 0) before its first increment.
    if (spec.labelNames.length === 0) this.series.set('', { labels: {}, value: 0 });
  }

  inc(labels: LabelValues = {}, value = 1): void {
    if (!(value >= 0) || value === Infinity) return;
    const key = keyOf(this.labelNames, labels);
    const series = this.series.get(key);
    if (series === undefined) this.series.set(key, { labels: labelsOf(this.labelNames, labels), value });
    else series.value += value;
  }

  get(): Collected {
    return this.collected([...this.series.values()].map(({ labels, value }) => ({ labels, value })));
  }

  /** Registry.resetMetrics() calls this. */
  reset(): void {
    for (const [key, series] of this.series) {
      if (key === '') series.value = 0;
      else this.series.delete(key);
    }
  }
}

/** The latest exemplar of one bucket, overwritten in place by the next one. */
interface BucketExemplar {
  traceId: string;
  spanId: string;
  value: number;
  /** Date.now() of the observation, ms. */
  timeMs: number;
}

interface HistogramSeries {
  labels: Record<string, string>;
  /** Observations per bucket, not cumulative (exposition sums them). */
  counts: Float64Array;
  sum: number;
  count: number;
  /** Per bucket, +Inf last; created at the series' first exemplar. */
  exemplars: (BucketExemplar | undefined)[] | undefined;
}

/** A series bound to its labels (FastHistogram.bind). */
export interface BoundSeries {
  observe(value: number, exemplar?: ExemplarSpan): void;
}

/** A histogram with fixed buckets per label set. Non-finite observations are ignored. */
export class FastHistogram extends FastMetric<HistogramSeries> {
  readonly type = 'histogram';
  private readonly bounds: Float64Array;
  /** Incremented by reset(), which drops every series. */
  private generation = 0;

  constructor(spec: MetricSpec & { buckets: readonly number[] }) {
    super(spec);
    if (spec.labelNames.includes('le')) throw new Error(`${spec.name}: le is reserved for the bucket bound`);
    this.bounds = Float64Array.from(new Set(spec.buckets)).sort();
    if (spec.labelNames.length === 0) this.series.set('', this.newSeries({}));
  }

  /** Records value; exemplar, when given, becomes the latest exemplar of value's bucket. */
  observe(labels: LabelValues, value: number, exemplar?: ExemplarSpan): void {
    if (!Number.isFinite(value)) return;
    this.record(this.seriesOf(keyOf(this.labelNames, labels), labels), value, exemplar);
  }

  /**
   * The series of labels as a handle: observe(value) without building the key again. The series
   * is created at its first observation (as with observe), and again after a reset.
   */
  bind(labels: LabelValues): BoundSeries {
    const key = keyOf(this.labelNames, labels);
    const bound = { ...labels };
    let series: HistogramSeries | undefined;
    let generation = -1;
    return {
      observe: (value: number, exemplar?: ExemplarSpan) => {
        if (!Number.isFinite(value)) return;
        if (generation !== this.generation || series === undefined) {
          series = this.seriesOf(key, bound);
          generation = this.generation;
        }
        this.record(series, value, exemplar);
      },
    };
  }

  private seriesOf(key: string, labels: LabelValues): HistogramSeries {
    let series = this.series.get(key);
    if (series === undefined) {
      series = this.newSeries(labelsOf(this.labelNames, labels));
      this.series.set(key, series);
    }
    return series;
  }

  private record(series: HistogramSeries, value: number, exemplar: ExemplarSpan | undefined): void {
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && value > (bounds[i] as number)) i++;
    // Above the last bound it is only in +Inf, which is the count.
    if (i < bounds.length) series.counts[i] = (series.counts[i] as number) + 1;
    series.sum += value;
    series.count += 1;
    if (exemplar !== undefined) keepExemplar(series, i, value, exemplar);
  }

  get(): Collected {
    const bucket = `${this.name}_bucket`;
    const values: Sample[] = [];
    for (const { labels, counts, sum, count, exemplars } of this.series.values()) {
      let cumulative = 0;
      for (let i = 0; i < this.bounds.length; i++) {
        cumulative += counts[i] as number;
        values.push(withExemplar({ labels: { ...labels, le: this.bounds[i] as number }, value: cumulative, metricName: bucket }, exemplars?.[i]));
      }
      values.push(withExemplar({ labels: { ...labels, le: '+Inf' }, value: count, metricName: bucket }, exemplars?.[this.bounds.length]));
      values.push({ labels, value: sum, metricName: `${this.name}_sum` });
      values.push({ labels, value: count, metricName: `${this.name}_count` });
    }
    return this.collected(values);
  }

  reset(): void {
    const unlabelled = this.series.has('');
    this.series.clear();
    // Bound handles notice and look their series up again.
    this.generation++;
    if (unlabelled) this.series.set('', this.newSeries({}));
  }

  private newSeries(labels: Record<string, string>): HistogramSeries {
    return { labels, counts: new Float64Array(this.bounds.length), sum: 0, count: 0, exemplars: undefined };
  }
}

/** Makes exemplar the latest of bucket i (bounds.length = +Inf), reusing the bucket's object. */
function keepExemplar(series: HistogramSeries, i: number, value: number, { traceId, spanId }: ExemplarSpan): void {
  const exemplars = (series.exemplars ??= new Array<BucketExemplar | undefined>(series.counts.length + 1).fill(undefined));
  const kept = exemplars[i];
  const timeMs = Date.now();
  if (kept === undefined) {
    exemplars[i] = { traceId, spanId, value, timeMs };
    return;
  }
  kept.traceId = traceId;
  kept.spanId = spanId;
  kept.value = value;
  kept.timeMs = timeMs;
}

/** sample with the bucket's exemplar, if it has one. */
function withExemplar(sample: Sample, kept: BucketExemplar | undefined): Sample {
  if (kept !== undefined) {
    sample.exemplar = { labelSet: { trace_id: kept.traceId, span_id: kept.spanId }, value: kept.value, timestamp: kept.timeMs / 1000 };
  }
  return sample;
}

/** Registers a FastCounter or FastHistogram with a prom-client registry (it only calls get()). */
export function register(registry: Registry, metric: FastCounter | FastHistogram): void {
  registry.registerMetric(metric as unknown as Parameters<Registry['registerMetric']>[0]);
}
