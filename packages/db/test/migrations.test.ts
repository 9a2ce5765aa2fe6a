import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, readMigrations } from '../src/migrate.ts';
import { readSchemaDmmf, schemaDisagreements } from '../src/schema-agreement.ts';
import { schemaPath } from '../src/paths.ts';
import { createEmptyTestDatabase, type TestDatabase } from '../src/testing/index.ts';

let db: TestDatabase;
let client: pg.Client;

beforeAll(async () => {
  db = await createEmptyTestDatabase();
  await migrate(db.url);
  client = new pg.Client({ connectionString: db.url });
  await client.connect();
});
afterAll(async () => {
  await client.end();
  await db.drop();
});

describe('migration runner', () => {
  it('records each migration the way Prisma Migrate does (sha256 of migration.sql)', async () => {
    const files = readMigrations();
    expect(files.length).toBeGreaterThan(0);
    const { rows } = await client.query<{
      migration_name: string;
      checksum: string;
      finished_at: Date | null;
    }>(
      'SELECT migration_name, checksum, finished_at FROM _prisma_migrations ORDER BY migration_name',
    );
    expect(rows.map((r) => r.migration_name)).toEqual(files.map((f) => f.name));
    for (const [i, f] of files.entries()) {
      expect(rows[i]!.checksum).toBe(createHash('sha256').update(f.sql).digest('hex'));
      expect(rows[i]!.finished_at).not.toBeNull();
    }
  });

  it('applies nothing the second time', async () => {
    const again = await migrate(db.url);
    expect(again.applied).toEqual([]);
    expect(again.alreadyApplied).toBe(readMigrations().length);
  });

  it('refuses to run when an applied migration was edited', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lab-mig-'));
    for (const f of readMigrations()) {
      fs.mkdirSync(path.join(dir, f.name));
      fs.writeFileSync(path.join(dir, f.name, 'migration.sql'), f.sql + '\n-- edited\n');
    }
    await expect(migrate(db.url, { dir })).rejects.toThrow(/edited after it was applied/);
    fs.rmSync(dir, { recursive: true });
  });

  it('rolls back a failing migration and records nothing for it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lab-mig-'));
    for (const f of readMigrations()) {
      fs.mkdirSync(path.join(dir, f.name));
      fs.writeFileSync(path.join(dir, f.name, 'migration.sql'), f.sql);
    }
    fs.mkdirSync(path.join(dir, '99999999999999_broken'));
    fs.writeFileSync(
      path.join(dir, '99999999999999_broken', 'migration.sql'),
      'CREATE TABLE half_done (id int); SELECT no_such_function();',
    );
    await expect(migrate(db.url, { dir })).rejects.toThrow(/99999999999999_broken failed/);
    const t = await client.query<{ t: string | null }>(
      `SELECT to_regclass('public.half_done') AS t`,
    );
    expect(t.rows[0]!.t).toBeNull();
    const r = await client.query(
      `SELECT 1 FROM _prisma_migrations WHERE migration_name = '99999999999999_broken'`,
    );
    expect(r.rowCount).toBe(0);
    fs.rmSync(dir, { recursive: true });
  });
});

describe('schema.prisma agrees with the migrated database', () => {
  it('has no disagreement', async () => {
    expect(await schemaDisagreements(client)).toEqual([]);
  });

  const schema = fs.readFileSync(schemaPath, 'utf8');
  const mutated = (from: string | RegExp, to: string) => {
    const next = schema.replace(from, to);
    expect(next).not.toBe(schema);
    return readSchemaDmmf(next);
  };

  it('notices a field with no column', async () => {
    const dmmf = mutated(
      '  role         Role     @default(TRADER)',
      '  role         Role     @default(TRADER)\n  nickname String?',
    );
    expect(await schemaDisagreements(client, dmmf)).toContain(
      'User.nickname: column "users"."nickname" does not exist',
    );
  });

  it('notices a model with no table', async () => {
    const dmmf = readSchemaDmmf(schema + '\nmodel Ghost {\n  id Int @id\n}\n');
    expect(await schemaDisagreements(client, dmmf)).toContain(
      'model Ghost: table "Ghost" does not exist',
    );
  });

  it('notices a changed type, nullability and unique constraint', async () => {
    const dmmf = mutated(
      '  email        String   @unique @db.VarChar(254)',
      '  email        String?  @db.VarChar(200)',
    );
    const problems = await schemaDisagreements(client, dmmf);
    expect(problems).toContain(
      'User.email: column type is character varying(254), schema says character varying(200)',
    );
    expect(problems).toContain('User.email: column is NOT NULL, schema says optional');
    expect(
      problems.some((p) =>
        p.includes('unique index on (email) that schema.prisma does not declare'),
      ),
    ).toBe(true);
  });

  it('notices a missing foreign key in the database', async () => {
    await client.query('BEGIN');
    try {
      await client.query('ALTER TABLE positions DROP CONSTRAINT positions_account_id_fkey');
      const problems = await schemaDisagreements(client);
      expect(problems).toContain(
        'Position.account: no foreign key on (account_id) to paper_accounts(id)',
      );
    } finally {
      await client.query('ROLLBACK');
    }
  });

  it('notices a column the schema does not know', async () => {
    await client.query('BEGIN');
    try {
      await client.query('ALTER TABLE candles ADD COLUMN stray int');
      expect(await schemaDisagreements(client)).toContain(
        'Candle: column "candles"."stray" is not in schema.prisma',
      );
    } finally {
      await client.query('ROLLBACK');
    }
  });
});
