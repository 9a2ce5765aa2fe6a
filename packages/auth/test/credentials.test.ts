import { describe, expect, it } from 'vitest';
import { authenticate, signInBuckets, SignInError } from '../src/credentials.ts';
import { SIGN_IN_RULES } from '../src/throttle.ts';
import { insertUser, useTestDb } from './helpers.ts';

const t = useTestDb();

async function failure(p: Promise<unknown>): Promise<SignInError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(SignInError);
    return e as SignInError;
  }
  throw new Error('expected sign-in to fail');
}

describe('authenticate', () => {
  it('signs in with the normalised email and the right password', async () => {
    const u = await insertUser(t.db);
    const user = await authenticate(t.db, {
      email: ` ${u.email.toUpperCase()} `,
      password: u.password,
      ip: '10.0.0.1',
    });
    expect(user).toEqual({
      id: u.id,
      email: u.email,
      displayName: u.displayName,
      role: 'TRADER',
    });
  });

  it('answers a wrong password and an unknown email with the same message', async () => {
    const u = await insertUser(t.db);
    const a = await failure(
      authenticate(t.db, { email: u.email, password: 'wrong-Password-1', ip: '10.0.0.2' }),
    );
    const b = await failure(
      authenticate(t.db, {
        email: 'nobody@example.test',
        password: 'wrong-Password-1',
        ip: '10.0.0.2',
      }),
    );
    expect(a.message).toBe('Wrong email or password.');
    expect(b.message).toBe(a.message);
    expect(a.code).toBe('INVALID_CREDENTIALS');
  });

  it('rejects malformed input without touching the database', async () => {
    expect(
      (await failure(authenticate(t.db, { email: undefined, password: 'x', ip: '10.0.0.3' }))).code,
    ).toBe('INVALID_CREDENTIALS');
    expect(await t.db.rateLimitBucket.count({ where: { key: { contains: '10.0.0.3' } } })).toBe(0);
  });

  it('lets the owner in after ten wrong passwords for their email from ten other addresses', async () => {
    const u = await insertUser(t.db);
    for (let i = 0; i < 10; i++) {
      const e = await failure(
        authenticate(t.db, { email: u.email, password: 'wrong-Password-1', ip: `10.9.0.${i}` }),
      );
      expect(e.code).toBe('INVALID_CREDENTIALS');
    }
    expect(
      (await authenticate(t.db, { email: u.email, password: u.password, ip: '10.9.1.1' })).id,
    ).toBe(u.id);
  });

  it('holds the per-email-and-address limit under 40 simultaneous attempts from one address', async () => {
    const u = await insertUser(t.db);
    const ip = '10.1.0.1';
    // A loose per-address limit, so that the per-email-and-address one alone decides (two counters
    // taken at once may both refuse the tenth attempt).
    const rules = { ...SIGN_IN_RULES, perAddress: { limit: 1000, windowSeconds: 60 } };
    const results = await Promise.allSettled(
      Array.from({ length: 40 }, () =>
        authenticate(t.db, { email: u.email, password: 'wrong-Password-1', ip }, rules),
      ),
    );
    const codes = results.map((r) =>
      r.status === 'rejected' ? (r.reason as SignInError).code : 'OK',
    );
    expect(codes.filter((c) => c === 'INVALID_CREDENTIALS')).toHaveLength(10);
    expect(codes.filter((c) => c === 'THROTTLED')).toHaveLength(30);
    // From that address even the right password waits for the window to end, with a clear message.
    const e = await failure(
      authenticate(t.db, { email: u.email, password: u.password, ip }, rules),
    );
    expect(e.code).toBe('THROTTLED');
    expect(e.message).toMatch(/^Too many sign-in attempts; try again in \d+ seconds?\.$/);
    expect(e.retryAfterSeconds).toBeGreaterThan(0);
    expect(e.retryAfterSeconds).toBeLessThanOrEqual(60);
    // The throttled attempts did not use up the email's slow allowance: only the 10 checked ones count.
    const perEmail = await t.db.rateLimitBucket.findUniqueOrThrow({
      where: { key: `signin:email:${u.email}` },
    });
    expect(perEmail.count).toBe(10);
    // The owner, from their own address, gets in.
    expect(
      (await authenticate(t.db, { email: u.email, password: u.password, ip: '10.1.1.2' })).id,
    ).toBe(u.id);
    // Once the window has passed, the right password works from that address too.
    const [fast] = signInBuckets(u.email, ip);
    await t.db
      .$executeRaw`UPDATE rate_limit_buckets SET window_start = window_start - interval '61 seconds' WHERE key = ANY(${fast.map((b) => b.key)})`;
    expect((await authenticate(t.db, { email: u.email, password: u.password, ip })).id).toBe(u.id);
  });

  it('holds the slower per-email limit against guesses spread over many addresses', async () => {
    const u = await insertUser(t.db);
    const rules = {
      ...SIGN_IN_RULES,
      perEmail: { limit: 6, windowSeconds: 3600 },
    };
    const results = await Promise.allSettled(
      Array.from({ length: 15 }, (_, i) =>
        authenticate(
          t.db,
          { email: u.email, password: 'wrong-Password-1', ip: `10.3.0.${i}` },
          rules,
        ),
      ),
    );
    const codes = results.map((r) =>
      r.status === 'rejected' ? (r.reason as SignInError).code : 'OK',
    );
    expect(codes.filter((c) => c === 'INVALID_CREDENTIALS')).toHaveLength(6);
    expect(codes.filter((c) => c === 'THROTTLED')).toHaveLength(9);
    const e = await failure(
      authenticate(t.db, { email: u.email, password: u.password, ip: '10.3.1.1' }, rules),
    );
    expect(e.code).toBe('THROTTLED');
    expect(e.message).toMatch(/^Too many sign-in attempts; try again in \d+ minutes\.$/);
    expect(e.retryAfterSeconds).toBeGreaterThan(3500);
    await t.db
      .$executeRaw`UPDATE rate_limit_buckets SET window_start = window_start - interval '3601 seconds' WHERE key = ${`signin:email:${u.email}`}`;
    expect(
      (await authenticate(t.db, { email: u.email, password: u.password, ip: '10.3.1.1' }, rules))
        .id,
    ).toBe(u.id);
  });

  it('holds the per-address limit across many emails', async () => {
    const ip = '192.0.2.77';
    const results = await Promise.allSettled(
      Array.from({ length: 25 }, (_, i) =>
        authenticate(t.db, { email: `ghost${i}@example.test`, password: 'wrong-Password-1', ip }),
      ),
    );
    const throttled = results.filter(
      (r) => r.status === 'rejected' && (r.reason as SignInError).code === 'THROTTLED',
    );
    expect(throttled).toHaveLength(15);
    const u = await insertUser(t.db);
    expect(
      (await failure(authenticate(t.db, { email: u.email, password: u.password, ip }))).code,
    ).toBe('THROTTLED');
    expect(
      (await authenticate(t.db, { email: u.email, password: u.password, ip: '192.0.2.78' })).id,
    ).toBe(u.id);
  });

  it('does not count successful sign-ins', async () => {
    const u = await insertUser(t.db);
    for (let i = 0; i < 15; i++)
      await authenticate(t.db, { email: u.email, password: u.password, ip: '10.2.0.1' });
    const keys = signInBuckets(u.email, '10.2.0.1')
      .flat()
      .map((b) => b.key);
    expect(keys).toHaveLength(3);
    const buckets = await t.db.rateLimitBucket.findMany({ where: { key: { in: keys } } });
    expect(buckets.map((b) => b.count)).toEqual([0, 0, 0]);
  });
});
