/**
 * SLOs of the gateway, computed from the raw histogram so the page works with or without the
 * recording rules: availability (99.5 % of answers are not 5xx) and latency (99 % within
 * 250 ms, a bucket edge of http_server_request_duration_seconds). For each: the SLI against
 * its objective, the burn rate over the windows the multi-window alerts use, and the error
 * budget left over the dashboard's time range.
 */
import { maybeEmpty, q, type BuiltDashboard, type PanelSpec, type RowSpec } from '../grafana.js';
import { HTTP_SERVER_ERRORS } from '../promql.js';
import { labDashboard } from './common.js';

const COUNT = 'http_server_request_duration_seconds_count';
const BUCKET = 'http_server_request_duration_seconds_bucket';
const gateway = 'job="gateway"';

/** One SLO: a name, its objective, and its bad-event ratio over a window. */
interface Slo {
  name: string;
  /** The promise in words, the row's title. */
  statement: string;
  objective: number;
  /** What counts as a good event, for the descriptions. */
  good: string;
  /** PromQL of the share of bad events over `window` (0 when none were bad). */
  errorRatio: (window: string) => string;
}

/** Windows of the multi-window, multi-burn-rate alerts (page: 5m/1h at 14.4×, 30m/6h at 6×). */
const BURN_WINDOWS = ['5m', '30m', '1h', '6h'];

const AVAILABILITY: Slo = {
  name: 'Availability',
  statement: '99.5 % of gateway requests succeed',
  objective: 0.995,
  good: 'answers that are not 5xx (the gateway’s 503 sheds count as bad)',
  errorRatio: (w) => `(sum(rate(${COUNT}{${gateway}, ${HTTP_SERVER_ERRORS}}[${w}])) or 0 * sum(rate(${COUNT}{${gateway}}[${w}]))) / sum(rate(${COUNT}{${gateway}}[${w}]))`,
};

const LATENCY: Slo = {
  name: 'Latency',
  statement: '99 % of gateway requests answer within 250 ms',
  objective: 0.99,
  good: 'answers within 250 ms',
  errorRatio: (w) => `1 - sum(rate(${BUCKET}{${gateway}, le="0.25"}[${w}])) / sum(rate(${COUNT}{${gateway}}[${w}]))`,
};

const pct = (x: number) => `${Math.round(x * 1000) / 10} %`;
/** 1 − objective as PromQL text, rounded so 1 − 0.995 prints as 0.005. */
const budget = (slo: Slo) => String(Math.round((1 - slo.objective) * 1e6) / 1e6);

function sloRow(slo: Slo): RowSpec {
  const panels: PanelSpec[] = [
    {
      type: 'timeseries',
      title: `${slo.name} SLI vs objective`,
      description: `Share of good events (${slo.good}) over the last 5 minutes, against the objective of ${pct(slo.objective)}. Below the red line the budget burns faster than it is earned.`,
      unit: 'percentunit',
      max: 1,
      threshold: { value: slo.objective, below: true },
      queries: [q(`1 - (${slo.errorRatio('5m')})`, 'SLI (5m)'), q(`vector(${slo.objective})`, 'objective')],
      overrides: [{ matcher: { id: 'byName', options: 'objective' }, properties: [{ id: 'custom.lineStyle', value: { fill: 'dash', dash: [10, 10] } }, { id: 'color', value: { mode: 'fixed', fixedColor: 'red' } }] }],
    },
    {
      type: 'timeseries',
      title: `${slo.name} burn rate`,
      description: `How fast the error budget (${pct(1 - slo.objective)} of events) is spent, per window: 1 spends exactly the budget over the SLO period, 14.4 on both 5m and 1h pages, 6 on both 30m and 6h pages. Long windows cover whatever history the lab has.`,
      threshold: { value: 14.4 },
      queries: BURN_WINDOWS.map((w) => q(`(${slo.errorRatio(w)}) / ${budget(slo)}`, w)),
    },
    {
      type: 'stat',
      title: `${slo.name} error budget left`,
      description: `Share of the error budget not yet spent over the dashboard's time range ($__range): 100 % no bad events, 0 % exactly at the objective, negative over budget.`,
      width: 4,
      unit: 'percentunit',
      threshold: { value: 0, below: true },
      queries: [q(`1 - (${slo.errorRatio('$__range')}) / ${budget(slo)}`, 'budget left', { instant: true })],
      options: { graphMode: 'none' },
    },
    {
      type: 'stat',
      title: `${slo.name} SLI over the range`,
      description: `Share of good events (${slo.good}) over the dashboard's whole time range, against ${pct(slo.objective)}.`,
      width: 4,
      unit: 'percentunit',
      fieldDefaults: { decimals: 2 },
      threshold: { value: slo.objective, below: true },
      queries: [q(`1 - (${slo.errorRatio('$__range')})`, 'SLI', { instant: true })],
      options: { graphMode: 'none' },
    },
  ];
  return { title: `${slo.name}: ${slo.statement}`, panels };
}

export function sloDashboard(): BuiltDashboard {
  return labDashboard({ uid: 'orderlab-slo', name: 'SLOs', tags: ['slo'] }, {
    description: 'Gateway availability (99.5 %) and latency (99 % within 250 ms): SLI vs objective, burn rates per alert window, error budget left. Computed from the raw histogram; no recording rule needed.',
    from: 'now-3h',
    rows: [
      sloRow(AVAILABILITY),
      sloRow(LATENCY),
      {
        title: 'Alerts',
        panels: [
          {
            type: 'table',
            title: 'Alerts pending or firing',
            description: 'Every alert Prometheus evaluates as pending or firing right now (rules in deploy/prometheus/rules). Empty is good.',
            width: 24,
            height: 6,
            queries: [maybeEmpty('ALERTS', undefined, { instant: true, format: 'table' })],
            transformations: [{ id: 'organize', options: { excludeByName: { Time: true, Value: true, __name__: true } } }],
          },
        ],
      },
    ],
  });
}
