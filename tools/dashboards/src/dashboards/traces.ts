/**
 * Traces: what the spans say, as metrics, and the way from a metric to one trace. RED per
 * service and per operation from the Collector's span metrics, who calls whom (client and
 * producer spans, caller → callee), the services' own latency histograms with exemplars (a dot
 * is one request; clicking it opens its trace), and the tracing pipeline itself.
 *
 * Span metrics (traces_span_metrics_*) come from the Collector's span_metrics connector
 * (deploy/otel-collector/config.yaml): labels service_name, span_name, span_kind
 * (SPAN_KIND_SERVER …), status_code (STATUS_CODE_ERROR …) and the connector's dimensions
 * (rpc_service, messaging_system, messaging_destination_name, db_system_name, server_address …).
 * Durations are in milliseconds. Every query on them is fromCollector(): empty without it.
 */
import { fromCollector, maybeEmpty, q, type BuiltDashboard, type PanelSpec } from '../grafana.js';
import { quantile, RATE, ratio, sumRate } from '../promql.js';
import { labDashboard, rightAxis } from './common.js';

const CALLS = 'traces_span_metrics_calls_total';
const DURATION = 'traces_span_metrics_duration_milliseconds';
/** The work a service receives: requests and calls it serves, messages it consumes. */
const INCOMING = 'span_kind=~"SPAN_KIND_SERVER|SPAN_KIND_CONSUMER"';
/** The calls a service makes: to another service, a database, a queue or a stream. */
const OUTGOING = 'span_kind=~"SPAN_KIND_CLIENT|SPAN_KIND_PRODUCER"';
/** A span that ended in error (its status, set by the instrumentation or the service). */
const ERROR = 'status_code="STATUS_CODE_ERROR"';
/** The Collector's own metrics (job of docs/metrics.md). */
const COLLECTOR = 'job="otel-collector-self"';

/**
 * The labels that can name a callee, from the weakest to the strongest: the span's name, the
 * server's address, the database system, the queue or stream, the gRPC service.
 */
const CALLEE_SOURCES = ['span_name', 'server_address', 'db_system_name', 'messaging_destination_name', 'rpc_service'];
const EDGE = ['service_name', 'span_kind', 'callee'];

/**
 * `expr` (summed by CALLEE_SOURCES) with a `callee` label: label_replace copies each source in
 * turn where it is set, so the strongest one present wins; then summed by caller, kind, callee.
 */
function byEdge(expr: string, extra: string[] = []): string {
  let out = expr;
  for (const label of CALLEE_SOURCES) out = `label_replace(${out}, "callee", "$1", "${label}", "(.+)")`;
  return `sum by (${[...extra, ...EDGE].join(', ')}) (${out})`;
}

/** Calls per second of the outgoing spans matching `selector`, per caller → callee. */
function edgeRate(selector: string): string {
  return byEdge(`sum by (${[...CALLEE_SOURCES, 'service_name', 'span_kind'].join(', ')}) (rate(${CALLS}{${selector}}[${RATE}]))`);
}

/** The q-quantile of outgoing span durations per caller → callee, in milliseconds. */
function edgeQuantile(p: number): string {
  const buckets = `sum by (${['le', ...CALLEE_SOURCES, 'service_name', 'span_kind'].join(', ')}) (rate(${DURATION}_bucket{${OUTGOING}}[${RATE}]))`;
  return `histogram_quantile(${p}, ${byEdge(buckets, ['le'])})`;
}

/** Share of outgoing calls that ended in error per edge; 0 rather than missing where none did. */
const EDGE_ERROR_RATIO = `(${edgeRate(`${OUTGOING}, ${ERROR}`)} or 0 * ${edgeRate(OUTGOING)}) / ${edgeRate(OUTGOING)}`;

/** A latency timeseries of a service histogram (seconds), with its exemplars. */
function withExemplars(title: string, description: string, histogram: string, selector: string, by: string[], legend: string): PanelSpec {
  return {
    type: 'timeseries',
    title,
    description,
    unit: 's',
    queries: [q(quantile(0.99, histogram, selector, by), legend, { exemplar: true })],
  };
}

const msOverrides = (names: string[]) => names.map((name) => ({ matcher: { id: 'byName', options: name }, properties: [{ id: 'unit', value: 'ms' }] }));
const tableColumns = [
  { matcher: { id: 'byName', options: 'calls/s' }, properties: [{ id: 'unit', value: 'ops' }, { id: 'decimals', value: 2 }] },
  { matcher: { id: 'byName', options: 'error ratio' }, properties: [{ id: 'unit', value: 'percentunit' }, { id: 'decimals', value: 2 }] },
];

