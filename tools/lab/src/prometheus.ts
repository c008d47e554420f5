/**
 * Prometheus and the exporters in the native lab. The scrape jobs are those of docs/metrics.md
 * ("Where to scrape"), and both prometheus.yml files are rendered from them (prometheus-config.ts):
 * Compose's targets its services, the native one 127.0.0.1 and the lab's own ports, so a test
 * lab on free ports gets its own Prometheus. The rule files are the same ones
 * (deploy/prometheus/rules), loaded in place.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from './paths.js';
import { address } from '@orderlab/contracts/topology';
import { findExecutable } from './config.js';

/** deploy/prometheus: the Compose config, its rules and their promtool tests. */
export const PROMETHEUS_DIR = join(REPO_ROOT, 'deploy', 'prometheus');
/** Every rule file, as a glob both configs load (Compose: `rules/*.yml` next to its config). */
export const PROMETHEUS_RULES_GLOB = join(PROMETHEUS_DIR, 'rules', '*.yml');
/** Scrape and rule-evaluation interval of both configs; a lab wants dashboards that react within seconds. */
export const SCRAPE_INTERVAL = '5s';

/** The processes the lab runs to observe itself, beside the services; named like their Compose services. */
export const MONITORS = ['edge-exporter', 'postgres-exporter', 'redis-exporter', 'prometheus'] as const;

/** One of the lab's monitoring processes. */
export type Monitor = (typeof MONITORS)[number];

/** One of the exporters. */
export type Exporter = Exclude<Monitor, 'prometheus'>;

/** Each exporter's Debian package, which is also its binary's name. */
export const EXPORTER_PACKAGES: Readonly<Record<Exporter, string>> = {
  'edge-exporter': 'prometheus-nginx-exporter',
  'postgres-exporter': 'prometheus-postgres-exporter',
  'redis-exporter': 'prometheus-redis-exporter',
};

/** The ports a scrape job can point at (a subset of the lab's ports). */
export interface ScrapePorts {
  gateway: number;
  ordersOps: number;
  fulfillmentOps: number;
  notifications: number;
  traffic: number;
  edgeExporter: number;
  postgresExporter: number;
  redisExporter: number;
  rabbitmqPrometheus: number;
  prometheus: number;
  /** The Collector's prometheus exporter (span metrics). */
  spanMetrics: number;
  /** The Collector's own metrics. */
  collectorMetrics: number;
}

/** What must run for a job to be scraped natively: a lab service, a monitor, RabbitMQ's plugin, or the Collector. */
export type ScrapeSource = 'gateway' | 'orders' | 'fulfillment' | 'notifications' | 'traffic' | Monitor | 'rabbitmq-plugin' | 'otel-collector';

/** One scrape job of docs/metrics.md. */
export interface ScrapeJob {
  job: string;
  /** host:port in Compose (deploy/prometheus/prometheus.yml), from the topology. */
  compose: string;
  /** The lab port it scrapes natively, on 127.0.0.1. */
  port: keyof ScrapePorts;
  source: ScrapeSource;
  metricsPath?: string;
  params?: Record<string, string[]>;
  /** A comment for the reader of the rendered config. */
  note?: string;
}

/** The jobs, in the order of docs/metrics.md; the Compose config lists the same ones. */
export const SCRAPE_JOBS: readonly ScrapeJob[] = ([
  { job: 'gateway', port: 'gateway', source: 'gateway' },
  { job: 'orders', port: 'ordersOps', source: 'orders' },
  { job: 'fulfillment', port: 'fulfillmentOps', source: 'fulfillment' },
  { job: 'notifications', port: 'notifications', source: 'notifications' },
  { job: 'traffic', port: 'traffic', source: 'traffic' },
  { job: 'edge', port: 'edgeExporter', source: 'edge-exporter', note: "nginx-prometheus-exporter, reading the edge's stub_status (its internal listener, EDGE_STATUS_LISTEN)." },
  { job: 'postgres', port: 'postgresExporter', source: 'postgres-exporter' },
  { job: 'redis', port: 'redisExporter', source: 'redis-exporter' },
  { job: 'rabbitmq', port: 'rabbitmqPrometheus', source: 'rabbitmq-plugin' },
  {
    job: 'rabbitmq-detailed',
    port: 'rabbitmqPrometheus',
    source: 'rabbitmq-plugin',
    metricsPath: '/metrics/detailed',
    params: { family: ['queue_coarse_metrics', 'queue_consumer_count'] },
  },
  {
    job: 'otel-collector',
    port: 'spanMetrics',
    source: 'otel-collector',
    note: "Span metrics: RED per service and span from the Collector's span_metrics connector (traces_span_metrics_*), with trace-id exemplars.",
  },
  {
    job: 'otel-collector-self',
    port: 'collectorMetrics',
    source: 'otel-collector',
    note: "The Collector's own metrics (otelcol_*): spans received, refused, exported, failed, queued.",
  },
  { job: 'prometheus', port: 'prometheus', source: 'prometheus' },
] satisfies Omit<ScrapeJob, 'compose'>[]).map((job) => ({ ...job, compose: address(job.port, 'compose') }));

