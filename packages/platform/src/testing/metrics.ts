/** Test helpers for Prometheus text output: read samples, lint with promtool. */
import { spawn } from 'node:child_process';

/** One sample line of the Prometheus text format. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Every sample of a /metrics body (comments skipped). */
export function parseSamples(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = SAMPLE.exec(line);
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(LABEL)) labels[key as string] = (value as string).replace(/\\(.)/g, '$1');
    samples.push({ name: match[1] as string, labels, value: Number(match[3]) });
  }
  return samples;
}

/** Samples named name whose labels include every pair of `labels`. */
export function findSamples(text: string, name: string, labels: Record<string, string> = {}): Sample[] {
  return parseSamples(text).filter(
    (s) => s.name === name && Object.entries(labels).every(([key, value]) => s.labels[key] === value),
  );
}

/** The summed value of the matching samples (0 when none match). */
export function sampleValue(text: string, name: string, labels: Record<string, string> = {}): number {
  return findSamples(text, name, labels).reduce((sum, s) => sum + s.value, 0);
}

/** Metric families (`# TYPE` lines) of a /metrics body, name → type. */
export function metricTypes(text: string): Map<string, string> {
  const types = new Map<string, string>();
  for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) types.set(name as string, type as string);
  return types;
}

/**
 * prom-client's default metrics that promtool lints, and why we keep them: they are the names
 * every Node dashboard queries, so they are part of the contract (docs/metrics.md).
 */
export const ACCEPTED_PROMTOOL_PROBLEMS: readonly RegExp[] = [
  // Gauges whose names end in _total (prom-client has always named them so).
  /^nodejs_active_(handles|requests|resources)_total non-counter metrics should not have "_total" suffix$/,
  // The semantic-convention name db.client.connection.count as Prometheus spells it; dashboards
  // for OpenTelemetry-named services query it, and it never sits beside a db_client_connection histogram.
  /^db_client_connection_count non-histogram and non-summary metrics should not have "_count" suffix$/,
];

/** `promtool check metrics` on text: the problems it reports (empty = clean), minus accepted ones. */
export async function promtoolProblems(text: string, accepted: readonly RegExp[] = ACCEPTED_PROMTOOL_PROBLEMS): Promise<string[]> {
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn('promtool', ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', () => resolve(out));
    child.stdin.end(text);
  });
  return output
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !accepted.some((pattern) => pattern.test(line)));
}
