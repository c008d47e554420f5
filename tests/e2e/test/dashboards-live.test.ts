/**
 * Every query the lab ships — each Grafana panel and annotation, each dashboard variable and
 * each recording rule — run through a real Prometheus that scrapes a real lab under steady
 * traffic. A query Prometheus rejects fails; so does a must-have-data panel that stays empty,
 * which is what a renamed metric or label looks like on a dashboard.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { dashboardQueries, toInstantQuery, variableQueries } from '@orderlab/dashboards';
import { REPO_ROOT } from '@orderlab/lab';
import { parse } from 'yaml';
import { eventually, labFor } from './helpers.js';

interface QueryAnswer {
  status: string;
  error?: string;
  data?: { resultType: string; result: unknown[] };
}

async function query(prometheus: string, promql: string): Promise<QueryAnswer> {
  const res = await fetch(`${prometheus}/api/v1/query`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ query: promql }),
  });
  return (await res.json()) as QueryAnswer;
}

const seriesCount = (answer: QueryAnswer) => (answer.data?.resultType === 'scalar' ? 1 : (answer.data?.result.length ?? 0));

/** `label_values(selector, label)` (Grafana's variable query) as PromQL listing the values. */
function variableAsPromql(definition: string): string {
  const match = /^label_values\((.+),\s*(\w+)\)$/.exec(definition.trim());
  assert.ok(match, `a label_values() variable: ${definition}`);
  return `count by (${match[2]}) (${match[1]})`;
}

/** Every `record:` rule of deploy/prometheus/rules with its expression. */
function recordingRules(): { file: string; record: string; expr: string }[] {
  const dir = join(REPO_ROOT, 'deploy', 'prometheus', 'rules');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yml'))
    .flatMap((file) => {
      const doc = parse(readFileSync(join(dir, file), 'utf8')) as { groups: { rules: { record?: string; expr: string }[] }[] };
      return doc.groups.flatMap((g) => g.rules.filter((r) => r.record).map((r) => ({ file, record: r.record!, expr: String(r.expr) })));
    });
}

describe('dashboards and rules against a live Prometheus', () => {
  it('every panel, variable and recording-rule query succeeds, and must-have panels have data under steady traffic', async (t) => {
    const lab = await labFor(t, 'dashboards', {
      prometheus: true,
      traffic: true,
      env: { traffic: { TRAFFIC_MODE: 'steady', STEADY_RATE: '40' } },
    });
    const prometheus = lab.urls.prometheus;
    assert.ok(prometheus, 'the lab runs Prometheus');
    assert.deepEqual(lab.monitoringProblems, [], 'every exporter runs, so the exporter panels can have data');

    const panels = dashboardQueries().map((q) => ({ ...q, promql: toInstantQuery(q.expr) }));
    const variables = variableQueries().map((v) => ({ ...v, promql: variableAsPromql(v.query) }));
    const rules = recordingRules();
    assert.ok(panels.length > 100 && rules.length > 10, `${panels.length} panel queries, ${rules.length} recording rules`);

    // Rejected queries fail at once: waiting cannot fix a bad query.
    const rejected: string[] = [];
    for (const q of [...panels.map((p) => ({ what: `${p.dashboard} / ${p.panel}`, promql: p.promql })), ...variables.map((v) => ({ what: `${v.dashboard} $${v.variable}`, promql: v.promql })), ...rules.map((r) => ({ what: `${r.file} ${r.record}`, promql: r.expr }))]) {
      const answer = await query(prometheus, q.promql);
      if (answer.status !== 'success') rejected.push(`${q.what}: ${answer.error} — ${q.promql}`);
    }
    assert.deepEqual(rejected, [], 'Prometheus accepts every query');

    // Rates need two scrapes inside their window and latency percentiles need requests, so the
    // must-have panels get a bounded while to fill; whichever stays empty is named.
    let empty: string[] = [];
    await eventually(
      'every must-have panel and variable to return series',
      async () => {
        empty = [];
        for (const p of panels.filter((x) => x.mustHaveData)) {
          if (seriesCount(await query(prometheus, p.promql)) === 0) empty.push(`${p.dashboard} / ${p.panel}: ${p.promql}`);
        }
        for (const v of variables) {
          if (seriesCount(await query(prometheus, v.promql)) === 0) empty.push(`${v.dashboard} $${v.variable}: ${v.query}`);
        }
        return empty.length === 0;
      },
      120_000,
    ).catch((err: Error) => {
      throw new Error(`${err.message}; still empty:\n${empty.join('\n')}`);
    });

    // Recording rules evaluate into series under their own names (the gateway's rules need
    // the gateway's traffic, which the generator provides).
    const gatewayRecords = rules.filter((r) => /gateway/.test(r.expr) || /http_server_request_duration_seconds/.test(r.expr));
    let missing: string[] = [];
    await eventually(
      'the gateway recording rules to produce series',
      async () => {
        missing = [];
        for (const r of gatewayRecords) {
          if (seriesCount(await query(prometheus, r.record)) === 0) missing.push(r.record);
        }
        return missing.length === 0;
      },
      60_000,
    ).catch((err: Error) => {
      throw new Error(`${err.message}; no series yet for: ${missing.join(', ')}`);
    });
  });
});
