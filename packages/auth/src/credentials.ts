// Email + password sign-in, throttled per email and client address together, per client address,
// and (more slowly) per email.
import { createHash } from 'node:crypto';
import type { Db } from '@lab/db';
import { burnPasswordCheck, verifyPassword } from './password.ts';
import { INVALID_CREDENTIALS_MESSAGE, throttledMessage } from './sign-in-errors.ts';
import {
  refundAttempt,
  SIGN_IN_RULES,
  takeAttempt,
  type BucketState,
  type SignInRules,
  type ThrottleRule,
} from './throttle.ts';
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

export { INVALID_CREDENTIALS_MESSAGE, throttledMessage };

interface Bucket {
  key: string;
  rule: ThrottleRule;
}

/**
 * The buckets an attempt counts against, in two stages: the fast limits first, then the slow
 * per-email one, which an attempt reaches only when the fast ones let it through (so one address
 * hammering an email cannot use up that email's allowance for everyone). An unknown client
 * address shares no per-address bucket with other unknown ones.
 */
export function signInBuckets(
  email: string,
  ip: string | null | undefined,
  rules: SignInRules = SIGN_IN_RULES,
): [fast: Bucket[], slow: Bucket[]] {
  const address = ip && ip !== 'unknown' ? ip : null;
  // Hashed: an email (254) and an address (64) together would not fit a key (300).
  const pair = createHash('sha256')
    .update(`${email}\n${address ?? 'unknown'}`)
    .digest('hex');
  const fast: Bucket[] = [{ key: `signin:email-ip:${pair}`, rule: rules.perEmailAndAddress }];
  if (address) fast.push({ key: `signin:ip:${address}`, rule: rules.perAddress });
  return [fast, [{ key: `signin:email:${email}`, rule: rules.perEmail }]];
}

async function take(db: Db, buckets: Bucket[]): Promise<void> {
  const states: BucketState[] = await Promise.all(
    buckets.map((b) => takeAttempt(db, b.key, b.rule)),
  );
  const over = states.filter((s, i) => s.count > buckets[i]!.rule.limit);
  if (over.length > 0) {
    const wait = Math.max(...over.map((s) => s.retryAfterSeconds));
    throw new SignInError('THROTTLED', throttledMessage(wait), wait);
  }
}

/**
 * Checks an email and password. Every attempt is counted before the password is checked (so the
 * limits hold however many attempts run at once); an attempt that succeeds is given back.
 */
export async function authenticate(
  db: Db,
  input: { email: unknown; password: unknown; ip?: string | null },
  rules: SignInRules = SIGN_IN_RULES,
): Promise<AuthUser> {
  const parsed = signInInput.safeParse({ email: input.email, password: input.password });
  if (!parsed.success) throw new SignInError('INVALID_CREDENTIALS', INVALID_CREDENTIALS_MESSAGE);
  const { email, password } = parsed.data;

  const [fast, slow] = signInBuckets(email, input.ip, rules);
  await take(db, fast);
  await take(db, slow);

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
  await Promise.all([...fast, ...slow].map((b) => refundAttempt(db, b.key)));
  const { passwordHash: _omit, ...authUser } = user;
  return authUser;
}
