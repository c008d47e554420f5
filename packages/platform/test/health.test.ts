import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildOpsServer } from '../src/ops-server.js';
import { captureLogs } from '../src/testing/index.js';

describe('ops server health', () => {
  it('is live while a dependency is down, but not ready, and names the failing check', async (t) => {
    let databaseUp = false;
    let accepting = true;
    const ops = buildOpsServer({
      logger: captureLogs('test').logger,
      timeoutMs: 200,
      accepting: () => accepting,
      checks: [
        { name: 'postgres', check: async () => { if (!databaseUp) throw new Error('connection refused'); } },
        { name: 'redis', check: () => new Promise(() => {}) },
      ],
    });
    const port = await ops.start(0, '127.0.0.1');
    t.after(() => ops.stop());
    const base = `http://127.0.0.1:${port}`;
    assert.equal((await fetch(`${base}/healthz`)).status, 200);
    const notReady = await fetch(`${base}/readyz`);
    assert.equal(notReady.status, 503);
    assert.equal(notReady.headers.get('retry-after'), '5');
    assert.deepEqual(await notReady.json(), {
      status: 'unready',
      checks: { postgres: 'connection refused', redis: 'no answer within 200 ms' },
    });
    databaseUp = true;
    accepting = false;
    const closing = await fetch(`${base}/readyz`);
    assert.equal(closing.status, 503);
    assert.equal(((await closing.json()) as { status: string }).status, 'shutting_down');
  });
});
