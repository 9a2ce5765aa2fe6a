// Vitest globalSetup shared by every package whose tests need PostgreSQL.
// Starts one throw-away embedded PostgreSQL for the whole run (or uses the server of
// TEST_DATABASE_URL / DATABASE_URL when given), migrates a template database once, and lets each
// test file clone it (see createTestDatabase). Several projects may list this file: the first one
// to run starts the server and the rest reuse it through the environment.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { migrate } from '../migrate.ts';
import { startEmbeddedPostgres, type RunningPostgres } from '../server/embedded-postgres.ts';
import { checkDatabase, withDatabase } from '../connection.ts';

const ADMIN = 'LAB_TEST_PG_ADMIN_URL';
const TEMPLATE = 'LAB_TEST_PG_TEMPLATE';

let owned:
  { server?: RunningPostgres; dir?: string; adminUrl: string; template: string } | undefined;

export default async function setup(): Promise<() => Promise<void>> {
  if (process.env[ADMIN]) return async () => {};
  const external = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
  let adminUrl: string;
  if (external) {
    await checkDatabase(external);
    adminUrl = external;
    owned = { adminUrl, template: '' };
  } else {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lab-test-pg-'));
    const port = 40000 + Math.floor(Math.random() * 20000);
    const server = await startEmbeddedPostgres({
      dataDir: path.join(dir, 'data'),
      port,
    });
    adminUrl = server.adminUrl();
    owned = { server, dir, adminUrl, template: '' };
  }
  const template = `lab_template_${process.pid}_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${template}"`);
  await admin.end();
  await migrate(withDatabase(adminUrl, template));
  owned.template = template;
  process.env[ADMIN] = adminUrl;
  process.env[TEMPLATE] = template;

  return async () => {
    const o = owned;
    if (!o) return;
    owned = undefined;
    delete process.env[ADMIN];
    delete process.env[TEMPLATE];
    if (o.server) {
      await o.server.stop();
      fs.rmSync(o.dir!, { recursive: true, force: true });
    } else {
      const c = new pg.Client({ connectionString: o.adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${o.template}" WITH (FORCE)`);
      await c.end();
    }
  };
}
