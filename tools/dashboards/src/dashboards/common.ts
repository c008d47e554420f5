/** Pieces every OrderLab dashboard shares: the annotations, the tags, the links between them. */
import { dashboard, q, timeseries, type Annotation, type BuiltDashboard, type DashboardSpec, type PanelSpec } from '../grafana.js';
import { sumRate } from '../promql.js';

/** Every dashboard carries this tag; the dashboards' link dropdown lists the ones that have it. */
export const TAG = 'orderlab';

/**
 * A mark where the traffic generator changed mode (steady → burst …), titled with the new
 * mode: `orderlab_traffic_mode` is 1 for the current mode, and its series change when the mode does.
 */
export const TRAFFIC_MODE_CHANGES: Annotation = {
  name: 'Traffic mode changes',
  expr: 'orderlab_traffic_mode{job="traffic"} == 1 and on (mode) changes(orderlab_traffic_mode{job="traffic"}[1m]) > 0',
  title: 'traffic mode: {{mode}}',
  text: 'The traffic generator switched to {{mode}}',
  color: 'blue',
};

/** Marks while a Prometheus alert fires (rules under deploy/prometheus/rules). */
export const FIRING_ALERTS: Annotation = {
  name: 'Firing alerts',
  expr: 'ALERTS{alertstate="firing"}',
  title: '{{alertname}}',
  text: '{{alertname}} ({{severity}}) is firing',
  color: 'red',
};

export const ANNOTATIONS = [TRAFFIC_MODE_CHANGES, FIRING_ALERTS];

/** Which dashboard it is: its uid (file name and URL), its title after `OrderLab / `, its tags after TAG. */
export interface DashboardIdentity {
  uid: string;
  name: string;
  tags: string[];
}

/**
 * A lab dashboard: titled `OrderLab / <name>` and tagged TAG first, so the dashboards' link
 * dropdown lists it, with the traffic-mode and alert annotations every dashboard shows.
 */
export function labDashboard({ uid, name, tags }: DashboardIdentity, spec: Omit<DashboardSpec, 'uid' | 'title' | 'tags' | 'annotations'>): BuiltDashboard {
  return dashboard({ ...spec, uid, title: `OrderLab / ${name}`, tags: [TAG, ...tags], annotations: ANNOTATIONS });
}

/**
 * A field override that moves the series named `name` (or matching the regex) to a right-hand
 * axis with its own unit: a ratio or a count next to durations on one panel.
 */
export function rightAxis(name: string | RegExp, unit: string): Record<string, unknown> {
  const matcher = typeof name === 'string' ? { id: 'byName', options: name } : { id: 'byRegexp', options: name.source };
  return { matcher, properties: [{ id: 'unit', value: unit }, { id: 'custom.axisPlacement', value: 'right' }] };
}

/**
 * What the orders outbox sent into one messaging system (sent: the selector of its
 * messaging_client_sent_messages_total series, legend `<sentLegend> (orders)`) vs what the
 * consumer's job took out of it. In above out means a backlog grows.
 */
export function inVsOut(title: string, description: string, sent: string, sentLegend: string, consumer: string): PanelSpec {
  return timeseries(title, description, {
    unit: 'ops',
    queries: [
      q(sumRate('messaging_client_sent_messages_total', sent), `${sentLegend} (orders)`),
      q(sumRate('messaging_client_consumed_messages_total', `job="${consumer}"`), `consumed (${consumer})`),
    ],
  });
}

/**
 * The lab's databases: `orders`, `fulfillment`, `notifications` (Compose, npm start) and the
 * test labs' `t_<label>_<id>_orders`, … on a shared server.
 */
export const LAB_DATABASES = 'job="postgres", datname=~"(.+_)?(orders|fulfillment|notifications)"';
