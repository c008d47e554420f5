import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { inheritedEnv } from '../src/config.js';
import { freePort } from '../src/ports.js';
import { NotReadyError, Supervisor } from '../src/supervisor.js';
import { alive, recordingReporter, waitFor } from './helpers.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/fixture-server.js', import.meta.url));

/** A supervised fixture server on a free port, stopped and cleaned up after the test. */
async function fixture(t: TestContext, env: Record<string, string> = {}, stopTimeoutMs = 5_000) {
  const dir = mkdtempSync(join(tmpdir(), 'orderlab-supervisor-'));
  const port = await freePort();
  const reporter = recordingReporter();
  const supervisor = new Supervisor(
    {
      name: 'fixture',
      command: process.execPath,
      args: [FIXTURE],
      env: { ...inheritedEnv(), PORT: String(port), ...env },
      readyUrl: `http://127.0.0.1:${port}/readyz`,
    },
    { logFile: join(dir, 'fixture.log'), reporter, restartDelayMs: { initial: 20, max: 200 }, stopTimeoutMs },
  );
  t.after(async () => {
    await supervisor.stop({ timeoutMs: 1_000 });
    rmSync(dir, { recursive: true, force: true });
  });
  return { supervisor, reporter, port, logFile: join(dir, 'fixture.log') };
}

describe('Supervisor', () => {
  it('restarts a child that dies unexpectedly and says so', async (t) => {
    const { supervisor, reporter, port } = await fixture(t);
    supervisor.start();
    await supervisor.waitReady({ timeoutMs: 10_000 });
    const firstPid = supervisor.pid;

    await fetch(`http://127.0.0.1:${port}/exit?code=3`).then((r) => r.body?.cancel());
    await waitFor(() => supervisor.restarts === 1, 10_000, 'the restart');
    await supervisor.waitReady({ timeoutMs: 10_000 });

    assert.notEqual(supervisor.pid, firstPid);
    assert.deepEqual(supervisor.lastExit, { code: 3, signal: null });
    assert.ok(
      reporter.messages.some((m) => m.startsWith('restarting fixture (exit code 3)')),
      `messages: ${reporter.messages.join(' | ')}`,
    );
    const res = await fetch(`http://127.0.0.1:${port}/readyz`);
    assert.equal(res.status, 200);
  });

  it('restarts after kill -9 when asked to treat it as a crash', async (t) => {
    const { supervisor, reporter } = await fixture(t);
    supervisor.start();
    await supervisor.waitReady({ timeoutMs: 10_000 });

    const exit = await supervisor.kill('SIGKILL', { autoRestart: true });
    assert.deepEqual(exit, { code: null, signal: 'SIGKILL' });
    await waitFor(() => supervisor.restarts === 1, 10_000, 'the restart');
    await supervisor.waitReady({ timeoutMs: 10_000 });
    assert.ok(reporter.messages.some((m) => m.startsWith('restarting fixture (signal SIGKILL)')));
  });

  it('leaves a killed child down until restart() brings it back', async (t) => {
    const { supervisor, port } = await fixture(t);
    supervisor.start();
    await supervisor.waitReady({ timeoutMs: 10_000 });
    const pid = supervisor.pid ?? 0;

    const exit = await supervisor.kill('SIGKILL');
    assert.equal(exit.signal, 'SIGKILL');
    assert.equal(alive(pid), false);
    assert.equal(supervisor.running, false);
    await assert.rejects(fetch(`http://127.0.0.1:${port}/readyz`));
    assert.equal(supervisor.restarts, 0);

    await supervisor.restart({ readyTimeoutMs: 10_000 });
    assert.equal((await fetch(`http://127.0.0.1:${port}/readyz`)).status, 200);
  });

  it('stop() sends SIGTERM and the child shuts down cleanly', async (t) => {
    const { supervisor } = await fixture(t);
    supervisor.start();
    await supervisor.waitReady({ timeoutMs: 10_000 });
    const pid = supervisor.pid ?? 0;

    const exit = await supervisor.stop();
    assert.deepEqual(exit, { code: 0, signal: null });
    assert.equal(alive(pid), false);
    assert.ok(supervisor.logLines().some((l) => l.msg === 'shutting down'));
    assert.equal(supervisor.restarts, 0, 'a stopped child is not restarted');
  });

  it('stop() kills a child that ignores SIGTERM once the deadline passes', async (t) => {
    const { supervisor, reporter } = await fixture(t, { IGNORE_SIGTERM: '1' }, 300);
    supervisor.start();
    await supervisor.waitReady({ timeoutMs: 10_000 });

    const exit = await supervisor.stop();
    assert.deepEqual(exit, { code: null, signal: 'SIGKILL' });
    assert.ok(supervisor.logLines().some((l) => l.msg === 'ignoring SIGTERM'));
    assert.ok(reporter.messages.some((m) => m.includes('did not exit within 300 ms of SIGTERM; sending SIGKILL')));
  });

  it('appends stdout and stderr of every run to its log file', async (t) => {
    const { supervisor, logFile } = await fixture(t);
    supervisor.start();
    await supervisor.waitReady({ timeoutMs: 10_000 });
    await waitFor(() => readFileSync(logFile, 'utf8').includes('a plain stderr line'), 5_000, 'the stderr line');
    await supervisor.restart({ readyTimeoutMs: 10_000 });
    await waitFor(() => supervisor.logLines().filter((l) => l.msg === 'listening').length === 2, 5_000, 'the second run');

    const lines = supervisor.logLines();
    const pids = new Set(lines.filter((l) => l.msg === 'listening').map((l) => l.pid));
    assert.equal(pids.size, 2, 'both runs are in the file');
    assert.ok(lines.every((l) => l.service === 'fixture'), 'lines are stored as the child wrote them');
    const raw = readFileSync(logFile, 'utf8').split('\n');
    assert.equal(raw.filter((l) => l === 'fixture: a plain stderr line').length, 2);
  });

  it('waitReady names what is wrong and shows the log tail when the child never gets ready', async (t) => {
    const { supervisor, port } = await fixture(t, { NOT_READY: '1' });
    supervisor.start();
    const err = await supervisor.waitReady({ timeoutMs: 1_000 }).then(
      () => assert.fail('should not be ready'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof NotReadyError);
    assert.match(err.message, new RegExp(`fixture is not ready: http://127.0.0.1:${port}/readyz answered 503`));
    assert.ok(err.logTail.some((l) => l.includes('"listening"')));
  });

  it('waitReady gives up early on a child that crashes at every start', async (t) => {
    const { supervisor, reporter } = await fixture(t, { CRASH_AT_START: '2' });
    supervisor.start();
    const err = await supervisor.waitReady({ timeoutMs: 30_000 }).then(
      () => assert.fail('should not be ready'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof NotReadyError);
    assert.match(err.message, /exited 3 times while starting \(last: exit code 2\)/);
    assert.ok(err.logTail.includes('fixture: crashing at start'));
    assert.ok(reporter.messages.some((m) => m.startsWith('restarting fixture (exit code 2)')));
  });
});
