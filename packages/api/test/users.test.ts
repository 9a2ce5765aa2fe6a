import { createSession, resolveSession, verifyPassword } from '@lab/auth';
import { describe, expect, it } from 'vitest';
import { promoteToAdmin, provisionOAuthUser } from '@lab/services';
import { callerFor, createUser, uniqueEmail } from '../src/testing/index.ts';
import { trpcError, useTestDb } from './helpers.ts';

const t = useTestDb();

describe('user.me / updateProfile', () => {
  it('returns and updates the profile', async () => {
    const { user } = await createUser(t.db, { displayName: 'Before' });
    const api = callerFor(t.db, user);
    expect(await api.user.me()).toMatchObject({
      email: user.email,
      displayName: 'Before',
      role: 'TRADER',
      hasPassword: true,
    });
    expect((await api.user.updateProfile({ displayName: '  After   Name ' })).displayName).toBe(
      'After Name',
    );
    const err = await trpcError(api.user.updateProfile({ displayName: '' }));
    expect(err.code).toBe('BAD_REQUEST');
    for (const displayName of ['Ada\u202eevil', 'A\u200bda', 'Ada\u0000']) {
      const unsafe = await trpcError(api.user.updateProfile({ displayName }));
      expect(unsafe.code).toBe('BAD_REQUEST');
      expect(unsafe.message).toMatch(/cannot contain control/);
    }
    expect((await api.user.me()).displayName).toBe('After Name');
  });
});

describe('user.changePassword', () => {
  it('requires the current password, rejects weak ones, and ends every session', async () => {
    const { user, password } = await createUser(t.db);
    const api = callerFor(t.db, user);
    const wrong = await trpcError(
      api.user.changePassword({
        currentPassword: 'not-the-Password1',
        newPassword: 'brand-New-Pass1',
      }),
    );
    expect(wrong.code).toBe('BAD_REQUEST');
    expect((wrong.cause as { field?: string }).field).toBe('currentPassword');
    const weak = await trpcError(
      api.user.changePassword({ currentPassword: password, newPassword: 'short' }),
    );
    expect(weak.code).toBe('BAD_REQUEST');
    const same = await trpcError(
      api.user.changePassword({ currentPassword: password, newPassword: password }),
    );
    expect((same.cause as { field?: string }).field).toBe('newPassword');

    const laptop = await createSession(t.db, user.id);
    const phone = await createSession(t.db, user.id);
    const stranger = await createSession(t.db, (await createUser(t.db)).user.id);
    expect(await resolveSession(t.db, laptop)).not.toBeNull();
    const res = await api.user.changePassword({
      currentPassword: password,
      newPassword: 'brand-New-Pass1',
    });
    expect(res.sessionsEnded).toBe(2);
    expect(await resolveSession(t.db, laptop)).toBeNull();
    expect(await resolveSession(t.db, phone)).toBeNull();
    expect(await resolveSession(t.db, stranger)).not.toBeNull();
    const row = await t.db.user.findUniqueOrThrow({ where: { id: user.id } });
    expect(await verifyPassword(row.passwordHash!, 'brand-New-Pass1')).toBe(true);
  });

  it('throttles guessing of the current password', async () => {
    const { user, password } = await createUser(t.db);
    const api = callerFor(t.db, user);
    const results = await Promise.allSettled(
      Array.from({ length: 14 }, () =>
        api.user.changePassword({
          currentPassword: 'guess-Guess-1',
          newPassword: 'brand-New-Pass1',
        }),
      ),
    );
    const codes = results.map((r) =>
      r.status === 'rejected' ? (r.reason as { code: string }).code : 'OK',
    );
    expect(codes.filter((c) => c === 'BAD_REQUEST')).toHaveLength(10);
    expect(codes.filter((c) => c === 'TOO_MANY_REQUESTS')).toHaveLength(4);
    // Even the right password waits for the window to end.
    const err = await trpcError(
      api.user.changePassword({ currentPassword: password, newPassword: 'brand-New-Pass1' }),
    );
    expect(err.message).toMatch(/Too many sign-in attempts; try again in \d+ seconds?\./);
  });
});

