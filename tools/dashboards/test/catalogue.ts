/**
 * The metric names dashboards may use: the catalogue in docs/metrics.md (the contract with the
 * instrumentation), the exporter and Collector metrics listed below, and the recording rules of
 * deploy/prometheus/rules. Read from the files each time, so renaming a metric in the docs
 * without fixing the dashboards (or the other way round) fails a test.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from '../src/index.js';

/**
 * Exporter metrics the dashboards rely on, each present under the same name in the Debian
 * exporters the native lab runs (nginx-prometheus-exporter 0.11, postgres_exporter 0.11,
 * redis_exporter 1.45, RabbitMQ's rabbitmq_prometheus) and in the images compose.yaml pins.
 */
export const EXPORTER_METRICS = [
  'up',
  'ALERTS',
  'nginx_up',
  'nginx_connections_active',
  'nginx_connections_waiting',
  'nginx_http_requests_total',
  'pg_up',
  'pg_settings_max_connections',
  'pg_stat_activity_count',
  'pg_stat_database_numbackends',
  'pg_stat_database_xact_commit',
  'pg_stat_database_xact_rollback',
  'pg_stat_database_deadlocks',
  'pg_stat_database_blks_hit',
  'pg_stat_database_blks_read',
  'redis_up',
  'redis_memory_used_bytes',
  'redis_memory_max_bytes',
  'redis_connected_clients',
  'redis_blocked_clients',
  'rabbitmq_process_resident_memory_bytes',
  'rabbitmq_resident_memory_limit_bytes',
  'rabbitmq_alarms_memory_used_watermark',
  'rabbitmq_detailed_queue_messages',
  'rabbitmq_detailed_queue_messages_ready',
  'rabbitmq_detailed_queue_messages_unacked',
  'rabbitmq_detailed_queue_consumers',
];

/**
 * The OpenTelemetry Collector's metrics the dashboards rely on, as the lab's Collector (v0.165,
 * deploy/otel-collector/config.yaml) exports them, checked against the running binary with
 * OTLP spans posted to it: the span_metrics connector's RED metrics (Prometheus job
 * otel-collector; labels service_name, span_name, span_kind, status_code and the connector's
 * dimensions; durations in milliseconds) and the Collector's own telemetry (job
 * otel-collector-self; its counters carry no _total, the endpoint speaks only the 0.0.4 text
 * format). The contrib image of the Compose lab is the same release.
 */
export const COLLECTOR_METRICS: CatalogueEntry[] = [
  { name: 'traces_span_metrics_calls_total', type: 'counter' },
  { name: 'traces_span_metrics_duration_milliseconds', type: 'histogram' },
  { name: 'otelcol_receiver_accepted_spans', type: 'counter' },
  { name: 'otelcol_receiver_refused_spans', type: 'counter' },
  { name: 'otelcol_exporter_sent_spans', type: 'counter' },
  { name: 'otelcol_exporter_send_failed_spans', type: 'counter' },
  { name: 'otelcol_exporter_queue_size', type: 'gauge' },
  { name: 'otelcol_exporter_queue_capacity', type: 'gauge' },
  { name: 'otelcol_process_memory_rss', type: 'gauge' },
];

/** Prefixes of the Collector's metrics: its span metrics and its own. */
export const COLLECTOR_PREFIXES = /^(traces_span_metrics_|otelcol_)/;

/** Prefixes an exporter metric may have: what each exporter (and Prometheus itself) exports. */
export const EXPORTER_PREFIXES = /^(nginx_|pg_|redis_|rabbitmq_)|^(up|ALERTS)$/;

export interface CatalogueEntry {
  name: string;
  /** The type cell: counter, gauge, histogram, or '' for prom-client's default metrics. */
  type: string;
}

/** `| metric | type | labels |` tables of docs/metrics.md: every backticked name in the first cell. */
export function documentedMetrics(markdown = readFileSync(join(REPO_ROOT, 'docs/metrics.md'), 'utf8')): CatalogueEntry[] {
  const entries: CatalogueEntry[] = [];
  let inMetricTable = false;
  for (const line of markdown.split('\n')) {
    if (!line.startsWith('|')) {
      inMetricTable = false;
      continue;
    }
    const cells = line.split('|').slice(1, -1).map((c) => c.trim());
    if (cells[0] === 'metric') {
      inMetricTable = true;
      continue;
    }
    if (!inMetricTable || /^-+$/.test(cells[0] ?? '')) continue;
    for (const match of (cells[0] ?? '').matchAll(/`([a-zA-Z_:][a-zA-Z0-9_:]*)`/g)) entries.push({ name: match[1]!, type: cells[1] ?? '' });
  }
  return entries;
}

/** Names recorded by the rules in deploy/prometheus/rules/*.yml. */
export function recordingRules(dir = join(REPO_ROOT, 'deploy/prometheus/rules')): string[] {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));
  } catch {
    return [];
  }
  const names = new Set<string>();
  for (const file of files) {
    const doc = parse(readFileSync(join(dir, file), 'utf8')) as { groups?: { rules?: { record?: string }[] }[] } | null;
    for (const group of doc?.groups ?? []) for (const rule of group.rules ?? []) if (rule.record) names.add(rule.record);
  }
  return [...names];
}

/**
 * Why `name` is not a metric the dashboards may use, or undefined when it is. Histogram
 * series (`_bucket`, `_sum`, `_count`) count as their histogram; a default metric of
 * prom-client (type cell empty) may be a histogram too (nodejs_gc_duration_seconds). The
 * Collector's metrics (COLLECTOR_METRICS) count as catalogued.
 */
export function unknownMetric(name: string, documented: CatalogueEntry[], recorded: string[] = []): string | undefined {
  const catalogue = [...documented, ...COLLECTOR_METRICS];
  if (catalogue.some((m) => m.name === name)) return undefined;
  const base = /^(.+)_(bucket|sum|count)$/.exec(name)?.[1];
  if (base) {
    const entry = catalogue.find((m) => m.name === base);
    if (entry && (entry.type === 'histogram' || entry.type === '')) return undefined;
    if (entry) return `${name}: ${base} is a ${entry.type}, not a histogram`;
  }
  if (EXPORTER_METRICS.includes(name)) return undefined;
  if (recorded.includes(name)) return undefined;
  return `${name} is neither in docs/metrics.md, nor an exporter or Collector metric of test/catalogue.ts, nor a recording rule`;
}
