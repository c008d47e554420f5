/**
 * A small typed builder for Grafana dashboard JSON (schemaVersion 39; Grafana 11 and 12 load
 * it as is). Panels are declared row by row with a width and height; the builder lays them
 * out left to right, wraps at 24 columns, numbers the panels and fills in the datasource, so
 * the dashboard files under src/dashboards/ read as "which question, which query".
 *
 * Panels query Prometheus (PromQL) unless they name Loki (LogQL: the Logs dashboard, Compose's
 * logs profile).
 *
 * Only what the lab's dashboards use is modelled; anything else can go through `options` or
 * `fieldConfig` untyped. Production teams often use the Grafana Foundation SDK instead; a
 * pre-1.0 SDK would change the generated JSON between releases, so the lab keeps its own.
 */

/** The provisioned Prometheus datasource (deploy/grafana/provisioning/datasources). */
export const PROMETHEUS = { type: 'prometheus', uid: 'prometheus' } as const;
/** The provisioned Loki datasource (Compose's logs profile): LogQL queries. */
export const LOKI = { type: 'loki', uid: 'loki' } as const;
/** A datasource a panel can query. */
export type Datasource = typeof PROMETHEUS | typeof LOKI;
export const SCHEMA_VERSION = 39;
const GRID_COLUMNS = 24;

/** One query of a panel (a Grafana "target"): PromQL, or LogQL on a Loki panel. */
export interface Query {
  expr: string;
  /** Legend, with Grafana's `{{label}}` placeholders. */
  legend?: string;
  /**
   * False when the query is legitimately empty while the lab runs steady traffic (errors,
   * dead letters, rejections): the live check then only requires that Prometheus accepts it.
   */
  mustHaveData: boolean;
  /** Evaluate once at the end of the range (tables, stats of "now"). */
  instant?: boolean;
  format?: 'time_series' | 'table' | 'heatmap';
  /** Ask Grafana for exemplars (latency histograms that carry a trace id). */
  exemplar?: boolean;
  /**
   * What must run besides the services for the query to have data: `collector` for the span
   * metrics and the Collector's own metrics (the native lab's Collector; in Compose the tracing
   * profile). Such a query has mustHaveData false; a live check whose lab runs the Collector
   * expects data from it.
   */
  needs?: 'collector';
}

/** A query that must return series under steady traffic. */
export function q(expr: string, legend?: string, options: Partial<Omit<Query, 'expr' | 'legend'>> = {}): Query {
  return { expr, ...(legend === undefined ? {} : { legend }), mustHaveData: true, ...options };
}

/**
 * A query on the OpenTelemetry Collector's metrics (span metrics, `otelcol_*`): it returns series
 * under steady traffic while the Collector runs, and nothing without it.
 */
export function fromCollector(expr: string, legend?: string, options: Partial<Omit<Query, 'expr' | 'legend' | 'mustHaveData' | 'needs'>> = {}): Query {
  return q(expr, legend, { ...options, mustHaveData: false, needs: 'collector' });
}

/** A query that may be empty under steady traffic (errors, retries, dead letters …). */
export function maybeEmpty(expr: string, legend?: string, options: Partial<Omit<Query, 'expr' | 'legend' | 'mustHaveData'>> = {}): Query {
  return q(expr, legend, { ...options, mustHaveData: false });
}

export type PanelType = 'timeseries' | 'stat' | 'table' | 'heatmap' | 'state-timeline' | 'text' | 'gauge' | 'bargauge' | 'logs';

/** A panel before layout: what it shows and how much room it takes. */
export interface PanelSpec {
  type: PanelType;
  title: string;
  /** Shown in the panel's (i) tooltip: what the panel answers and how to read it. */
  description: string;
  queries: Query[];
  /** What the queries run on; Prometheus unless said. A logs panel needs Loki. */
  datasource?: Datasource;
  /** Grid columns (of 24); default 8. */
  width?: number;
  /** Grid rows (30 px each); default 8. */
  height?: number;
  /** Grafana unit id: 's', 'reqps', 'percentunit', 'bytes', 'short', 'ops' … */
  unit?: string;
  min?: number;
  max?: number;
  /** Stack the series (timeseries). */
  stack?: boolean;
  /** Draw bars instead of lines (timeseries). */
  bars?: boolean;
  /** Red above this value (and the line drawn on timeseries). */
  threshold?: { value: number; color?: string; below?: boolean };
  /** Text panel content (markdown). */
  content?: string;
  /** Extra Grafana JSON merged into fieldConfig.defaults / options / the panel itself. */
  fieldDefaults?: Record<string, unknown>;
  overrides?: unknown[];
  options?: Record<string, unknown>;
  transformations?: unknown[];
  /** For tables: rename the merged value columns (Value #A …) to these, in query order. */
  columns?: string[];
}

