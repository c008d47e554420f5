import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { createLifecycle } from '../src/lifecycle.js';
import { captureLogs } from '../src/testing/index.js';

describe('createLifecycle', () => {
  it('closes in reverse order of registration, once, and keeps going past a failing closer', async () => {
    const { logger, lines } = captureLogs('test');
    const lifecycle = createLifecycle({ logger, timeoutMs: 1000 });
    const order: string[] = [];
    lifecycle.onShutdown('pool', () => { order.push('pool'); });
    lifecycle.onShutdown('redis', () => { throw new Error('already closed'); });
    lifecycle.onShutdown('server', async () => { order.push('server'); });
    assert.equal(lifecycle.shuttingDown, false);
    await Promise.all([lifecycle.shutdown('SIGTERM'), lifecycle.shutdown('SIGINT')]);
    assert.equal(lifecycle.shuttingDown, true);
    assert.deepEqual(order, ['server', 'pool']);
    assert.ok(lines().some((l) => l.msg === 'error while closing' && l.step === 'redis'));
  });
});

describe('a service whose stdout reader is gone', () => {
  it('still shuts down cleanly on SIGTERM within its 10 s deadline (EPIPE neither crashes nor hangs it)', async () => {
    // A service in miniature: the real logger on stdout, the real lifecycle, a closer that logs.
    const platform = new URL('../src/index.js', import.meta.url).href;
    const script = `
      import { createLifecycle, createLogger } from ${JSON.stringify(platform)};
      const logger = createLogger({ service: 'epipe-test' });
      const lifecycle = createLifecycle({ logger, timeoutMs: 10000 });
      lifecycle.installSignalHandlers();
      lifecycle.onShutdown('worker', async () => { for (let i = 0; i < 2000; i++) logger.info({ i }, 'closing'); });
      setInterval(() => logger.info('working'), 5);
      process.stdout.write('ready\\n');`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    await new Promise((resolve) => child.stdout.once('data', resolve));
    // The reader goes away (the lab runner died): every later write fails with EPIPE.
    child.stdout.destroy();
    const started = Date.now();

    child.kill('SIGTERM');
    const exit = await exited;

    assert.deepEqual(exit, { code: 0, signal: null }, stderr);
    assert.ok(Date.now() - started < 10_000, `exited after ${Date.now() - started} ms`);
    assert.doesNotMatch(stderr, /EPIPE|Unhandled|uncaught/i);
  });
});
