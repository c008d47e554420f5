/**
 * Lab overview: one row per hop a request takes, in order (edge → gateway → gRPC to orders →
 * PostgreSQL → Redis stream to fulfillment → RabbitMQ to notifications), each with its rate,
 * errors and duration (RED), and the traffic that drives it all at the bottom. The first page
 * to open: it shows which hop to drill into.
 */
import { maybeEmpty, q, timeseries, type BuiltDashboard, type PanelSpec } from '../grafana.js';
import { GRPC_SERVER_ERRORS, HTTP_SERVER_ERRORS, quantile, ratio, sumRate } from '../promql.js';
import { inVsOut, labDashboard, rightAxis } from './common.js';

const gatewayHttp = 'job="gateway"';

/** A consumer's p95 time per delivery, and the share of deliveries that failed on a right axis. */
function processing(title: string, description: string, consumer: string): PanelSpec {
  const job = `job="${consumer}"`;
  return timeseries(title, description, {
    unit: 's',
    queries: [q(quantile(0.95, 'messaging_process_duration_seconds', job), 'p95'), q(ratio('messaging_process_duration_seconds_count', job, 'error_type!=""'), 'error ratio')],
    overrides: [rightAxis('error ratio', 'percentunit')],
  });
}

export function overviewDashboard(): BuiltDashboard {
  return labDashboard({ uid: 'orderlab-overview', name: 'Lab overview', tags: ['overview', 'red'] }, {
    description: 'Rate, errors and duration of every hop of an order, from the edge to the notifications, and the traffic driving them.',
    rows: [
      {
        title: '1 · Edge (Nginx)',
        panels: [
          {
            type: 'timeseries',
            title: 'Edge requests/s',
            description: 'Every request Nginx answered (nginx_http_requests_total from stub_status). stub_status has no status codes or latency: the gateway row below is the closest view of errors and duration.',
            unit: 'reqps',
            queries: [q('sum(rate(nginx_http_requests_total{job="edge"}[$__rate_interval]))', 'requests/s')],
          },
          {
            type: 'timeseries',
            title: 'Edge connections',
            description: 'Client connections open at the edge: active (reading + writing + waiting) and idle keep-alive ones (waiting). Active climbing while requests/s stays flat means slow upstreams.',
            queries: [q('sum(nginx_connections_active{job="edge"})', 'active'), q('sum(nginx_connections_waiting{job="edge"})', 'waiting (keep-alive)')],
          },
          {
            type: 'stat',
            title: 'Edge up',
            description: 'nginx_up: 1 when the exporter could read stub_status, 0 when Nginx does not answer.',
            queries: [q('min(nginx_up{job="edge"})')],
            threshold: { value: 1, below: true },
            fieldDefaults: { mappings: [{ type: 'value', options: { '0': { text: 'DOWN' }, '1': { text: 'UP' } } }] },
          },
        ],
      },
      {
        title: '2 · Gateway (REST)',
        panels: [
          {
            type: 'timeseries',
            title: 'Gateway requests/s by route',
            description: 'Requests the gateway answered, per route template.',
            unit: 'reqps',
            stack: true,
            queries: [q(sumRate('http_server_request_duration_seconds_count', gatewayHttp, ['http_route']), '{{http_route}}')],
          },
          {
            type: 'timeseries',
            title: 'Gateway 5xx ratio',
            description: 'Share of gateway answers that were 5xx (the 503s the gateway sheds under overload included). The availability SLO allows 0.5 %.',
            unit: 'percentunit',
            min: 0,
            threshold: { value: 0.005 },
            queries: [q(ratio('http_server_request_duration_seconds_count', gatewayHttp, HTTP_SERVER_ERRORS), '5xx ratio')],
          },
          {
            type: 'timeseries',
            title: 'Gateway latency',
            description: 'p50, p95 and p99 of the gateway request duration over all routes. The latency SLO wants 99 % under 250 ms.',
            unit: 's',
            threshold: { value: 0.25 },
            queries: [0.5, 0.95, 0.99].map((p) => q(quantile(p, 'http_server_request_duration_seconds', gatewayHttp), `p${p * 100}`)),
          },
        ],
      },
      {
        title: '3 · gRPC (gateway → orders)',
        panels: [
          {
            type: 'timeseries',
            title: 'orders gRPC calls/s by method',
            description: 'Calls the orders service handled, per method.',
            unit: 'reqps',
            stack: true,
            queries: [q(sumRate('rpc_server_call_duration_seconds_count', 'job="orders"', ['rpc_method']), '{{rpc_method}}')],
          },
          {
            type: 'timeseries',
            title: 'orders gRPC server-error ratio',
            description: 'Share of calls that ended with a server-side status (UNKNOWN, DEADLINE_EXCEEDED, UNIMPLEMENTED, INTERNAL, UNAVAILABLE, DATA_LOSS). NOT_FOUND and other caller errors are not counted.',
            unit: 'percentunit',
            min: 0,
            queries: [q(ratio('rpc_server_call_duration_seconds_count', 'job="orders"', GRPC_SERVER_ERRORS), 'server errors')],
          },
          {
            type: 'timeseries',
            title: 'gRPC p95: client vs server',
            description: 'p95 as the gateway (client) measures a call and as orders (server) measures it. The gap is time on the wire and in queues on both sides.',
            unit: 's',
            queries: [
              q(quantile(0.95, 'rpc_client_call_duration_seconds', 'job="gateway"'), 'client (gateway)'),
              q(quantile(0.95, 'rpc_server_call_duration_seconds', 'job="orders"'), 'server (orders)'),
            ],
          },
        ],
      },
      {
        title: '4 · PostgreSQL (every service’s queries)',
        panels: [
          {
            type: 'timeseries',
            title: 'Queries/s by service',
            description: 'Statements each service sent to its database (db_client_operation_duration_seconds).',
            unit: 'ops',
            stack: true,
            queries: [q(sumRate('db_client_operation_duration_seconds_count', '', ['job']), '{{job}}')],
          },
          {
            type: 'timeseries',
            title: 'Query error ratio',
            description: 'Share of statements that failed (error_type set: a SQLSTATE code such as 23505, timeout, or _OTHER for a connection error).',
            unit: 'percentunit',
            min: 0,
            queries: [q(ratio('db_client_operation_duration_seconds_count', '', 'error_type!=""', ['job']), '{{job}}')],
          },
          {
            type: 'timeseries',
            title: 'Query p95 by service',
            description: 'p95 statement duration as each service measures it (pool wait excluded).',
            unit: 's',
            queries: [q(quantile(0.95, 'db_client_operation_duration_seconds', '', ['job']), '{{job}}')],
          },
          {
            type: 'timeseries',
            title: 'Connection pools',
            description: 'Connections in use per service, and requests waiting for one. Waiting above 0 means the pool (DATABASE_POOL_MAX) is the bottleneck.',
            width: 24,
            height: 6,
            queries: [
              q('sum by (job) (db_client_connection_count{db_client_connection_state="used"})', '{{job}} used'),
              q('sum by (job) (db_client_connection_pending_requests)', '{{job}} waiting'),
            ],
          },
        ],
      },
      {
        title: '5 · Redis stream → fulfillment',
        panels: [
          inVsOut('Stream in vs out', 'Entries the orders outbox added to fulfillment:requests vs entries fulfillment consumed. In above out means the backlog grows.', 'messaging_system="redis", error_type=""', 'sent', 'fulfillment'),
          {
            type: 'timeseries',
            title: 'Stream backlog',
            description: 'Entries not yet delivered to the consumer group (lag) and delivered but not acknowledged (pending).',
            stack: true,
            queries: [q('sum by (state) (orderlab_queue_messages{job="fulfillment", state=~"lag|pending"})', '{{state}}')],
          },
          processing('Fulfillment processing', 'p95 time to process one entry (pick, pack, ship, report to orders), and the share that failed.', 'fulfillment'),
        ],
      },
      {
        title: '6 · RabbitMQ → notifications',
        panels: [
          inVsOut('Events in vs out', 'Events the orders outbox published to orderlab.events vs messages notifications consumed from its queue.', 'messaging_system="rabbitmq", error_type=""', 'published', 'notifications'),
          {
            type: 'timeseries',
            title: 'Queue depth',
            description: 'Messages ready (waiting for a consumer) and unacknowledged (delivered, being processed), per queue, from the broker.',
            queries: [
              q('sum by (queue) (rabbitmq_detailed_queue_messages_ready{job="rabbitmq-detailed"})', '{{queue}} ready'),
              q('sum by (queue) (rabbitmq_detailed_queue_messages_unacked{job="rabbitmq-detailed"})', '{{queue}} unacked'),
            ],
          },
          processing('Notifications processing', 'p95 time to handle one event, and the share that failed (invalid or returned for another delivery).', 'notifications'),
        ],
      },
      {
        title: '7 · Traffic generator',
        panels: [
          {
            type: 'stat',
            title: 'Traffic mode',
            description: 'The mode the generator runs in now (steady, burst, overload, pause). Mode changes are marked on every graph.',
            queries: [q('orderlab_traffic_mode{job="traffic"} == 1', '{{mode}}')],
            options: { textMode: 'name', graphMode: 'none', colorMode: 'background' },
            fieldDefaults: { color: { mode: 'fixed', fixedColor: 'blue' } },
          },
          {
            type: 'timeseries',
            title: 'Target vs achieved rate',
            description: 'Arrivals per second the mode asks for vs requests per second that completed. Achieved below target: the shop (or the generator) cannot keep up.',
            unit: 'reqps',
            queries: [q('sum(orderlab_traffic_target_requests_per_second{job="traffic"})', 'target'), q('sum(orderlab_traffic_achieved_requests_per_second{job="traffic"})', 'achieved')],
          },
          {
            type: 'timeseries',
            title: 'Client latency p99 and errors',
            description: 'p99 as the generator measures it (edge and network included), and requests/s that failed (5xx, timeout, connection error).',
            unit: 's',
            queries: [
              q(quantile(0.99, 'http_client_request_duration_seconds', 'job="traffic"'), 'p99'),
              maybeEmpty(sumRate('http_client_request_duration_seconds_count', 'job="traffic", error_type!=""', ['error_type']), 'errors/s {{error_type}}'),
            ],
            overrides: [rightAxis(/^errors/, 'reqps')],
          },
        ],
      },
    ],
  });
}