/** A timeseries panel, the most common kind: its title and description, then what else it sets. */
export function timeseries(title: string, description: string, spec: Omit<PanelSpec, 'type' | 'title' | 'description'>): PanelSpec {
  return { type: 'timeseries', title, description, ...spec };
}

export interface RowSpec {
  title: string;
  panels: PanelSpec[];
}

/** A dashboard variable (Grafana "templating" entry). */
export interface Variable {
  name: string;
  label: string;
  /** `label_values(metric{…}, label)`: Grafana's variable query, not PromQL. */
  query: string;
  multi?: boolean;
  includeAll?: boolean;
  /** Value used for "All": a regex, so every use must be a `=~` matcher. */
  allValue?: string;
}

/** A Prometheus annotation: each time step where `expr` returns a series is marked. */
export interface Annotation {
  name: string;
  expr: string;
  /** Annotation title, with `{{label}}` placeholders. */
  title: string;
  text?: string;
  color: string;
}

export interface DashboardSpec {
  uid: string;
  title: string;
  description: string;
  tags: string[];
  rows: RowSpec[];
  variables?: Variable[];
  annotations?: Annotation[];
  /** Default time range, e.g. 'now-30m'. */
  from?: string;
  refresh?: string;
}

/** Grafana's panel JSON, as far as the tests read it. */
export interface GrafanaPanel {
  id: number;
  type: string;
  title: string;
  description?: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource?: Datasource;
  targets?: GrafanaTarget[];
  collapsed?: boolean;
  panels?: GrafanaPanel[];
  [key: string]: unknown;
}

export interface GrafanaTarget {
  refId: string;
  datasource: Datasource;
  expr: string;
  legendFormat?: string;
  instant: boolean;
  range: boolean;
  format: string;
  exemplar?: boolean;
  /** Loki's: `range` (a time series, or the lines of a logs panel) or `instant`. */
  queryType?: 'range' | 'instant';
  /** Loki's: the query editor opens on the code, as written here. */
  editorMode?: 'code';
}

/** Grafana's dashboard JSON, as far as the tests read it. */
export interface GrafanaDashboard {
  uid: string;
  title: string;
  description: string;
  tags: string[];
  schemaVersion: number;
  panels: GrafanaPanel[];
  templating: { list: Record<string, unknown>[] };
  annotations: { list: Record<string, unknown>[] };
  [key: string]: unknown;
}

const REF_IDS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

function target(query: Query, index: number, datasource: Datasource): GrafanaTarget {
  const instant = query.instant === true;
  return {
    refId: REF_IDS[index] ?? `Q${index}`,
    datasource,
    expr: query.expr,
    ...(query.legend === undefined ? {} : { legendFormat: query.legend }),
    instant,
    range: !instant,
    format: query.format ?? 'time_series',
    ...(query.exemplar ? { exemplar: true } : {}),
    ...(datasource === LOKI ? { queryType: instant ? ('instant' as const) : ('range' as const), editorMode: 'code' as const } : {}),
  };
}

function thresholds(spec: PanelSpec): Record<string, unknown> {
  const steps: { color: string; value: number | null }[] = [{ color: 'green', value: null }];
  if (spec.threshold) {
    if (spec.threshold.below) steps.splice(0, 1, { color: spec.threshold.color ?? 'red', value: null }, { color: 'green', value: spec.threshold.value });
    else steps.push({ color: spec.threshold.color ?? 'red', value: spec.threshold.value });
  }
  return { mode: 'absolute', steps };
}

