import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

/** The libraries behind the sub-paths: a process that does not use them must not load them. */
const HEAVY = ['fastify', 'pg', 'amqplib', 'ioredis', '@grpc/grpc-js', 'prom-client', 'node-pg-migrate'];

/** The heavy libraries a fresh Node process has loaded after importing `specifier`. */
function heavyLoadedBy(specifier: string): string[] {
  const script = `
    await import(${JSON.stringify(specifier)});
    const { createRequire } = await import('node:module');
    const files = Object.keys(createRequire(import.meta.url).cache);
    const heavy = ${JSON.stringify(HEAVY)};
    console.log(JSON.stringify(heavy.filter((lib) => files.some((f) => f.includes('/node_modules/' + lib + '/')))));`;
  const cwd = fileURLToPath(new URL('../../', import.meta.url));
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd, encoding: 'utf8' })) as string[];
}

describe('the platform entry points', () => {
  it('@orderlab/platform loads no server, database or broker client', () => {
    assert.deepEqual(heavyLoadedBy('@orderlab/platform'), []);
  });

  it('each sub-path loads only its own client', () => {
    assert.deepEqual(heavyLoadedBy('@orderlab/platform/redis'), ['ioredis']);
    assert.deepEqual(heavyLoadedBy('@orderlab/platform/rabbitmq'), ['amqplib']);
    assert.ok(!heavyLoadedBy('@orderlab/platform/grpc').some((lib) => ['fastify', 'pg', 'amqplib', 'ioredis'].includes(lib)));
    assert.ok(!heavyLoadedBy('@orderlab/platform/http').some((lib) => ['pg', 'amqplib', 'ioredis', '@grpc/grpc-js'].includes(lib)));
  });
});
