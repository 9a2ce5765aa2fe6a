// Email + password sign-in, throttled per email address and per client address.
import type { Db } from '@lab/db';
import { burnPasswordCheck, verifyPassword } from './password.ts';
import { refundAttempt, SIGN_IN_RULE, takeAttempt, type ThrottleRule } from './throttle.ts';
import { authUserSelect, type AuthUser } from './user.ts';
import { signInInput } from './validation.ts';

export type SignInFailure = 'INVALID_CREDENTIALS' | 'THROTTLED';

export class SignInError extends Error {
  readonly code: SignInFailure;
  readonly retryAfterSeconds: number | undefined;
  constructor(code: SignInFailure, message: string, retryAfterSeconds?: number) {
    super(message);
    this.name = 'SignInError';
    this.code = code;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export const INVALID_CREDENTIALS_MESSAGE = 'Wrong email or password.';
export const throttledMessage = (seconds: number) =>
  `Too many sign-in attempts; try again in ${seconds} second${seconds === 1 ? '' : 's'}.`;

/** Keys of the buckets an attempt counts against. Unknown client addresses share no bucket. */
export function signInBuckets(email: string, ip: string | null | undefined): string[] {
  const keys = [`signin:email:${email}`];
  if (ip && ip !== 'unknown') keys.push(`signin:ip:${ip}`);
  return keys;
}

/**
 * Checks an email and password. Every attempt is counted before the password is checked (so the
 * limit holds however many attempts run at once); an attempt that succeeds is given back.
 */
export async function authenticate(
  db: Db,
  input: { email: unknown; password: unknown; ip?: string | null },
  rule: ThrottleRule = SIGN_IN_RULE,
): Promise<AuthUser> {
  const parsed = signInInput.safeParse({ email: input.email, password: input.password });
  if (!parsed.success) throw new SignInError('INVALID_CREDENTIALS', INVALID_CREDENTIALS_MESSAGE);
  const { email, password } = parsed.data;

  const keys = signInBuckets(email, input.ip);
  const buckets = await Promise.all(keys.map((k) => takeAttempt(db, k, rule)));
  const over = buckets.filter((b) => b.count > rule.limit);
  if (over.length > 0) {
    const wait = Math.max(...over.map((b) => b.retryAfterSeconds));
    throw new SignInError('THROTTLED', throttledMessage(wait), wait);
  }

  const user = await db.user.findUnique({
    where: { email },
    select: { ...authUserSelect, passwordHash: true },
  });
  if (!user?.passwordHash) {
    await burnPasswordCheck(password);
    throw new SignInError('INVALID_CREDENTIALS', INVALID_CREDENTIALS_MESSAGE);
  }
  if (!(await verifyPassword(user.passwordHash, password))) {
    throw new SignInError('INVALID_CREDENTIALS', INVALID_CREDENTIALS_MESSAGE);
  }
  await Promise.all(keys.map((k) => refundAttempt(db, k)));
  const { passwordHash: _omit, ...authUser } = user;
  return authUser;
}
