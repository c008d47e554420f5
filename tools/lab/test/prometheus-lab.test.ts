import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { startTestLab } from '../src/lab.js';
import { PROMETHEUS_DIR, SCRAPE_JOBS } from '../src/prometheus.js';
import { alive, waitFor } from './helpers.js';

interface Target {
  labels: { job: string; instance: string };
  scrapeUrl: string;
  health: string;
  lastError: string;
}
interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

/** GET <prometheus>/api/v1/<path> and its `data`. */
async function api<T>(base: string, path: string, query: Record<string, string> = {}): Promise<T> {
  const res = await fetch(`${base}/api/v1/${path}?${new URLSearchParams(query).toString()}`);
  const body = (await res.json()) as { status: string; data: T; error?: string };
  assert.equal(body.status, 'success', `${path}: ${body.error}`);
  return body.data;
}

const instantQuery = (base: string, query: string) => api<{ result: Sample[] }>(base, 'query', { query }).then((d) => d.result);

/** Every `- alert: Name` of deploy/prometheus/rules. */
function alertNames(): string[] {
  const dir = join(PROMETHEUS_DIR, 'rules');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yml'))
    .flatMap((f) => [...readFileSync(join(dir, f), 'utf8').matchAll(/^\s+- alert: (\w+)$/gm)].map((m) => m[1]!));
}

describe('the lab with Prometheus', () => {
  it('scrapes every service and exporter on the lab\'s own ports, evaluates the rules, and alerts on a killed service', async (t) => {
    const lab = await startTestLab('prometheus', { prometheus: true, traffic: true });
    t.after(() => lab.dispose());
    const prometheus = lab.urls.prometheus;
    assert.equal(prometheus, `http://127.0.0.1:${lab.ports.prometheus}`);
    assert.ok(prometheus);
    assert.notEqual(lab.ports.prometheus, 9090, 'a test lab has its own Prometheus port');
    assert.deepEqual(lab.monitoringProblems, [], 'every exporter is installed and RabbitMQ\'s plugin answers');
    // Every job but the Collector's (this lab runs without tracing: tracing-lab.test.ts has them).
    const jobs = SCRAPE_JOBS.filter((j) => j.source !== 'otel-collector');
    assert.deepEqual(lab.scrapeJobs, jobs.map((j) => j.job), 'every job of docs/metrics.md is scraped');

    // Every target is up, at the lab's port for it (RabbitMQ's plugin is the broker's, shared).
    const targets = await waitFor<Target[] | undefined>(
      async () => {
        const active = (await api<{ activeTargets: Target[] }>(prometheus, 'targets')).activeTargets;
        return active.length === jobs.length && active.every((a) => a.health === 'up') ? active : undefined;
      },
      30_000,
      'every target to be up',
    ).catch(async (err: Error) => {
      const active = (await api<{ activeTargets: Target[] }>(prometheus, 'targets')).activeTargets;
      throw new Error(`${err.message}: ${active.map((a) => `${a.labels.job} ${a.health} ${a.lastError}`).join('; ')}`);
    });
    assert.ok(targets);
    for (const job of jobs) {
      const target: Target | undefined = targets.find((a) => a.labels.job === job.job);
      assert.ok(target, job.job);
      assert.equal(new URL(target.scrapeUrl).port, String(lab.ports[job.port]), job.job);
    }
    // The exporters reach what they watch.
    for (const metric of ['pg_up', 'redis_up', 'nginx_up']) {
      const result = await instantQuery(prometheus, metric);
      assert.equal(result[0]?.value[1], '1', metric);
    }

    // Every rule file loaded, every alert is there, no rule fails to evaluate.
    const groups = (await api<{ groups: { name: string; file: string; rules: { name: string; type: string; health: string; lastError?: string }[] }[] }>(prometheus, 'rules')).groups;
    const loaded = groups.flatMap((g) => g.rules);
    assert.deepEqual(loaded.filter((r) => r.type === 'alerting').map((r) => r.name).sort(), alertNames().sort());
    assert.ok(groups.every((g) => g.file.startsWith(join(PROMETHEUS_DIR, 'rules'))), 'the rules are deploy/prometheus/rules, loaded in place');
    assert.deepEqual(loaded.filter((r) => r.health === 'err').map((r) => `${r.name}: ${r.lastError}`), []);

    // The traffic generator's requests show up in the gateway's recorded request rate.
    await waitFor(
      async () => Number((await instantQuery(prometheus, 'job:http_server_requests:rate5m{job="gateway"}'))[0]?.value[1] ?? 0) > 0,
      30_000,
      'a gateway request rate recorded from the traffic',
    );

    // A service that stays down: its target goes down and ServiceDown is pending (firing after 1m).
    await lab.kill('notifications', 'SIGKILL');
    const pending = await waitFor(
      async () => {
        const alerts = (await api<{ alerts: { labels: Record<string, string>; state: string }[] }>(prometheus, 'alerts')).alerts;
        return alerts.find((a) => a.labels.alertname === 'ServiceDown' && a.labels.job === 'notifications');
      },
      30_000,
      'ServiceDown for notifications',
    );
    assert.ok(pending);
    assert.equal(pending.state, 'pending');
    assert.equal(pending.labels.severity, 'page');

    const processes = Object.values(lab.monitors).map((s) => s.pid ?? 0);
    assert.equal(processes.length, 4, 'Prometheus and three exporters run');
    await lab.dispose();
    assert.ok(processes.every((pid) => !alive(pid)), 'dispose stops Prometheus and the exporters');
    assert.ok(!existsSync(lab.logsDir), 'and removes its data with the test lab\'s folder');
  });
});
