// Limits and settings of users and paper accounts, read from the environment on each use so that
// tests and the launcher can set them.
import type { ThrottleRule } from '@lab/auth';
import { Prisma } from '@lab/db';

export const MIN_STARTING_BALANCE = new Prisma.Decimal(100);
export const MAX_STARTING_BALANCE = new Prisma.Decimal(1_000_000);
export const MAX_ACTIVE_ACCOUNTS = 10;
export const ACCOUNT_NAME_MAX = 64;
export const QUOTE_ASSET = 'USDT';

/** Starting balance of the personal account opened at sign-up (LAB_DEFAULT_STARTING_BALANCE). */
export function defaultStartingBalance(): Prisma.Decimal {
  const raw = process.env.LAB_DEFAULT_STARTING_BALANCE?.trim();
  if (!raw) return new Prisma.Decimal(10_000);
  if (!/^\d{1,20}(\.\d{1,18})?$/.test(raw)) {
    throw new Error(
      `LAB_DEFAULT_STARTING_BALANCE must be a decimal number like 10000, got "${raw}"`,
    );
  }
  const v = new Prisma.Decimal(raw);
  if (v.lt(MIN_STARTING_BALANCE) || v.gt(MAX_STARTING_BALANCE)) {
    throw new Error(
      `LAB_DEFAULT_STARTING_BALANCE must be between ${MIN_STARTING_BALANCE.toFixed()} and ${MAX_STARTING_BALANCE.toFixed()}`,
    );
  }
  return v;
}

/**
 * Sign-ups allowed per client address and hour (LAB_SIGNUPS_PER_ADDRESS_PER_HOUR). Each creates a
 * user and a funded paper account, so it is throttled; the default lets a class of 60 behind one
 * school network sign up in the first minutes of a lesson.
 */
export function signUpRule(): ThrottleRule {
  const raw = process.env.LAB_SIGNUPS_PER_ADDRESS_PER_HOUR?.trim();
  const limit = raw ? Number(raw) : 60;
  if (!Number.isInteger(limit) || limit < 1 || limit > 100_000)
    throw new Error(
      `LAB_SIGNUPS_PER_ADDRESS_PER_HOUR must be a whole number from 1 to 100000, got "${raw}"`,
    );
  return { limit, windowSeconds: 3600 };
}
