/** Reading a lab's VictoriaLogs (LogsQL over HTTP) and its log files, for the logs tests. */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Lab } from '@orderlab/lab';

/** One stored line as VictoriaLogs answers it: every field a string (_msg, _time, _stream, service.name, …). */
export type StoredLine = Record<string, string>;

/** The lines `query` (LogsQL) matches, oldest first; at most `limit`. */
export async function logsQuery(lab: Lab, query: string, limit = 1_000): Promise<StoredLine[]> {
  const res = await fetch(`${lab.urls.logs!}/select/logsql/query`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ query, limit: String(limit) }).toString(),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  assert.equal(res.status, 200, `${query}: ${text}`);
  const lines = text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as StoredLine);
  return lines.sort((a, b) => (a._time ?? '').localeCompare(b._time ?? ''));
}

/** How many stored lines `filter` (LogsQL) matches. */
export async function logsCount(lab: Lab, filter: string): Promise<number> {
  const [row] = await logsQuery(lab, `${filter} | stats count() n`);
  return Number(row?.n ?? 0);
}

/**
 * How many lines of the lab's shipped log files (<service>.log and every rotated copy) contain
 * `text`, read from disk: what the services and the edge wrote.
 */
export function linesWritten(lab: Lab, text: string): number {
  let count = 0;
  for (const name of readdirSync(lab.logsDir)) {
    if (!/^(orders|fulfillment|notifications|gateway|edge|traffic)\.log(\.\d+)?$/.test(name)) continue;
    let content: string;
    try {
      content = readFileSync(join(lab.logsDir, name), 'utf8');
    } catch {
      continue; // rotated away between the listing and the read: counted under its new name
    }
    for (const line of content.split('\n')) if (line.includes(text)) count++;
  }
  return count;
}
