// Bot API keys against a real PostgreSQL: the secret is shown once and stored only encrypted (the
// row never holds it in a readable form, and another server secret cannot read it), a key is
// found by its value with its account's owner, revocation and the listen key's life, and the one
// rule of which accounts bots may trade (a competition's only while its host allows bots).
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createApiKey,
  decryptSecret,
  findBotCredential,
  ipAllowed,
  keepAliveListenKey,
  LISTEN_KEY_TTL_MS,
  listApiKeys,
  openListenKey,
  resolveListenKey,
  revokeApiKey,
} from '../src/trading/api-keys.ts';
import { createCompetitionAccount, createUser } from '../src/testing/index.ts';
import { useTestDb } from './helpers.ts';

const t = useTestDb();
const SECRET = 'test-server-secret-of-at-least-32-characters';

beforeAll(() => {
  process.env.LAB_API_KEY_SECRET = SECRET;
});
afterEach(() => {
  process.env.LAB_API_KEY_SECRET = SECRET;
});

describe('api keys', () => {
  it('shows the secret once, stores it encrypted, and finds the key with its owner', async () => {
    const { user, accountId } = await createUser(t.db);
    const created = await createApiKey(t.db, user.id, accountId, {
      label: 'my bot',
      permission: 'trade',
      ipAllowList: ['127.0.0.1', '::ffff:10.0.0.1', '::1'],
    });
    expect(created.key).toMatch(/^[A-Za-z0-9]{64}$/);
    expect(created.secret).toMatch(/^[A-Za-z0-9]{64}$/);
    expect(created.ipAllowList).toEqual(['127.0.0.1', '10.0.0.1', '::1']);
    const row = await t.db.apiKey.findUniqueOrThrow({ where: { id: created.id } });
    expect(row.secretCiphertext).not.toContain(created.secret);
    expect(JSON.stringify(row)).not.toContain(created.secret);
    expect(decryptSecret(row.secretCiphertext)).toBe(created.secret);
    // listing never shows the secret
    const listed = await listApiKeys(t.db, user.id, accountId);
    expect(listed).toHaveLength(1);
    expect(JSON.stringify(listed)).not.toContain(created.secret);
    const cred = await findBotCredential(t.db, created.key);
    expect(cred).toMatchObject({
      accountId,
      userId: user.id,
      permission: 'trade',
      secret: created.secret,
      usable: true,
    });
    expect(ipAllowed(cred!, '127.0.0.1')).toBe(true);
    expect(ipAllowed(cred!, '::ffff:127.0.0.1')).toBe(true);
    expect(ipAllowed(cred!, '192.168.1.1')).toBe(false);
    // under another server secret the stored secret cannot be read: the key is refused
    process.env.LAB_API_KEY_SECRET = 'another-server-secret-of-32-characters-or-more';
    expect(decryptSecret(row.secretCiphertext)).toBeNull();
    expect((await findBotCredential(t.db, created.key))!.secret).toBeNull();
  });

  it('refuses bad allow-list entries and other users, and revokes', async () => {
    const owner = await createUser(t.db);
    const other = await createUser(t.db);
    await expect(
      createApiKey(t.db, owner.user.id, owner.accountId, {
        label: 'x',
        permission: 'read',
        ipAllowList: ['10.0.0.300'],
      }),
    ).rejects.toMatchObject({ code: 'VALIDATION', field: 'ipAllowList' });
    await expect(
      createApiKey(t.db, other.user.id, owner.accountId, { label: 'x', permission: 'read' }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const k = await createApiKey(t.db, owner.user.id, owner.accountId, {
      label: 'x',
      permission: 'read',
    });
    await expect(revokeApiKey(t.db, other.user.id, owner.accountId, k.id)).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(listApiKeys(t.db, other.user.id, owner.accountId)).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    const listenKey = await openListenKey(t.db, k.id);
    expect(await resolveListenKey(t.db, listenKey)).toMatchObject({ accountId: owner.accountId });
    const revoked = await revokeApiKey(t.db, owner.user.id, owner.accountId, k.id);
    expect(revoked.revokedAt).not.toBeNull();
    expect((await findBotCredential(t.db, k.key))!.usable).toBe(false);
    expect(await resolveListenKey(t.db, listenKey)).toBeNull();
  });

  it('a key of an archived account is refused; an unknown key is no credential', async () => {
    const { user, accountId } = await createUser(t.db);
    const k = await createApiKey(t.db, user.id, accountId, { label: 'x', permission: 'read' });
    expect(await findBotCredential(t.db, k.key)).toMatchObject({
      permission: 'read',
      venueId: 'main',
      usable: true,
      lastUsedAt: null,
    });
    await t.db.paperAccount.update({ where: { id: accountId }, data: { status: 'ARCHIVED' } });
    expect((await findBotCredential(t.db, k.key))!.usable).toBe(false);
    expect(await findBotCredential(t.db, 'NoSuchKey0123')).toBeNull();
  });

  it('a listen key is one per key, lives 60 minutes after its last keep-alive', async () => {
    const { user, accountId } = await createUser(t.db);
    const k = await createApiKey(t.db, user.id, accountId, { label: 'x', permission: 'read' });
    const now = Date.now();
    const a = await openListenKey(t.db, k.id, now);
    expect(await openListenKey(t.db, k.id, now + 1000)).toBe(a);
    expect(await keepAliveListenKey(t.db, k.id, now + LISTEN_KEY_TTL_MS)).toBe(a);
    expect(await resolveListenKey(t.db, a, now + 2 * LISTEN_KEY_TTL_MS - 1)).not.toBeNull();
    expect(await resolveListenKey(t.db, a, now + 2 * LISTEN_KEY_TTL_MS + 1001)).toBeNull();
    expect(await keepAliveListenKey(t.db, k.id, now + 3 * LISTEN_KEY_TTL_MS)).toBeNull();
    const b = await openListenKey(t.db, k.id, now + 3 * LISTEN_KEY_TTL_MS);
    expect(b).not.toBe(a);
  });

  it('a competition account has keys only while its host allows bots', async () => {
    const { student, competition, accountId } = await createCompetitionAccount(t.db, {
      name: 'Bots week',
    });
    await expect(
      createApiKey(t.db, student.user.id, accountId, { label: 'bot', permission: 'trade' }),
    ).rejects.toMatchObject({ code: 'PRECONDITION', reason: 'BOTS_NOT_ALLOWED' });
    await t.db.competition.update({ where: { id: competition.id }, data: { allowBots: true } });
    const k = await createApiKey(t.db, student.user.id, accountId, {
      label: 'bot',
      permission: 'trade',
    });
    expect((await findBotCredential(t.db, k.key))!.usable).toBe(true);
    // the host switches bots off: the key stops at its next request
    await t.db.competition.update({ where: { id: competition.id }, data: { allowBots: false } });
    expect((await findBotCredential(t.db, k.key))!.usable).toBe(false);
  });
});
