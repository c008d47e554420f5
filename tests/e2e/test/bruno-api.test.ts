import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT } from '@orderlab/lab';
import { labFor } from './helpers.js';

const COLLECTION = join(REPO_ROOT, 'api-tests');
/** Requests the collection had when this test was written: a lower bound, so a lost folder fails. */
const MIN_REQUESTS = 47;
/**
 * `bru run` takes ~15 s on an idle machine but passed 90 s in CI beside three other labs on a
 * slow day (each request's scripts run in Bruno's sandbox); past this it is killed and fails.
 */
const BRU_TIMEOUT_MS = 200_000;

/** The parts of the JSON reporter's output (`--reporter-json`) the test reads: one entry per iteration. */
interface BruReport {
  summary: Record<'totalRequests' | 'passedRequests' | 'failedRequests' | 'errorRequests' | 'skippedRequests', number> &
    Record<'totalAssertions' | 'passedAssertions' | 'totalTests' | 'passedTests', number>;
  results: {
    test: { filename: string };
    status: string;
    error?: string | null;
    assertionResults: { lhsExpr: string; rhsExpr: string; status: string; error?: string }[];
    testResults: { description: string; status: string; error?: string }[];
  }[];
}

/** Every request file of the collection (not collection.bru, folder.bru or environments), relative to it. */
function requestFiles(dir = COLLECTION): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== 'environments' && entry.name !== 'node_modules') files.push(...requestFiles(path));
    else if (entry.isFile() && entry.name.endsWith('.bru') && !['collection.bru', 'folder.bru'].includes(entry.name)) {
      files.push(relative(COLLECTION, path).split(sep).join('/'));
    }
  }
  return files.sort();
}

/** Runs the Bruno CLI in the collection folder; resolves with its exit code and the tail of its output. */
function bru(args: string[]): Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }> {
  const cli = join(dirname(createRequire(import.meta.url).resolve('@usebruno/cli/package.json')), 'bin', 'bru.js');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], {
      cwd: COLLECTION,
      env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: BRU_TIMEOUT_MS,
      killSignal: 'SIGKILL',
    });
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-20_000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, output }));
  });
}

/** One line per failed request, assertion or test, for the assertion message. */
function failures(report: BruReport): string[] {
  const lines: string[] = [];
  for (const r of report.results) {
    if (r.status !== 'pass') lines.push(`${r.test.filename}: ${r.status}${r.error ? ` (${r.error})` : ''}`);
    for (const a of r.assertionResults) if (a.status !== 'pass') lines.push(`${r.test.filename}: assert ${a.lhsExpr} ${a.rhsExpr}: ${a.error ?? a.status}`);
    for (const t of r.testResults) if (t.status !== 'pass') lines.push(`${r.test.filename}: test "${t.description}": ${t.error ?? t.status}`);
  }
  return lines;
}

describe('the Bruno API collection (api-tests/) against a live lab', () => {
  it('passes every request, assertion and test through the edge', async (t) => {
    const lab = await labFor(t, 'bruno');
    const out = mkdtempSync(join(tmpdir(), 'orderlab-bruno-'));
    t.after(() => rmSync(out, { recursive: true, force: true }));
    const reportFile = join(out, 'report.json');

    const run = await bru(['run', '--env', 'local', '--env-var', `baseUrl=${lab.urls.edge}`, '--reporter-json', reportFile, '--reporter-junit', join(out, 'report.xml')]);
    assert.equal(run.signal, null, `bru run was killed after ${BRU_TIMEOUT_MS} ms:\n${run.output}`);

    const [report, ...more] = JSON.parse(readFileSync(reportFile, 'utf8')) as BruReport[];
    assert.ok(report, 'the JSON report has an iteration');
    assert.equal(more.length, 0, 'one iteration');
    const failed = failures(report);
    assert.equal(failed.length, 0, `failed in the Bruno run:\n${failed.join('\n')}`);
    assert.equal(run.code, 0, `bru run exited ${run.code}; its output ends:\n${run.output.slice(-4000)}`);

    const { summary } = report;
    assert.ok(summary.totalRequests >= MIN_REQUESTS, `${summary.totalRequests} requests ran, expected at least ${MIN_REQUESTS}`);
    assert.equal(summary.passedRequests, summary.totalRequests);
    assert.equal(summary.failedRequests + summary.errorRequests + summary.skippedRequests, 0);
    assert.equal(summary.passedAssertions, summary.totalAssertions);
    assert.equal(summary.passedTests, summary.totalTests);
    for (const r of report.results) {
      assert.ok(r.assertionResults.some((a) => a.lhsExpr === 'res.status'), `${r.test.filename} asserts its status`);
    }

    // Every request file on disk ran once: a file Bruno could not parse, or a folder it skipped, fails here.
    assert.deepEqual(report.results.map((r) => r.test.filename).sort(), requestFiles());
    // The JUnit report agrees (what CI would pick up).
    const junit = readFileSync(join(out, 'report.xml'), 'utf8');
    assert.equal((junit.match(/<testsuite /g) ?? []).length, summary.totalRequests);
    assert.doesNotMatch(junit, /<failure|<error/);
  });
});
