// apiKeys procedures: the owner creates a key (its secret is in that answer only), lists it with
// its permission, allowed addresses and last use, and revokes it; nobody else can do any of it,
// and a refused request leaves the key as it was.
import { beforeAll, describe, expect, it } from 'vitest';
import { callerFor, createUser } from '../src/testing/index.ts';
import { trpcError, useTestDb } from './helpers.ts';

const t = useTestDb();

beforeAll(() => {
  process.env.LAB_API_KEY_SECRET ??= 'api-keys-router-test-secret-0123456789abcdef';
});

describe('apiKeys', () => {
  it('creates with the secret shown once, lists without it, revokes; others get NOT_FOUND', async () => {
    const owner = await createUser(t.db);
    const intruder = await createUser(t.db);
    const me = callerFor(t.db, owner.user);
    const created = await me.apiKeys.create({
      accountId: owner.accountId,
      label: '  grid bot ',
      permission: 'read',
      ipAllowList: ['203.0.113.7'],
    });
    expect(created).toMatchObject({ label: 'grid bot', permission: 'read', revokedAt: null });
    expect(created.secret).toMatch(/^[A-Za-z0-9]{64}$/);
    const listed = await me.apiKeys.list({ accountId: owner.accountId });
    expect(listed).toEqual([
      {
        id: created.id,
        accountId: owner.accountId,
        label: 'grid bot',
        key: created.key,
        permission: 'read',
        ipAllowList: ['203.0.113.7'],
        createdAt: created.createdAt,
        lastUsedAt: null,
        revokedAt: null,
      },
    ]);
    expect(JSON.stringify(listed)).not.toContain(created.secret);

    const them = callerFor(t.db, intruder.user);
    const err = await trpcError(
      them.apiKeys.revoke({ accountId: owner.accountId, apiKeyId: created.id }),
    );
    expect(err.code).toBe('NOT_FOUND');
    // the intruder's own account does not reach another account's key either
    const err2 = await trpcError(
      them.apiKeys.revoke({ accountId: intruder.accountId, apiKeyId: created.id }),
    );
    expect(err2.code).toBe('NOT_FOUND');
    expect((await me.apiKeys.list({ accountId: owner.accountId }))[0]!.revokedAt).toBeNull();

    const bad = await trpcError(
      me.apiKeys.create({
        accountId: owner.accountId,
        label: 'x',
        permission: 'trade',
        ipAllowList: ['not-an-ip'],
      }),
    );
    expect(bad.code).toBe('BAD_REQUEST');

    const revoked = await me.apiKeys.revoke({ accountId: owner.accountId, apiKeyId: created.id });
    expect(revoked.revokedAt).not.toBeNull();
  });
});