export function tracesDashboard(): BuiltDashboard {
  return labDashboard({ uid: 'orderlab-traces', name: 'Traces', tags: ['traces', 'red'] }, {
    description:
      'What the spans say: RED per service and operation from the Collector’s span metrics, who calls whom, latency with exemplars that open a trace, and the tracing pipeline. Span panels are empty while the Collector does not run.',
    rows: [
      {
        title: 'RED per service, from spans (server and consumer spans)',
        panels: [
          {
            type: 'timeseries',
            title: 'Spans/s by service',
            description: 'Requests, calls and messages each service handled per second, counted from its server and consumer spans (every traced service; the traffic generator traces nothing).',
            unit: 'ops',
            stack: true,
            queries: [fromCollector(sumRate(CALLS, INCOMING, ['service_name']), '{{service_name}}')],
          },
          {
            type: 'timeseries',
            title: 'Error ratio by service',
            description: 'Share of those spans whose status is ERROR (a 5xx answer, a failed gRPC call, a message that failed). 0 while nothing fails.',
            unit: 'percentunit',
            min: 0,
            threshold: { value: 0.005 },
            queries: [fromCollector(ratio(CALLS, INCOMING, ERROR, ['service_name']), '{{service_name}}')],
          },
          {
            type: 'timeseries',
            title: 'p50 / p99 by service',
            description: 'Span duration of the work each service received. Exemplar dots (trace ids kept by the span metrics) open a trace of that duration.',
            unit: 'ms',
            queries: [
              fromCollector(quantile(0.5, DURATION, INCOMING, ['service_name']), 'p50 {{service_name}}'),
              fromCollector(quantile(0.99, DURATION, INCOMING, ['service_name']), 'p99 {{service_name}}', { exemplar: true }),
            ],
          },
        ],
      },
      {
        title: 'Operations (service × span name)',
        panels: [
          {
            type: 'table',
            title: 'Operations',
            description:
              'Every operation the spans name, of every kind (server, client, producer, consumer, internal): calls/s, error ratio, p50 and p99. Sort by a column to find the busiest, the failing, the slowest; database and cache spans show what a request spent its time on.',
            width: 24,
            height: 9,
            queries: [
              fromCollector(sumRate(CALLS, '', ['service_name', 'span_kind', 'span_name']), undefined, { instant: true, format: 'table' }),
              fromCollector(ratio(CALLS, '', ERROR, ['service_name', 'span_kind', 'span_name']), undefined, { instant: true, format: 'table' }),
              fromCollector(quantile(0.5, DURATION, '', ['service_name', 'span_kind', 'span_name']), undefined, { instant: true, format: 'table' }),
              fromCollector(quantile(0.99, DURATION, '', ['service_name', 'span_kind', 'span_name']), undefined, { instant: true, format: 'table' }),
            ],
            columns: ['calls/s', 'error ratio', 'p50', 'p99'],
            overrides: [...tableColumns, ...msOverrides(['p50', 'p99'])],
            transformations: [{ id: 'organize', options: { renameByName: { service_name: 'service', span_kind: 'kind', span_name: 'operation' } } }],
          },
          {
            type: 'timeseries',
            title: 'Slowest operations (p99, top 10)',
            description: 'The ten operations with the highest p99 span duration right now, whatever their kind.',
            unit: 'ms',
            width: 12,
            queries: [fromCollector(`topk(10, ${quantile(0.99, DURATION, '', ['service_name', 'span_name'])})`, '{{service_name}} {{span_name}}')],
          },
          {
            type: 'timeseries',
            title: 'Failing operations (errors/s)',
            description: 'Spans per second that ended in error, per operation. Empty while nothing fails: switch on a fault from the console to see one.',
            unit: 'ops',
            bars: true,
            width: 12,
            queries: [maybeEmpty(sumRate(CALLS, ERROR, ['service_name', 'span_name']), '{{service_name}} {{span_name}}')],
          },
        ],
      },
      {
        title: 'Service graph: caller → callee (client and producer spans)',
        panels: [
          {
            type: 'table',
            title: 'Calls between services',
            description:
              'Who calls whom, from the callers’ client and producer spans: the callee is the gRPC service, the queue or stream, the database system or the server address the span names. calls/s, error ratio and p99 as the caller sees them. In Compose, Tempo’s Service Graph (Explore → Tempo) draws the same edges.',
            width: 24,
            height: 8,
            queries: [
              fromCollector(edgeRate(OUTGOING), undefined, { instant: true, format: 'table' }),
              fromCollector(EDGE_ERROR_RATIO, undefined, { instant: true, format: 'table' }),
              fromCollector(edgeQuantile(0.99), undefined, { instant: true, format: 'table' }),
            ],
            columns: ['calls/s', 'error ratio', 'p99'],
            overrides: [...tableColumns, ...msOverrides(['p99'])],
            transformations: [{ id: 'organize', options: { renameByName: { service_name: 'caller', span_kind: 'kind' } } }],
          },
          {
            type: 'timeseries',
            title: 'Calls/s by edge',
            description: 'Calls per second per caller → callee.',
            unit: 'ops',
            width: 12,
            queries: [fromCollector(edgeRate(OUTGOING), '{{service_name}} → {{callee}}')],
          },
          {
            type: 'timeseries',
            title: 'p99 by edge',
            description: 'p99 duration of each caller → callee call, as the caller measured it (network and queueing in front of the callee included).',
            unit: 'ms',
            width: 12,
            queries: [fromCollector(edgeQuantile(0.99), '{{service_name}} → {{callee}}')],
          },
        ],
      },
      {
        title: 'Latency with exemplars: a dot is one request, click it for its trace',
        panels: [
          withExemplars(
            'Gateway p99 by route',
            'http_server_request_duration_seconds of the gateway. Each exemplar dot carries the trace id of one request in that bucket: click it, then "Open trace".',
            'http_server_request_duration_seconds',
            'job="gateway"',
            ['http_route'],
            '{{http_route}}',
          ),
          withExemplars(
            'orders gRPC p99 by method',
            'rpc_server_call_duration_seconds of orders, with the trace id of a call per bucket as exemplars.',
            'rpc_server_call_duration_seconds',
            'job="orders"',
            ['rpc_method'],
            '{{rpc_method}}',
          ),
          withExemplars(
            'Consumers p99 (stream and queue)',
            'messaging_process_duration_seconds of fulfillment (the Redis stream) and notifications (RabbitMQ); an exemplar opens the trace of the order the message belongs to.',
            'messaging_process_duration_seconds',
            'job=~"fulfillment|notifications"',
            ['job', 'messaging_destination_name'],
            '{{job}} {{messaging_destination_name}}',
          ),
        ],
      },
      {
        title: 'The tracing pipeline (the OpenTelemetry Collector)',
        panels: [
          {
            type: 'timeseries',
            title: 'Spans/s in and out',
            description: 'Spans the Collector accepted from the services and exported to the trace store. Out below in for a while means the store is slow or down: spans wait in the queue, then are dropped.',
            unit: 'ops',
            queries: [
              fromCollector(sumRate('otelcol_receiver_accepted_spans', COLLECTOR), 'accepted'),
              fromCollector(sumRate('otelcol_exporter_sent_spans', COLLECTOR), 'exported'),
            ],
          },
          {
            type: 'timeseries',
            title: 'Spans/s refused or failed',
            description: 'Spans the receiver refused (memory_limiter above its limit: the services drop and count them) and spans the exporter failed to send. Empty while the pipeline is healthy.',
            unit: 'ops',
            bars: true,
            queries: [
              maybeEmpty(sumRate('otelcol_receiver_refused_spans', COLLECTOR), 'refused'),
              maybeEmpty(sumRate('otelcol_exporter_send_failed_spans', COLLECTOR), 'export failed'),
            ],
          },
          {
            type: 'timeseries',
            title: 'Export queue and memory',
            description: 'Batches waiting to be exported against the queue’s capacity (full: new spans are dropped), and the Collector’s resident memory (its memory_limiter refuses data near 100 MiB).',
            queries: [
              fromCollector(`sum(otelcol_exporter_queue_size{${COLLECTOR}})`, 'queued batches'),
              fromCollector(`sum(otelcol_exporter_queue_capacity{${COLLECTOR}})`, 'queue capacity'),
              fromCollector(`sum(otelcol_process_memory_rss{${COLLECTOR}})`, 'memory (RSS)'),
            ],
            overrides: [rightAxis('memory (RSS)', 'bytes')],
          },
        ],
      },
    ],
  });
}
