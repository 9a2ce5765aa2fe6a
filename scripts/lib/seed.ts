// Demo data, seeded once: idempotent, so every start may call it. Also says how to make the first
// admin while there is none (only `npm run admin:promote` does it: see the README).
import { countAdmins } from '@lab/services';
import { createUser, DEMO_USER } from '@lab/services/testing';
import { createDb } from '@lab/db';

export async function seedDemoData(databaseUrl: string, log: (m: string) => void): Promise<void> {
  const db = createDb(databaseUrl, { max: 2 });
  try {
    if (process.env.LAB_ADMIN_EMAIL?.trim()) {
      log(
        'LAB_ADMIN_EMAIL is ignored: anyone could sign up with that address first. Sign up, then run `npm run admin:promote -- <your email>`.',
      );
    }
    if ((await countAdmins(db)) === 0) {
      log('no admin yet: sign up, then run `npm run admin:promote -- <your email>`');
    }
    const users = await db.user.count();
    if (users > 0) return;
    log('seeding demo data');
    await createUser(db, {
      email: DEMO_USER.email,
      displayName: DEMO_USER.displayName,
      password: DEMO_USER.password,
    });
    log(
      `demo trader: ${DEMO_USER.email} / ${DEMO_USER.password} (a personal paper account with the default balance)`,
    );
  } finally {
    await db.$disconnect();
  }
}
