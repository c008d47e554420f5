import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { runMigrations } from '../src/postgres.js';
import { captureLogs, createTestDatabase } from '../src/testing/index.js';

describe('createTestDatabase + runMigrations', () => {
  it('creates an isolated database, migrates it idempotently, and drops it', async (t) => {
    const db = await createTestDatabase('platform');
    let dropped = false;
    t.after(async () => { if (!dropped) await db.drop(); });
    const dir = mkdtempSync(join(tmpdir(), 'migrations-'));
    writeFileSync(join(dir, '1700000000000_widgets.sql'), '-- Up Migration\nCREATE TABLE widgets (id int primary key);\n-- Down Migration\nDROP TABLE widgets;\n');
    const { logger } = captureLogs('test');
    // Two concurrent starters: the advisory lock makes the second wait, then find nothing to do.
    const [a, b] = await Promise.all([
      runMigrations({ databaseUrl: db.url, dir, logger }),
      runMigrations({ databaseUrl: db.url, dir, logger }),
    ]);
    assert.deepEqual([...a, ...b], ['1700000000000_widgets']);
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM widgets');
    assert.equal(rows[0]?.n, '0');
    await client.end();
    await db.drop();
    dropped = true;
    const admin = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
    await admin.connect();
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [db.name]);
    await admin.end();
    assert.equal(exists.rowCount, 0);
    assert.ok(fileURLToPath(import.meta.url));
  });
});
