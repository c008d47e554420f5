/**
 * Gateway: the REST API in detail. RED per route (and a table of them), status codes, the
 * latency distribution with exemplars, saturation (in-flight requests and the 503s the
 * gateway sheds past MAX_IN_FLIGHT) and its calls to orders over gRPC.
 */
import { maybeEmpty, q, type BuiltDashboard } from '../grafana.js';
import { GRPC_SERVER_ERRORS, HTTP_SERVER_ERRORS, join, quantile, ratio, sumRate } from '../promql.js';
import { labDashboard } from './common.js';

const routes = 'job="gateway", http_route=~"$route"';
const HTTP = 'http_server_request_duration_seconds';

export function gatewayDashboard(): BuiltDashboard {
  return labDashboard({ uid: 'orderlab-gateway', name: 'Gateway', tags: ['gateway', 'red'] }, {
    description: 'The REST gateway: rate, errors and duration per route, status codes, latency distribution, shedding under overload, and its gRPC calls to orders.',
    variables: [{ name: 'route', label: 'Route', query: `label_values(${HTTP}_count{job="gateway"}, http_route)`, allValue: '.+' }],
    rows: [
      {
        title: 'Routes (RED)',
        panels: [
          {
            type: 'table',
            title: 'Routes',
            description: 'Per route template, over the last $__rate_interval: requests/s, share of 5xx, p99 duration. Sort by a column to find the busiest, the failing, the slowest route.',
            width: 24,
            height: 7,
            queries: [
              q(sumRate(`${HTTP}_count`, routes, ['http_route']), undefined, { instant: true, format: 'table' }),
              q(ratio(`${HTTP}_count`, routes, HTTP_SERVER_ERRORS, ['http_route']), undefined, { instant: true, format: 'table' }),
              q(quantile(0.99, HTTP, routes, ['http_route']), undefined, { instant: true, format: 'table' }),
            ],
            columns: ['req/s', '5xx ratio', 'p99 (s)'],
            overrides: [
              { matcher: { id: 'byName', options: 'req/s' }, properties: [{ id: 'unit', value: 'reqps' }, { id: 'decimals', value: 2 }] },
              { matcher: { id: 'byName', options: '5xx ratio' }, properties: [{ id: 'unit', value: 'percentunit' }, { id: 'decimals', value: 2 }] },
              { matcher: { id: 'byName', options: 'p99 (s)' }, properties: [{ id: 'unit', value: 's' }] },
            ],
          },
          {
            type: 'timeseries',
            title: 'Requests/s by route',
            description: 'Requests answered per route template.',
            unit: 'reqps',
            stack: true,
            queries: [q(sumRate(`${HTTP}_count`, routes, ['http_route']), '{{http_route}}')],
          },
          {
            type: 'timeseries',
            title: '5xx ratio by route',
            description: 'Share of answers that were 5xx, per route. 0 while a route answers without server errors.',
            unit: 'percentunit',
            min: 0,
            threshold: { value: 0.005 },
            queries: [q(ratio(`${HTTP}_count`, routes, HTTP_SERVER_ERRORS, ['http_route']), '{{http_route}}')],
          },
          {
            type: 'timeseries',
            title: 'p99 by route',
            description: 'p99 request duration per route template. The latency SLO line is at 250 ms.',
            unit: 's',
            threshold: { value: 0.25 },
            queries: [q(quantile(0.99, HTTP, routes, ['http_route']), '{{http_route}}')],
          },
        ],
      },
      {
        title: 'Status codes and latency distribution',
        panels: [
          {
            type: 'timeseries',
            title: 'Answers/s by status code',
            description: '2xx success, 4xx the client’s mistake (404 unknown order, 409 idempotency conflict, 422 mismatch), 5xx the shop’s (503 = shed or orders unavailable).',
            unit: 'reqps',
            stack: true,
            width: 12,
            queries: [q(sumRate(`${HTTP}_count`, routes, ['http_response_status_code']), '{{http_response_status_code}}')],
          },
          {
            type: 'heatmap',
            title: 'Latency distribution (with exemplars)',
            description: 'How many requests fell in each duration bucket over time. Exemplar dots carry one request’s trace id: hover one, then Open trace (Tempo).',
            unit: 's',
            width: 12,
            queries: [q(`sum by (le) (rate(${HTTP}_bucket{${routes}}[$__rate_interval]))`, '{{le}}', { format: 'heatmap', exemplar: true })],
          },
        ],
      },
      {
        title: 'Saturation',
        panels: [
          {
            type: 'timeseries',
            title: 'In-flight requests',
            description: 'Requests the gateway is handling right now. It sheds (503 + Retry-After) past MAX_IN_FLIGHT (128 by default).',
            threshold: { value: 128, color: 'orange' },
            width: 12,
            queries: [q('sum by (http_request_method) (http_server_active_requests{job="gateway"})', '{{http_request_method}}')],
          },
          {
            type: 'timeseries',
            title: 'Shed requests/s',
            description: 'Requests refused before any work because too many were in flight (orderlab_gateway_rejected_requests_total). Empty until the gateway sheds for the first time: try make mode-overload.',
            unit: 'reqps',
            bars: true,
            width: 12,
            queries: [maybeEmpty(sumRate('orderlab_gateway_rejected_requests_total', 'job="gateway"', ['reason']), '{{reason}}')],
          },
        ],
      },
      {
        title: 'Outbound gRPC to orders',
        panels: [
          {
            type: 'timeseries',
            title: 'Calls/s by method and status',
            description: 'Calls the gateway made to orders, by method and gRPC status. NOT_FOUND for an unknown order is normal; UNAVAILABLE or DEADLINE_EXCEEDED are not.',
            unit: 'reqps',
            stack: true,
            queries: [q(sumRate('rpc_client_call_duration_seconds_count', 'job="gateway"', ['rpc_method', 'rpc_status_code']), '{{rpc_method}} {{rpc_status_code}}')],
          },
          {
            type: 'timeseries',
            title: 'Server-error ratio by method',
            description: 'Share of calls that ended with a server-side gRPC status, per method.',
            unit: 'percentunit',
            min: 0,
            queries: [q(ratio('rpc_client_call_duration_seconds_count', 'job="gateway"', GRPC_SERVER_ERRORS, ['rpc_method']), '{{rpc_method}}')],
          },
          {
            type: 'timeseries',
            title: 'p95 by method',
            description: 'p95 call duration per method as the gateway sees it (deadline: GRPC_DEADLINE_MS, 2 s).',
            unit: 's',
            queries: [q(quantile(0.95, 'rpc_client_call_duration_seconds', join('job="gateway"'), ['rpc_method']), '{{rpc_method}}')],
          },
        ],
      },
    ],
  });
}
