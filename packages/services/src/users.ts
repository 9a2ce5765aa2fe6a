// Users: sign-up (with the personal paper account, in one transaction), profile, password, roles.
import {
  authUserSelect,
  DISPLAY_NAME_MAX,
  displayNameSchema,
  emailSchema,
  endUserSessions,
  hashPassword,
  normalizeEmail,
  refundAttempt,
  SIGN_IN_ERROR,
  SIGN_IN_RULE,
  takeAttempt,
  throttledMessage,
  verifyPassword,
  type AuthUser,
  type OAuthProvisionFailure,
  type Role,
} from '@lab/auth';
import { Prisma, type Db } from '@lab/db';
import { defaultStartingBalance, signUpRule } from './config.ts';
import { AppError } from './errors.ts';
import { createFundedAccount } from './paper-accounts.ts';

export const PERSONAL_ACCOUNT_NAME = 'Personal';
const DUPLICATE_EMAIL = 'An account with this email already exists. Sign in instead.';

const isUniqueViolation = (e: unknown) =>
  e instanceof Prisma.PrismaClientKnownRequestError && e.code === 'P2002';

export interface SignUpResult {
  user: AuthUser;
  accountId: string;
}

/**
 * A visitor signing up (auth.signUp): at most signUpRule().limit sign-ups per client address and
 * window, counted before anything is created, so simultaneous requests cannot slip past it. All
 * clients whose address is unknown share one allowance.
 */
export async function signUpFromAddress(
  db: Db,
  ip: string,
  input: { email: string; displayName: string; password: string },
): Promise<SignUpResult> {
  const rule = signUpRule();
  const bucket = await takeAttempt(db, `signup:ip:${ip}`, rule);
  if (bucket.count > rule.limit) {
    const minutes = Math.ceil(bucket.retryAfterSeconds / 60);
    throw new AppError(
      'RATE_LIMITED',
      `Too many sign-ups from your network; try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`,
    );
  }
  return signUp(db, input);
}

/**
 * Creates a user and their personal paper account (funded from the treasury) in one transaction:
 * on any failure nothing is created. Input is already validated (see signUpInput in @lab/auth).
 * Every user starts as a trader: the first admin is made with `npm run admin:promote`, which
 * needs access to the server (an address given in advance could be signed up by anyone first).
 */
export async function signUp(
  db: Db,
  input: { email: string; displayName: string; password: string | null },
): Promise<SignUpResult> {
  const email = normalizeEmail(input.email);
  const startingBalance = defaultStartingBalance();
  const passwordHash = input.password === null ? null : await hashPassword(input.password);
  try {
    return await db.$transaction(async (tx) => {
      const taken = await tx.user.findUnique({ where: { email }, select: { id: true } });
      if (taken) throw new AppError('CONFLICT', DUPLICATE_EMAIL, { field: 'email' });
      const user = await tx.user.create({
        data: { email, displayName: input.displayName, passwordHash },
        select: authUserSelect,
      });
      const accountId = await createFundedAccount(tx, user.id, {
        name: PERSONAL_ACCOUNT_NAME,
        kind: 'PERSONAL',
        startingBalance,
      });
      return { user, accountId };
    });
  } catch (e) {
    // Two sign-ups with one address at the same moment: the unique index decides.
    if (isUniqueViolation(e)) throw new AppError('CONFLICT', DUPLICATE_EMAIL, { field: 'email' });
    throw e;
  }
}

export interface Profile {
  id: string;
  email: string;
  displayName: string;
  role: Role;
  hasPassword: boolean;
  createdAt: string;
}

export async function getProfile(db: Db, userId: string): Promise<Profile> {
  const u = await db.user.findUnique({ where: { id: userId } });
  if (!u) throw new AppError('UNAUTHORIZED', 'Sign in to do this.');
  return {
    id: u.id,
    email: u.email,
    displayName: u.displayName,
    role: u.role,
    hasPassword: u.passwordHash !== null,
    createdAt: u.createdAt.toISOString(),
  };
}

