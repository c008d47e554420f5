import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import pg from 'pg';
import { pgAdminUrl } from '../src/config.js';
import { describeServiceDatabase, dropServiceDatabase, ensureServiceDatabase } from '../src/databases.js';

function uniqueDb(label: string) {
  const id = randomBytes(4).toString('hex');
  return { name: `t_${label}_${id}`, role: `t_${label}_${id}_role`, password: `pw_${id}` };
}

describe('ensureServiceDatabase', () => {
  it('creates the role and its database once, and changes nothing when run again', async (t) => {
    const db = uniqueDb('ensure');
    t.after(() => dropServiceDatabase(pgAdminUrl(), { name: db.name, role: db.role }));

    const first = await ensureServiceDatabase(pgAdminUrl(), db);
    const second = await ensureServiceDatabase(pgAdminUrl(), db);

    assert.deepEqual([first.createdRole, first.createdDatabase], [true, true]);
    assert.deepEqual([second.createdRole, second.createdDatabase], [false, false]);
    assert.equal(second.url, first.url);
    assert.deepEqual(await describeServiceDatabase(pgAdminUrl(), db), { roleExists: true, canLogin: true, databaseOwner: db.role });

    // The service can log in with its URL and create its tables: it owns the database.
    const client = new pg.Client({ connectionString: first.url });
    await client.connect();
    try {
      await client.query('CREATE TABLE widgets (id int PRIMARY KEY)');
      const who = await client.query<{ user: string; db: string }>('SELECT current_user AS user, current_database() AS db');
      assert.deepEqual(who.rows[0], { user: db.role, db: db.name });
    } finally {
      await client.end();
    }
  });

  it('survives concurrent callers for the same service', async (t) => {
    const db = uniqueDb('race');
    t.after(() => dropServiceDatabase(pgAdminUrl(), { name: db.name, role: db.role }));

    const results = await Promise.all(Array.from({ length: 4 }, () => ensureServiceDatabase(pgAdminUrl(), db)));

    assert.equal(results.filter((r) => r.createdDatabase).length, 1);
    assert.equal((await describeServiceDatabase(pgAdminUrl(), db)).databaseOwner, db.role);
  });

  it('drops the database and role, and dropping again is not an error', async () => {
    const db = uniqueDb('drop');
    await ensureServiceDatabase(pgAdminUrl(), db);

    await dropServiceDatabase(pgAdminUrl(), { name: db.name, role: db.role });
    await dropServiceDatabase(pgAdminUrl(), { name: db.name, role: db.role });

    assert.deepEqual(await describeServiceDatabase(pgAdminUrl(), db), { roleExists: false, canLogin: false, databaseOwner: undefined });
  });

  it('refuses names that are not plain identifiers', async () => {
    await assert.rejects(
      ensureServiceDatabase(pgAdminUrl(), { name: 'orders; DROP DATABASE x', role: 'orders', password: 'x' }),
      /invalid database name/,
    );
  });
});
