// Per-test-file databases: a copy of the migrated template (CREATE DATABASE ... TEMPLATE takes tens of
// milliseconds), dropped afterwards. Requires ./global-setup.ts in the project's vitest config.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { withDatabase } from '../connection.ts';

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

const NO_SERVER = 'no test PostgreSQL: add @lab/db/testing/global-setup to this vitest project';

async function createDatabase(prefix: string, template?: string): Promise<TestDatabase> {
  const adminUrl = process.env.LAB_TEST_PG_ADMIN_URL;
  if (!adminUrl) throw new Error(NO_SERVER);
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(
      template ? `CREATE DATABASE "${name}" TEMPLATE "${template}"` : `CREATE DATABASE "${name}"`,
    );
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

/** A copy of the migrated template, for one test file. */
export function createTestDatabase(): Promise<TestDatabase> {
  const template = process.env.LAB_TEST_PG_TEMPLATE;
  if (!template) throw new Error(NO_SERVER);
  return createDatabase('lab_test', template);
}

/** An empty database (no migrations) on the test server, for migration tests. */
export function createEmptyTestDatabase(): Promise<TestDatabase> {
  return createDatabase('lab_empty');
}
