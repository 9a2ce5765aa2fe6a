// Factories shared by the tests and the demo seed: users are created through the same service as
// sign-up, so they always have their funded personal account.
import { randomBytes } from 'node:crypto';
import type { AuthUser, Role } from '@lab/auth';
import type { Db } from '@lab/db';
import { signUp } from '../users.ts';

/** The demo trader that `npm start` seeds (documented in the README). */
export const DEMO_USER = {
  email: 'demo@leveragelab.test',
  displayName: 'Demo Trader',
  password: 'demo-Leverage-2026',
} as const;

export const DEFAULT_TEST_PASSWORD = 'correct-Horse-42';

export function uniqueEmail(prefix = 'trader'): string {
  return `${prefix}-${randomBytes(5).toString('hex')}@example.test`;
}

export interface CreatedUser {
  user: AuthUser;
  /** The personal paper account opened at sign-up. */
  accountId: string;
  email: string;
  password: string;
}

export async function createUser(
  db: Db,
  overrides: { email?: string; displayName?: string; password?: string; role?: Role } = {},
): Promise<CreatedUser> {
  const email = overrides.email ?? uniqueEmail();
  const password = overrides.password ?? DEFAULT_TEST_PASSWORD;
  const { user, accountId } = await signUp(db, {
    email,
    displayName: overrides.displayName ?? 'Test Trader',
    password,
  });
  if (overrides.role && overrides.role !== user.role) {
    await db.user.update({ where: { id: user.id }, data: { role: overrides.role } });
    user.role = overrides.role;
  }
  return { user, accountId, email: user.email, password };
}
