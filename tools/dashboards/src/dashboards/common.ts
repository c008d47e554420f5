/** Pieces every OrderLab dashboard shares: the annotations, the tags, the links between them. */
import type { Annotation } from '../grafana.js';

/** Every dashboard carries this tag; the dashboards' link dropdown lists the ones that have it. */
export const TAG = 'orderlab';

/**
 * A mark where the traffic generator changed mode (steady → burst …), titled with the new
 * mode: `traffic_mode` is 1 for the current mode, and its series change when the mode does.
 */
export const TRAFFIC_MODE_CHANGES: Annotation = {
  name: 'Traffic mode changes',
  expr: 'traffic_mode{job="traffic"} == 1 and on (mode) changes(traffic_mode{job="traffic"}[1m]) > 0',
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

/** Where a dashboard opens in the Compose lab (docs/dashboards.md). */
export const dashboardUrl = (uid: string) => `http://127.0.0.1:3000/d/${uid}`;

/**
 * A field override that moves the series named `name` (or matching the regex) to a right-hand
 * axis with its own unit: a ratio or a count next to durations on one panel.
 */
export function rightAxis(name: string | RegExp, unit: string): Record<string, unknown> {
  const matcher = typeof name === 'string' ? { id: 'byName', options: name } : { id: 'byRegexp', options: name.source };
  return { matcher, properties: [{ id: 'unit', value: unit }, { id: 'custom.axisPlacement', value: 'right' }] };
}

/**
 * The lab's databases: `orders`, `fulfillment`, `notifications` (Compose, npm start) and the
 * test labs' `t_<label>_<id>_orders`, … on a shared server.
 */
export const LAB_DATABASES = 'job="postgres", datname=~"(.+_)?(orders|fulfillment|notifications)"';
