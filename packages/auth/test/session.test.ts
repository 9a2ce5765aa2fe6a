import { describe, expect, it } from 'vitest';
import {
  createSession,
  endSession,
  endUserSessions,
  hashSessionId,
  pruneExpiredSessions,
  resolveSession,
  SESSION_MAX_AGE_SECONDS,
} from '../src/session.ts';
import { insertUser, useTestDb } from './helpers.ts';

const t = useTestDb();
const DAY = 24 * 60 * 60 * 1000;

async function expiresAt(id: string): Promise<number> {
  const row = await t.db.session.findUniqueOrThrow({ where: { tokenHash: hashSessionId(id) } });
  return row.expiresAt.getTime();
}

describe('server-side sessions', () => {
  it('resolves a live session to the user as the database has them now', async () => {
    const u = await insertUser(t.db);
    const sid = await createSession(t.db, u.id);
    expect(await resolveSession(t.db, sid)).toEqual({
      id: u.id,
      email: u.email,
      displayName: u.displayName,
      role: 'TRADER',
    });
    await t.db.user.update({ where: { id: u.id }, data: { role: 'INSTRUCTOR' } });
    expect((await resolveSession(t.db, sid))?.role).toBe('INSTRUCTOR');
  });

  it('stores only a hash of the id: the stored value is not a session id', async () => {
    const u = await insertUser(t.db);
    const sid = await createSession(t.db, u.id);
    const rows = await t.db.session.findMany({ where: { userId: u.id } });
    expect(rows.map((r) => r.tokenHash)).toEqual([hashSessionId(sid)]);
    expect(rows[0]!.tokenHash).not.toContain(sid);
    expect(await resolveSession(t.db, rows[0]!.tokenHash)).toBeNull();
  });

  it('ends one session at sign-out and leaves the others', async () => {
    const u = await insertUser(t.db);
    const laptop = await createSession(t.db, u.id);
    const phone = await createSession(t.db, u.id);
    await endSession(t.db, laptop);
    expect(await resolveSession(t.db, laptop)).toBeNull();
    expect(await resolveSession(t.db, phone)).not.toBeNull();
  });

  it('ends every session of a user (password change), and a deleted user takes theirs along', async () => {
    const u = await insertUser(t.db);
    const other = await insertUser(t.db);
    const sessions = [await createSession(t.db, u.id), await createSession(t.db, u.id)];
    const kept = await createSession(t.db, other.id);
    expect(await endUserSessions(t.db, u.id)).toBe(2);
    for (const sid of sessions) expect(await resolveSession(t.db, sid)).toBeNull();
    expect(await resolveSession(t.db, kept)).not.toBeNull();
    await t.db.user.delete({ where: { id: other.id } });
    expect(await resolveSession(t.db, kept)).toBeNull();
    expect(await t.db.session.count({ where: { userId: other.id } })).toBe(0);
  });

  it('refuses an expired session, and prunes ended sessions', async () => {
    const u = await insertUser(t.db);
    const sid = await createSession(t.db, u.id);
    await t.db.session.update({
      where: { tokenHash: hashSessionId(sid) },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    expect(await resolveSession(t.db, sid)).toBeNull();
    // Refusing it did not bring it back to life.
    expect(await expiresAt(sid)).toBeLessThan(Date.now());
    expect(await pruneExpiredSessions(t.db)).toBeGreaterThanOrEqual(1);
    expect(await t.db.session.count({ where: { tokenHash: hashSessionId(sid) } })).toBe(0);
  });

  it('expires 30 days after the last use: a session in use moves its end forward once a day', async () => {
    const u = await insertUser(t.db);
    const before = Date.now();
    const sid = await createSession(t.db, u.id);
    const created = await expiresAt(sid);
    expect(created).toBeGreaterThanOrEqual(before + SESSION_MAX_AGE_SECONDS * 1000 - 1000);
    expect(created).toBeLessThanOrEqual(Date.now() + SESSION_MAX_AGE_SECONDS * 1000);
    // Used within a day of its last refresh: no write.
    await resolveSession(t.db, sid);
    expect(await expiresAt(sid)).toBe(created);
    // Last refreshed ten days ago: moved to 30 days from now.
    await t.db.session.update({
      where: { tokenHash: hashSessionId(sid) },
      data: { expiresAt: new Date(created - 10 * DAY) },
    });
    await resolveSession(t.db, sid);
    expect(await expiresAt(sid)).toBeGreaterThanOrEqual(created);
  });

  it('refuses malformed and unknown ids without a query error', async () => {
    for (const bad of [undefined, null, 42, '', 'x', 'a'.repeat(43) + '\u0000', {}, []])
      expect(await resolveSession(t.db, bad)).toBeNull();
    expect(await resolveSession(t.db, 'A'.repeat(43))).toBeNull();
    await expect(endSession(t.db, 'nope')).resolves.toBeUndefined();
  });
});
