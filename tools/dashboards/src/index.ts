/**
 * @orderlab/dashboards: the lab's Grafana dashboards, built in TypeScript and written to
 * deploy/grafana/dashboards/<uid>.json (`npm run dashboards -w @orderlab/dashboards`). Every
 * PromQL query of every panel is listed by dashboardQueries(), so tests can parse them, check
 * their metric names against docs/metrics.md and run them against a live Prometheus; the LogQL
 * ones (the Logs dashboard, on Loki) by logQueries().
 */
import { fileURLToPath } from 'node:url';
import type { BuiltDashboard, GrafanaDashboard, GrafanaPanel } from './grafana.js';
import { asyncDashboard } from './dashboards/async.js';
import { gatewayDashboard } from './dashboards/gateway.js';
import { logsDashboard } from './dashboards/logs.js';
import { ordersDashboard } from './dashboards/orders.js';
import { overviewDashboard } from './dashboards/overview.js';
import { runtimeDashboard } from './dashboards/runtime.js';
import { sloDashboard } from './dashboards/slo.js';
import { trafficDashboard } from './dashboards/traffic.js';
import { tracesDashboard } from './dashboards/traces.js';

export { toInstantQuery, syntaxErrors, metricNames, labelMatchers, MACRO_VALUES } from './promql.js';
export { LOKI, PROMETHEUS, SCHEMA_VERSION, type Datasource, type BuiltDashboard, type GrafanaDashboard, type GrafanaPanel, type GrafanaTarget } from './grafana.js';

/** The repository root (this file is tools/dashboards/dist/src/index.js once compiled). */
export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
/** Where the generated JSON lives, relative to the repository root; Grafana is provisioned from it. */
export const DASHBOARDS_DIR = 'deploy/grafana/dashboards';

/** Every dashboard, in the order of docs/dashboards.md: the overview first. */
export function allDashboards(): BuiltDashboard[] {
  return [overviewDashboard(), gatewayDashboard(), ordersDashboard(), asyncDashboard(), runtimeDashboard(), sloDashboard(), trafficDashboard(), tracesDashboard(), logsDashboard()];
}

/** The file a dashboard is written to, inside DASHBOARDS_DIR. */
export const fileNameOf = (dashboard: Pick<GrafanaDashboard, 'uid'>) => `${dashboard.uid}.json`;

/** A dashboard as committed: 2-space JSON and a final newline, so diffs stay readable. */
export function renderDashboard(dashboard: GrafanaDashboard): string {
  return `${JSON.stringify(dashboard, null, 2)}\n`;
}

/** Panels of a dashboard, row headers skipped (the children of collapsed rows included). */
export function panelsOf(dashboard: GrafanaDashboard): GrafanaPanel[] {
  return dashboard.panels.flatMap((p) => (p.type === 'row' ? (p.panels ?? []) : [p]));
}

/** One query of one panel (or annotation), as the live check runs it. */
export interface DashboardQuery {
  /** The dashboard's uid. */
  dashboard: string;
  /** The panel's title, or `annotation: <name>`. */
  panel: string;
  /** PromQL with Grafana macros and variables: run it through toInstantQuery() first. */
  expr: string;
  /**
   * True when the query must return series while the lab runs steady traffic; false for
   * errors, retries, dead letters, shedding and annotations, which are legitimately empty, and
   * for the queries that need the Collector (`needs`).
   */
  mustHaveData: boolean;
  /**
   * `collector`: the query reads the OpenTelemetry Collector's metrics (span metrics,
   * `otelcol_*`), so it returns series under steady traffic only while the Collector runs. A live
   * check whose lab runs the Collector expects data from it, as from a must-have query.
   */
  needs?: 'collector';
}

/** Every PromQL query of every dashboard: panel targets in panel order, then annotations. */
export function dashboardQueries(dashboards: BuiltDashboard[] = allDashboards()): DashboardQuery[] {
  return dashboards.flatMap((d) => d.queries.filter((query) => query.language !== 'logql').map((query) => ({ dashboard: d.json.uid, ...query })));
}

/** One LogQL query of one panel (a Loki panel of the Logs dashboard). */
export interface LogQuery {
  dashboard: string;
  panel: string;
  /** LogQL with Grafana's macros ($__auto, $__interval, $__range). */
  expr: string;
}

/** Every LogQL query of every dashboard, in panel order. */
export function logQueries(dashboards: BuiltDashboard[] = allDashboards()): LogQuery[] {
  return dashboards.flatMap((d) => d.queries.filter((query) => query.language === 'logql').map((query) => ({ dashboard: d.json.uid, panel: query.panel, expr: query.expr })));
}

/** A dashboard variable's query (Grafana's `label_values(metric{…}, label)`, not PromQL). */
export interface VariableQuery {
  dashboard: string;
  variable: string;
  query: string;
}

/** Every variable of every dashboard. */
export function variableQueries(dashboards: BuiltDashboard[] = allDashboards()): VariableQuery[] {
  return dashboards.flatMap((d) => d.json.templating.list.map((v) => ({ dashboard: d.json.uid, variable: String(v.name), query: String(v.definition) })));
}
