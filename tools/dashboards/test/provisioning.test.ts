/**
 * deploy/grafana/provisioning: the datasource every dashboard names (uid `prometheus`, the
 * Compose service's URL, the scrape interval Grafana derives $__rate_interval from), and a
 * file provider that loads the generated dashboards.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { allDashboards, panelsOf, PROMETHEUS, REPO_ROOT } from '../src/index.js';

const readYaml = <T>(path: string) => parse(readFileSync(join(REPO_ROOT, path), 'utf8')) as T;

interface Datasource {
  name: string;
  type: string;
  uid: string;
  url: string;
  access?: string;
  isDefault?: boolean;
  jsonData?: { timeInterval?: string };
}

describe('Grafana provisioning', () => {
  const { datasources } = readYaml<{ apiVersion: number; datasources: Datasource[] }>('deploy/grafana/provisioning/datasources/datasources.yml');

  it('provisions one default Prometheus datasource with the fixed uid, at the Compose service', () => {
    assert.deepEqual(
      datasources.map((d) => ({ type: d.type, uid: d.uid, url: d.url, isDefault: d.isDefault, access: d.access })),
      [{ type: 'prometheus', uid: 'prometheus', url: 'http://prometheus:9090', isDefault: true, access: 'proxy' }],
    );
  });

  it('tells Grafana the scrape interval of deploy/prometheus/prometheus.yml, so $__rate_interval spans four scrapes', () => {
    const prometheus = readYaml<{ global: { scrape_interval: string } }>('deploy/prometheus/prometheus.yml');
    assert.equal(datasources[0]!.jsonData?.timeInterval, prometheus.global.scrape_interval);
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
