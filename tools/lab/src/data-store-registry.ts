/**
 * The data stores' bookkeeping under `<root>/run`: a lock that serialises acquire/release
 * between runners, the users (one file per live runner), and each started store's state.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataStoreError, type DataStoreName, type Layout } from './data-store-servers.js';
import { processAlive } from './processes.js';

/** A lock older than this belongs to a runner that hung or died mid-start. */
const LOCK_STALE_MS = 5 * 60_000;
const LOCK_WAIT_MS = 6 * 60_000;
const POLL_MS = 100;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What run/<store>.json records about a started instance. */
export interface StoreState {
  name: DataStoreName;
  /** Main process (its own process group); for RabbitMQ the broker script. */
  pid: number;
  /** Helper processes stopped after it (RabbitMQ's own epmd). */
  helperPids: number[];
  ports: Record<string, number>;
  node?: string;
  dataDir: string;
  startedAt: string;
}

/** Serialises acquire/release between runners of one checkout (mkdir is atomic). */
export async function withLock<T>(l: Layout, fn: () => Promise<T>): Promise<T> {
  mkdirSync(l.run, { recursive: true });
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      mkdirSync(l.lock);
      writeFileSync(join(l.lock, 'pid'), String(process.pid));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      let stale = false;
      try {
        const owner = Number(readFileSync(join(l.lock, 'pid'), 'utf8'));
        stale = !processAlive(owner) || Date.now() - statSync(l.lock).mtimeMs > LOCK_STALE_MS;
      } catch {
        // the owner is between mkdir and writing its pid, or just released
        stale = existsSync(l.lock) && Date.now() - statSync(l.lock, { throwIfNoEntry: false })!.mtimeMs > 5_000;
      }
      if (stale) rmSync(l.lock, { recursive: true, force: true });
      else if (Date.now() > deadline) throw new DataStoreError(`another runner holds ${l.lock} for too long; remove it if no npm start/test runs`, undefined);
      else await sleep(POLL_MS);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(l.lock, { recursive: true, force: true });
  }
}

/** The pids of the live runners registered as users (stale entries are removed). */
export function liveUsers(l: Layout): number[] {
  if (!existsSync(l.users)) return [];
  const live: number[] = [];
  for (const name of readdirSync(l.users)) {
    const pid = Number(name);
    if (Number.isInteger(pid) && processAlive(pid)) live.push(pid);
    else rmSync(join(l.users, name), { force: true });
  }
  return live;
}

/** run/<store>.json. */
export function stateFile(l: Layout, name: DataStoreName): string {
  return join(l.run, `${name}.json`);
}

/** A store's recorded state, or undefined. */
export function readState(l: Layout, name: DataStoreName): StoreState | undefined {
  try {
    return JSON.parse(readFileSync(stateFile(l, name), 'utf8')) as StoreState;
  } catch {
    return undefined;
  }
}
