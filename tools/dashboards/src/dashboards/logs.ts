/**
 * Logs: what the lab's containers write, from Loki (Compose's logs profile; deploy/alloy ships
 * the lines). Error lines per service, the volume by service and level, and the lines
 * themselves, each with its trace_id link to Tempo (the Loki datasource's derived field).
 *
 * Every query is LogQL on the two labels Alloy sets, `service` (the Compose service) and
 * `level` (pino's level; the edge's from its status; none on lines that are not JSON). The
 * per-request fields (trace_id, span_id, request_id) are structured metadata, filtered with
 * `| trace_id="…"` rather than selected. Rates use `$__auto`, Grafana's step for Loki.
 */
import { maybeEmpty, q, LOKI, timeseries, type BuiltDashboard, type PanelSpec, type Query } from '../grafana.js';
import { labDashboard } from './common.js';

/** Every stream of the lab (a selector needs one matcher that cannot match the empty string). */
const ALL = 'service=~".+"';
/** Lines at pino's error and fatal levels, and the edge's 5xx. */
const ERRORS = 'level=~"error|fatal"';
/** Grafana's step for Loki range queries (it adapts to the zoom and to the panel's width). */
const STEP = '$__auto';

/** A LogQL metric query: `fn({selector}[$__auto])` summed by `by`. */
function sumBy(by: string[], fn: 'rate' | 'bytes_rate' | 'count_over_time', selector: string, window = STEP): string {
  return `sum by (${by.join(', ')}) (${fn}({${selector}}[${window}]))`;
}

/** A timeseries panel on Loki. */
function logSeries(title: string, description: string, spec: Omit<PanelSpec, 'type' | 'title' | 'description' | 'datasource'>): PanelSpec {
  return { ...timeseries(title, description, spec), datasource: LOKI };
}

/** A panel of log lines, newest first. */
function lines(title: string, description: string, query: Query, width = 24, height = 12): PanelSpec {
  return { type: 'logs', title, description, datasource: LOKI, queries: [query], width, height };
}

export function logsDashboard(): BuiltDashboard {
  return labDashboard(
    { uid: 'orderlab-logs', name: 'Logs', tags: ['logs', 'loki'] },
    {
      description:
        'The lab’s log lines in Loki (Compose, logs profile): error lines per service, the volume by service and level, and the lines themselves. A line’s trace_id (structured metadata) opens its trace in Tempo; a span in Tempo opens its logs here.',
      from: 'now-30m',
      rows: [
        {
          title: 'Errors',
          panels: [
            logSeries('Error lines/s by service', 'Lines at level error or fatal per second, per service (the edge counts its 5xx answers). Zero on a clean steady run: a rise names the service to open below, or in Explore with {service="…", level="error"}.', {
              width: 16,
              unit: 'short',
              queries: [maybeEmpty(sumBy(['service'], 'rate', `${ALL}, ${ERRORS}`), '{{service}}')],
            }),
            {
              type: 'stat',
              title: 'Error lines in the range',
              description: 'How many error and fatal lines the lab wrote over the dashboard’s time range, all services together.',
              datasource: LOKI,
              width: 8,
              unit: 'short',
              threshold: { value: 1 },
              queries: [maybeEmpty(`sum(count_over_time({${ALL}, ${ERRORS}}[$__range]))`, 'error lines', { instant: true })],
            },
            logSeries('Warning lines/s by service', 'Lines at level warn per second, per service: retries, sheds, the edge’s 4xx answers. Warnings that keep rising are often the first sign of a fault.', {
              width: 24,
              height: 6,
              unit: 'short',
              queries: [maybeEmpty(sumBy(['service'], 'rate', `${ALL}, level="warn"`), '{{service}}')],
            }),
          ],
        },
        {
          title: 'Volume',
          panels: [
            logSeries('Log lines/s by service and level', 'Every line per second, per service and level, stacked. Under steady traffic most lines are the edge’s access log and the services’ info lines; lines without a level are those that are not JSON (PostgreSQL, Redis, RabbitMQ, Grafana).', {
              width: 16,
              stack: true,
              unit: 'short',
              queries: [q(sumBy(['service', 'level'], 'rate', ALL), '{{service}} {{level}}')],
            }),
            logSeries('Log bytes/s by service', 'How fast each service writes, in bytes: what the log store takes in (Loki keeps 72 h, VictoriaLogs 7 days or 1 GiB, as natively).', {
              width: 8,
              unit: 'Bps',
              queries: [q(sumBy(['service'], 'bytes_rate', ALL), '{{service}}')],
            }),
          ],
        },
        {
          title: 'Lines',
          panels: [
            lines(
              'Errors and warnings',
              'The newest error, fatal and warn lines of every service. Open a line for its fields: trace_id links to the trace in Tempo, request_id finds every line of the same request (Explore: {service=~".+"} | request_id="…").',
              maybeEmpty(`{${ALL}, level=~"error|fatal|warn"}`),
            ),
            lines(
              'Slow requests (over 1 s)',
              'Request lines of the services that took longer than a second, as method, route, status and duration. The JSON is parsed at query time (| json) and filtered on its duration_ms field.',
              maybeEmpty('{service=~"gateway|orders|fulfillment|notifications"} | json | duration_ms > 1000 | line_format "{{.service}} {{.method}} {{.route}} {{.status}} {{.duration_ms}} ms"'),
              12,
            ),
            lines(
              'Edge: failed requests',
              'The edge’s access-log lines of 5xx answers: status, method, path and request id (the id every service logs for the same request).',
              maybeEmpty('{service="edge", level="error"} | json | line_format "{{.status}} {{.method}} {{.path}} request_id={{.request_id}}"'),
              12,
            ),
          ],
        },
      ],
    },
  );
}
