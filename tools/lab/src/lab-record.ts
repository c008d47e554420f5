/**
 * `.lab/run/lab.json`: the lab `npm start` runs from this checkout — the runner's pid and every
 * child's — so that `npm run stop` (another terminal) can stop it, and the next `npm start`
 * finds a lab still running or left behind and stops it first.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { processAlive } from './processes.js';
import { silentReporter, type Reporter } from './reporter.js';

/** What lab.json holds. */
export interface LabRecord {
  runnerPid: number;
  startedAt: string;
  /**
   * Each supervised child's current pid (its process group) by name, with a string its command
   * line contains, so a pid reused by an unrelated process is never signalled.
   */
  children: Record<string, { pid: number; marker: string }>;
  /** Where the lab answers, for the messages of whoever finds it. */
  edge?: string;
}

/** How long a running runner gets to stop its lab after SIGTERM (its own deadline is 15 s, plus the data stores). */
const RUNNER_STOP_TIMEOUT_MS = 30_000;
/** How long a leftover child gets after SIGTERM before SIGKILL. */
const CHILD_STOP_TIMEOUT_MS = 10_000;
const POLL_MS = 100;

/** Path of the record in a run folder. */
export function labRecordFile(runDir: string): string {
  return join(runDir, 'lab.json');
}

/** The record, or undefined when there is none (or it is unreadable). */
export function readLabRecord(runDir: string): LabRecord | undefined {
  try {
    return JSON.parse(readFileSync(labRecordFile(runDir), 'utf8')) as LabRecord;
  } catch {
    return undefined;
  }
}

/** Writes the record atomically (a reader never sees half a file). */
export function writeLabRecord(runDir: string, record: LabRecord): void {
  mkdirSync(runDir, { recursive: true });
  const tmp = `${labRecordFile(runDir)}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(record, null, 2)}\n`);
  renameSync(tmp, labRecordFile(runDir));
}

/** Removes the record if it is this runner's. */
export function removeLabRecord(runDir: string, runnerPid = process.pid): void {
  if (readLabRecord(runDir)?.runnerPid === runnerPid) rmSync(labRecordFile(runDir), { force: true });
}

async function waitGone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (processAlive(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  return true;
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  for (const target of [-pid, pid]) {
    try {
      process.kill(target, signal);
      return;
    } catch {
      // not a group leader, or gone
    }
  }
}

/** What stopRecordedLab found. */
export type RecordedLab = 'none' | 'running' | 'stale';

/**
 * Stops the lab recorded in runDir, if any: a live runner gets SIGTERM and stops its lab
 * itself (SIGKILL past the deadline — its children then stop on their parent-death signal);
 * children still alive afterwards (a runner killed before its children could notice) get
 * SIGTERM, then SIGKILL. Resolves to what it found.
 */
export async function stopRecordedLab(runDir: string, reporter: Reporter = silentReporter): Promise<RecordedLab> {
  const record = readLabRecord(runDir);
  if (!record || record.runnerPid === process.pid) return 'none';
  const live = processAlive(record.runnerPid, 'node');
  if (live) {
    reporter.info(`a lab is running from this checkout (runner pid ${record.runnerPid}, started ${record.startedAt}${record.edge ? `, ${record.edge}` : ''}); stopping it`);
    signalGroup(record.runnerPid, 'SIGTERM');
    if (!(await waitGone(record.runnerPid, RUNNER_STOP_TIMEOUT_MS))) {
      reporter.warn(`its runner (pid ${record.runnerPid}) did not stop within ${RUNNER_STOP_TIMEOUT_MS / 1000} s; killing it`);
      signalGroup(record.runnerPid, 'SIGKILL');
      await waitGone(record.runnerPid, 5_000);
    }
  } else {
    reporter.info(`found a stale lab record (runner pid ${record.runnerPid} is gone, started ${record.startedAt}); stopping what it left`);
  }
  const leftovers = Object.entries(record.children)
    .filter(([, child]) => processAlive(child.pid, child.marker))
    .map(([name, child]): [string, number] => [name, child.pid]);
  if (leftovers.length > 0) {
    reporter.warn(`stopping ${leftovers.length} leftover process(es): ${leftovers.map(([name, pid]) => `${name} (pid ${pid})`).join(', ')}`);
    for (const [, pid] of leftovers) signalGroup(pid, 'SIGTERM');
    const gone = await Promise.all(leftovers.map(([, pid]) => waitGone(pid, CHILD_STOP_TIMEOUT_MS)));
    leftovers.forEach(([, pid], i) => {
      if (!gone[i]) signalGroup(pid, 'SIGKILL');
    });
  }
  rmSync(labRecordFile(runDir), { force: true });
  return live ? 'running' : 'stale';
}
