// Fixed-window throttling in PostgreSQL. One atomic statement takes an attempt from a bucket and
// returns the new count, so concurrent attempts can never all slip under the limit: the eleventh
// of eleven simultaneous attempts sees count = 11 whatever the interleaving.
import type { Db } from '@lab/db';

export interface ThrottleRule {
  /** Attempts allowed per window. */
  limit: number;
  windowSeconds: number;
}

/** Failed attempts allowed per minute: a sign-in per email and client address, a password check per user. */
export const SIGN_IN_RULE: ThrottleRule = { limit: 10, windowSeconds: 60 };

/**
 * The three limits of a sign-in. The fast ones are per email *and* address (so guesses from other
 * addresses never lock the owner out) and per address (one address guessing across many emails);
 * the slow one per email caps guessing spread over many addresses.
 */
export interface SignInRules {
  perEmailAndAddress: ThrottleRule;
  perAddress: ThrottleRule;
  perEmail: ThrottleRule;
}

export const SIGN_IN_RULES: SignInRules = {
  perEmailAndAddress: SIGN_IN_RULE,
  perAddress: SIGN_IN_RULE,
  perEmail: { limit: 100, windowSeconds: 3600 },
};

export interface BucketState {
  key: string;
  count: number;
  /** Seconds until the window of this bucket ends (at least 1). */
  retryAfterSeconds: number;
}

/** Takes one attempt from the bucket `key` and reports its count in the current window. */
export async function takeAttempt(db: Db, key: string, rule: ThrottleRule): Promise<BucketState> {
  const rows = await db.$queryRaw<Array<{ count: number; retry_after: number }>>`
    INSERT INTO rate_limit_buckets (key, window_start, count)
    VALUES (${key}, now(), 1)
    ON CONFLICT (key) DO UPDATE SET
      count = CASE WHEN rate_limit_buckets.window_start <= now() - make_interval(secs => ${rule.windowSeconds}::int)
                   THEN 1 ELSE rate_limit_buckets.count + 1 END,
      window_start = CASE WHEN rate_limit_buckets.window_start <= now() - make_interval(secs => ${rule.windowSeconds}::int)
                   THEN now() ELSE rate_limit_buckets.window_start END
    RETURNING count,
      greatest(1, ceil(extract(epoch FROM window_start + make_interval(secs => ${rule.windowSeconds}::int) - now())))::int AS retry_after`;
  const row = rows[0];
  if (!row) throw new Error(`rate limit bucket ${key} returned no row`);
  return { key, count: row.count, retryAfterSeconds: row.retry_after };
}

/** Gives an attempt back (a sign-in that succeeded is not a failure). */
export async function refundAttempt(db: Db, key: string): Promise<void> {
  await db.$executeRaw`UPDATE rate_limit_buckets SET count = greatest(count - 1, 0) WHERE key = ${key}`;
}

/** Deletes buckets whose window ended long ago. Safe to call at any time. */
export async function pruneRateLimitBuckets(db: Db, olderThanSeconds = 86_400): Promise<number> {
  return db.$executeRaw`DELETE FROM rate_limit_buckets WHERE window_start < now() - make_interval(secs => ${olderThanSeconds}::int)`;
}
