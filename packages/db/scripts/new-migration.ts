// Writes prisma/migrations/<timestamp>_<name>/migration.sql for the difference between the schema
// at git HEAD (or nothing, for the first migration) and the working prisma/schema.prisma.
// Offline, Prisma 7's CLI cannot diff (it needs its native engine); Prisma 6.19's CLI can, with its
// WASM engine and a driver adapter. This tool installs that CLI in a cache folder, starts a
// throw-away embedded PostgreSQL for it to connect to, and runs `prisma migrate diff --script`.
// With internet access, `npx prisma migrate dev --create-only` does the same job.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres } from '../src/server/embedded-postgres.ts';
import { dataDir, migrationsDir, repoRoot, schemaPath } from '../src/paths.ts';
import { readMigrations } from '../src/migrate.ts';

const name = process.argv[2];
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  console.error('usage: npm run db:migration -- <snake_case_name>');
  process.exit(2);
}

const toolDir = path.join(dataDir, 'prisma6-cli');
if (!fs.existsSync(path.join(toolDir, 'node_modules/.bin/prisma'))) {
  fs.mkdirSync(toolDir, { recursive: true });
  fs.writeFileSync(path.join(toolDir, 'package.json'), '{"private":true,"type":"commonjs"}');
  execFileSync(
    'npm',
    ['install', '--no-audit', '--no-fund', 'prisma@6.19.3', '@prisma/adapter-pg@6.19.3', 'pg@8'],
    {
      cwd: toolDir,
      stdio: 'inherit',
    },
  );
}

/** Prisma 6 needs a url in the datasource and a generator it knows. */
function asPrisma6(schema: string): string {
  return schema
    .replace(/generator client \{[^}]*\}/, 'generator client {\n  provider = "prisma-client-js"\n}')
    .replace(
      /datasource db \{([^}]*)\}/,
      (_m, body: string) => `datasource db {${body}  url = env("DATABASE_URL")\n}`,
    );
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'lab-migration-'));
const pgServer = await startEmbeddedPostgres({
  dataDir: path.join(work, 'pg'),
  port: 55000 + Math.floor(Math.random() * 5000),
});
try {
  const url = pgServer.adminUrl();
  const placeholder = path.join(work, 'engine-placeholder');
  fs.writeFileSync(placeholder, '');
  const to = path.join(work, 'to.prisma');
  fs.writeFileSync(to, asPrisma6(fs.readFileSync(schemaPath, 'utf8')));
  const args = ['migrate', 'diff', '--to-schema-datamodel', to, '--script'];
  if (readMigrations().length === 0) {
    args.push('--from-empty');
  } else {
    const from = path.join(work, 'from.prisma');
    const headSchema = execFileSync('git', ['show', 'HEAD:prisma/schema.prisma'], {
      cwd: repoRoot,
    }).toString();
    fs.writeFileSync(from, asPrisma6(headSchema));
    args.push('--from-schema-datamodel', from);
  }
  fs.writeFileSync(
    path.join(toolDir, 'prisma.config.ts'),
    `import { PrismaPg } from '@prisma/adapter-pg';
import { defineConfig } from 'prisma/config';
export default defineConfig({
  earlyAccess: true, experimental: { adapter: true }, engine: 'js',
  schema: '${to}',
  adapter: async () => new PrismaPg({ connectionString: process.env.DATABASE_URL }),
});`,
  );
  const sql = execFileSync(path.join(toolDir, 'node_modules/.bin/prisma'), args, {
    cwd: toolDir,
    env: {
      ...process.env,
      DATABASE_URL: url,
      // Placeholders: with engine "js" neither native engine runs, but the CLI checks they exist.
      PRISMA_SCHEMA_ENGINE_BINARY: placeholder,
      PRISMA_QUERY_ENGINE_LIBRARY: placeholder,
      PRISMA_HIDE_UPDATE_MESSAGE: '1',
    },
  }).toString();
  if (!sql.trim() || /^-- This is an empty migration/m.test(sql)) {
    console.log('schema.prisma has no changes against HEAD: nothing to write');
  } else {
    const stamp = new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14);
    const dir = path.join(migrationsDir, `${stamp}_${name}`);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'migration.sql'), sql);
    if (!fs.existsSync(path.join(migrationsDir, 'migration_lock.toml'))) {
      fs.writeFileSync(
        path.join(migrationsDir, 'migration_lock.toml'),
        'provider = "postgresql"\n',
      );
    }
    console.log(`wrote ${path.relative(repoRoot, dir)}/migration.sql`);
  }
} finally {
  await pgServer.stop();
  fs.rmSync(work, { recursive: true, force: true });
}
