// Factories shared by the tests and the demo seed: users are created through the same service as
// sign-up, so they always have their funded personal account.
import { randomBytes } from 'node:crypto';
import type { AuthUser, Role } from '@lab/auth';
import { MAIN_VENUE } from '@lab/contracts';
import type { Db, Prisma } from '@lab/db';
import { createFundedAccount } from '../paper-accounts.ts';
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

export interface CompetitionAccountFixture {
  host: CreatedUser;
  student: CreatedUser;
  competition: { id: string; name: string };
  /** The student's funded competition account, a participant of the competition. */
  accountId: string;
}

/**
 * A running competition (an hour in, an hour to go; BTCUSDT at 10x, fee 0.1% taker, on the main
 * market unless `venueId` says otherwise) and a student's funded account in it, written directly
 * (not through the join), so a test can set any field of the competition row.
 */
export async function createCompetitionAccount(
  db: Db,
  over: Partial<Prisma.CompetitionUncheckedCreateInput> = {},
): Promise<CompetitionAccountFixture> {
  const host = await createUser(db);
  const student = await createUser(db);
  const now = Date.now();
  const competition = await db.competition.create({
    data: {
      code: randomBytes(4).toString('hex').toUpperCase().slice(0, 7),
      name: 'Test class',
      state: 'RUNNING',
      startsAt: new Date(now - 3_600_000),
      endsAt: new Date(now + 3_600_000),
      startingBalance: '1000',
      symbols: ['BTCUSDT'],
      maxLeverage: 10,
      makerFeeRate: '0',
      takerFeeRate: '0.001',
      venueId: MAIN_VENUE,
      createdById: host.user.id,
      ...over,
    },
    select: { id: true, name: true, startingBalance: true, venueId: true },
  });
  const accountId = await db.$transaction((tx) =>
    createFundedAccount(tx, student.user.id, {
      name: competition.name.slice(0, 64),
      kind: 'COMPETITION',
      startingBalance: competition.startingBalance,
      venueId: competition.venueId,
    }),
  );
  await db.competitionParticipant.create({
    data: { competitionId: competition.id, userId: student.user.id, accountId },
  });
  return { host, student, competition: { id: competition.id, name: competition.name }, accountId };
}
