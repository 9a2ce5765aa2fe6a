// `npm run admin:promote -- someone@example.com`: makes an existing user an admin.
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
    const outcome = await promoteToAdmin(db, email);
    if (outcome === 'no-such-user') {
      console.error(`no user with the email ${email}: sign up first, then run this again`);
      code = 1;
    } else {
      console.log(
        outcome === 'promoted' ? `${email} is now an admin` : `${email} is already an admin`,
      );
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
