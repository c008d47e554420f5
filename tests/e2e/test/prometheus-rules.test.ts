/**
 * Static checks of deploy/prometheus (no running Prometheus needed): promtool accepts both
 * configs and every rule file, the promtool unit tests pass, every alert has a firing and a
 * quiet test case and a runbook section in docs/prometheus.md, the rules use only metric names
 * of docs/metrics.md (or the exporters'), and the Compose and native configs scrape the jobs of
 * docs/metrics.md with the same rules.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { scrapeTargets, type ScrapeTargetsConfig } from './compose-helpers.js';
import {
  DEFAULT_PORTS,
  PROMETHEUS_DIR,
  PROMETHEUS_RULES_GLOB,
  REPO_ROOT,
  SCRAPE_INTERVAL,
  SCRAPE_JOBS,
  nativeScrapeJobs,
  renderPrometheusConfig,
  writePrometheusConfig,
  type ScrapeSource,
} from '@orderlab/lab';

interface Rule {
  record?: string;
  alert?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface RuleFile {
  groups: { name: string; rules: Rule[] }[];
}
interface RuleTestFile {
  rule_files: string[];
  tests: { name: string; alert_rule_test?: { alertname: string; exp_alerts?: unknown[] }[] }[];
}
interface ScrapeConfig extends ScrapeTargetsConfig {
  metrics_path?: string;
  params?: Record<string, string[]>;
}
interface PrometheusConfig {
  global: Record<string, string>;
  rule_files: string[];
  scrape_configs: ScrapeConfig[];
}

const RULES_DIR = join(PROMETHEUS_DIR, 'rules');
const TESTS_DIR = join(PROMETHEUS_DIR, 'tests');
const yamlFiles = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.yml')).sort();
const ruleFiles = yamlFiles(RULES_DIR);
const testFiles = yamlFiles(TESTS_DIR);
const rules = ruleFiles.flatMap((f) => (parse(readFileSync(join(RULES_DIR, f), 'utf8')) as RuleFile).groups.flatMap((g) => g.rules));
const alerts = rules.filter((r): r is Rule & { alert: string } => r.alert !== undefined);
const ALL_SOURCES = new Set<ScrapeSource>(SCRAPE_JOBS.map((j) => j.source));

function promtool(...args: string[]): { ok: boolean; output: string } {
  const result = spawnSync('promtool', args, { encoding: 'utf8', timeout: 120_000 });
  return { ok: result.status === 0, output: `${result.stdout ?? ''}${result.stderr ?? ''}${result.error?.message ?? ''}` };
}

/** Job, scrape path, params and target of each scrape config, in order. */
function jobsOf(config: PrometheusConfig) {
  return config.scrape_configs.map((c) => ({
    job: c.job_name,
    path: c.metrics_path ?? '/metrics',
    params: c.params ?? {},
    targets: scrapeTargets(c),
  }));
}

/** GitHub's anchor of a Markdown heading. */
function slug(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^a-z0-9 _-]/g, '').replace(/ /g, '-');
}

