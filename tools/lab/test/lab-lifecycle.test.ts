import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, it, type TestContext } from 'node:test';
import { Redis } from 'ioredis';
import { deleteRedisPrefix, rabbitmqctl } from '@orderlab/platform/testing';
import { pgAdminUrl, redisUrl } from '../src/config.js';
import { dropServiceDatabase } from '../src/databases.js';
import { readLabRecord, stopRecordedLab, writeLabRecord } from '../src/lab-record.js';
import type { LabPorts } from '../src/lab-options.js';
import { startTestLab } from '../src/lab.js';
import { REPO_ROOT } from '../src/paths.js';
import { portInUse } from '../src/ports.js';
import { alive, recordingReporter, waitFor } from './helpers.js';

const RUNNER = fileURLToPath(new URL('./fixtures/lab-runner.js', import.meta.url));

/** The ports a lab's own processes listen on (not the data stores'). */
function labPorts(ports: LabPorts): number[] {
  return [ports.edge, ports.edgeStatus, ports.gateway, ports.ordersGrpc, ports.ordersOps, ports.fulfillmentOps, ports.notifications, ports.traffic];
}

async function busyPorts(ports: number[]): Promise<number[]> {
  const busy: number[] = [];
  for (const port of ports) if (await portInUse(port)) busy.push(port);
  return busy;
}

interface Runner {
  child: ChildProcess;
  ports: LabPorts;
  stderr: string[];
  exited: Promise<number | null>;
}

/** Starts the stand-in for `npm start` and resolves once its lab is ready; cleans its state up after the test. */
async function startRunner(t: TestContext, runDir: string, ports?: LabPorts): Promise<Runner> {
  const label = `lifecycle_${randomBytes(2).toString('hex')}`;
  const child = spawn(process.execPath, [RUNNER, runDir, label, ...(ports ? [JSON.stringify(ports)] : [])], { stdio: ['ignore', 'pipe', 'pipe'] });
  const stderr: string[] = [];
  createInterface({ input: child.stderr }).on('line', (line) => stderr.push(line));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    void exited.then((code) => reject(new Error(`the runner exited (${code}) before its lab was ready:\n${stderr.join('\n')}`)));
  });
  const ready = JSON.parse(line) as { ports: LabPorts; databases: string[]; vhost: string; redisKeyPrefix: string };
  t.after(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    await Promise.all(ready.databases.map((name) => dropServiceDatabase(pgAdminUrl(), { name })));
    await rabbitmqctl('delete_vhost', ready.vhost).catch(() => {});
    const redis = new Redis(redisUrl());
    await deleteRedisPrefix(redis, ready.redisKeyPrefix);
    redis.disconnect();
  });
  return { child, ports: ready.ports, stderr, exited };
}

function freshRunDir(t: TestContext): string {
  const dir = join(REPO_ROOT, '.lab', 'test-logs', `run-${randomBytes(4).toString('hex')}`);
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('stopping the lab', () => {
  it('frees every lab port within 5 s when the runner is killed with SIGKILL (its children stop on their own), and a new start over the stale record starts', async (t) => {
    const runDir = freshRunDir(t);
    const runner = await startRunner(t, runDir);
    const children = Object.values(readLabRecord(runDir)?.children ?? {});
    assert.ok(children.length >= 6, `the record lists the lab's processes: ${JSON.stringify(children)}`);

    runner.child.kill('SIGKILL');
    await runner.exited;
    await waitFor(async () => (await busyPorts(labPorts(runner.ports))).length === 0, 5_000, 'every lab port to be free').catch(async (err: unknown) => {
      throw new Error(`still listening: ${(await busyPorts(labPorts(runner.ports))).join(', ')}`, { cause: err });
    });
    await waitFor(() => children.every((c) => !alive(c.pid)), 5_000, 'every child process to exit');

    const next = await startRunner(t, runDir, runner.ports);
    assert.match(next.stderr.join('\n'), new RegExp(`found a stale lab record \\(runner pid ${runner.child.pid} is gone`));
    assert.equal((await fetch(`http://127.0.0.1:${next.ports.gateway}/readyz`)).status, 200);
  });

  it('a new start stops the lab still running from the checkout, says so, and starts on its ports', async (t) => {
    const runDir = freshRunDir(t);
    const first = await startRunner(t, runDir);

    const second = await startRunner(t, runDir, first.ports);

    assert.equal(await first.exited, 0, 'the first runner stopped its lab cleanly');
    assert.match(second.stderr.join('\n'), new RegExp(`a lab is running from this checkout \\(runner pid ${first.child.pid}, .*\\); stopping it`));
    assert.equal(readLabRecord(runDir)?.runnerPid, second.child.pid);
    const res = await fetch(`http://127.0.0.1:${second.ports.gateway}/readyz`);
    assert.equal(res.status, 200);
    second.child.kill('SIGTERM');
    assert.equal(await second.exited, 0);
    assert.equal(readLabRecord(runDir), undefined, 'a clean stop removes the record');
  });

  it('stops what a killed runner left behind, and only processes it recorded', async (t) => {
    const runDir = freshRunDir(t);
    // A leftover child (as on a system without parent-death signals), and a dead runner pid.
    const leftover = spawn('sleep', ['300'], { stdio: 'ignore', detached: true });
    t.after(() => leftover.kill('SIGKILL'));
    const deadRunner = spawn('true');
    await new Promise((resolve) => deadRunner.on('exit', resolve));
    writeLabRecord(runDir, {
      runnerPid: deadRunner.pid!,
      startedAt: new Date().toISOString(),
      children: { orders: { pid: leftover.pid!, marker: 'sleep' }, gateway: { pid: process.pid, marker: 'not-this-command-line' } },
    });
    const reporter = recordingReporter();

    const found = await stopRecordedLab(runDir, reporter);

    assert.equal(found, 'stale');
    await waitFor(() => !alive(leftover.pid!), 5_000, 'the leftover to be stopped');
    assert.match(reporter.messages.join('\n'), new RegExp(`found a stale lab record \\(runner pid ${deadRunner.pid} is gone`));
    assert.match(reporter.messages.join('\n'), new RegExp(`stopping 1 leftover process\\(es\\): orders \\(pid ${leftover.pid}\\)`));
    assert.equal(readLabRecord(runDir), undefined);
  });

  it('is down within 15 s of stop() even when one service hangs', async (t) => {
    const lab = await startTestLab('hung_stop', { traffic: true });
    t.after(() => lab.dispose());
    const orders = lab.services.orders.pid!;
    // A hung process: SIGTERM does nothing until it is continued; SIGKILL still works.
    process.kill(orders, 'SIGSTOP');
    const started = Date.now();

    await lab.stop();

    const seconds = (Date.now() - started) / 1000;
    assert.ok(seconds <= 15, `down in ${seconds.toFixed(1)} s`);
    assert.equal(alive(orders), false);
    assert.deepEqual(await busyPorts(labPorts(lab.ports)), []);
  });
});
