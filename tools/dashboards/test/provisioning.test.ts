/**
 * deploy/grafana/provisioning: the datasource every dashboard names (uid `prometheus`, the
 * Compose service's URL, the scrape interval Grafana derives $__rate_interval from), Tempo,
 * Loki and the links between metrics, traces and logs, and a file provider that loads the
 * generated dashboards.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { allDashboards, metricNames, panelsOf, PROMETHEUS, REPO_ROOT, syntaxErrors } from '../src/index.js';
import { documentedMetrics, unknownMetric } from './catalogue.js';

const readYaml = <T>(path: string) => parse(readFileSync(join(REPO_ROOT, path), 'utf8')) as T;

interface Datasource {
  name: string;
  type: string;
  uid: string;
  url: string;
  access?: string;
  isDefault?: boolean;
  jsonData?: {
    timeInterval?: string;
    exemplarTraceIdDestinations?: { name: string; datasourceUid: string }[];
    tracesToLogsV2?: { datasourceUid: string; tags: { key: string; value: string }[]; filterByTraceID: boolean; customQuery?: boolean; query?: string };
    tracesToMetrics?: { datasourceUid: string; tags: { key: string; value: string }[]; queries: { name: string; query: string }[] };
    serviceMap?: { datasourceUid: string };
    nodeGraph?: { enabled: boolean };
    derivedFields?: { name: string; matcherType?: string; matcherRegex: string; datasourceUid?: string; url: string }[];
  };
}

describe('Grafana provisioning', () => {
  const { datasources } = readYaml<{ apiVersion: number; datasources: Datasource[] }>('deploy/grafana/provisioning/datasources/datasources.yml');
  const byUid = (uid: string) => datasources.find((d) => d.uid === uid)!;

  it('provisions Prometheus (the default), Tempo and Loki, with fixed uids, at their Compose services', () => {
    assert.deepEqual(
      datasources.map((d) => ({ type: d.type, uid: d.uid, url: d.url, isDefault: d.isDefault ?? false, access: d.access })),
      [
        { type: 'prometheus', uid: 'prometheus', url: 'http://prometheus:9090', isDefault: true, access: 'proxy' },
        { type: 'tempo', uid: 'tempo', url: 'http://tempo:3200', isDefault: false, access: 'proxy' },
        { type: 'loki', uid: 'loki', url: 'http://loki:3100', isDefault: false, access: 'proxy' },
      ],
    );
  });

  it('links an exemplar’s trace_id on a latency panel to its trace in Tempo', () => {
    assert.deepEqual(byUid('prometheus').jsonData?.exemplarTraceIdDestinations?.map((d) => [d.name, d.datasourceUid]), [['trace_id', 'tempo']]);
  });

  it('links a span to its service’s logs (Loki) and span metrics (Prometheus), and draws the service graph from Prometheus', () => {
    const tempo = byUid('tempo').jsonData!;
    assert.equal(tempo.tracesToLogsV2?.datasourceUid, 'loki', 'the uid the logs profile provisions Loki with');
    // The span's service.name selects its stream (Alloy's label service); the trace id filters
    // the structured metadata trace_id. Grafana's $ doubled for provisioning.
    assert.deepEqual(tempo.tracesToLogsV2?.tags, [{ key: 'service.name', value: 'service' }]);
    assert.equal(tempo.tracesToLogsV2?.customQuery, true);
    assert.equal(tempo.tracesToLogsV2?.query, '{$${__tags}} | trace_id="$${__trace.traceId}"');
    assert.equal(tempo.tracesToMetrics?.datasourceUid, 'prometheus');
    assert.equal(tempo.serviceMap?.datasourceUid, 'prometheus');
    assert.equal(tempo.nodeGraph?.enabled, true);
    // The span's service.name becomes the span metrics' service_name matcher ($__tags).
    assert.deepEqual(tempo.tracesToMetrics?.tags, [{ key: 'service.name', value: 'service_name' }]);
  });

  it('links a log line’s trace_id (structured metadata) to its trace in Tempo', () => {
    const fields = byUid('loki').jsonData?.derivedFields ?? [];
    assert.deepEqual(
      fields.map((f) => ({ name: f.name, matcherType: f.matcherType, matcherRegex: f.matcherRegex, datasourceUid: f.datasourceUid, url: f.url })),
      [{ name: 'trace_id', matcherType: 'label', matcherRegex: 'trace_id', datasourceUid: 'tempo', url: '$${__value.raw}' }],
    );
  });

  it('offers from a span only span-metric queries that parse, with Grafana’s $ escaped for provisioning', () => {
    const catalogue = documentedMetrics();
    const queries = byUid('tempo').jsonData?.tracesToMetrics?.queries ?? [];
    assert.ok(queries.length >= 3);
    for (const { name, query } of queries) {
      // Grafana expands $NAME in provisioning files: $$__tags is its literal $__tags.
      assert.match(query, /\{\$\$__tags[,}]/, `${name}: $$__tags`);
      assert.doesNotMatch(query.replace(/\$\$__tags/g, ''), /\$/, `${name}: no other $`);
      const promql = query.replace(/\$\$__tags/g, 'service_name="orders"');
      assert.deepEqual(syntaxErrors(promql), [], `${name}: ${promql}`);
      for (const metric of metricNames(promql)) assert.equal(unknownMetric(metric, catalogue), undefined, `${name}: ${metric}`);
    }
  });

  it('tells Grafana the scrape interval of deploy/prometheus/prometheus.yml, so $__rate_interval spans four scrapes', () => {
    const prometheus = readYaml<{ global: { scrape_interval: string } }>('deploy/prometheus/prometheus.yml');
    assert.equal(byUid('prometheus').jsonData?.timeInterval, prometheus.global.scrape_interval);
  });

  it('is the datasource of every panel, query and annotation of every dashboard', () => {
    const uids = new Set(datasources.map((d) => d.uid));
    for (const { json } of allDashboards()) {
      for (const panel of panelsOf(json)) {
        assert.ok(panel.datasource && uids.has(panel.datasource.uid), `${json.uid} / ${panel.title}`);
        for (const t of panel.targets ?? []) assert.ok(uids.has(t.datasource.uid), `${json.uid} / ${panel.title} ${t.refId}`);
      }
      for (const a of json.annotations.list.filter((a) => a.builtIn === undefined)) assert.deepEqual(a.datasource, PROMETHEUS, `${json.uid} annotation ${String(a.name)}`);
      for (const v of json.templating.list) assert.deepEqual(v.datasource, PROMETHEUS, `${json.uid} $${String(v.name)}`);
    }
  });

  it('loads the dashboards from files, into the OrderLab folder, without letting the UI overwrite them', () => {
    const { providers } = readYaml<{ providers: { type: string; folder: string; allowUiUpdates: boolean; options: { path: string } }[] }>('deploy/grafana/provisioning/dashboards/dashboards.yml');
    assert.equal(providers.length, 1);
    assert.equal(providers[0]!.type, 'file');
    assert.equal(providers[0]!.folder, 'OrderLab');
    assert.equal(providers[0]!.allowUiUpdates, false);
    assert.equal(providers[0]!.options.path, '/etc/grafana/dashboards', 'the folder compose.yaml mounts deploy/grafana/dashboards at');
  });
});
