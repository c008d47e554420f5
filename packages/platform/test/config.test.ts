import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import Type from 'typebox';
import { commonConfig, ConfigError, parseConfig } from '../src/config.js';

const schema = Type.Object({
  ...commonConfig,
  PORT: Type.Integer({ default: 8081, minimum: 0, maximum: 65535 }),
  DATABASE_URL: Type.String({ minLength: 1 }),
  MIGRATE_ON_START: Type.Boolean({ default: true }),
});

describe('parseConfig', () => {
  it('applies defaults and converts strings to numbers and booleans', () => {
    const config = parseConfig(schema, { DATABASE_URL: 'postgres://x', PORT: '9000', MIGRATE_ON_START: 'false' });
    assert.equal(config.PORT, 9000);
    assert.equal(config.MIGRATE_ON_START, false);
    assert.equal(config.LOG_LEVEL, 'info');
    assert.equal(config.SHUTDOWN_TIMEOUT_MS, 10_000);
  });

  it('treats an empty variable as unset so the default applies', () => {
    assert.equal(parseConfig(schema, { DATABASE_URL: 'x', PORT: '' }).PORT, 8081);
  });

  it('names every bad variable in one error', () => {
    assert.throws(
      () => parseConfig(schema, { PORT: 'eighty', LOG_LEVEL: 'loud', MIGRATE_ON_START: 'maybe' }),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        for (const name of ['PORT', 'LOG_LEVEL', 'MIGRATE_ON_START', 'DATABASE_URL']) {
          assert.match(err.message, new RegExp(name), `message names ${name}: ${err.message}`);
        }
        assert.match(err.message, /"eighty"/);
        assert.match(err.message, /LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent \(got "loud"\)/);
        assert.equal(err.message.split('\n').length, 1);
        return true;
      },
    );
  });

  it('rejects out-of-range numbers', () => {
    assert.throws(() => parseConfig(schema, { DATABASE_URL: 'x', PORT: '70000' }), /PORT/);
  });
});

describe('loadConfig', () => {
  it('prints one line naming the variables and exits 1', () => {
    const platform = fileURLToPath(new URL('../src/index.js', import.meta.url));
    const script = `
      import Type from 'typebox';
      const { loadConfig } = await import(${JSON.stringify(platform)});
      loadConfig(Type.Object({ DATABASE_URL: Type.String({ minLength: 1 }), PORT: Type.Integer() }), { PORT: 'x' });
      console.log('unreachable');`;
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      cwd: fileURLToPath(new URL('..', import.meta.url)),
    });
    assert.equal(result.status, 1);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /^invalid configuration: .*DATABASE_URL.*\n$/);
    assert.match(result.stderr, /PORT/);
  });
});
