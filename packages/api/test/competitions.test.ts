// Every competition rule enforced at the API, through the same tRPC procedures the trade page
// calls: outside the window, above the leverage cap, on another market, in a forbidden margin mode
// an order (or a setting) is refused with PRECONDITION_FAILED and a message naming the rule, and
// nothing changes. Who may call what is in authorization.test.ts.
import { StaticPrices } from '@lab/services';
import type { TRPCError } from '@trpc/server';
import { describe, expect, it } from 'vitest';
import { callerFor, createUser } from '../src/testing/index.ts';
import { trpcError, useTestDb } from './helpers.ts';

const t = useTestDb();
const MIN = 60_000;

const settings = (over: Record<string, unknown> = {}) => ({
  name: 'Rules class',
  description: '',
  startsAt: Date.now(),
  endsAt: Date.now() + 50 * MIN,
  startingBalance: '10000',
  symbols: ['BTCUSDT', 'ETHUSDT'],
  maxLeverage: 5,
  marginModes: 'ISOLATED_ONLY' as const,
  makerFeeRate: '0',
  takerFeeRate: '0.0005',
  allowLateJoin: true,
  allowResets: false,
  afterLiquidation: 'CONTINUE' as const,
  resetPenalty: null,
  leaderboard: 'LIVE' as const,
  ranking: 'RETURN' as const,
  snapshotSeconds: 60,
  market: { kind: 'own' as const, ticksPerSecond: 4, fundingIntervalMinutes: 5 },
  publish: true,
  ...over,
});

async function joined(over: Record<string, unknown> = {}) {
  const host = await createUser(t.db);
  const student = await createUser(t.db);
  const c = await callerFor(t.db, host.user).competition.create(settings(over));
  const prices = new StaticPrices();
  for (const [s, p] of [
    ['BTCUSDT', '50000'],
    ['ETHUSDT', '3000'],
    ['SOLUSDT', '150'],
  ] as const)
    prices.set(s, { markPrice: p, lastPrice: p }, c.market.venueId);
  const me = callerFor(t.db, student.user, '127.0.0.1', prices);
  const { accountId } = await me.competition.join({ code: c.code.toLowerCase() });
  return { c, me, accountId, host: callerFor(t.db, host.user, '127.0.0.1', prices) };
}

const reasonOf = (e: TRPCError) => (e.cause as { reason?: string } | undefined)?.reason;

async function unchanged(accountId: string, fn: () => Promise<void>) {
  const before = await t.db.paperAccount.findUniqueOrThrow({ where: { id: accountId } });
  const events = await t.db.accountEvent.count({ where: { accountId } });
  await fn();
  expect(await t.db.paperAccount.findUniqueOrThrow({ where: { id: accountId } })).toEqual(before);
  expect(await t.db.accountEvent.count({ where: { accountId } })).toBe(events);
}

