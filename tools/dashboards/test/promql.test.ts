/**
 * Every query of every dashboard is valid PromQL once Grafana's macros are substituted, uses
 * only metrics the lab exports (docs/metrics.md, the exporters, the recording rules), and
 * toInstantQuery() gives the live check something Prometheus runs.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { dashboardQueries, labelMatchers, metricNames, syntaxErrors, toInstantQuery, variableQueries } from '../src/index.js';
import { COLLECTOR_METRICS, COLLECTOR_PREFIXES, documentedMetrics, EXPORTER_METRICS, EXPORTER_PREFIXES, recordingRules, unknownMetric } from './catalogue.js';

const queries = dashboardQueries();
const where = (q: { dashboard: string; panel: string }) => `${q.dashboard} / ${q.panel}`;

describe('toInstantQuery', () => {
  it('replaces Grafana’s macros with the values the live check uses', () => {
    assert.equal(
      toInstantQuery('increase(a[$__range]) / rate(b[$__rate_interval]) + avg_over_time(c[$__interval])'),
      'increase(a[5m]) / rate(b[1m]) + avg_over_time(c[15s])',
    );
  });

  it('replaces every spelling of a variable with its given value, else .+', () => {
    assert.equal(toInstantQuery('up{job=~"$job", route=~"${route}", x=~"[[x]]"}', { job: 'gateway' }), 'up{job=~"gateway", route=~".+", x=~".+"}');
  });

  it('leaves label_replace’s capture groups ($1, ${1}) alone: a variable name starts with a letter', () => {
    const expr = 'label_replace(up, "callee", "$1", "job", "(.+)") or label_replace(up, "x", "${1}", "job", "(.+)")';
    assert.equal(toInstantQuery(expr), expr);
  });

  it('leaves a query without macros or variables as it is', () => {
    const expr = 'sum by (le) (rate(http_server_request_duration_seconds_bucket{job="gateway", http_response_status_code=~"5.."}[1m]))';
    assert.equal(toInstantQuery(expr), expr);
  });
});

describe('syntaxErrors (lezer-promql)', () => {
  it('reports a Grafana macro left in a query, and an unclosed parenthesis', () => {
    assert.ok(syntaxErrors('rate(http_server_active_requests[$__rate_interval])').length > 0);
    assert.ok(syntaxErrors('sum(rate(up[1m])').length > 0);
  });

  it('accepts the shapes the dashboards use', () => {
    assert.deepEqual(syntaxErrors('orderlab_traffic_mode == 1 and on (mode) changes(orderlab_traffic_mode[1m]) > 0'), []);
    assert.deepEqual(syntaxErrors('(sum(rate(a{x=~"5.."}[1m])) or 0 * sum(rate(a[1m]))) / sum(rate(a[1m]))'), []);
  });
});

describe('every dashboard query', () => {
  it('covers every dashboard, with queries that must have data on each', () => {
    const dashboards = new Set(queries.map((q) => q.dashboard));
    assert.equal(dashboards.size, 9);
    for (const uid of dashboards) {
      // The Logs dashboard's panels are LogQL (logQueries()); only its annotations are PromQL.
      if (uid === 'orderlab-logs') continue;
      assert.ok(queries.some((q) => q.dashboard === uid && q.mustHaveData), `${uid} has a query that must return data (without the Collector)`);
    }
  });

  it('parses without errors once macros and variables are substituted', () => {
    const broken = queries.map((q) => ({ q, errors: syntaxErrors(toInstantQuery(q.expr)) })).filter(({ errors }) => errors.length > 0);
    assert.deepEqual(broken.map(({ q, errors }) => `${where(q)}: ${q.expr} (near ${JSON.stringify(errors[0]!.near)})`), []);
  });

  it('is accepted by Prometheus’s own parser (promtool check rules, each query as a recording rule)', (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'orderlab-dashboards-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const rules = queries.map((q, i) => `      - record: dashboard:query_${i}\n        expr: ${JSON.stringify(toInstantQuery(q.expr))}`);
    writeFileSync(join(dir, 'dashboards.yml'), `groups:\n  - name: dashboards\n    rules:\n${rules.join('\n')}\n`);
    const result = spawnSync('promtool', ['check', 'rules', join(dir, 'dashboards.yml')], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(result.error, undefined, `promtool (Debian package prometheus) runs: ${result.error?.message}`);
    assert.equal(result.status, 0, `${result.stdout}\n${result.stderr}`);
    assert.match(result.stdout, new RegExp(`SUCCESS: ${queries.length} rules found`));
  });

  it('selects only metrics of docs/metrics.md, of the exporters, or of the recording rules', () => {
    const catalogue = documentedMetrics();
    const recorded = recordingRules();
    assert.ok(catalogue.length > 30, 'docs/metrics.md lists the metrics');
    const problems = queries.flatMap((q) => metricNames(toInstantQuery(q.expr)).map((name) => unknownMetric(name, catalogue, recorded)).filter((p) => p !== undefined).map((p) => `${where(q)}: ${p}`));
    assert.deepEqual(problems, []);
  });

  it('names variables only in =~ matchers, so "All" (a regex) and the live check’s .+ match every value', () => {
    for (const q of queries) {
      for (const m of labelMatchers(q.expr)) {
        if (m.value.includes('$')) assert.equal(m.op, '=~', `${where(q)}: ${m.label}${m.op}"${m.value}"`);
      }
    }
  });

  it('never groups, filters or labels by an id (order, product, customer, request, trace)', () => {
    const idLabel = /(^|_)(id|uid|uuid)$/;
    for (const q of queries) {
      const grouped = [...q.expr.matchAll(/\b(?:by|without|on|ignoring)\s*\(([^)]*)\)/g)].flatMap((m) => m[1]!.split(',').map((s) => s.trim()));
      const matched = labelMatchers(q.expr).map((m) => m.label);
      for (const label of [...grouped, ...matched]) assert.doesNotMatch(label, idLabel, `${where(q)} uses the label ${label}`);
    }
  });
});

describe('the metric-name check', () => {
  const catalogue = documentedMetrics();

  it('fails a renamed or misspelled metric', () => {
    assert.equal(unknownMetric('http_server_request_duration_seconds_bucket', catalogue), undefined);
    assert.match(unknownMetric('http_server_request_duration_bucket', catalogue) ?? '', /neither in docs\/metrics\.md/);
    assert.match(unknownMetric('orders_created_total', catalogue) ?? '', /neither/);
  });

  it('does not take a gauge’s _count as a histogram series', () => {
    assert.match(unknownMetric('orderlab_queue_messages_count', catalogue) ?? '', /not a histogram/);
  });

  it('lists only exporter metrics with an exporter’s prefix, and Collector metrics with the Collector’s', () => {
    for (const name of EXPORTER_METRICS) assert.match(name, EXPORTER_PREFIXES, name);
    for (const { name } of COLLECTOR_METRICS) assert.match(name, COLLECTOR_PREFIXES, name);
  });

  it('knows the span metrics: the calls counter, and the duration histogram’s series', () => {
    assert.equal(unknownMetric('traces_span_metrics_calls_total', catalogue), undefined);
    assert.equal(unknownMetric('traces_span_metrics_duration_milliseconds_bucket', catalogue), undefined);
    assert.match(unknownMetric('traces_span_metrics_latency_bucket', catalogue) ?? '', /neither/, 'the connector’s pre-0.8x name');
    assert.match(unknownMetric('otelcol_receiver_accepted_spans_count', catalogue) ?? '', /not a histogram/);
  });

  it('finds the runtime metrics and the app metrics of the catalogue', () => {
    const names = catalogue.map((m) => m.name);
    for (const name of ['nodejs_eventloop_lag_p99_seconds', 'orderlab_build_info', 'orderlab_traffic_mode', 'orderlab_queue_messages', 'rpc_client_call_duration_seconds']) assert.ok(names.includes(name), name);
  });
});

describe('variables', () => {
  it('query label values of catalogued metrics', () => {
    const catalogue = documentedMetrics();
    const variables = variableQueries();
    assert.ok(variables.length > 0);
    for (const v of variables) {
      const match = /^label_values\(([a-z_:][a-z0-9_:]*)(\{[^}]*\})?, ([a-z_]+)\)$/.exec(v.query);
      assert.ok(match, `${v.dashboard} $${v.variable}: ${v.query} is label_values(metric{…}, label)`);
      assert.equal(unknownMetric(match[1]!, catalogue), undefined, `${v.dashboard} $${v.variable}`);
    }
  });
});
