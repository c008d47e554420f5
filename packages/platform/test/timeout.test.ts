import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { settleWithin } from '../src/timeout.js';

/** Longer than any test may run: an answer can only come from the work, never from this deadline. */
const NEVER_MS = 600_000;

describe('settleWithin', () => {
  it('answers true as soon as the work finishes in time', async () => {
    assert.equal(await settleWithin(sleep(10), NEVER_MS), true);
  });

  it('answers false at the deadline while the work goes on', async () => {
    let finish = () => {};
    let finished = false;
    const work = new Promise<void>((resolve) => (finish = resolve)).then(() => (finished = true));

    assert.equal(await settleWithin(work, 30), false);

    assert.equal(finished, false, 'the work was not waited for');
    finish();
    await work;
  });

  it('passes on a failure that comes in time', async () => {
    await assert.rejects(settleWithin(Promise.reject(new Error('connection refused')), NEVER_MS), /connection refused/);
  });

  it('never keeps a process alive: one waiting on work that never ends still exits at once', async () => {
    const module = new URL('../src/timeout.js', import.meta.url).href;
    const script = `
      import { settleWithin } from ${JSON.stringify(module)};
      void settleWithin(new Promise(() => {}), ${NEVER_MS});`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: 'ignore' });
    // Were the timer holding the process, it would live for NEVER_MS and the test time out.
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.equal(code, 0);
  });
});
