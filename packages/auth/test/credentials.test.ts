import { describe, expect, it } from 'vitest';
import { authenticate, SignInError } from '../src/credentials.ts';
import { resolveSessionUser } from '../src/session.ts';
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
      sessionVersion: 0,
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

  it('holds the per-email limit under 40 simultaneous wrong attempts from many addresses', async () => {
    const u = await insertUser(t.db);
    const results = await Promise.allSettled(
      Array.from({ length: 40 }, (_, i) =>
        authenticate(t.db, { email: u.email, password: 'wrong-Password-1', ip: `10.1.0.${i}` }),
      ),
    );
    const codes = results.map((r) =>
      r.status === 'rejected' ? (r.reason as SignInError).code : 'OK',
    );
    expect(codes.filter((c) => c === 'INVALID_CREDENTIALS')).toHaveLength(10);
    expect(codes.filter((c) => c === 'THROTTLED')).toHaveLength(30);
    // The right password is refused too until the window ends, with a clear message.
    const e = await failure(
      authenticate(t.db, { email: u.email, password: u.password, ip: '10.1.1.1' }),
    );
    expect(e.code).toBe('THROTTLED');
    expect(e.message).toMatch(/^Too many sign-in attempts; try again in \d+ seconds?\.$/);
    expect(e.retryAfterSeconds).toBeGreaterThan(0);
    expect(e.retryAfterSeconds).toBeLessThanOrEqual(60);

    // Once the window has passed, the right password works again.
    await t.db
      .$executeRaw`UPDATE rate_limit_buckets SET window_start = window_start - interval '61 seconds' WHERE key = ${`signin:email:${u.email}`}`;
    expect(
      (await authenticate(t.db, { email: u.email, password: u.password, ip: '10.1.1.2' })).id,
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
    const bucket = await t.db.rateLimitBucket.findUniqueOrThrow({
      where: { key: `signin:email:${u.email}` },
    });
    expect(bucket.count).toBe(0);
  });
});

describe('resolveSessionUser', () => {
  it('reflects role changes, password changes and deleted users at once', async () => {
    const u = await insertUser(t.db);
    const claims = { userId: u.id, sessionVersion: 0 };
    expect((await resolveSessionUser(t.db, claims))?.role).toBe('TRADER');
    await t.db.user.update({ where: { id: u.id }, data: { role: 'INSTRUCTOR' } });
    expect((await resolveSessionUser(t.db, claims))?.role).toBe('INSTRUCTOR');
    await t.db.user.update({ where: { id: u.id }, data: { sessionVersion: { increment: 1 } } });
    expect(await resolveSessionUser(t.db, claims)).toBeNull();
    expect(await resolveSessionUser(t.db, { userId: u.id, sessionVersion: 1 })).not.toBeNull();
    await t.db.user.delete({ where: { id: u.id } });
    expect(await resolveSessionUser(t.db, { userId: u.id, sessionVersion: 1 })).toBeNull();
  });

  it('rejects malformed claims', async () => {
    expect(await resolveSessionUser(t.db, { userId: 'x', sessionVersion: 0 })).toBeNull();
    expect(await resolveSessionUser(t.db, { userId: undefined, sessionVersion: 0 })).toBeNull();
    expect(
      await resolveSessionUser(t.db, { userId: crypto.randomUUID(), sessionVersion: '0' }),
    ).toBeNull();
  });
});
