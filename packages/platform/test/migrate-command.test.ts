import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';

const MIGRATE_COMMAND = new URL('../src/migrate-command.js', import.meta.url).href;

/** Runs a service's cli.js in miniature, offering `seed` besides `migrate`, with `argv`. */
async function runCli(argv: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const script = `
    import Type from 'typebox';
    import { runMigrateCommand } from ${JSON.stringify(MIGRATE_COMMAND)};
    await runMigrateCommand({
      service: 'demo',
      databaseUrl: Type.String({ default: 'postgres://demo@127.0.0.1:1/demo' }),
      dir: '/nonexistent',
      commands: { seed: async ({ databaseUrl }) => { throw new Error('cannot seed ' + databaseUrl); } },
      argv: ${JSON.stringify(argv)},
    });`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'], cwd: new URL('..', import.meta.url) });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { code, stdout, stderr };
}

describe('runMigrateCommand', () => {
  it('answers an unknown command with the usage, naming every command, and exit code 2', async () => {
    const { code, stderr } = await runCli(['migrat']);
    assert.equal(code, 2);
    assert.equal(stderr, 'usage: cli.js migrate|seed\n');
  });

  it('runs a further command with the configured DATABASE_URL; its failure is fatal, exit code 1', async () => {
    const { code, stdout } = await runCli(['seed']);
    assert.equal(code, 1);
    const fatal = stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.level === 'fatal');
    assert.equal(fatal?.msg, 'seed failed');
    assert.equal((fatal?.err as { message: string }).message, 'cannot seed postgres://demo@127.0.0.1:1/demo');
  });
});
