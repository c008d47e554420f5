/** Test helpers: real databases and Redis keys, isolated per test. */
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import pg from 'pg';
import { createLogger, type Logger } from '../logger.js';
import { DEFAULT_URLS } from '@orderlab/contracts/topology';

/** Superuser URL of the local Postgres server used by tests. */
export const TEST_PG_ADMIN_URL = process.env.TEST_PG_ADMIN_URL ?? DEFAULT_URLS.postgresAdmin;
/** Redis used by tests. */
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? DEFAULT_URLS.redis;

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

function slug(label: string): string {
  return label.toLowerCase().replace(/[^a-z0-9]+/g, '_').slice(0, 30);
}

/** Creates a fresh database `t_<label>_<random>`; drop() removes it (closing stray connections). */
export async function createTestDatabase(label: string): Promise<TestDatabase> {
  const name = `t_${slug(label)}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_PG_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(TEST_PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: TEST_PG_ADMIN_URL });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

/** A unique Redis key prefix such as `test:orders:1a2b3c4d:`. */
export function testRedisPrefix(label: string): string {
  return `test:${slug(label)}:${randomBytes(4).toString('hex')}:`;
}

/** The subset of an ioredis client deleteRedisPrefix needs. */
export interface ScanningRedis {
  scan(cursor: string, match: 'MATCH', pattern: string, count: 'COUNT', n: number): Promise<[string, string[]]>;
  del(...keys: string[]): Promise<number>;
}

/** Deletes every key under prefix (SCAN, never KEYS). */
export async function deleteRedisPrefix(redis: ScanningRedis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}

export interface CapturedLogs {
  logger: Logger;
  /** Every line logged so far, parsed. */
  lines: () => Record<string, unknown>[];
}

/** A real pino logger whose lines are kept in memory for assertions. */
export function captureLogs(service: string, level = 'debug'): CapturedLogs {
  const lines: Record<string, unknown>[] = [];
  let partial = '';
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      partial += chunk.toString('utf8');
      let nl = partial.indexOf('\n');
      while (nl >= 0) {
        const line = partial.slice(0, nl);
        partial = partial.slice(nl + 1);
        if (line.trim() !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
        nl = partial.indexOf('\n');
      }
      done();
    },
  });
  return { logger: createLogger({ service, level, destination: stream }), lines: () => lines };
}

/** Polls until predicate returns a truthy value or the deadline passes (then throws with label). */
export async function waitFor<T>(
  label: string,
  predicate: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  { timeoutMs = 10_000, intervalMs = 25 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await predicate();
      if (value) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${label}`, { cause: lastError });
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** RabbitMQ used by tests (a vhost is appended by createTestVhost). */
export const TEST_AMQP_URL = process.env.TEST_AMQP_URL ?? DEFAULT_URLS.rabbitmq;

export interface TestVhost {
  name: string;
  /** TEST_AMQP_URL with this vhost. */
  url: string;
  drop(): Promise<void>;
}

/**
 * The rabbitmqctl of the tests' broker: TEST_RABBITMQCTL, which the test runner sets to the lab's
 * own (`.lab/bin/rabbitmqctl`, pointed at its node), else the one on the PATH.
 */
export const TEST_RABBITMQCTL = process.env.TEST_RABBITMQCTL ?? 'rabbitmqctl';

/** Runs rabbitmqctl against the tests' broker and resolves to its stdout. */
export async function rabbitmqctl(...args: string[]): Promise<string> {
  const { execFile } = await import('node:child_process');
  return new Promise((resolve, reject) => {
    execFile(TEST_RABBITMQCTL, ['-q', ...args], { timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`rabbitmqctl ${args.join(' ')} failed: ${stderr || err.message}`));
      else resolve(stdout);
    });
  });
}

/**
 * A fresh vhost `t_<label>_<random>` on the local broker, with guest allowed: every exchange and
 * queue a test declares lives in it, so tests keep the production names and cannot collide.
 */
export async function createTestVhost(label: string): Promise<TestVhost> {
  const name = `t_${slug(label)}_${randomBytes(4).toString('hex')}`;
  await rabbitmqctl('add_vhost', name);
  await rabbitmqctl('set_permissions', '-p', name, 'guest', '.*', '.*', '.*');
  return {
    name,
    url: `${TEST_AMQP_URL}/${encodeURIComponent(name)}`,
    drop: async () => {
      await rabbitmqctl('delete_vhost', name);
    },
  };
}

/**
 * Closes every client connection of a vhost from the broker side — what a broker restart or a
 * network cut looks like to a client, without disturbing other tests' vhosts. Resolves to the count.
 */
export async function closeVhostConnections(vhost: string, reason = 'closed by a test'): Promise<number> {
  const listing = await rabbitmqctl('list_connections', '--no-table-headers', 'pid', 'vhost');
  const pids = listing
    .split('\n')
    .map((line) => line.split('\t'))
    .filter(([pid, name]) => pid && name === vhost)
    .map(([pid]) => pid!);
  for (const pid of pids) await rabbitmqctl('close_connection', pid, reason);
  return pids.length;
}
export * from './metrics.js';
