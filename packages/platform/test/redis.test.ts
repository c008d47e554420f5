import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { describe, it, type TestContext } from 'node:test';
import { closeRedis, createRedis, type RedisOptions } from '../src/redis.js';
import { captureLogs, TEST_REDIS_URL, waitFor } from '../src/testing/index.js';

/** A TCP server that accepts connections and never answers: a hung Redis. */
async function silentServer(t: TestContext): Promise<string> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    for (const socket of sockets) socket.destroy();
    server.close();
  });
  return `redis://127.0.0.1:${(server.address() as { port: number }).port}`;
}

/** A URL nothing listens on. */
async function closedUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return `redis://127.0.0.1:${port}`;
}

function options(url: string, overrides: Partial<RedisOptions> = {}): RedisOptions {
  return {
    url,
    logger: captureLogs('test').logger,
    commandTimeoutMs: 2_000,
    connectTimeoutMs: 1_000,
    reconnectBackoff: { stepMs: 50, maxMs: 200 },
    ...overrides,
  };
}

describe('createRedis', () => {
  it('connects under its connection name, and closeRedis ends the connection', async (t) => {
    const redis = createRedis(options(TEST_REDIS_URL, { connectionName: 'platform-test' }));
    t.after(() => redis.disconnect());
    assert.equal(await redis.client('GETNAME'), 'platform-test');

    await closeRedis(redis, 1_000);

    await waitFor('the connection to end', () => redis.status === 'end', { timeoutMs: 2_000 });
  });

  it('logs connection errors with the connection name instead of printing them', async (t) => {
    const { logger, lines } = captureLogs('test');
    const redis = createRedis(options(await closedUrl(), { logger, connectionName: 'cache' }));
    t.after(() => redis.disconnect());

    const line = await waitFor('a connection error line', () => lines().find((l) => l.msg === 'redis connection error'));

    assert.equal(line.level, 'warn');
    assert.equal(line.connection, 'cache');
  });

  it('without the offline queue, fails commands at once while Redis is down', async (t) => {
    // A command timeout far longer than the test's own: only failing at once can pass.
    const redis = createRedis(options(await closedUrl(), { offlineQueue: false, commandTimeoutMs: 600_000 }));
    t.after(() => redis.disconnect());

    // ioredis says why: nothing is queued while the connection is down.
    await assert.rejects(redis.get('some-key'), /enableOfflineQueue/);
  });
});

describe('closeRedis', () => {
  it('returns by its deadline when Redis never answers, with the connection closed', async (t) => {
    const redis = createRedis(options(await silentServer(t)));
    t.after(() => redis.disconnect());
    await waitFor('the TCP connection', () => redis.status === 'connect');

    // QUIT is never answered: closeRedis returning at all is its deadline at work.
    await closeRedis(redis, 200);

    // Awaited generously: under a loaded full run the socket's close event can take seconds.
    await waitFor('the connection to end', () => redis.status === 'end', { timeoutMs: 20_000 });
  });
});