export async function updateProfile(
  db: Db,
  userId: string,
  input: { displayName: string },
): Promise<Profile> {
  await db.user.update({ where: { id: userId }, data: { displayName: input.displayName } });
  return getProfile(db, userId);
}

/**
 * Changes the password after checking the current one (attempts throttled like sign-ins), and
 * ends every session of the user, on every device, in the same transaction.
 */
export async function changePassword(
  db: Db,
  userId: string,
  input: { currentPassword: string; newPassword: string },
): Promise<{ sessionsEnded: number }> {
  const key = `password:user:${userId}`;
  const bucket = await takeAttempt(db, key, SIGN_IN_RULE);
  if (bucket.count > SIGN_IN_RULE.limit) {
    throw new AppError('RATE_LIMITED', throttledMessage(bucket.retryAfterSeconds), {
      field: 'currentPassword',
    });
  }
  const user = await db.user.findUnique({ where: { id: userId }, select: { passwordHash: true } });
  if (!user) throw new AppError('UNAUTHORIZED', 'Sign in to do this.');
  if (!user.passwordHash) {
    throw new AppError(
      'PRECONDITION',
      'This account signs in through GitHub and has no password.',
      { field: 'currentPassword' },
    );
  }
  if (!(await verifyPassword(user.passwordHash, input.currentPassword))) {
    throw new AppError('VALIDATION', 'The current password is not correct.', {
      field: 'currentPassword',
    });
  }
  await refundAttempt(db, key);
  if (input.currentPassword === input.newPassword) {
    throw new AppError('VALIDATION', 'Choose a new password different from the current one.', {
      field: 'newPassword',
    });
  }
  const passwordHash = await hashPassword(input.newPassword);
  return db.$transaction(async (tx) => {
    await tx.user.update({ where: { id: userId }, data: { passwordHash } });
    return { sessionsEnded: await endUserSessions(tx, userId) };
  });
}

export interface UserListItem {
  id: string;
  email: string;
  displayName: string;
  role: Role;
  activeAccounts: number;
  createdAt: string;
}

/** Admin: users, newest first, optionally filtered by email or name. */
export async function listUsers(
  db: Db,
  opts: { query?: string | undefined; limit: number; cursor?: string | undefined },
): Promise<{ users: UserListItem[]; nextCursor: string | null }> {
  const q = opts.query?.trim();
  const rows = await db.user.findMany({
    where: q
      ? {
          OR: [
            { email: { contains: q, mode: 'insensitive' } },
            { displayName: { contains: q, mode: 'insensitive' } },
          ],
        }
      : {},
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: opts.limit + 1,
    ...(opts.cursor ? { cursor: { id: opts.cursor }, skip: 1 } : {}),
    select: {
      id: true,
      email: true,
      displayName: true,
      role: true,
      createdAt: true,
      _count: { select: { paperAccounts: { where: { status: 'ACTIVE' } } } },
    },
  });
  const page = rows.slice(0, opts.limit);
  return {
    users: page.map((u) => ({
      id: u.id,
      email: u.email,
      displayName: u.displayName,
      role: u.role,
      activeAccounts: u._count.paperAccounts,
      createdAt: u.createdAt.toISOString(),
    })),
    nextCursor: rows.length > opts.limit ? (page.at(-1)?.id ?? null) : null,
  };
}

/**
 * Admin: sets a user's role. The last admin cannot stop being one (the admins' rows are locked so
 * two admins demoting each other at once cannot both succeed).
 */