describe('roles', () => {
  it('lets an admin list users and set roles, and role changes reach the session at once', async () => {
    const admin = await createUser(t.db, { role: 'ADMIN', displayName: 'Admin' });
    const trader = await createUser(t.db, { displayName: 'Student Sam' });
    const traderSession = await createSession(t.db, trader.user.id);
    const api = callerFor(t.db, admin.user);
    const found = await api.admin.users({ query: 'student sam' });
    expect(found.users.map((u) => u.id)).toEqual([trader.user.id]);
    expect(found.users[0]).toMatchObject({ role: 'TRADER', activeAccounts: 1 });
    expect((await api.admin.setRole({ userId: trader.user.id, role: 'INSTRUCTOR' })).role).toBe(
      'INSTRUCTOR',
    );
    expect((await resolveSession(t.db, traderSession))?.role).toBe('INSTRUCTOR');
    expect(
      (await trpcError(api.admin.setRole({ userId: crypto.randomUUID(), role: 'ADMIN' }))).code,
    ).toBe('NOT_FOUND');
  });

  it('pages through users', async () => {
    const admin = await createUser(t.db, { role: 'ADMIN' });
    for (let i = 0; i < 3; i++) await createUser(t.db, { displayName: `Pager ${i}` });
    const api = callerFor(t.db, admin.user);
    const p1 = await api.admin.users({ query: 'pager', limit: 2 });
    expect(p1.users).toHaveLength(2);
    const p2 = await api.admin.users({ query: 'pager', limit: 2, cursor: p1.nextCursor! });
    expect(p2.users).toHaveLength(1);
    expect(p2.nextCursor).toBeNull();
  });

  it('never leaves the platform without an admin, even with simultaneous demotions', async () => {
    await t.db.user.updateMany({ where: { role: 'ADMIN' }, data: { role: 'TRADER' } });
    const a = await createUser(t.db, { role: 'ADMIN' });
    const b = await createUser(t.db, { role: 'ADMIN' });
    const results = await Promise.allSettled([
      callerFor(t.db, a.user).admin.setRole({ userId: b.user.id, role: 'TRADER' }),
      callerFor(t.db, b.user).admin.setRole({ userId: a.user.id, role: 'TRADER' }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(await t.db.user.count({ where: { role: 'ADMIN' } })).toBe(1);
    const last = (await t.db.user.findFirstOrThrow({ where: { role: 'ADMIN' } })).id;
    const lastUser = last === a.user.id ? a.user : b.user;
    const self = await trpcError(
      callerFor(t.db, { ...lastUser, role: 'ADMIN' }).admin.setRole({
        userId: last,
        role: 'TRADER',
      }),
    );
    expect(self.code).toBe('PRECONDITION_FAILED');
    expect(self.message).toMatch(/last admin/);
  });

  it('promotes by email (the admin:promote command) and says whom', async () => {
    const u = await createUser(t.db, { displayName: 'Future Admin' });
    const promoted = await promoteToAdmin(t.db, ` ${u.email.toUpperCase()} `);
    expect(promoted.outcome).toBe('promoted');
    expect(promoted.user).toMatchObject({ email: u.email, displayName: 'Future Admin' });
    expect(promoted.user?.createdAt).toBeInstanceOf(Date);
    expect((await t.db.user.findUniqueOrThrow({ where: { id: u.user.id } })).role).toBe('ADMIN');
    expect((await promoteToAdmin(t.db, u.email)).outcome).toBe('already-admin');
    expect(await promoteToAdmin(t.db, uniqueEmail())).toEqual({
      outcome: 'no-such-user',
      user: null,
    });
  });
});

describe('OAuth provisioning', () => {
  it('creates a user with a personal account once, then finds it; never links an existing password account', async () => {
    const email = uniqueEmail('gh');
    const identity = { provider: 'github', providerAccountId: '4242', email, name: 'Octo Cat' };
    const first = await provisionOAuthUser(t.db, identity);
    expect(first.ok).toBe(true);
    const again = await provisionOAuthUser(t.db, identity);
    expect(again).toEqual(first);
    if (!first.ok) return;
    expect(
      await t.db.paperAccount.count({ where: { userId: first.user.id, kind: 'PERSONAL' } }),
    ).toBe(1);
    expect(
      (await t.db.user.findUniqueOrThrow({ where: { id: first.user.id } })).passwordHash,
    ).toBeNull();

    const existing = await createUser(t.db);
    const refused = await provisionOAuthUser(t.db, {
      ...identity,
      providerAccountId: '99',
      email: existing.email,
    });
    expect(refused).toEqual({ ok: false, error: 'OAuthEmailTaken' });
  });

  it('holds names and addresses from the provider to the sign-up rules', async () => {
    const email = uniqueEmail('gh');
    const spoofed = await provisionOAuthUser(t.db, {
      provider: 'github',
      providerAccountId: '7001',
      email,
      name: 'Ada\u202eniamda',
    });
    if (!spoofed.ok) throw new Error('expected a user');
    expect(spoofed.user.displayName).toBe(email.split('@')[0]);
    expect(
      await provisionOAuthUser(t.db, {
        provider: 'github',
        providerAccountId: '7002',
        email: 'nul\u0000@example.test',
        name: 'Nul',
      }),
    ).toEqual({ ok: false, error: 'OAuthNoEmail' });
    expect(
      await provisionOAuthUser(t.db, {
        provider: 'github',
        providerAccountId: '7003',
        email: null,
        name: 'No Mail',
      }),
    ).toEqual({ ok: false, error: 'OAuthNoEmail' });
  });
});
