// Demo data, seeded once: idempotent, so every start may call it. Also applies LAB_ADMIN_EMAIL at
// every start (the user may sign up later: sign-up makes that address an admin too).
import { applyAdminFromEnv } from '@lab/services';
import { createUser, DEMO_USER } from '@lab/services/testing';
import { createDb } from '@lab/db';

export async function seedDemoData(databaseUrl: string, log: (m: string) => void): Promise<void> {
  const db = createDb(databaseUrl, { max: 2 });
  try {
    const promoted = await applyAdminFromEnv(db);
    if (promoted) log(promoted);
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
