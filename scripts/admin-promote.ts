// `npm run admin:promote -- someone@example.com`: makes an existing user an admin. The only way to
// make the first admin: it needs access to this machine's database, so no visitor can race it.
// Sign up first, then run it, and check that the account it names is yours.
// Uses DATABASE_URL when set, otherwise the embedded PostgreSQL in .data/pg (started for the
// command if `npm start` is not running, and stopped again afterwards).
import fs from 'node:fs';
import path from 'node:path';
import { promoteToAdmin } from '@lab/services';
import { normalizeEmail } from '@lab/auth';
import { createDb } from '@lab/db';
import { DatabaseConfigError, repoRoot } from '@lab/db/server';
import { provideDatabase } from './lib/platform-env.ts';

const envFile = path.join(repoRoot, '.env');
if (fs.existsSync(envFile)) process.loadEnvFile(envFile);

const arg = process.argv.slice(2).find((a) => !a.startsWith('-'));
if (!arg) {
  console.error(
    'usage: npm run admin:promote -- <email>\n  makes the user with this email an admin',
  );
  process.exit(2);
}
const email = normalizeEmail(arg);

let database: Awaited<ReturnType<typeof provideDatabase>> | undefined;
let code = 0;
try {
  database = await provideDatabase({ databaseUrl: process.env.DATABASE_URL });
  const db = createDb(database.url, { max: 1 });
  try {
    const { outcome, user } = await promoteToAdmin(db, email);
    if (!user) {
      console.error(`no user with the email ${email}: sign up first, then run this again`);
      code = 1;
    } else {
      const who = `${JSON.stringify(user.displayName)} <${user.email}>, signed up ${user.createdAt.toISOString()}`;
      console.log(outcome === 'promoted' ? `${who} is now an admin` : `${who} is already an admin`);
    }
  } finally {
    await db.$disconnect();
  }
} catch (e) {
  console.error(
    `cannot promote: ${e instanceof DatabaseConfigError ? e.message : e instanceof Error ? e.message : String(e)}`,
  );
  code = 1;
} finally {
  if (database?.embedded?.startedHere) await database.embedded.stop();
}
process.exit(code);
