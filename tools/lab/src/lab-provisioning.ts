/**
 * What a lab owns in the shared data stores, set up before its services start and removed by
 * dispose(): a database and role per service (migrated and, for orders, seeded with the
 * services' own `cli.js`), the Redis keys under its prefix and, for a test, its RabbitMQ vhost.
 */
import { spawn } from 'node:child_process';
import { Redis } from 'ioredis';
import { createTestVhost } from '@orderlab/platform/testing';
import { dropServiceDatabase, ensureServiceDatabase } from './databases.js';
import { DATABASE_SERVICES, type DatabaseService, type LabOptions, type ResolvedLabOptions } from './lab-options.js';
import { LabStartError } from './lab-start-error.js';
import { LineSplitter, tailLines, type LogSink } from './log-sink.js';
import { REPO_ROOT, serviceEntry } from './paths.js';
import type { Reporter } from './reporter.js';
import { describeExit } from './supervisor.js';

/** Deadline of one `cli.js` run (migrate or seed). */
const TASK_TIMEOUT_MS = 120_000;

/** Runs `node services/<service>/dist/src/cli.js <command>` to completion; its output goes to the service's log. */
export function runCli(service: DatabaseService, command: string, env: Record<string, string>, sink: LogSink, reporter: Reporter): Promise<void> {
  return new Promise((resolve, reject) => {
    const entry = serviceEntry(service, 'cli.js');
    reporter.info(`${service}: ${command}`);
    const started = Date.now();
    const child = spawn(process.execPath, [entry, command], { env, cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    for (const stream of [child.stdout, child.stderr]) {
      const splitter = new LineSplitter();
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => sink.write(splitter.push(chunk)));
      stream.on('end', () => sink.write(splitter.flush()));
    }
    const timer = setTimeout(() => child.kill('SIGKILL'), TASK_TIMEOUT_MS);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new LabStartError(`${service} ${command} could not run: ${err.message}`, service));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) {
        reporter.info(`${service}: ${command} done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
        resolve();
      } else {
        reject(
          new LabStartError(
            `${service} ${command} failed (${describeExit({ code, signal })}); see ${sink.file}`,
            service,
            tailLines(sink.file, 20),
          ),
        );
      }
    });
  });
}

/** How provisioning runs a service's `cli.js`: its environment and where its output goes. */
export interface CliContext {
  envOf: (service: DatabaseService) => Record<string, string>;
  sinkOf: (service: DatabaseService) => LogSink;
  reporter: Reporter;
}

/** Ensures each service's role and database, then migrates all three side by side. */
export async function provisionDatabases(r: ResolvedLabOptions, cli: CliContext): Promise<void> {
  await Promise.all(DATABASE_SERVICES.map((service) => ensureServiceDatabase(r.pgAdminUrl, r.databases[service])));
  await Promise.all(DATABASE_SERVICES.map((service) => runCli(service, 'migrate', cli.envOf(service), cli.sinkOf(service), cli.reporter)));
}

/** Drops the lab's databases one after the other (the roles are shared and kept). */
export async function dropLabDatabases(r: ResolvedLabOptions): Promise<void> {
  for (const service of DATABASE_SERVICES) {
    await dropServiceDatabase(r.pgAdminUrl, { name: r.databases[service].name });
  }
}

/** Deletes every key under `prefix` with SCAN + UNLINK (bounded batches). */
export async function deleteRedisKeys(redisUrl: string, prefix: string): Promise<void> {
  if (!prefix) throw new Error('refusing to delete Redis keys without a prefix');
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 5_000 });
  redis.on('error', () => {});
  try {
    await redis.connect();
    const pattern = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** The lab's RabbitMQ vhost, and how to delete it if the lab created it. */
export interface LabVhost {
  name: string;
  /** Deletes the vhost once, and only one the lab created (never `/` or one it was given). */
  delete(): Promise<void>;
}

/** The vhost of `rabbitmqVhost`: the one given, `/`, or a fresh one made with createTestVhost. */
export async function labVhost(option: LabOptions['rabbitmqVhost']): Promise<LabVhost> {
  const created = typeof option === 'object' ? await createTestVhost(option.create) : undefined;
  let deleted = false;
  return {
    name: created?.name ?? (typeof option === 'string' ? option : '/'),
    delete: async () => {
      if (!created || deleted) return;
      await created.drop();
      deleted = true;
    },
  };
}
