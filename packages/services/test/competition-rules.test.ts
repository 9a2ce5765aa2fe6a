// Competition rules in the trading path: a competition account trades only while the competition
// runs, only its markets, at most its leverage, only its margin modes, and at its fee rates; each
// refusal names the rule (reason COMPETITION_*), and a refused request changes nothing.
import type { Prisma } from '@lab/db';
import { describe, expect, it } from 'vitest';
import { placeOrder, setLeverage, setMarginMode, closePosition } from '../src/trading/orders.ts';
import { previewOrder } from '../src/trading/preview.ts';
import { getSymbolSettings } from '../src/trading/read-models.ts';
import { userActor } from '../src/trading/run.ts';
import { createCompetitionAccount } from '../src/testing/index.ts';
import { expectConsistent, useTestDb } from './helpers.ts';
import { testPrices } from './trading-helpers.ts';

const t = useTestDb();
const HOUR = 3_600_000;

async function competitionAccount(over: Partial<Prisma.CompetitionUncheckedCreateInput> = {}) {
  const { student, accountId, competition } = await createCompetitionAccount(t.db, {
    name: 'Week 3',
    symbols: ['BTCUSDT', 'ETHUSDT'],
    marginModes: 'ISOLATED_ONLY',
    ...over,
  });
  return { me: userActor(student.user.id), accountId, competition };
}

const reasonOf = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    return e as { reason?: string; message: string };
  }
  throw new Error('expected a refusal');
};

