// The active worker deletes ended sessions and day-old throttle windows, and only those.
import { randomBytes } from 'node:crypto';
import { createUser } from '@lab/services/testing';
import { describe, expect, it } from 'vitest';
import { startHousekeeping, type HousekeepingRun } from '../src/housekeeping.ts';
import { useWorkerDb, waitFor } from './helpers.ts';

const t = useWorkerDb();
const DAY = 86_400_000;
const hash = () => randomBytes(32).toString('hex');

describe('housekeeping', () => {
  it('prunes ended sessions and old throttle windows at start and on every run', async () => {
    const { user } = await createUser(t.db);
    const now = Date.now();
    const [ended, live] = [hash(), hash()];
    await t.db.session.createMany({
      data: [
        { tokenHash: ended, userId: user.id, expiresAt: new Date(now - 1000) },
        { tokenHash: live, userId: user.id, expiresAt: new Date(now + DAY) },
      ],
    });
    await t.db.rateLimitBucket.createMany({
      data: [
        { key: `hk-old-${hash()}`, windowStart: new Date(now - 2 * DAY), count: 3 },
        { key: `hk-new-${hash()}`, windowStart: new Date(now - 60_000), count: 3 },
      ],
    });
    const runs: HousekeepingRun[] = [];
    const logs: string[] = [];
    const stop = startHousekeeping({
      db: t.db,
      log: (m) => logs.push(m),
      everyMs: 200,
      onRun: (r) => runs.push(r),
    });
    try {
      await waitFor(() => runs.length >= 1, 'the first housekeeping run');
      expect(runs[0]).toEqual({ sessions: 1, buckets: 1 });
      expect(logs[0]).toBe('housekeeping: 1 ended sessions, 1 old throttle windows');
      const sessions = await t.db.session.findMany({ where: { userId: user.id } });
      expect(sessions.map((s) => s.tokenHash)).toEqual([live]);
      expect(await t.db.rateLimitBucket.count({ where: { key: { startsWith: 'hk-new-' } } })).toBe(
        1,
      );
      expect(await t.db.rateLimitBucket.count({ where: { key: { startsWith: 'hk-old-' } } })).toBe(
        0,
      );

      // a session that ends later goes at a later run
      await t.db.session.update({
        where: { tokenHash: live },
        data: { expiresAt: new Date(Date.now() - 1) },
      });
      await waitFor(() => runs.some((r) => r.sessions === 1 && r !== runs[0]), 'a later run');
      expect(await t.db.session.count({ where: { userId: user.id } })).toBe(0);
    } finally {
      await stop();
    }
  });
});
