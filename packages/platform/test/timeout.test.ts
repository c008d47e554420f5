import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { settleWithin } from '../src/timeout.js';

describe('settleWithin', () => {
  it('answers true as soon as the work finishes in time', async () => {
    const started = Date.now();
    assert.equal(await settleWithin(sleep(10), 5_000), true);
    assert.ok(Date.now() - started < 1_000, 'it did not wait for the deadline');
  });

  it('answers false at the deadline while the work goes on', async () => {
    let finished = false;
    const work = sleep(300).then(() => (finished = true));
    const started = Date.now();
    assert.equal(await settleWithin(work, 30), false);
    assert.ok(Date.now() - started < 300, `gave up after ${Date.now() - started} ms`);
    assert.equal(finished, false);
    await work;
  });

  it('passes on a failure that comes in time', async () => {
    await assert.rejects(settleWithin(Promise.reject(new Error('connection refused')), 1_000), /connection refused/);
  });

  it('never keeps a process alive: one waiting on work that never ends still exits at once', async () => {
    const module = new URL('../src/timeout.js', import.meta.url).href;
    const script = `
      import { settleWithin } from ${JSON.stringify(module)};
      void settleWithin(new Promise(() => {}), 60_000);`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: 'ignore' });
    const started = Date.now();
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.equal(code, 0);
    assert.ok(Date.now() - started < 10_000, `exited after ${Date.now() - started} ms`);
  });
});
