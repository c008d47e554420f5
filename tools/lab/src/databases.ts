/**
 * One database and one role per service (docs/architecture.md), created idempotently by the Postgres
 * superuser. Concurrent callers (parallel test files) are serialised by an advisory lock,
 * because CREATE ROLE / ALTER ROLE on the same role from two sessions can fail with
 * "tuple concurrently updated".
 */
import pg from 'pg';

/** A service's own database and the role that owns it. */
export interface ServiceDatabase {
  name: string;
  role: string;
  password: string;
}

/** What ensureServiceDatabase did and where the service connects. */
export interface EnsuredDatabase {
  url: string;
  createdRole: boolean;
  createdDatabase: boolean;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;
/** Arbitrary but fixed key of the advisory lock that serialises role/database creation. */
const LOCK_KEY = 7_407_201;
const CONNECT_TIMEOUT_MS = 5_000;

function assertIdentifier(kind: string, value: string): void {
  if (!IDENTIFIER.test(value)) throw new Error(`invalid ${kind} name ${JSON.stringify(value)}: use [a-z0-9_], at most 63 characters`);
}

async function withAdmin<T>(adminUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, application_name: 'orderlab-lab' });
  client.on('error', () => {});
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/** The URL a service uses for its database: the admin URL's host and port with the service's role. */
export function serviceDatabaseUrl(adminUrl: string, db: ServiceDatabase): string {
  const url = new URL(adminUrl);
  url.username = db.role;
  url.password = db.password;
  url.pathname = `/${db.name}`;
  url.search = '';
  return url.toString();
}

/**
 * Creates the role (LOGIN, with the password) and the database owned by it, or brings an
 * existing one to that state. Safe to run any number of times, also concurrently.
 */
export async function ensureServiceDatabase(adminUrl: string, db: ServiceDatabase): Promise<EnsuredDatabase> {
  assertIdentifier('database', db.name);
  assertIdentifier('role', db.role);
  return withAdmin(adminUrl, async (client) => {
    const role = client.escapeIdentifier(db.role);
    const database = client.escapeIdentifier(db.name);
    const password = client.escapeLiteral(db.password);
    await client.query('SELECT pg_advisory_lock($1)', [LOCK_KEY]);
    try {
      const roleExists = (await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [db.role])).rowCount === 1;
      await client.query(`${roleExists ? 'ALTER' : 'CREATE'} ROLE ${role} WITH LOGIN PASSWORD ${password}`);
      const owner = await client.query<{ owner: string }>(
        'SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = $1',
        [db.name],
      );
      const dbExists = owner.rowCount === 1;
      if (!dbExists) await client.query(`CREATE DATABASE ${database} OWNER ${role}`);
      else if (owner.rows[0]?.owner !== db.role) await client.query(`ALTER DATABASE ${database} OWNER TO ${role}`);
      return { url: serviceDatabaseUrl(adminUrl, db), createdRole: !roleExists, createdDatabase: !dbExists };
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [LOCK_KEY]).catch(() => {});
    }
  });
}

/**
 * Drops a service database (closing its connections) and, when `role` is given, the role
 * too. Missing ones are not an error.
 */
export async function dropServiceDatabase(adminUrl: string, db: { name: string; role?: string }): Promise<void> {
  assertIdentifier('database', db.name);
  if (db.role) assertIdentifier('role', db.role);
  await withAdmin(adminUrl, async (client) => {
    await client.query('SELECT pg_advisory_lock($1)', [LOCK_KEY]);
    try {
      await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(db.name)} WITH (FORCE)`);
      if (db.role) await client.query(`DROP ROLE IF EXISTS ${client.escapeIdentifier(db.role)}`);
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [LOCK_KEY]).catch(() => {});
    }
  });
}

/** Whether a role and a database exist, and who owns the database (for checks and tests). */
export async function describeServiceDatabase(
  adminUrl: string,
  db: { name: string; role: string },
): Promise<{ roleExists: boolean; canLogin: boolean; databaseOwner: string | undefined }> {
  return withAdmin(adminUrl, async (client) => {
    const role = await client.query<{ rolcanlogin: boolean }>('SELECT rolcanlogin FROM pg_roles WHERE rolname = $1', [db.role]);
    const owner = await client.query<{ owner: string }>(
      'SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = $1',
      [db.name],
    );
    return { roleExists: role.rowCount === 1, canLogin: role.rows[0]?.rolcanlogin ?? false, databaseOwner: owner.rows[0]?.owner };
  });
}
