import { signUpRule } from '@lab/services';
import type { TRPCError } from '@trpc/server';
import { describe, expect, it } from 'vitest';
import { callerFor, uniqueEmail } from '../src/testing/index.ts';
import { ledgerTotal, trpcError, useTestDb } from './helpers.ts';

const t = useTestDb();
const anon = () => callerFor(t.db, null);

async function counts() {
  const [users, accounts, ledger, events] = await Promise.all([
    t.db.user.count(),
    t.db.paperAccount.count(),
    t.db.ledgerEntry.count(),
    t.db.accountEvent.count(),
  ]);
  return { users, accounts, ledger, events };
}

describe('auth.signUp', () => {
  it('creates the user with a funded personal account, a balanced ledger and opening events', async () => {
    const email = uniqueEmail();
    const res = await anon().auth.signUp({
      email: `  ${email.toUpperCase()} `,
      displayName: ' Ada  Lovelace ',
      password: 'analytical-Engine1',
    });
    expect(res.email).toBe(email);
    const user = await t.db.user.findUniqueOrThrow({ where: { email } });
    expect(user).toMatchObject({ displayName: 'Ada Lovelace', role: 'TRADER' });
    expect(user.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    const account = await t.db.paperAccount.findUniqueOrThrow({ where: { id: res.accountId } });
    expect(account).toMatchObject({
      userId: user.id,
      kind: 'PERSONAL',
      status: 'ACTIVE',
      name: 'Personal',
    });
    expect(account.startingBalance.toFixed()).toBe('10000');
    expect(account.walletBalance.toFixed()).toBe('10000');
    const entries = await t.db.ledgerEntry.findMany({
      orderBy: { id: 'asc' },
      where: { OR: [{ book: `account:${account.id}` }] },
    });
    expect(entries.map((e) => [e.book, e.kind, e.amount.toFixed()])).toEqual([
      [`account:${account.id}`, 'deposit', '10000'],
    ]);
    const events = await t.db.accountEvent.findMany({
      where: { accountId: account.id },
      orderBy: { seq: 'asc' },
    });
    // the engine's accountOpened funds the account (its ledger line is the deposit above)
    expect(events.map((e) => [e.seq, e.type])).toEqual([[1, 'accountOpened']]);
    expect(await ledgerTotal(t.db)).toBe('0');
  });

  it('uses LAB_DEFAULT_STARTING_BALANCE', async () => {
    process.env.LAB_DEFAULT_STARTING_BALANCE = '2500.5';
    try {
      const res = await anon().auth.signUp({
        email: uniqueEmail(),
        displayName: 'Saver',
        password: 'very-Secret-1',
      });
      const account = await t.db.paperAccount.findUniqueOrThrow({ where: { id: res.accountId } });
      expect(account.walletBalance.toFixed()).toBe('2500.5');
    } finally {
      delete process.env.LAB_DEFAULT_STARTING_BALANCE;
    }
  });

  it('never makes whoever signs up first with LAB_ADMIN_EMAIL an admin', async () => {
    const email = uniqueEmail('boss');
    process.env.LAB_ADMIN_EMAIL = ` ${email.toUpperCase()}`;
    try {
      const res = await anon().auth.signUp({
        email,
        displayName: 'Boss',
        password: 'very-Secret-1',
      });
      const user = await t.db.user.findUniqueOrThrow({ where: { id: res.userId } });
      expect(user.role).toBe('TRADER');
    } finally {
      delete process.env.LAB_ADMIN_EMAIL;
    }
  });

  it('throttles sign-ups per client address, even when they arrive at once', async () => {
    const ip = '198.51.100.7';
    const before = await counts();
    const results = await Promise.allSettled(
      Array.from({ length: signUpRule().limit + 5 }, (_, i) =>
        callerFor(t.db, null, ip).auth.signUp({
          email: uniqueEmail(`bulk${i}`),
          displayName: `Bulk ${i}`,
          password: 'bulk-Signup-1',
        }),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(signUpRule().limit);
    const refused = results.flatMap((r) =>
      r.status === 'rejected' ? [r.reason as TRPCError] : [],
    );
    expect(refused).toHaveLength(5);
    for (const e of refused) {
      expect(e.code).toBe('TOO_MANY_REQUESTS');
      expect(e.message).toMatch(
        /^Too many sign-ups from your network; try again in \d+ minutes?\.$/,
      );
    }
    const after = await counts();
    expect(after.users - before.users).toBe(signUpRule().limit);
    expect(after.accounts - before.accounts).toBe(signUpRule().limit);
    expect(await ledgerTotal(t.db)).toBe('0');
    // Another address is not affected.
    const other = await callerFor(t.db, null, '198.51.100.8').auth.signUp({
      email: uniqueEmail(),
      displayName: 'Neighbour',
      password: 'bulk-Signup-1',
    });
    expect(other.userId).toBeTruthy();
  });

  const good = { email: 'valid@example.test', displayName: 'Valid', password: 'long-Enough-1' };
  const bad: Array<[string, Record<string, unknown>, string, RegExp]> = [
    ['empty email', { ...good, email: '   ' }, 'email', /Enter your email/],
    ['malformed email', { ...good, email: 'no-at-sign.example' }, 'email', /like name@example.com/],
    [
      'email without domain dot',
      { ...good, email: 'a@localhost' },
      'email',
      /like name@example.com/,
    ],
    ['overlong email', { ...good, email: `${'a'.repeat(250)}@x.io` }, 'email', /at most 254/],
    ['empty display name', { ...good, displayName: '  ' }, 'displayName', /Enter a display name/],
    [
      'overlong display name',
      { ...good, displayName: 'x'.repeat(65) },
      'displayName',
      /at most 64/,
    ],
    [
      'display name with a right-to-left override',
      { ...good, displayName: 'Ada\u202eevil' },
      'displayName',
      /cannot contain control, zero-width or text-direction characters/,
    ],
    [
      'display name with a zero-width space',
      { ...good, displayName: 'A\u200bda' },
      'displayName',
      /cannot contain control, zero-width or text-direction characters/,
    ],
    [
      'email with a NUL byte',
      { ...good, email: 'nul\u0000@example.test' },
      'email',
      /cannot contain control, zero-width or text-direction characters/,
    ],
    [
      'display name with a NUL byte',
      { ...good, displayName: 'Nul\u0000' },
      'displayName',
      /cannot contain control/,
    ],
    [
      'password with a NUL byte',
      { ...good, password: 'long-Enough-1\u0000' },
      'password',
      /cannot contain control/,
    ],
    [
      'display name with markup',
      { ...good, displayName: '<script>' },
      'displayName',
      /cannot contain/,
    ],
    ['empty password', { ...good, password: '' }, 'password', /Enter a password/],
    ['short password', { ...good, password: 'Short1' }, 'password', /at least 10/],
    ['one-class password', { ...good, password: 'alllowercaseletters' }, 'password', /two kinds/],
    [
      'overlong password',
      { ...good, password: `Aa1${'x'.repeat(200)}` },
      'password',
      /at most 128/,
    ],
    ['missing fields', {}, 'email', /email/i],
  ];
  it.each(bad)(
    'rejects %s with a message on the field and creates nothing',
    async (_name, input, field, message) => {
      const before = await counts();
      const err = await trpcError(anon().auth.signUp(input as never));
      expect(err.code).toBe('BAD_REQUEST');
      const issues =
        (err.cause as { issues?: Array<{ path: PropertyKey[]; message: string }> }).issues ?? [];
      const onField = issues.find((i) => i.path[0] === field);
      expect(onField?.message).toMatch(message);
      expect(await counts()).toEqual(before);
    },
  );

  it('rejects a duplicate email (any case, any spacing) on the email field and creates nothing', async () => {
    const email = uniqueEmail();
    await anon().auth.signUp({ email, displayName: 'First', password: 'first-Password-1' });
    const before = await counts();
    const err = await trpcError(
      anon().auth.signUp({
        email: ` ${email.toUpperCase()}`,
        displayName: 'Second',
        password: 'second-Password-1',
      }),
    );
    expect(err.code).toBe('CONFLICT');
    expect(err.message).toMatch(/already exists/);
    expect((err.cause as { field?: string }).field).toBe('email');
    expect(await counts()).toEqual(before);
  });

  it('lets exactly one of many simultaneous sign-ups with one email win', async () => {
    const email = uniqueEmail('race');
    const before = await counts();
    const results = await Promise.allSettled(
      Array.from({ length: 6 }, (_, i) =>
        anon().auth.signUp({ email, displayName: `Racer ${i}`, password: 'racing-Along-1' }),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results)
      if (r.status === 'rejected') expect((r.reason as { code: string }).code).toBe('CONFLICT');
    const after = await counts();
    expect(after.users - before.users).toBe(1);
    expect(after.accounts - before.accounts).toBe(1);
    expect(await ledgerTotal(t.db)).toBe('0');
  });
});
