import assert from 'node:assert/strict';
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
