import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Redis } from 'ioredis';
import pg from 'pg';
import { acquireDataStores, DATA_STORE_PORTS, stopDataStores, type DataStores } from '../src/data-stores.js';
import { REPO_ROOT } from '../src/paths.js';
import { portInUse } from '../src/ports.js';
import { probeAmqp } from '../src/probes.js';
import { alive, recordingReporter, waitFor } from './helpers.js';

/** A live process standing in for another runner (npm start in another terminal). */
function otherRunner(): { pid: number; kill(): void } {
  const child = spawn('sleep', ['300'], { stdio: 'ignore' });
  return { pid: child.pid!, kill: () => child.kill('SIGKILL') };
}

async function answers(stores: DataStores): Promise<{ postgres: string; redis: string }> {
  const client = new pg.Client({ connectionString: stores.postgres.adminUrl });
  await client.connect();
  const { rows } = await client.query<{ v: string }>("SELECT current_setting('server_version') AS v");
  await client.end();
  const redis = new Redis(stores.redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  const pong = await redis.ping();
  redis.disconnect();
  await probeAmqp({ host: '127.0.0.1', port: stores.rabbitmq.port });
  return { postgres: rows[0]!.v, redis: pong };
}

function pidsOf(root: string): number[] {
  return ['postgres', 'redis', 'rabbitmq'].map((name) => (JSON.parse(readFileSync(join(root, 'run', `${name}.json`), 'utf8')) as { pid: number }).pid);
}

describe('the lab’s own data stores', () => {
  it('starts Postgres, Redis and RabbitMQ in their own folder, shares them between runners, and the last runner to leave stops them', async (t) => {
    // A fresh root beside the test run's own data stores, which hold the standard ports.
    const root = join(REPO_ROOT, '.lab', 'test-logs', `data-stores-${randomBytes(4).toString('hex')}`);
    t.after(async () => {
      await stopDataStores({ root });
      rmSync(root, { recursive: true, force: true });
    });
    const other = otherRunner();
    t.after(() => other.kill());
    const reporter = recordingReporter();

    const first = await acquireDataStores({ root, reporter, userPid: other.pid });
    assert.deepEqual(first.started, ['postgres', 'redis', 'rabbitmq']);
    const { postgres, redis } = await answers(first);
    assert.match(postgres, /^\d+\.\d+/);
    assert.equal(redis, 'PONG');
    assert.notEqual(first.postgres.port, DATA_STORE_PORTS.postgres, 'the standard port is taken by the test run’s Postgres, so another is used');
    assert.match(reporter.messages.join('\n'), /postgres: own instance up on 127\.0\.0\.1:\d+ in [\d.]+ s/);
    // Its rabbitmqctl talks to its own node, not to the test run's broker.
    const vhosts = spawnSync(first.rabbitmq.ctl, ['-q', 'list_vhosts', '--no-table-headers'], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(vhosts.status, 0, vhosts.stderr);
    assert.deepEqual(vhosts.stdout.trim().split('\n'), ['/']);

    // A second runner adopts what runs: nothing new starts, same addresses.
    const second = await acquireDataStores({ root });
    assert.deepEqual(second.started, []);
    assert.equal(second.postgres.adminUrl, first.postgres.adminUrl);
    assert.equal(second.rabbitmq.url, first.rabbitmq.url);

    // It leaves while the other runner is alive: everything keeps running.
    const pids = pidsOf(root);
    await second.release();
    assert.ok(pids.every(alive), 'still running for the other runner');
    await answers(first);

    // The other runner dies without releasing (kill -9): a third runner adopts the stores and,
    // being the last live user, stops them when it leaves.
    const third = await acquireDataStores({ root });
    assert.deepEqual(third.started, []);
    other.kill();
    await waitFor(() => !alive(other.pid), 5_000, 'the other runner to die');
    await third.release();
    // Stopped; the test process started them, so it is also the one that reaps them, a moment later.
    await waitFor(() => pids.every((pid) => !alive(pid)), 5_000, 'every data store process to be gone');
    for (const port of [third.postgres.port, third.redis.port, third.rabbitmq.port, third.rabbitmq.managementPort]) {
      assert.equal(await portInUse(port), false, `port ${port} is free again`);
    }
  });
});