describe('competition rules at the API', () => {
  it('refuses another market, a leverage above the cap and a forbidden margin mode, naming the rule', async () => {
    const { me, accountId } = await joined();
    await unchanged(accountId, async () => {
      const market = await trpcError(
        me.trade.placeOrder({
          accountId,
          symbol: 'SOLUSDT',
          side: 'buy',
          type: 'market',
          quantity: '1',
        }),
      );
      expect(market.code).toBe('PRECONDITION_FAILED');
      expect(reasonOf(market)).toBe('COMPETITION_MARKET_NOT_ALLOWED');
      expect(market.message).toBe(
        '“Rules class” trades only BTCUSDT, ETHUSDT; SOLUSDT is not one of its markets.',
      );

      const lev = await trpcError(
        me.trade.setLeverage({ accountId, symbol: 'BTCUSDT', leverage: 6 }),
      );
      expect(reasonOf(lev)).toBe('COMPETITION_LEVERAGE_CAP');
      expect(lev.message).toBe('“Rules class” allows at most 5× leverage.');

      const mode = await trpcError(
        me.trade.setMarginMode({ accountId, symbol: 'BTCUSDT', marginMode: 'cross' }),
      );
      expect(reasonOf(mode)).toBe('COMPETITION_MARGIN_MODE');
      expect(mode.message).toBe('“Rules class” allows only isolated margin.');
    });
    // the class's markets started isolated at the join (at the default leverage within the cap):
    // within the rules it trades at once, at the competition's fee (0.05% of 0.01 x 50,000 = 0.25)
    expect(await me.trade.settings({ accountId, symbol: 'BTCUSDT' })).toEqual([
      {
        symbol: 'BTCUSDT',
        leverage: 5,
        marginMode: 'isolated',
        maxLeverage: 5,
        marginModes: ['isolated'],
        marketRule: null,
      },
    ]);
    const placed = await me.trade.placeOrder({
      accountId,
      symbol: 'BTCUSDT',
      side: 'buy',
      type: 'market',
      quantity: '0.01',
    });
    expect(placed.fills.map((f) => f.fee)).toEqual(['0.25']);
  });

  it('refuses every order before the start and after the end, closing included', async () => {
    const early = await joined({
      startsAt: Date.now() + 60 * MIN,
      endsAt: Date.now() + 120 * MIN,
      marginModes: 'BOTH',
    });
    await unchanged(early.accountId, async () => {
      const e = await trpcError(
        early.me.trade.placeOrder({
          accountId: early.accountId,
          symbol: 'BTCUSDT',
          side: 'buy',
          type: 'market',
          quantity: '0.01',
        }),
      );
      expect(reasonOf(e)).toBe('COMPETITION_NOT_RUNNING');
      expect(e.message).toMatch(
        /^Trading in “Rules class” opens at \d{4}-\d\d-\d\d \d\d:\d\d UTC\.$/,
      );
    });

    const late = await joined({ marginModes: 'BOTH' });
    await late.me.trade.placeOrder({
      accountId: late.accountId,
      symbol: 'BTCUSDT',
      side: 'buy',
      type: 'market',
      quantity: '0.01',
    });
    // the window closes by the clock (nothing has moved the stored state yet)
    await t.db.competition.update({
      where: { id: late.c.id },
      data: { endsAt: new Date(Date.now() - 1) },
    });
    await unchanged(late.accountId, async () => {
      const e = await trpcError(
        late.me.trade.closePosition({ accountId: late.accountId, symbol: 'BTCUSDT' }),
      );
      expect(reasonOf(e)).toBe('COMPETITION_NOT_RUNNING');
      expect(e.message).toMatch(/ended at .* UTC; its standings are final\.$/);
    });
  });

  it('a participant reads the leaderboard figures of others, never their accounts', async () => {
    const { c, me, host } = await joined({ marginModes: 'BOTH' });
    const other = await createUser(t.db);
    const them = callerFor(t.db, other.user);
    const theirs = await them.competition.join({ code: c.code });
    const board = await me.competition.leaderboard({ competitionId: c.id });
    expect(board.rows).toHaveLength(2);
    for (const row of board.rows) expect(JSON.stringify(row)).not.toContain(theirs.accountId);
    // their account itself is not the student's to read
    const err = await trpcError(me.trade.positions({ accountId: theirs.accountId }));
    expect(err.code).toBe('NOT_FOUND');
    // the dashboard is for the hosts
    expect((await trpcError(me.competition.dashboard({ competitionId: c.id }))).code).toBe(
      'FORBIDDEN',
    );
    const dash = await host.competition.dashboard({ competitionId: c.id });
    expect(dash.rows.map((r) => r.accountId).sort()).toContain(theirs.accountId);
  });

  it('validates settings with the field and the rule', async () => {
    const host = callerFor(t.db, (await createUser(t.db)).user);
    const e = await trpcError(host.competition.create(settings({ maxLeverage: 200 })));
    expect(e.code).toBe('BAD_REQUEST');
    const shape = await trpcError(host.competition.join({ code: 'OO0011' }));
    expect(shape.code).toBe('BAD_REQUEST');
    expect(shape.message).toMatch(/never contain 0, O, 1, I or L/);
  });
});