function fieldConfig(spec: PanelSpec): Record<string, unknown> {
  const defaults: Record<string, unknown> = {
    unit: spec.unit ?? 'short',
    thresholds: thresholds(spec),
    ...(spec.min === undefined ? {} : { min: spec.min }),
    ...(spec.max === undefined ? {} : { max: spec.max }),
  };
  if (spec.type === 'timeseries') {
    defaults.custom = {
      drawStyle: spec.bars ? 'bars' : 'line',
      lineWidth: 1,
      fillOpacity: spec.stack || spec.bars ? 60 : 10,
      showPoints: 'never',
      spanNulls: false,
      stacking: { mode: spec.stack ? 'normal' : 'none', group: 'A' },
      thresholdsStyle: { mode: spec.threshold ? 'line' : 'off' },
    };
  }
  if (spec.type === 'stat' || spec.type === 'gauge' || spec.type === 'bargauge') defaults.color = { mode: 'thresholds' };
  else defaults.color = { mode: 'palette-classic' };
  return { defaults: { ...defaults, ...spec.fieldDefaults }, overrides: spec.overrides ?? [] };
}

function panelOptions(spec: PanelSpec): Record<string, unknown> {
  switch (spec.type) {
    case 'timeseries':
      return { legend: { displayMode: 'list', placement: 'bottom', showLegend: true }, tooltip: { mode: 'multi', sort: 'desc' }, ...spec.options };
    case 'stat':
      return { reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false }, colorMode: 'value', graphMode: 'area', textMode: 'auto', ...spec.options };
    case 'gauge':
    case 'bargauge':
      return { reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false }, showThresholdMarkers: true, ...spec.options };
    case 'heatmap':
      return {
        calculate: false,
        yAxis: { unit: spec.unit ?? 's' },
        cellGap: 1,
        color: { mode: 'scheme', scheme: 'Oranges', steps: 64 },
        exemplars: { color: 'rgba(255,0,255,0.7)' },
        tooltip: { mode: 'single', yHistogram: true },
        ...spec.options,
      };
    case 'table':
      return { showHeader: true, cellHeight: 'sm', ...spec.options };
    case 'state-timeline':
      return { showValue: 'never', mergeValues: true, rowHeight: 0.9, ...spec.options };
    case 'text':
      return { mode: 'markdown', content: spec.content ?? '' };
    case 'logs':
      // Newest first, each line's details (labels, structured metadata: the trace_id link) a click away.
      return { showTime: true, wrapLogMessage: true, sortOrder: 'Descending', enableLogDetails: true, dedupStrategy: 'none', prettifyLogMessage: false, ...spec.options };
  }
}

/**
 * Tables built from several instant queries: merge them on their labels and name the value
 * columns after `columns` (Value #A → "req/s", …), dropping the Time column.
 */
function tableTransformations(spec: PanelSpec): unknown[] {
  if (spec.type !== 'table' || !spec.columns) return spec.transformations ?? [];
  const renameByName: Record<string, string> = {};
  spec.columns.forEach((name, i) => {
    renameByName[spec.queries.length === 1 ? 'Value' : `Value #${REF_IDS[i]}`] = name;
  });
  return [{ id: 'merge', options: {} }, { id: 'organize', options: { excludeByName: { Time: true }, renameByName } }, ...(spec.transformations ?? [])];
}

/** One query of a built dashboard, with what the live check expects of it. */
export interface BuiltQuery {
  /** The panel's title, or `annotation: <name>`. */
  panel: string;
  expr: string;
  /** `logql` on a Loki panel (the live Prometheus check skips it); PromQL otherwise. */
  language?: 'logql';
  mustHaveData: boolean;
  /** Query.needs: what must run, besides the services, for it to have data. */
  needs?: 'collector';
}

/** A dashboard's JSON, and its queries with the flags Grafana's JSON has no place for. */
export interface BuiltDashboard {
  json: GrafanaDashboard;
  queries: BuiltQuery[];
}

