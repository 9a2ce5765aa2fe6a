// Integrity signals and the benchmark on PostgreSQL: participants signed in from one address
// (a label, never the address), orders mirrored within the window (twice or more, not the
// platform's own closes), and the leaderboard's benchmark column from the venue's candles.
import { MAIN_VENUE } from '@lab/contracts';
import { describe, expect, it } from 'vitest';
import { getLeaderboard } from '../src/competitions/views.ts';
import { placeOrder } from '../src/trading/orders.ts';
import { integritySignals } from '../src/teaching/integrity.ts';
import { useTestDb } from './helpers.ts';
import { classroom } from './teaching-fixture.ts';
import { testPrices } from './trading-helpers.ts';

const t = useTestDb();

const session = (userId: string, clientAddress: string | null, n: number) =>
  t.db.session.create({
    data: {
      tokenHash: `${userId.replace(/-/g, '')}${String(n).padStart(32, '0')}`.slice(0, 64),
      userId,
      expiresAt: new Date(Date.now() + 3_600_000),
      clientAddress,
    },
  });

describe('integrity signals', () => {
  it('groups participants who signed in from one address, under a label', async () => {
    const room = await classroom(t.db, { students: ['Kim', 'Lou', 'Max', 'Ned'] });
    const [kim, lou, max, ned] = room.students;
    await session(kim!.user.id, '203.0.113.7', 1);
    await session(lou!.user.id, '203.0.113.7', 1);
    await session(lou!.user.id, '198.51.100.2', 2);
    await session(max!.user.id, '198.51.100.9', 1);
    await session(ned!.user.id, null, 1);
    const s = await integritySignals(t.db, room.host.viewer, room.competitionId);
    expect(s.participants).toBe(4);
    expect(s.withAddress).toBe(3);
    expect(s.sharedAddresses).toHaveLength(1);
    expect(s.sharedAddresses[0]!.participants.map((p) => p.displayName)).toEqual(['Kim', 'Lou']);
    expect(s.sharedAddresses[0]!.label).toMatch(/^[0-9A-F]{6}$/);
    expect(JSON.stringify(s)).not.toContain('203.0.113.7');
    await expect(integritySignals(t.db, kim!.viewer, room.competitionId)).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
  });

  it('pairs a follower with the leader whose orders they mirror within the window, twice or more', async () => {
    const prices = testPrices();
    const room = await classroom(t.db, { students: ['Oli', 'Pat', 'Quin'] });
    await room.start();
    const [oli, pat, quin] = room.students;
    const order = (s: typeof oli, symbol: string, side: 'buy' | 'sell', quantity: string) =>
      placeOrder(t.db, prices, s!.actor, s!.accountId, { symbol, side, type: 'market', quantity });
    // Oli leads, Pat follows within a second, twice; Quin trades the other way
    await order(oli, 'BTCUSDT', 'buy', '0.1');
    await order(pat, 'BTCUSDT', 'buy', '0.2');
    await order(quin, 'BTCUSDT', 'sell', '0.1');
    await order(oli, 'ETHUSDT', 'sell', '1');
    await order(pat, 'ETHUSDT', 'sell', '1');
    const s = await integritySignals(t.db, room.host.viewer, room.competitionId);
    expect(s.mirrorSeconds).toBe(5);
    const pairs = s.mirrored.map((m) => [m.leader.displayName, m.follower.displayName, m.orders]);
    expect(pairs).toContainEqual(['Oli', 'Pat', 2]);
    // one coincidence is not a signal
    expect(pairs.every(([, , n]) => (n as number) >= 2)).toBe(true);
    expect(pairs.some(([l, f]) => l === 'Quin' || f === 'Quin')).toBe(false);
    const oliPat = s.mirrored.find(
      (m) => m.leader.displayName === 'Oli' && m.follower.displayName === 'Pat',
    )!;
    expect(oliPat.followerOrders).toBe(2);
    expect(oliPat.examples.map((e) => [e.symbol, e.side])).toEqual([
      ['BTCUSDT', 'buy'],
      ['ETHUSDT', 'sell'],
    ]);
    expect(oliPat.medianSeconds).toBeGreaterThanOrEqual(0);
    expect(oliPat.medianSeconds).toBeLessThan(5);
  });
});

describe('the benchmark in the leaderboard', () => {
  it('each return beside buy-and-hold of the chosen market over the same window', async () => {
    const prices = testPrices();
    const start = Math.floor(Date.now() / 60_000) * 60_000 - 2 * 60_000;
    const room = await classroom(t.db, { students: ['Rae'], benchmarkSymbol: 'ETHUSDT' });
    await t.db.instrument.createMany({
      data: [{ symbol: 'ETHUSDT', baseAsset: 'ETH', quoteAsset: 'USDT', spec: {} }],
      skipDuplicates: true,
    });
    // ETH opened the window at 2,900 (the candle of its first minute)
    await t.db.candle.create({
      data: {
        venueId: MAIN_VENUE,
        symbol: 'ETHUSDT',
        interval: '1m',
        openTime: new Date(start),
        open: '2900',
        high: '2950',
        low: '2890',
        close: '2940',
        volume: '0',
        trades: 0,
      },
    });
    await room.start(start);
    await t.db.competitionParticipant.update({
      where: { id: room.students[0]!.participantId },
      data: { joinedAt: new Date(start - 60_000) },
    });
    // live: to the mark (3,000): (3,000 - 2,900) / 2,900 = 0.03448276 (8 places)
    const board = await getLeaderboard(t.db, prices, room.students[0]!.viewer, room.competitionId);
    expect(board.benchmark).toEqual({ symbol: 'ETHUSDT', return: '0.03448276', live: true });
    expect(board.rows[0]!.benchmark).toBe('0.03448276');
  });
});
