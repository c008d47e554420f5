/**
 * The dashboards as Grafana will load them: unique uids and panel ids, panels that fit the
 * 24-column grid without overlapping, every panel described and bound to the provisioned
 * Prometheus (or Loki, on the Logs dashboard), the shared annotations, and the queries listed
 * for the live check being exactly the ones in the JSON.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allDashboards, dashboardQueries, logQueries, LOKI, panelsOf, PROMETHEUS, SCHEMA_VERSION, type GrafanaPanel } from '../src/index.js';

const built = allDashboards();
const dashboards = built.map((b) => b.json);

function overlaps(a: GrafanaPanel['gridPos'], b: GrafanaPanel['gridPos']): boolean {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

describe('the dashboards', () => {
  it('are the nine of docs/dashboards.md, each with its own uid', () => {
    assert.deepEqual(
      dashboards.map((d) => d.uid),
      ['orderlab-overview', 'orderlab-gateway', 'orderlab-orders', 'orderlab-async', 'orderlab-runtime', 'orderlab-slo', 'orderlab-traffic', 'orderlab-traces', 'orderlab-logs'],
    );
  });

  it('have a uid Grafana accepts in a URL, a title, a description and the orderlab tag', () => {
    for (const d of dashboards) {
      assert.match(d.uid, /^[a-z0-9-]{1,40}$/, d.uid);
      assert.match(d.title, /^OrderLab \/ \S/, d.uid);
      assert.ok(d.description.length > 20, `${d.uid} has a description`);
      assert.ok(d.tags.includes('orderlab'), `${d.uid} is tagged orderlab (the dashboards link lists them)`);
      assert.equal(d.schemaVersion, SCHEMA_VERSION);
    }
    assert.equal(new Set(dashboards.map((d) => d.title)).size, dashboards.length, 'titles are unique');
  });

  for (const d of dashboards) {
    describe(d.uid, () => {
      it('numbers its panels uniquely', () => {
        const ids = d.panels.flatMap((p) => [p.id, ...(p.panels ?? []).map((c) => c.id)]);
        assert.equal(new Set(ids).size, ids.length);
      });

      it('lays its panels out inside 24 columns without any two overlapping', () => {
        const all = d.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
        for (const p of all) {
          assert.ok(p.gridPos.x >= 0 && p.gridPos.w > 0 && p.gridPos.x + p.gridPos.w <= 24, `${p.title}: ${JSON.stringify(p.gridPos)}`);
          assert.ok(p.gridPos.y >= 0 && p.gridPos.h > 0, p.title);
        }
        for (const [i, a] of all.entries()) {
          for (const b of all.slice(i + 1)) assert.ok(!overlaps(a.gridPos, b.gridPos), `"${a.title}" and "${b.title}" overlap`);
        }
      });

      it('starts with a row header, and every panel has a title, a description and at least one query on a provisioned datasource', () => {
        assert.equal(d.panels[0]?.type, 'row');
        for (const p of panelsOf(d)) {
          assert.ok(p.title.length > 0);
          assert.ok((p.description ?? '').length > 20, `${p.title} says what it shows`);
          assert.ok((p.targets ?? []).length > 0, `${p.title} has a query`);
          // Loki only on the Logs dashboard, and a logs panel only on Loki.
          const expected = d.uid === 'orderlab-logs' ? [PROMETHEUS, LOKI] : [PROMETHEUS];
          assert.ok(expected.some((ds) => JSON.stringify(ds) === JSON.stringify(p.datasource)), `${p.title} uses a provisioned datasource`);
          if (p.type === 'logs') assert.deepEqual(p.datasource, LOKI, `${p.title}: a logs panel reads Loki`);
          for (const t of p.targets ?? []) assert.deepEqual(t.datasource, p.datasource, `${p.title} ${t.refId}: the panel's datasource`);
          assert.equal(new Set((p.targets ?? []).map((t) => t.refId)).size, (p.targets ?? []).length, `${p.title}: refIds are unique`);
        }
      });

      it('uses $__rate_interval for every rate window except the SLO windows, and $__auto on Loki', () => {
        for (const p of panelsOf(d)) {
          for (const t of p.targets ?? []) {
            if (t.datasource.uid === LOKI.uid) {
              // Grafana's step for Loki; $__rate_interval is Prometheus's (four scrape intervals).
              for (const m of t.expr.matchAll(/\b(?:rate|bytes_rate|count_over_time)\(\{[^}]*\}\s*\[([^\]]+)\]/g)) assert.match(m[1]!, /^\$__(auto|range)$/, `${p.title}: ${t.expr}`);
              continue;
            }
            for (const m of t.expr.matchAll(/\b(?:rate|increase)\([^[]*\[([^\]]+)\]/g)) {
              if (d.uid === 'orderlab-slo') assert.match(m[1]!, /^(\$__range|\d+[mh])$/, `${p.title}: ${m[1]}`);
              else assert.equal(m[1], '$__rate_interval', `${p.title}: ${t.expr}`);
            }
          }
        }
      });

      it('marks traffic mode changes and firing alerts', () => {
        const names = d.annotations.list.map((a) => a.name);
        assert.ok(names.includes('Traffic mode changes'), d.uid);
        assert.ok(names.includes('Firing alerts'), d.uid);
        const mode = d.annotations.list.find((a) => a.name === 'Traffic mode changes')!;
        assert.match(String(mode.expr), /changes\(orderlab_traffic_mode\{[^}]*\}\[1m\]\) > 0/);
        assert.deepEqual(mode.datasource, PROMETHEUS);
      });
    });
  }

  it('list for the live check exactly the queries their JSON holds: PromQL for Prometheus, LogQL for Loki', () => {
    const on = (uid: string) => (p: GrafanaPanel) => (p.targets ?? []).filter((t) => t.datasource.uid === uid);
    const fromJson = dashboards.flatMap((d) => [
      ...panelsOf(d).flatMap((p) => on(PROMETHEUS.uid)(p).map((t) => `${d.uid} | ${p.title} | ${t.expr}`)),
      ...d.annotations.list.filter((a) => typeof a.expr === 'string').map((a) => `${d.uid} | annotation: ${String(a.name)} | ${String(a.expr)}`),
    ]);
    assert.deepEqual(dashboardQueries().map((q) => `${q.dashboard} | ${q.panel} | ${q.expr}`), fromJson);
    const logqlFromJson = dashboards.flatMap((d) => panelsOf(d).flatMap((p) => on(LOKI.uid)(p).map((t) => `${d.uid} | ${p.title} | ${t.expr}`)));
    assert.ok(logqlFromJson.length >= 5, 'the Logs dashboard queries Loki');
    assert.deepEqual(logQueries().map((q) => `${q.dashboard} | ${q.panel} | ${q.expr}`), logqlFromJson);
  });

  it('expect data from the steady-traffic panels and not from the error-only ones', () => {
    const byPanel = (uid: string, panel: string) => dashboardQueries().filter((q) => q.dashboard === uid && q.panel === panel);
    assert.ok(byPanel('orderlab-overview', 'Gateway requests/s by route').every((q) => q.mustHaveData));
    assert.ok(byPanel('orderlab-gateway', 'Shed requests/s').every((q) => !q.mustHaveData), 'no shedding under steady traffic');
    assert.ok(byPanel('orderlab-async', 'Stream · dead letters').some((q) => !q.mustHaveData), 'no dead letters under steady traffic');
    assert.ok(dashboardQueries().filter((q) => q.panel.startsWith('annotation:')).every((q) => !q.mustHaveData));
  });

  it('mark every query on the Collector’s metrics as needing the Collector, never as must-have without it', () => {
    const collectorMetric = /\b(traces_span_metrics_|otelcol_)/;
    const onCollector = dashboardQueries().filter((q) => collectorMetric.test(q.expr));
    for (const q of onCollector) assert.equal(q.mustHaveData, false, `${q.dashboard} / ${q.panel}: empty while the Collector does not run`);
    // The rest are error-only (maybeEmpty): empty under steady traffic even with the Collector.
    const needing = dashboardQueries().filter((x) => x.needs === 'collector');
    assert.ok(needing.length > 10, 'the Traces dashboard reads span metrics and the Collector’s own');
    for (const q of needing) assert.match(q.expr, collectorMetric, `${q.dashboard} / ${q.panel} reads the Collector`);
  });

  it('link latency to traces: the Traces dashboard asks for exemplars on the services’ histograms', () => {
    const traces = dashboards.find((d) => d.uid === 'orderlab-traces')!;
    const withExemplars = panelsOf(traces).filter((p) => (p.targets ?? []).some((t) => t.exemplar === true));
    const histograms = withExemplars.flatMap((p) => (p.targets ?? []).map((t) => /(\w+)_bucket/.exec(t.expr)?.[1]));
    for (const histogram of ['http_server_request_duration_seconds', 'rpc_server_call_duration_seconds', 'messaging_process_duration_seconds', 'traces_span_metrics_duration_milliseconds']) {
      assert.ok(histograms.includes(histogram), `an exemplar panel on ${histogram}`);
    }
  });
});
