// Per-test-file databases: a copy of the migrated template (CREATE DATABASE ... TEMPLATE takes tens of
// milliseconds), dropped afterwards. Requires ./global-setup.ts in the project's vitest config.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const adminUrl = process.env.LAB_TEST_PG_ADMIN_URL;
  const template = process.env.LAB_TEST_PG_TEMPLATE;
  if (!adminUrl || !template) {
    throw new Error('no test PostgreSQL: add @lab/db/testing/global-setup to this vitest project');
  }
  const name = `lab_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
  } finally {
    await admin.end();
  }
  return {
    name,
    url: withDatabase(adminUrl, name),
    async drop() {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

/** An empty database (no migrations) on the test server, for migration tests. */
export async function createEmptyTestDatabase(): Promise<TestDatabase> {
  const adminUrl = process.env.LAB_TEST_PG_ADMIN_URL;
  if (!adminUrl) throw new Error('no test PostgreSQL: add @lab/db/testing/global-setup to this vitest project');
  const name = `lab_empty_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  return {
    name,
    url: withDatabase(adminUrl, name),
    async drop() {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await c.end();
    },
  };
}
