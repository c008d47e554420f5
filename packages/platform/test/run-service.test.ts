import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';

const RUN_SERVICE = new URL('../src/run-service.js', import.meta.url).href;

interface Child {
  /** Resolves with the first log line whose msg is `msg`. */
  line(msg: string): Promise<Record<string, unknown>>;
  lines: Record<string, unknown>[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal: NodeJS.Signals): void;
  stderr(): string;
}

/**
 * A service process in miniature: `options` is the JavaScript source of runService's options,
 * its build() logs what happens to the service. Its JSON log lines are read from stdout.
 */
function spawnService(t: TestContext, options: string): Child {
  const script = `import { runService } from ${JSON.stringify(RUN_SERVICE)};\nawait runService(${options});`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(() => child.kill('SIGKILL'));
  const lines: Record<string, unknown>[] = [];
  const waiting: { msg: string; resolve: (line: Record<string, unknown>) => void }[] = [];
  let partial = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout.on('data', (chunk: Buffer) => {
    const text = partial + chunk.toString();
    const complete = text.split('\n');
    partial = complete.pop() ?? '';
    for (const raw of complete.filter((l) => l.trim() !== '')) {
      const line = JSON.parse(raw) as Record<string, unknown>;
      lines.push(line);
      for (const w of waiting.filter((w) => w.msg === line.msg)) w.resolve(line);
    }
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return {
    lines,
    exited,
    line: (msg) => new Promise((resolve) => {
      const seen = lines.find((l) => l.msg === msg);
      if (seen) resolve(seen);
      else waiting.push({ msg, resolve });
    }),
    kill: (signal) => child.kill(signal),
    stderr: () => stderr,
  };
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The messages logged, whatever their order: lines written while the process exits may come out of order. */
const messages = (child: Child) => child.lines.map((l) => String(l.msg));

describe('runService', () => {
  it('runs until SIGTERM, then stops the service and exits 0', async (t) => {
    const child = spawnService(t, `{
      name: 'demo',
      config: { LOG_LEVEL: 'info', SHUTDOWN_TIMEOUT_MS: 5000 },
      build: (_config, { logger }) => {
        let timer;
        return {
          start: async () => { timer = setInterval(() => {}, 1000); logger.info('demo started'); },
          stop: async () => { clearInterval(timer); logger.info('demo stopped'); },
        };
      },
    }`);
    const started = await child.line('demo started');
    assert.equal(started.service, 'demo');

    child.kill('SIGTERM');

    assert.deepEqual(await child.exited, { code: 0, signal: null }, child.stderr());
    assert.deepEqual(messages(child).sort(), ['demo started', 'demo stopped', 'shutdown complete', 'shutting down']);
  });

  it('logs a failed start as fatal, stops what was started and exits 1 at once', async (t) => {
    // The interval stands for a connection that keeps retrying: the exit must not wait for it.
    const child = spawnService(t, `{
      name: 'demo',
      config: { LOG_LEVEL: 'info', SHUTDOWN_TIMEOUT_MS: 5000 },
      build: (_config, { logger }) => ({
        start: async () => {
          setInterval(() => {}, 1000);
          await new Promise((resolve) => setImmediate(resolve)); // as listen() reports EADDRINUSE: from the event loop
          throw new Error('listen EADDRINUSE 0.0.0.0:8081');
        },
        stop: async () => logger.info('demo stopped'),
      }),
    }`);

    assert.deepEqual(await child.exited, { code: 1, signal: null }, child.stderr());
    const fatal = await child.line('demo failed to start');
    assert.equal(fatal.level, 'fatal');
    assert.equal((fatal.err as { message: string }).message, 'listen EADDRINUSE 0.0.0.0:8081');
    assert.deepEqual(messages(child).sort(), ['demo failed to start', 'demo stopped', 'shutdown complete', 'shutting down']);
  });

  it('treats failed migrations as a failed start, before anything is built', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'migrations-'));
    t.after(() => rm(dir, { recursive: true }));
    const databaseUrl = `postgres://nobody@127.0.0.1:${await closedPort()}/nothing`;
    const child = spawnService(t, `{
      name: 'demo',
      config: { LOG_LEVEL: 'info', SHUTDOWN_TIMEOUT_MS: 5000, MIGRATE_ON_START: true, DATABASE_URL: ${JSON.stringify(databaseUrl)} },
      migrationsDir: ${JSON.stringify(dir)},
      build: (_config, { logger }) => {
        logger.info('demo built');
        return { start: async () => {}, stop: async () => {} };
      },
    }`);

    assert.deepEqual(await child.exited, { code: 1, signal: null }, child.stderr());
    assert.equal((await child.line('demo failed to start')).level, 'fatal');
    assert.ok(!messages(child).includes('demo built'), 'nothing was built');
  });

  it('does not migrate when MIGRATE_ON_START is false (the runner or a job did)', async (t) => {
    const databaseUrl = `postgres://nobody@127.0.0.1:${await closedPort()}/nothing`;
    const child = spawnService(t, `{
      name: 'demo',
      config: { LOG_LEVEL: 'info', SHUTDOWN_TIMEOUT_MS: 5000, MIGRATE_ON_START: false, DATABASE_URL: ${JSON.stringify(databaseUrl)} },
      migrationsDir: '/nonexistent',
      build: (_config, { logger }) => {
        let timer;
        return {
          start: async () => { timer = setInterval(() => {}, 1000); logger.info('demo started'); },
          stop: async () => clearInterval(timer),
        };
      },
    }`);

    await child.line('demo started');
    child.kill('SIGTERM');
    assert.deepEqual(await child.exited, { code: 0, signal: null }, child.stderr());
  });
});