describe('deploy/prometheus rules', () => {
  it('has rule files and promtool test files', () => {
    assert.ok(ruleFiles.length >= 4, `rule files: ${ruleFiles.join(', ')}`);
    assert.ok(testFiles.length >= 4, `test files: ${testFiles.join(', ')}`);
  });

  it('passes promtool check rules (with every lint) for each rule file', () => {
    for (const file of ruleFiles) {
      const { ok, output } = promtool('check', 'rules', '--lint=all', '--lint-fatal', join(RULES_DIR, file));
      assert.ok(ok, `${file}:\n${output}`);
    }
  });

  it('passes every promtool unit test', () => {
    for (const file of testFiles) {
      const { ok, output } = promtool('test', 'rules', join(TESTS_DIR, file));
      assert.ok(ok, `${file}:\n${output}`);
    }
  });

  it('has a unit test for every rule file', () => {
    const tested = new Set(
      testFiles.flatMap((file) => (parse(readFileSync(join(TESTS_DIR, file), 'utf8')) as RuleTestFile).rule_files.map((r) => resolve(TESTS_DIR, r))),
    );
    for (const file of ruleFiles) assert.ok(tested.has(join(RULES_DIR, file)), `no test file loads rules/${file}`);
  });

  it('tests every alert both firing and quiet', () => {
    const firing = new Set<string>();
    const quiet = new Set<string>();
    for (const file of testFiles) {
      const suite = parse(readFileSync(join(TESTS_DIR, file), 'utf8')) as RuleTestFile;
      for (const test of suite.tests) {
        for (const check of test.alert_rule_test ?? []) {
          ((check.exp_alerts ?? []).length > 0 ? firing : quiet).add(check.alertname);
        }
      }
    }
    const names = alerts.map((a) => a.alert);
    assert.ok(names.length >= 20, `alerts: ${names.join(', ')}`);
    assert.deepEqual(names.filter((n) => !firing.has(n)), [], 'alerts without a test case where they fire');
    assert.deepEqual(names.filter((n) => !quiet.has(n)), [], 'alerts without a test case where they stay quiet');
    assert.deepEqual([...firing, ...quiet].filter((n) => !names.includes(n)), [], 'tests of alerts that do not exist');
  });

  it('gives every alert a unique name, a severity, a summary, a description and its runbook section in docs/prometheus.md', () => {
    const docs = readFileSync(join(REPO_ROOT, 'docs', 'prometheus.md'), 'utf8');
    const anchors = new Set([...docs.matchAll(/^#{2,4} (.+)$/gm)].map((m) => slug(m[1]!)));
    assert.equal(new Set(alerts.map((a) => a.alert)).size, alerts.length, 'alert names are unique');
    for (const a of alerts) {
      assert.ok(['page', 'ticket', 'warning'].includes(a.labels?.severity ?? ''), `${a.alert}: severity ${a.labels?.severity}`);
      assert.ok(a.annotations?.summary, `${a.alert}: summary`);
      assert.ok(a.annotations?.description, `${a.alert}: description`);
      const anchor = a.alert.toLowerCase();
      assert.equal(a.annotations?.runbook_url, `docs/prometheus.md#${anchor}`, `${a.alert}: runbook_url`);
      assert.ok(anchors.has(anchor), `docs/prometheus.md has no "### ${a.alert}" section`);
    }
  });

  it('uses only metric names of docs/metrics.md, the exporters and its own recordings', () => {
    const catalogue = readFileSync(join(REPO_ROOT, 'docs', 'metrics.md'), 'utf8');
    const documented = new Set([...catalogue.matchAll(/`([a-z_][a-z0-9_]*)`/g)].map((m) => m[1]!));
    const recorded = new Set(rules.flatMap((r) => (r.record ? [r.record] : [])));
    const keywords = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan']);
    const known = (name: string) => {
      if (recorded.has(name) || documented.has(name) || name === 'up') return true;
      if (/^(pg|redis|nginx|rabbitmq)_/.test(name)) return true; // the exporters' own (Debian versions)
      const histogram = name.match(/^(.+)_(bucket|count|sum)$/);
      return histogram !== null && documented.has(histogram[1]!);
    };
    const unknown: string[] = [];
    for (const rule of rules) {
      const bare = rule.expr
        .replace(/"[^"]*"/g, '""')
        .replace(/\{[^}]*\}/g, '')
        .replace(/\[[^\]]*\]/g, '')
        .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '');
      for (const m of bare.matchAll(/(?<![\w:.])([a-zA-Z_:][a-zA-Z0-9_:]*)(?![\w:]|\s*\()/g)) {
        const name = m[1]!;
        if (!keywords.has(name.toLowerCase()) && !known(name)) unknown.push(`${rule.alert ?? rule.record}: ${name}`);
      }
    }
    assert.deepEqual(unknown, []);
  });
});

describe('deploy/prometheus/prometheus.yml and the native config', () => {
  const composeFile = join(PROMETHEUS_DIR, 'prometheus.yml');
  const compose = parse(readFileSync(composeFile, 'utf8')) as PrometheusConfig;
  const native = parse(renderPrometheusConfig(nativeScrapeJobs(DEFAULT_PORTS, ALL_SOURCES))) as PrometheusConfig;

  it('passes promtool check config as it is (rules resolved next to it)', () => {
    const { ok, output } = promtool('check', 'config', composeFile);
    assert.ok(ok, output);
    assert.match(output, new RegExp(`SUCCESS: ${ruleFiles.length} rule files found`));
  });

  it('passes promtool check config as the native lab renders it', (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'orderlab-prometheus-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const file = writePrometheusConfig(dir, nativeScrapeJobs(DEFAULT_PORTS, ALL_SOURCES));
    const { ok, output } = promtool('check', 'config', file);
    assert.ok(ok, output);
    assert.match(output, new RegExp(`SUCCESS: ${ruleFiles.length} rule files found`));
  });

  it('scrapes and evaluates every 5 s, in both', () => {
    assert.equal(SCRAPE_INTERVAL, '5s');
    for (const config of [compose, native]) {
      assert.equal(config.global.scrape_interval, SCRAPE_INTERVAL);
      assert.equal(config.global.evaluation_interval, SCRAPE_INTERVAL);
    }
  });

  it('loads the same rule files in both', () => {
    assert.deepEqual(compose.rule_files.map((f) => resolve(PROMETHEUS_DIR, f)), [PROMETHEUS_RULES_GLOB]);
    assert.deepEqual(native.rule_files, [PROMETHEUS_RULES_GLOB]);
  });

  it('has the same jobs, paths and params in both; Compose targets its services, the native lab 127.0.0.1 and the lab ports', () => {
    const composeJobs = jobsOf(compose);
    const nativeJobs = jobsOf(native);
    const shape = (jobs: ReturnType<typeof jobsOf>) => jobs.map(({ job, path, params }) => ({ job, path, params }));
    assert.deepEqual(shape(nativeJobs), shape(composeJobs));
    assert.deepEqual(composeJobs.map((j) => j.job), SCRAPE_JOBS.map((j) => j.job));
    for (const [i, job] of SCRAPE_JOBS.entries()) {
      assert.deepEqual(composeJobs[i]!.targets, [job.compose], job.job);
      assert.deepEqual(nativeJobs[i]!.targets, [`127.0.0.1:${DEFAULT_PORTS[job.port]}`], job.job);
    }
  });

  it('scrapes exactly the targets of docs/metrics.md "Where to scrape"', () => {
    const markdown = readFileSync(join(REPO_ROOT, 'docs', 'metrics.md'), 'utf8');
    const section = markdown.split(/^## /m).find((s) => s.startsWith('Where to scrape'));
    assert.ok(section, 'docs/metrics.md has a "Where to scrape" section');
    const rows = [...section.matchAll(/^\| `([a-z-]+)` \| ([^|]+) \| ([^|]+) \| ([^|]+) \|$/gm)];
    const documented = new Map<string, { native: string; compose: string }>();
    for (const [, job, nativeCell, composeCell, pathCell] of rows) {
      const entry = { native: nativeCell!.match(/127\.0\.0\.1:\d+/)?.[0] ?? '', compose: composeCell!.match(/[a-z-]+:\d+/)?.[0] ?? '' };
      documented.set(job!, entry);
      // A second job on the same target is named in the path column: `(job \`name\`)`.
      const extra = pathCell!.match(/\(job `([a-z-]+)`\)/);
      if (extra) documented.set(extra[1]!, entry);
    }
    assert.deepEqual([...documented.keys()].sort(), SCRAPE_JOBS.map((j) => j.job).sort());
    for (const job of SCRAPE_JOBS) {
      assert.deepEqual(documented.get(job.job), { native: `127.0.0.1:${DEFAULT_PORTS[job.port]}`, compose: job.compose }, job.job);
    }
  });

  it('natively scrapes only what runs', () => {
    const running = new Set<ScrapeSource>(['gateway', 'orders', 'fulfillment', 'notifications', 'prometheus']);
    const ports = { ...DEFAULT_PORTS, gateway: 40001, prometheus: 40002 };
    assert.deepEqual(
      nativeScrapeJobs(ports, running).map((j) => `${j.job} ${j.target}`),
      ['gateway 127.0.0.1:40001', 'orders 127.0.0.1:8082', 'fulfillment 127.0.0.1:8083', 'notifications 127.0.0.1:8084', 'prometheus 127.0.0.1:40002'],
    );
  });
});