describe('competition rules in the trading path', () => {
  it('refuses other markets, leverage above the cap and a forbidden margin mode, naming the rule', async () => {
    const prices = testPrices();
    const { me, accountId } = await competitionAccount();
    const market = await reasonOf(
      placeOrder(t.db, prices, me, accountId, {
        symbol: 'SOLUSDT',
        side: 'buy',
        type: 'market',
        quantity: '1',
      }),
    );
    expect(market.reason).toBe('COMPETITION_MARKET_NOT_ALLOWED');
    // the preview refuses it the same way (before anything is sent, the form shows the rule)
    const previewed = await reasonOf(
      previewOrder(t.db, prices, me, accountId, {
        symbol: 'SOLUSDT',
        side: 'buy',
        type: 'market',
        quantity: '1',
      }),
    );
    expect(previewed).toMatchObject({ reason: market.reason, message: market.message });
    expect(market.message).toBe(
      '“Week 3” trades only BTCUSDT, ETHUSDT; SOLUSDT is not one of its markets.',
    );
    const lev = await reasonOf(
      setLeverage(t.db, prices, me, accountId, { symbol: 'BTCUSDT', leverage: 20 }),
    );
    expect(lev.reason).toBe('COMPETITION_LEVERAGE_CAP');
    expect(lev.message).toBe('“Week 3” allows at most 10× leverage.');
    const mode = await reasonOf(
      setMarginMode(t.db, prices, me, accountId, { symbol: 'BTCUSDT', marginMode: 'cross' }),
    );
    expect(mode.reason).toBe('COMPETITION_MARGIN_MODE');
    // a market left in cross (this account was made without the join, which starts an
    // isolated-only class's markets isolated; or the host changed the modes after it joined) is
    // refused for a risk-adding order: the student sets isolated first
    const order = await reasonOf(
      placeOrder(t.db, prices, me, accountId, {
        symbol: 'BTCUSDT',
        side: 'buy',
        type: 'market',
        quantity: '0.01',
      }),
    );
    expect(order.reason).toBe('COMPETITION_MARGIN_MODE');
    expect(await t.db.order.count({ where: { accountId } })).toBe(0);
    await expectConsistent(t.db, accountId);
  });

  it('reads the settings the engine applies: the leverage within the cap, the allowed modes', async () => {
    const prices = testPrices();
    const { me, accountId } = await competitionAccount();
    // the default 20x is capped to 10x; the screen is told the cap and the one allowed mode (the
    // market is still cross until the student sets isolated, which the rule above asks for)
    const [btc] = await getSymbolSettings(t.db, me, accountId, { symbol: 'BTCUSDT' });
    expect(btc).toEqual({
      symbol: 'BTCUSDT',
      leverage: 10,
      marginMode: 'cross',
      maxLeverage: 10,
      marginModes: ['isolated'],
      marketRule: null,
    });
    // a market the competition does not trade says why, in the refusal's own words
    const sol = (await getSymbolSettings(t.db, me, accountId)).find((x) => x.symbol === 'SOLUSDT');
    expect(sol?.marketRule).toBe(
      '“Week 3” trades only BTCUSDT, ETHUSDT; SOLUSDT is not one of its markets.',
    );
    await setMarginMode(t.db, prices, me, accountId, { symbol: 'BTCUSDT', marginMode: 'isolated' });
    expect((await getSymbolSettings(t.db, me, accountId, { symbol: 'BTCUSDT' }))[0]).toEqual({
      ...btc,
      marginMode: 'isolated',
    });
    await expectConsistent(t.db, accountId);

    const both = await competitionAccount({ marginModes: 'BOTH', maxLeverage: 5 });
    expect(
      (await getSymbolSettings(t.db, both.me, both.accountId, { symbol: 'ETHUSDT' }))[0],
    ).toEqual({
      symbol: 'ETHUSDT',
      leverage: 5,
      marginMode: 'cross',
      maxLeverage: 5,
      marginModes: ['cross', 'isolated'],
      marketRule: null,
    });
  });

  it("trades at the competition's fees, with the leverage default capped", async () => {
    const prices = testPrices();
    const { me, accountId } = await competitionAccount();
    await setMarginMode(t.db, prices, me, accountId, { symbol: 'BTCUSDT', marginMode: 'isolated' });
    const placed = await placeOrder(t.db, prices, me, accountId, {
      symbol: 'BTCUSDT',
      side: 'buy',
      type: 'market',
      quantity: '0.1',
    });
    // taker fee 0.1% of 0.1 x 50,000 = 5 (the catalogue's 0.05% would be 2.5); isolated margin at
    // the default leverage capped to 10x: 5,000 / 10 = 500
    expect(placed.fills.map((f) => f.fee)).toEqual(['5']);
    const pos = await t.db.position.findFirstOrThrow({ where: { accountId } });
    expect(pos.isolatedWallet.toFixed()).toBe('500');
    await expectConsistent(t.db, accountId);
  });

  it('outside its window nothing trades, closing included; a participant who is out cannot trade', async () => {
    const prices = testPrices();
    const early = await competitionAccount({
      state: 'SCHEDULED',
      startsAt: new Date(Date.now() + HOUR),
      endsAt: new Date(Date.now() + 2 * HOUR),
      marginModes: 'BOTH',
    });
    const opens = await reasonOf(
      placeOrder(t.db, prices, early.me, early.accountId, {
        symbol: 'BTCUSDT',
        side: 'buy',
        type: 'market',
        quantity: '0.01',
      }),
    );
    expect(opens.reason).toBe('COMPETITION_NOT_RUNNING');
    expect(opens.message).toMatch(/^Trading in “Week 3” opens at \d{4}-\d\d-\d\d \d\d:\d\d UTC\.$/);

    const running = await competitionAccount({ marginModes: 'BOTH' });
    await placeOrder(t.db, prices, running.me, running.accountId, {
      symbol: 'BTCUSDT',
      side: 'buy',
      type: 'market',
      quantity: '0.01',
    });
    await t.db.competition.update({
      where: { id: running.competition.id },
      data: { state: 'FINISHED', endedAt: new Date() },
    });
    const closing = await reasonOf(
      closePosition(t.db, prices, running.me, running.accountId, { symbol: 'BTCUSDT' }),
    );
    expect(closing.reason).toBe('COMPETITION_NOT_RUNNING');
    expect(closing.message).toMatch(/ended at .*; its standings are final\.$/);

    const out = await competitionAccount({ marginModes: 'BOTH' });
    await t.db.competitionParticipant.update({
      where: { accountId: out.accountId },
      data: { status: 'OUT' },
    });
    const refused = await reasonOf(
      placeOrder(t.db, prices, out.me, out.accountId, {
        symbol: 'BTCUSDT',
        side: 'buy',
        type: 'market',
        quantity: '0.01',
      }),
    );
    expect(refused.reason).toBe('COMPETITION_PARTICIPANT_OUT');
  });
});