/** Lays out the rows (a row header, then its panels) and numbers every panel from 1. */
export function dashboard(spec: DashboardSpec): BuiltDashboard {
  const panels: GrafanaPanel[] = [];
  const queries: BuiltQuery[] = [];
  let id = 1;
  let y = 0;
  for (const row of spec.rows) {
    panels.push({ id: id++, type: 'row', title: row.title, collapsed: false, gridPos: { x: 0, y, w: GRID_COLUMNS, h: 1 }, panels: [] });
    y += 1;
    let x = 0;
    let rowHeight = 0;
    for (const p of row.panels) {
      const w = p.width ?? 8;
      const h = p.height ?? 8;
      if (w < 1 || w > GRID_COLUMNS) throw new Error(`${spec.uid} / ${p.title}: width ${w} is not within 1…${GRID_COLUMNS}`);
      if (x + w > GRID_COLUMNS) {
        y += rowHeight;
        x = 0;
        rowHeight = 0;
      }
      const datasource = p.datasource ?? PROMETHEUS;
      if (p.type === 'logs' && datasource !== LOKI) throw new Error(`${spec.uid} / ${p.title}: a logs panel reads Loki`);
      const fields = p.type === 'text' || p.type === 'logs' ? {} : { fieldConfig: fieldConfig(p) };
      for (const query of p.queries) {
        queries.push({ panel: p.title, expr: query.expr, ...(datasource === LOKI ? { language: 'logql' as const } : {}), mustHaveData: query.mustHaveData, ...(query.needs ? { needs: query.needs } : {}) });
      }
      panels.push({
        id: id++,
        type: p.type,
        title: p.title,
        description: p.description,
        gridPos: { x, y, w, h },
        ...(p.type === 'text' ? {} : { datasource, targets: p.queries.map((query, i) => target(query, i, datasource)) }),
        ...fields,
        options: panelOptions(p),
        ...(p.type === 'table' ? { transformations: tableTransformations(p) } : {}),
      });
      x += w;
      rowHeight = Math.max(rowHeight, h);
    }
    y += rowHeight;
  }

  // Annotations mark events (a mode change, a firing alert): empty most of the time.
  for (const a of spec.annotations ?? []) queries.push({ panel: `annotation: ${a.name}`, expr: a.expr, mustHaveData: false });

  const json: GrafanaDashboard = {
    uid: spec.uid,
    title: spec.title,
    description: spec.description,
    tags: spec.tags,
    editable: true,
    graphTooltip: 1,
    schemaVersion: SCHEMA_VERSION,
    version: 1,
    time: { from: spec.from ?? 'now-30m', to: 'now' },
    refresh: spec.refresh ?? '10s',
    timezone: 'browser',
    links: [{ title: 'OrderLab dashboards', type: 'dashboards', tags: ['orderlab'], asDropdown: true, includeVars: false, keepTime: true }],
    templating: { list: (spec.variables ?? []).map(variable) },
    annotations: { list: [builtInAnnotation(), ...(spec.annotations ?? []).map(annotation)] },
    panels,
  };
  return { json, queries };
}

function variable(v: Variable): Record<string, unknown> {
  return {
    name: v.name,
    label: v.label,
    type: 'query',
    datasource: PROMETHEUS,
    query: { query: v.query, refId: 'PrometheusVariableQueryEditor-VariableQuery' },
    definition: v.query,
    refresh: 2,
    sort: 1,
    multi: v.multi ?? true,
    includeAll: v.includeAll ?? true,
    ...(v.allValue === undefined ? {} : { allValue: v.allValue }),
    current: { selected: true, text: ['All'], value: ['$__all'] },
    options: [],
    hide: 0,
  };
}

function annotation(a: Annotation): Record<string, unknown> {
  return {
    name: a.name,
    datasource: PROMETHEUS,
    enable: true,
    hide: false,
    iconColor: a.color,
    expr: a.expr,
    step: '15s',
    titleFormat: a.title,
    textFormat: a.text ?? '',
    tagKeys: '',
    useValueForTime: false,
  };
}

/** Grafana adds this one to every dashboard; written out so the JSON is stable. */
function builtInAnnotation(): Record<string, unknown> {
  return {
    builtIn: 1,
    datasource: { type: 'grafana', uid: '-- Grafana --' },
    enable: true,
    hide: true,
    iconColor: 'rgba(0, 211, 255, 1)',
    name: 'Annotations & Alerts',
    type: 'dashboard',
  };
}
