/**
 * Traffic generator: what load the lab is under. The mode and its history, the rate asked
 * for vs the rate achieved, what the journeys got back (status codes, timeouts), and latency
 * as a client sees it, next to the gateway's own view of the same requests.
 */
import { maybeEmpty, q, type BuiltDashboard } from '../grafana.js';
import { quantile, sumRate } from '../promql.js';
import { labDashboard } from './common.js';

const traffic = 'job="traffic"';
const CLIENT = 'http_client_request_duration_seconds';

export function trafficDashboard(): BuiltDashboard {
  return labDashboard({ uid: 'orderlab-traffic', name: 'Traffic generator', tags: ['traffic'] }, {
    description: 'The load the lab is under: mode, target vs achieved rate, outcomes by journey and status, client-side latency.',
    rows: [
      {
        title: 'Mode and rate',
        panels: [
          {
            type: 'stat',
            title: 'Mode now',
            description: 'The generator’s current mode. Change it with make mode-steady | mode-burst | mode-overload | mode-pause.',
            width: 4,
            queries: [q(`orderlab_traffic_mode{${traffic}} == 1`, '{{mode}}')],
            options: { textMode: 'name', graphMode: 'none', colorMode: 'background' },
            fieldDefaults: { color: { mode: 'fixed', fixedColor: 'blue' } },
          },
          {
            type: 'state-timeline',
            title: 'Mode over time',
            description: 'Which mode ran when (orderlab_traffic_mode is 1 for the current mode).',
            width: 20,
            height: 4,
            queries: [q(`max by (mode) (orderlab_traffic_mode{${traffic}})`, '{{mode}}')],
            fieldDefaults: { mappings: [{ type: 'value', options: { '0': { text: ' ', color: 'transparent' }, '1': { text: 'on', color: 'blue' } } }] },
          },
          {
            type: 'timeseries',
            title: 'Target vs achieved',
            description: 'Arrivals per second the mode schedules vs requests per second that completed (over STATUS_WINDOW_S). In overload the target ramps until errors or p99 cross the limits.',
            unit: 'reqps',
            width: 12,
            queries: [q(`sum(orderlab_traffic_target_requests_per_second{${traffic}})`, 'target'), q(`sum(orderlab_traffic_achieved_requests_per_second{${traffic}})`, 'achieved')],
          },
          {
            type: 'timeseries',
            title: 'In flight and dropped arrivals',
            description: 'Requests waiting for an answer, and arrivals dropped because MAX_IN_FLIGHT were already waiting (the generator itself is saturated: the achieved rate is then not what the shop could do).',
            width: 12,
            queries: [q(`sum(orderlab_traffic_in_flight_requests{${traffic}})`, 'in flight'), q(sumRate('orderlab_traffic_dropped_arrivals_total', traffic), 'dropped/s')],
          },
        ],
      },
      {
        title: 'Outcomes',
        panels: [
          {
            type: 'timeseries',
            title: 'Requests/s by journey',
            description: 'Requests sent per journey (browse, view-product, place-order, poll-order, read-notifications), weighted by JOURNEY_WEIGHTS.',
            unit: 'reqps',
            stack: true,
            queries: [q(sumRate('orderlab_traffic_sent_requests_total', traffic, ['journey']), '{{journey}}')],
          },
          {
            type: 'timeseries',
            title: 'Answers/s by status code',
            description: 'Status codes the generator received through the edge. 404 and 409 are expected in small numbers (unknown orders, idempotency retries); 5xx are failures.',
            unit: 'reqps',
            stack: true,
            queries: [q(sumRate(`${CLIENT}_count`, `${traffic}, http_response_status_code!=""`, ['http_response_status_code']), '{{http_response_status_code}}')],
          },
          {
            type: 'timeseries',
            title: 'Failures/s by type',
            description: 'Requests that failed: timeout (REQUEST_TIMEOUT_MS), error (connection refused or reset) or the 5xx status code. Empty while nothing fails.',
            unit: 'reqps',
            bars: true,
            queries: [maybeEmpty(sumRate(`${CLIENT}_count`, `${traffic}, error_type!=""`, ['error_type']), '{{error_type}}')],
          },
        ],
      },
      {
        title: 'Latency as a client sees it',
        panels: [
          {
            type: 'timeseries',
            title: 'Client p50 / p95 / p99',
            description: 'Request duration measured by the generator: edge, network and queueing included.',
            unit: 's',
            queries: [0.5, 0.95, 0.99].map((p) => q(quantile(p, CLIENT, traffic), `p${p * 100}`)),
          },
          {
            type: 'timeseries',
            title: 'Client p99 by route',
            description: 'p99 per route template of the journeys.',
            unit: 's',
            queries: [q(quantile(0.99, CLIENT, traffic, ['http_route']), '{{http_route}}')],
          },
          {
            type: 'timeseries',
            title: 'p99: client vs gateway',
            description: 'The same requests timed by the generator and by the gateway. The gap is the edge (Nginx), the network and any queueing in front of the gateway.',
            unit: 's',
            queries: [q(quantile(0.99, CLIENT, traffic), 'client (traffic)'), q(quantile(0.99, 'http_server_request_duration_seconds', 'job="gateway"'), 'server (gateway)')],
          },
        ],
      },
    ],
  });
}