export async function setRole(
  db: Db,
  input: { userId: string; role: Role },
): Promise<UserListItem> {
  await db.$transaction(async (tx) => {
    const admins = await tx.$queryRaw<
      Array<{ id: string }>
    >`SELECT id::text FROM users WHERE role = 'ADMIN' FOR UPDATE`;
    const target = await tx.user.findUnique({
      where: { id: input.userId },
      select: { role: true },
    });
    if (!target) throw new AppError('NOT_FOUND', 'User not found.');
    if (target.role === 'ADMIN' && input.role !== 'ADMIN' && admins.length <= 1) {
      throw new AppError(
        'PRECONDITION',
        'This is the last admin: make someone else an admin first.',
        { field: 'role' },
      );
    }
    await tx.user.update({ where: { id: input.userId }, data: { role: input.role } });
  });
  const { users } = await listUsersById(db, input.userId);
  return users[0]!;
}

async function listUsersById(db: Db, id: string) {
  const u = await db.user.findUniqueOrThrow({
    where: { id },
    select: {
      id: true,
      email: true,
      displayName: true,
      role: true,
      createdAt: true,
      _count: { select: { paperAccounts: { where: { status: 'ACTIVE' } } } },
    },
  });
  return {
    users: [
      {
        id: u.id,
        email: u.email,
        displayName: u.displayName,
        role: u.role,
        activeAccounts: u._count.paperAccounts,
        createdAt: u.createdAt.toISOString(),
      },
    ],
  };
}

export interface PromotedUser {
  email: string;
  displayName: string;
  createdAt: Date;
}

/**
 * Makes the user with this email an admin (`npm run admin:promote`, run on the server). Returns
 * who it was, so the operator sees that the account is the one they signed up.
 */
export async function promoteToAdmin(
  db: Db,
  rawEmail: string,
): Promise<
  | { outcome: 'promoted' | 'already-admin'; user: PromotedUser }
  | { outcome: 'no-such-user'; user: null }
> {
  const email = normalizeEmail(rawEmail);
  const user = await db.user.findUnique({
    where: { email },
    select: { id: true, role: true, email: true, displayName: true, createdAt: true },
  });
  if (!user) return { outcome: 'no-such-user', user: null };
  const { id, role, ...who } = user;
  if (role === 'ADMIN') return { outcome: 'already-admin', user: who };
  await db.user.update({ where: { id }, data: { role: 'ADMIN' } });
  return { outcome: 'promoted', user: who };
}

export const countAdmins = (db: Db): Promise<number> => db.user.count({ where: { role: 'ADMIN' } });

export type OAuthProvisionResult =
  { ok: true; user: AuthUser } | { ok: false; error: OAuthProvisionFailure };

/**
 * The user of an OAuth identity: the linked one, or a new user with a personal account. An address
 * that already belongs to a password account is not linked automatically (that would let whoever
 * controls the provider account take over the existing one).
 */
export async function provisionOAuthUser(
  db: Db,
  identity: {
    provider: string;
    providerAccountId: string;
    email: string | null;
    name: string | null;
  },
): Promise<OAuthProvisionResult> {
  const linked = await db.oAuthAccount.findUnique({
    where: {
      provider_providerAccountId: {
        provider: identity.provider,
        providerAccountId: identity.providerAccountId,
      },
    },
    select: { user: { select: authUserSelect } },
  });
  if (linked) return { ok: true, user: linked.user };
  // The provider's name and address obey the same rules as a sign-up form's.
  const parsedEmail = emailSchema.safeParse(identity.email ?? '');
  if (!parsedEmail.success) return { ok: false, error: SIGN_IN_ERROR.oauthNoEmail };
  const email = parsedEmail.data;
  const existing = await db.user.findUnique({ where: { email }, select: { id: true } });
  if (existing) return { ok: false, error: SIGN_IN_ERROR.oauthEmailTaken };
  const name = [identity.name, email.split('@')[0]]
    .map((n) => displayNameSchema.safeParse(n?.slice(0, DISPLAY_NAME_MAX) ?? ''))
    .find((r) => r.success);
  const displayName = name?.data ?? 'Trader';
  const { user } = await signUp(db, { email, displayName, password: null });
  await db.oAuthAccount.create({
    data: {
      userId: user.id,
      provider: identity.provider,
      providerAccountId: identity.providerAccountId,
    },
  });
  return { ok: true, user };
}