/** A job with its native target. */
export interface NativeScrapeJob extends ScrapeJob {
  target: string;
}

/** The jobs whose source runs, each pointed at 127.0.0.1:<the lab's port>. */
export function nativeScrapeJobs(ports: ScrapePorts, running: ReadonlySet<ScrapeSource>): NativeScrapeJob[] {
  return SCRAPE_JOBS.filter((j) => running.has(j.source)).map((j) => ({ ...j, target: `127.0.0.1:${ports[j.port]}` }));
}

/** `promtool check config` (rules included): undefined when fine or promtool is missing, else its complaint. */
export function checkPrometheusConfig(file: string): string | undefined {
  const promtool = findExecutable('promtool');
  if (!promtool) return undefined;
  const result = spawnSync(promtool, ['check', 'config', file], { encoding: 'utf8', timeout: 30_000 });
  if (result.status === 0) return undefined;
  return `${result.stdout ?? ''}${result.stderr ?? ''}`.trim() || result.error?.message || `exit ${result.status}`;
}

/**
 * Where Prometheus keeps its data; `retention` bounds it (the SLO windows need 3 days, the 30-day
 * budget view more). Exemplar storage keeps the trace ids the services and the Collector attach
 * to histogram buckets (bounded by storage.exemplars in the config).
 */
export function prometheusArgs(configFile: string, dataDir: string, port: number): string[] {
  return [
    `--config.file=${configFile}`,
    '--enable-feature=exemplar-storage',
    `--storage.tsdb.path=${dataDir}`,
    '--storage.tsdb.retention.time=30d',
    '--storage.tsdb.retention.size=2GB',
    `--web.listen-address=127.0.0.1:${port}`,
  ];
}

/** The command line and environment of one exporter. */
export interface ExporterCommand {
  binary: string;
  args: string[];
  env: Record<string, string>;
}

/** What each exporter needs to know about the lab. */
export interface ExporterSettings {
  ports: ScrapePorts & { edgeStatus: number };
  /** Postgres superuser URL of the lab. */
  pgAdminUrl: string;
  redisUrl: string;
}

/** postgres_exporter's DATA_SOURCE_NAME: the lab's Postgres, without TLS (loopback). */
function postgresDsn(pgAdminUrl: string): string {
  const url = new URL(pgAdminUrl);
  if (!url.searchParams.has('sslmode')) url.searchParams.set('sslmode', 'disable');
  return url.toString();
}

/**
 * How to run each exporter (Debian's binaries, flags of the Debian versions: postgres 0.11,
 * redis 1.45, nginx 0.11). In the lab the Postgres exporter logs in as the superuser;
 * production would give it a role with only pg_monitor.
 */
export function exporterCommand(monitor: Exporter, s: ExporterSettings): ExporterCommand {
  switch (monitor) {
    case 'postgres-exporter':
      return {
        binary: EXPORTER_PACKAGES['postgres-exporter'],
        args: [`--web.listen-address=127.0.0.1:${s.ports.postgresExporter}`],
        env: { DATA_SOURCE_NAME: postgresDsn(s.pgAdminUrl) },
      };
    case 'redis-exporter':
      return {
        binary: EXPORTER_PACKAGES['redis-exporter'],
        args: [`-redis.addr=${s.redisUrl}`, `-web.listen-address=127.0.0.1:${s.ports.redisExporter}`],
        env: {},
      };
    case 'edge-exporter':
      return {
        binary: EXPORTER_PACKAGES['edge-exporter'],
        args: [
          `-nginx.scrape-uri=http://127.0.0.1:${s.ports.edgeStatus}/stub_status`,
          `-web.listen-address=127.0.0.1:${s.ports.edgeExporter}`,
          // A restarted edge takes a moment; without retries the exporter would exit at once.
          '-nginx.retries=10',
          '-nginx.retry-interval=1s',
        ],
        env: {},
      };
  }
}

/** True when http://127.0.0.1:port/metrics answers 200 within a second. */
export async function metricsAnswer(port: number): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(1_000) });
    await res.body?.cancel();
    return res.status === 200;
  } catch {
    return false;
  }
}

/**
 * The lab's broker enables rabbitmq_prometheus itself (data-stores.ts writes its
 * enabled_plugins), so this only confirms it answers on `port`: undefined when it does, else
 * a line saying where to look.
 */
export async function ensureRabbitmqPrometheus(port: number): Promise<string | undefined> {
  if (await metricsAnswer(port)) return undefined;
  return `RabbitMQ's metrics (rabbitmq_prometheus on 127.0.0.1:${port}) do not answer; see .lab/logs/rabbitmq.log`;
}
