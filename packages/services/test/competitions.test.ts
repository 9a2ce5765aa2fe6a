// Competitions through the real services on PostgreSQL: creating (with a market of its own),
// publishing, joining by code, standings from a scripted set of trades against hand-computed
// figures, the after-liquidation rules and reset penalties, removing, ending early (the freeze),
// and the CSV exports.
import { Decimal, onPrice, settingsOf } from '@lab/margin-engine';
import { describe, expect, it } from 'vitest';
import {
  applyLiquidationRule,
  changeRules,
  computeBoard,
  createCompetition,
  endCompetitionEarly,
  exportMyEquity,
  exportTrades,
  freezeCompetition,
  getCompetition,
  getLeaderboard,
  hostResetParticipant,
  joinCompetition,
  listAnnouncements,
  publishCompetition,
  removeParticipant,
  resetMyAccount,
  takeSnapshots,
  type CompetitionSettings,
  type Viewer,
} from '../src/competitions/index.ts';
import { loadAccountStates } from '../src/engine-state.ts';
import { resetAccount } from '../src/paper-accounts.ts';
import { marketOf, StaticPrices } from '../src/trading/prices.ts';
import { placeOrder, setLeverage } from '../src/trading/orders.ts';
import { runOnAccount, systemActor, userActor } from '../src/trading/run.ts';
import { createUser } from '../src/testing/index.ts';
import { expectConsistent, useTestDb } from './helpers.ts';
import { ledgerBalancesAfterEach } from './trading-helpers.ts';

const t = useTestDb();
ledgerBalancesAfterEach(t);

const MIN = 60_000;

function settings(over: Partial<CompetitionSettings> = {}): CompetitionSettings {
  const now = Date.now();
  return {
    name: 'Week 3: leverage',
    description: 'A lesson on leverage.',
    startsAt: now,
    endsAt: now + 50 * MIN,
    startingBalance: '10000',
    symbols: ['BTCUSDT'],
    maxLeverage: 10,
    marginModes: 'BOTH',
    makerFeeRate: '0',
    takerFeeRate: '0',
    allowLateJoin: true,
    allowResets: false,
    afterLiquidation: 'CONTINUE',
    resetPenalty: null,
    leaderboard: 'LIVE',
    ranking: 'RETURN',
    snapshotSeconds: 60,
    market: { kind: 'main' },
    ...over,
  };
}

async function viewer(role: Viewer['role'] = 'TRADER') {
  const u = await createUser(t.db, { role });
  return { ...u, viewer: { userId: u.user.id, role } };
}

/** A quote on a venue at a price (mark = last). */
const quote = (prices: StaticPrices, venue: string, symbol: string, price: string) =>
  prices.set(symbol, { markPrice: price, lastPrice: price }, venue);

/** The worker's part of a price move on one account: triggers, fills, liquidation. */
async function tick(
  prices: StaticPrices,
  accountId: string,
  venue: string,
  symbol: string,
  price: string,
) {
  await runOnAccount(t.db, systemActor('test-worker'), accountId, async (loaded) => {
    const before = marketOf(await prices.quotes(venue), loaded.catalogue);
    const r = onPrice(
      loaded.engine,
      before,
      symbol,
      { markPrice: new Decimal(price), lastPrice: new Decimal(price) },
      Date.now(),
    );
    return { result: r, context: { market: r.market }, value: null };
  });
  quote(prices, venue, symbol, price);
}

async function refusal(p: Promise<unknown>) {
  try {
    await p;
  } catch (e) {
    return e as { code: string; reason?: string; field?: string; message: string };
  }
  throw new Error('expected a refusal');
}

describe('creating, publishing and joining', () => {
  it('a competition on its own market gets a simulated venue; students join by typing the code', async () => {
    const host = await viewer();
    const c = await createCompetition(
      t.db,
      host.viewer,
      settings({
        market: { kind: 'own', seed: 'class-7b', ticksPerSecond: 10, fundingIntervalMinutes: 5 },
      }),
    );
    expect(c.state).toBe('DRAFT');
    expect(c.code).toMatch(/^[2-9A-HJKMNP-Z]{6,8}$/);
    expect(c.relation).toBe('host');
    expect(c.market).toMatchObject({
      kind: 'own',
      seed: 'class-7b',
      ticksPerSecond: 10,
      fundingIntervalMinutes: 5,
    });
    const venue = await t.db.venue.findUniqueOrThrow({ where: { id: c.market.venueId } });
    expect(venue).toMatchObject({ kind: 'SIMULATED', seed: 'class-7b', symbols: ['BTCUSDT'] });

    const student = await viewer();
    // a draft cannot be joined
    const draft = await refusal(joinCompetition(t.db, student.viewer, c.code));
    expect(draft).toMatchObject({ code: 'NOT_FOUND', field: 'code' });
    await publishCompetition(t.db, host.viewer, c.id);
    // typed in lower case with a dash: the same code
    const typed = `${c.code.slice(0, 3)}-${c.code.slice(3)}`.toLowerCase();
    const joined = await joinCompetition(t.db, student.viewer, typed);
    expect(joined.alreadyJoined).toBe(false);
    const again = await joinCompetition(t.db, student.viewer, c.code);
    expect(again).toEqual({ ...joined, alreadyJoined: true });
    const account = await t.db.paperAccount.findUniqueOrThrow({ where: { id: joined.accountId } });
    expect(account).toMatchObject({ kind: 'COMPETITION', venueId: c.market.venueId });
    expect(account.walletBalance.toFixed()).toBe('10000');
    await expectConsistent(t.db, joined.accountId);

    // the student sees the rules but not the seed (with it the market could be computed ahead)
    const seen = await getCompetition(t.db, student.viewer, c.id);
    expect(seen.relation).toBe('participant');
    expect(seen.market.seed).toBeUndefined();
    expect(seen.me?.accountId).toBe(joined.accountId);

    // a host does not compete in their own competition; an outsider does not see it by id
    expect((await refusal(joinCompetition(t.db, host.viewer, c.code))).reason).toBe(
      'COMPETITION_HOST_CANNOT_JOIN',
    );
    const outsider = await viewer();
    expect((await refusal(getCompetition(t.db, outsider.viewer, c.id))).code).toBe('NOT_FOUND');
  });

  it('in an isolated-only class a student joins with every market isolated, and the first order goes through', async () => {
    const host = await viewer();
    const c = await createCompetition(
      t.db,
      host.viewer,
      settings({ marginModes: 'ISOLATED_ONLY', symbols: ['BTCUSDT', 'ETHUSDT'], maxLeverage: 10 }),
      { publish: true },
    );
    const student = await viewer();
    const { accountId } = await joinCompetition(t.db, student.viewer, c.code);
    // set through the engine at the join, at the default 20x capped to the class's 10x
    const stored = await t.db.accountSymbolSetting.findMany({
      where: { accountId },
      orderBy: { symbol: 'asc' },
    });
    expect(stored.map((x) => [x.symbol, x.leverage, x.marginMode])).toEqual([
      ['BTCUSDT', 10, 'ISOLATED'],
      ['ETHUSDT', 10, 'ISOLATED'],
    ]);
    const history = await t.db.accountEvent.findMany({
      where: { accountId },
      orderBy: { seq: 'asc' },
    });
    expect(history.map((e) => e.type)).toEqual([
      'accountOpened',
      'marginModeChanged',
      'marginModeChanged',
    ]);
    // the order the class's rule refused before the student changed the mode by hand
    const prices = new StaticPrices();
    quote(prices, 'main', 'BTCUSDT', '50000');
    await placeOrder(t.db, prices, userActor(student.user.id), accountId, {
      symbol: 'BTCUSDT',
      side: 'buy',
      type: 'market',
      quantity: '0.1',
    });
    // 0.1 x 50,000 at 10x: 500 of isolated margin
    const pos = await t.db.position.findFirstOrThrow({ where: { accountId } });
    expect(pos.isolatedWallet.toFixed()).toBe('500');
    await expectConsistent(t.db, accountId);
    // a host's reset puts the markets back to the class's default: isolated, not cross
    const p = await t.db.competitionParticipant.findUniqueOrThrow({ where: { accountId } });
    await hostResetParticipant(t.db, prices, host.viewer, c.id, p.id);
    expect(await t.db.position.count({ where: { accountId } })).toBe(0);
    const afterReset = await t.db.accountSymbolSetting.findMany({ where: { accountId } });
    expect(afterReset.every((x) => x.marginMode === 'ISOLATED' && x.leverage === 10)).toBe(true);
    await expectConsistent(t.db, accountId);

    // a class that allows both modes leaves the usual cross default alone
    const both = await createCompetition(t.db, host.viewer, settings(), { publish: true });
    const other = await viewer();
    const joined = await joinCompetition(t.db, other.viewer, both.code);
    expect(await t.db.accountSymbolSetting.count({ where: { accountId: joined.accountId } })).toBe(
      0,
    );
  });

  it('refuses a late joiner when late joining is off, and every setting out of its bounds by name', async () => {
    const host = await viewer();
    const c = await createCompetition(t.db, host.viewer, settings({ allowLateJoin: false }), {
      publish: true,
    });
    const late = await viewer();
    expect((await refusal(joinCompetition(t.db, late.viewer, c.code))).reason).toBe(
      'COMPETITION_NO_LATE_JOIN',
    );

    const bad = async (over: Partial<CompetitionSettings>) =>
      (await refusal(createCompetition(t.db, host.viewer, settings(over)))) as {
        field: string;
        message: string;
      };
    expect((await bad({ endsAt: Date.now() + MIN })).field).toBe('endsAt');
    expect((await bad({ startsAt: Date.now() - 60 * MIN })).field).toBe('startsAt');
    expect((await bad({ maxLeverage: 126, symbols: ['BTCUSDT', 'SOLUSDT'] })).message).toBe(
      'The leverage cap is between 1× and 50× (the most every chosen market allows).',
    );
    expect((await bad({ symbols: [] })).field).toBe('symbols');
    expect((await bad({ takerFeeRate: '0.02' })).field).toBe('takerFeeRate');
    expect((await bad({ afterLiquidation: 'RESET_WITH_PENALTY', resetPenalty: null })).field).toBe(
      'resetPenalty',
    );
    expect((await bad({ snapshotSeconds: 5, endsAt: Date.now() + 30 * 24 * 60 * MIN })).field).toBe(
      'snapshotSeconds',
    );
    expect((await bad({ startingBalance: '50' })).field).toBe('startingBalance');
    expect(await t.db.competition.count({ where: { createdById: host.user.id } })).toBe(1);
  });
});

describe('standings from a scripted set of trades', () => {
  it('match the hand-computed return, drawdown and Sharpe ratio', async () => {
    const host = await viewer();
    const c = await createCompetition(
      t.db,
      host.viewer,
      settings({ market: { kind: 'own', ticksPerSecond: 4, fundingIntervalMinutes: null } }),
      { publish: true },
    );
    const venue = c.market.venueId;
    const prices = quote(new StaticPrices(), venue, 'BTCUSDT', '50000');
    const student = await viewer();
    const idle = await viewer();
    const { accountId } = await joinCompetition(t.db, student.viewer, c.code); // snapshot 1: 10,000
    const idleJoin = await joinCompetition(t.db, idle.viewer, c.code);
    await placeOrder(t.db, prices, userActor(student.user.id), accountId, {
      symbol: 'BTCUSDT',
      side: 'buy',
      type: 'market',
      quantity: '0.1',
    }); // 0.1 BTC at 50,000, no fee (the competition's rates are 0)
    const at = Date.now();
    // snapshot 2 at 54,000: 10,000 + 0.1 x 4,000 = 10,400; 3 at 52,000: 10,200; 4 at 53,000: 10,300
    for (const [i, price] of ['54000', '52000', '53000'].entries()) {
      quote(prices, venue, 'BTCUSDT', price);
      await takeSnapshots(t.db, prices, c.id, at + (i + 1) * 60_000, { batchSize: 1 });
    }
    // taking a snapshot again at the same time neither stores nor folds it twice
    expect((await takeSnapshots(t.db, prices, c.id, at + 3 * 60_000)).stored).toBe(0);

    const board = await computeBoard(t.db, prices, c.id);
    const row = board.rows.find((r) => r.accountId === accountId)!;
    // changes +400, -200, +100: mean 100, sample sd 300 -> Sharpe 1/3 (per snapshot interval)
    // drawdown 200 / 10,400; return 300 / 10,000; score = 0.03 - 0.019230769... (8 places)
    expect(row).toMatchObject({
      rank: 1,
      equity: '10300',
      return: '0.03',
      maxDrawdown: '0.01923077',
      sharpe: '0.33333333',
      score: '0.01076923',
      trades: 1,
      liquidations: 0,
      openRisk: '5300', // 0.1 x 53,000
      leverage: '0.51456311', // 5,300 / 10,300
      positions: 1,
    });
    const idleRow = board.rows.find((r) => r.accountId === idleJoin.accountId)!;
    expect(idleRow).toMatchObject({
      rank: 2,
      return: '0',
      maxDrawdown: '0',
      sharpe: null,
      trades: 0,
    });

    // the student's leaderboard has the figures, no account, positions or orders of anyone (a
    // new field here is a decision about what students see of each other: list it)
    const lb = await getLeaderboard(t.db, prices, student.viewer, c.id);
    expect(lb.rows.map((r) => Object.keys(r).sort())[0]).toEqual([
      'benchmark',
      'displayName',
      'equity',
      'isMe',
      'liquidations',
      'maxDrawdown',
      'rank',
      'return',
      'score',
      'sharpe',
      'status',
      'trades',
    ]);
    expect(lb.rows.filter((r) => r.isMe)).toHaveLength(1);
    await expectConsistent(t.db, accountId);
  });

  it('a hidden leaderboard shows a student only their own row until the end; hosts see all', async () => {
    const host = await viewer();
    const c = await createCompetition(
      t.db,
      host.viewer,
      settings({ leaderboard: 'HIDDEN_UNTIL_END' }),
      { publish: true },
    );
    const prices = quote(new StaticPrices(), 'main', 'BTCUSDT', '50000');
    const a = await viewer();
    const b = await viewer();
    await joinCompetition(t.db, a.viewer, c.code);
    await joinCompetition(t.db, b.viewer, c.code);
    const mine = await getLeaderboard(t.db, prices, a.viewer, c.id);
    expect(mine.hidden).toBe(true);
    expect(mine.rows).toHaveLength(1);
    expect(mine.rows[0]).toMatchObject({ isMe: true, rank: null });
    expect((await getLeaderboard(t.db, prices, host.viewer, c.id)).rows).toHaveLength(2);
    await endCompetitionEarly(t.db, prices, host.viewer, c.id);
    const after = await getLeaderboard(t.db, prices, a.viewer, c.id);
    expect(after.hidden).toBe(false);
    expect(after.rows).toHaveLength(2);
  });
});

describe('after a liquidation', () => {
  /** A student 10x long 0.1 BTC (cross) in a competition with S = 1,000, then BTC at 40,000. */
  async function liquidated(over: Partial<CompetitionSettings>) {
    const host = await viewer();
    const c = await createCompetition(
      t.db,
      host.viewer,
      settings({ startingBalance: '1000', ...over }),
      { publish: true },
    );
    const prices = quote(new StaticPrices(), 'main', 'BTCUSDT', '50000');
    const s = await viewer();
    const { accountId } = await joinCompetition(t.db, s.viewer, c.code);
    await setLeverage(t.db, prices, userActor(s.user.id), accountId, {
      symbol: 'BTCUSDT',
      leverage: 10,
    });
    await placeOrder(t.db, prices, userActor(s.user.id), accountId, {
      symbol: 'BTCUSDT',
      side: 'buy',
      type: 'market',
      quantity: '0.1',
    });
    await tick(prices, accountId, 'main', 'BTCUSDT', '40000'); // a 9,800 move wipes 1,000 of margin
    expect(await t.db.liquidation.count({ where: { accountId } })).toBe(1);
    return { host, c, prices, s, accountId };
  }

  it('reset with a penalty: each reset withholds 10% of the starting balance more; the refill is no gain', async () => {
    const { c, prices, s, accountId } = await liquidated({
      afterLiquidation: 'RESET_WITH_PENALTY',
      resetPenalty: '0.1',
    });
    expect(await applyLiquidationRule(t.db, prices, c.id)).toEqual({ out: 0, reset: 1 });
    expect(await applyLiquidationRule(t.db, prices, c.id)).toEqual({ out: 0, reset: 0 }); // handled once
    let p = await t.db.competitionParticipant.findUniqueOrThrow({ where: { accountId } });
    const account = await t.db.paperAccount.findUniqueOrThrow({ where: { id: accountId } });
    expect(account.walletBalance.toFixed()).toBe('900'); // 1,000 - 10%
    expect(p).toMatchObject({ status: 'ACTIVE', resets: 1 });
    expect(p.penaltyWithheld.toFixed()).toBe('100');
    // the flow is what the reset put in: 900 - what the liquidation left (0 here)
    expect(p.resetFlows.toFixed()).toBe('900');

    // again: 20% withheld, restarts at 800
    quote(prices, 'main', 'BTCUSDT', '50000');
    await placeOrder(t.db, prices, userActor(s.user.id), accountId, {
      symbol: 'BTCUSDT',
      side: 'buy',
      type: 'market',
      quantity: '0.1',
    });
    await tick(prices, accountId, 'main', 'BTCUSDT', '40000');
    await applyLiquidationRule(t.db, prices, c.id);
    p = await t.db.competitionParticipant.findUniqueOrThrow({ where: { accountId } });
    expect(p.penaltyWithheld.toFixed()).toBe('200');
    expect(
      (
        await t.db.paperAccount.findUniqueOrThrow({ where: { id: accountId } })
      ).walletBalance.toFixed(),
    ).toBe('800');

    // standings: return (800 - 1,000) / 1,000 = -20%; the adjusted equity never rose with a refill
    await takeSnapshots(t.db, prices, c.id, Date.now() + 60_000);
    const row = (await computeBoard(t.db, prices, c.id)).rows[0]!;
    expect(row).toMatchObject({ return: '-0.2', liquidations: 2, resets: 2 });
    // adjusted equity at the last snapshot: 800 - (900 + 800) = -900 -> (1,000 + 900) / 1,000
    expect(row.maxDrawdown).toBe('1.9');
    await expectConsistent(t.db, accountId);
  });

  it('out: the account is closed and can no longer trade', async () => {
    const { host, c, prices, s, accountId } = await liquidated({ afterLiquidation: 'OUT' });
    expect(await applyLiquidationRule(t.db, prices, c.id)).toEqual({ out: 1, reset: 0 });
    const p = await t.db.competitionParticipant.findUniqueOrThrow({ where: { accountId } });
    expect(p.status).toBe('OUT');
    const refused = await refusal(
      placeOrder(t.db, prices, userActor(s.user.id), accountId, {
        symbol: 'BTCUSDT',
        side: 'buy',
        type: 'market',
        quantity: '0.01',
      }),
    );
    expect(refused.reason).toBe('COMPETITION_PARTICIPANT_OUT');
    // a host's reset brings them back at the full starting balance
    await hostResetParticipant(t.db, prices, host.viewer, c.id, p.id);
    const back = await t.db.competitionParticipant.findUniqueOrThrow({ where: { accountId } });
    expect(back).toMatchObject({ status: 'ACTIVE', resets: 1 });
    expect(back.penaltyWithheld.toFixed()).toBe('0');
    expect(
      (
        await t.db.paperAccount.findUniqueOrThrow({ where: { id: accountId } })
      ).walletBalance.toFixed(),
    ).toBe('1000');
    await expectConsistent(t.db, accountId);
  });
});

describe('resets and removal', () => {
  it('a student resets only when the rules allow it, never through the plain account reset', async () => {
    const host = await viewer();
    const prices = quote(new StaticPrices(), 'main', 'BTCUSDT', '50000');
    const closed = await createCompetition(t.db, host.viewer, settings(), { publish: true });
    const open = await createCompetition(
      t.db,
      host.viewer,
      settings({ allowResets: true, resetPenalty: '0.05' }),
      { publish: true },
    );
    const s = await viewer();
    const a = await joinCompetition(t.db, s.viewer, closed.code);
    const b = await joinCompetition(t.db, s.viewer, open.code);
    expect((await refusal(resetMyAccount(t.db, prices, s.viewer, closed.id))).reason).toBe(
      'COMPETITION_NO_RESETS',
    );
    // the accounts' own reset would bypass the competition's rules: refused
    expect((await refusal(resetAccount(t.db, prices, s.user.id, a.accountId))).reason).toBe(
      'COMPETITION_RESET_ONLY',
    );
    expect(await resetMyAccount(t.db, prices, s.viewer, open.id)).toEqual({ status: 'ACTIVE' });
    // S = 10,000, 5% withheld: restarts at 9,500, a flow of -500 (out of the account)
    expect(
      (
        await t.db.paperAccount.findUniqueOrThrow({ where: { id: b.accountId } })
      ).walletBalance.toFixed(),
    ).toBe('9500');
    const p = await t.db.competitionParticipant.findUniqueOrThrow({
      where: { accountId: b.accountId },
    });
    expect(p.resetFlows.toFixed()).toBe('-500');
    await expectConsistent(t.db, b.accountId);
  });

  it('a removed participant is closed out, cannot trade, and leaves the leaderboard', async () => {
    const host = await viewer();
    const prices = quote(new StaticPrices(), 'main', 'BTCUSDT', '50000');
    const c = await createCompetition(t.db, host.viewer, settings(), { publish: true });
    const s = await viewer();
    const { accountId } = await joinCompetition(t.db, s.viewer, c.code);
    await placeOrder(t.db, prices, userActor(s.user.id), accountId, {
      symbol: 'BTCUSDT',
      side: 'buy',
      type: 'limit',
      quantity: '0.01',
      price: '45000',
    });
    const p = await t.db.competitionParticipant.findUniqueOrThrow({ where: { accountId } });
    await removeParticipant(t.db, prices, host.viewer, c.id, p.id);
    expect(await t.db.order.count({ where: { accountId, status: 'new' } })).toBe(0);
    const refused = await refusal(
      placeOrder(t.db, prices, userActor(s.user.id), accountId, {
        symbol: 'BTCUSDT',
        side: 'buy',
        type: 'market',
        quantity: '0.01',
      }),
    );
    expect(refused.reason).toBe('COMPETITION_PARTICIPANT_OUT');
    expect((await getLeaderboard(t.db, prices, host.viewer, c.id)).rows).toHaveLength(0);
    expect((await refusal(joinCompetition(t.db, s.viewer, c.code))).reason).toBe(
      'COMPETITION_REMOVED',
    );
    await expectConsistent(t.db, accountId);
  });
});

describe('changing the caps while running', () => {
  it('records every change in the audit trail and tells the class', async () => {
    const host = await viewer();
    const prices = quote(new StaticPrices(), 'main', 'BTCUSDT', '50000');
    const c = await createCompetition(
      t.db,
      host.viewer,
      settings({ symbols: ['BTCUSDT', 'ETHUSDT'] }),
      { publish: true },
    );
    const s = await viewer();
    const { accountId } = await joinCompetition(t.db, s.viewer, c.code);
    const r = await changeRules(t.db, host.viewer, c.id, {
      maxLeverage: 5,
      symbols: ['BTCUSDT'],
      marginModes: 'BOTH',
    });
    expect(r.changed).toEqual(['maxLeverage', 'symbols']);
    const audit = await t.db.competitionChange.findMany({
      where: { competitionId: c.id },
      orderBy: { id: 'asc' },
    });
    expect(audit.slice(-2).map((a) => [a.field, a.before, a.after])).toEqual([
      ['maxLeverage', 10, 5],
      ['symbols', ['BTCUSDT', 'ETHUSDT'], ['BTCUSDT']],
    ]);
    const [notice] = await listAnnouncements(t.db, s.viewer, c.id, { limit: 5 });
    expect(notice).toMatchObject({ kind: 'RULE_CHANGE' });
    expect(notice!.text).toBe(
      'The hosts changed the rules: maximum leverage 10× → 5×; markets BTCUSDT, ETHUSDT → BTCUSDT. Positions already open stay; adding to them follows the new rules.',
    );
    // the new cap holds at once
    const refused = await refusal(
      setLeverage(t.db, prices, userActor(s.user.id), accountId, {
        symbol: 'BTCUSDT',
        leverage: 6,
      }),
    );
    expect(refused.reason).toBe('COMPETITION_LEVERAGE_CAP');
    // a participant may not change the rules
    expect((await refusal(changeRules(t.db, s.viewer, c.id, { maxLeverage: 20 }))).code).toBe(
      'FORBIDDEN',
    );
  });
});

describe('switching a running class to one margin mode', () => {
  it('switches every participant market that holds nothing; a market with a position keeps its mode and only reduces', async () => {
    const host = await viewer();
    let prices = quote(new StaticPrices(), 'main', 'BTCUSDT', '50000');
    prices = quote(prices, 'main', 'ETHUSDT', '3000');
    const c = await createCompetition(
      t.db,
      host.viewer,
      settings({ symbols: ['BTCUSDT', 'ETHUSDT'] }),
      { publish: true },
    );
    const holder = await viewer();
    const idle = await viewer();
    const held = (await joinCompetition(t.db, holder.viewer, c.code)).accountId;
    const free = (await joinCompetition(t.db, idle.viewer, c.code)).accountId;
    const buy = (user: string, accountId: string, symbol: string, quantity: string) =>
      placeOrder(t.db, prices, userActor(user), accountId, {
        symbol,
        side: 'buy',
        type: 'market',
        quantity,
      });
    await buy(holder.user.id, held, 'BTCUSDT', '0.01');
    const modes = async (accountId: string) => {
      const { engine } = (await loadAccountStates(t.db, [accountId])).get(accountId)!;
      return ['BTCUSDT', 'ETHUSDT'].map((s) => settingsOf(engine, s).marginMode);
    };
    expect(await modes(held)).toEqual(['cross', 'cross']);

    await changeRules(t.db, host.viewer, c.id, { marginModes: 'ISOLATED_ONLY' });
    expect(await modes(free)).toEqual(['isolated', 'isolated']);
    expect(await modes(held)).toEqual(['cross', 'isolated']);
    const [notice] = await listAnnouncements(t.db, idle.viewer, c.id, { limit: 5 });
    expect(notice!.text).toBe(
      'The hosts changed the rules: margin modes cross and isolated → isolated only; markets without a position or an open order are now isolated. Positions already open stay; adding to them follows the new rules.',
    );
    // the student who held nothing trades at once, isolated
    const placed = await buy(idle.user.id, free, 'BTCUSDT', '0.01');
    expect(placed.order.status).toBe('filled');
    expect(await modes(free)).toEqual(['isolated', 'isolated']);
    // the cross position may only shrink; the other market trades isolated
    expect((await refusal(buy(holder.user.id, held, 'BTCUSDT', '0.01'))).reason).toBe(
      'COMPETITION_MARGIN_MODE',
    );
    await placeOrder(t.db, prices, userActor(holder.user.id), held, {
      symbol: 'BTCUSDT',
      side: 'sell',
      type: 'market',
      quantity: '0.01',
      reduceOnly: true,
    });
    await buy(holder.user.id, held, 'ETHUSDT', '0.1');
    for (const id of [held, free]) await expectConsistent(t.db, id);
    // back to both modes: nothing is switched
    await changeRules(t.db, host.viewer, c.id, { marginModes: 'BOTH' });
    expect(await modes(held)).toEqual(['cross', 'isolated']);
  });
});

describe('the end', () => {
  it('ending early freezes the standings: everything closed at the mark, a final snapshot, nothing trades after', async () => {
    const host = await viewer();
    const prices = quote(new StaticPrices(), 'main', 'BTCUSDT', '50000');
    const c = await createCompetition(t.db, host.viewer, settings(), { publish: true });
    const s = await viewer();
    const { accountId } = await joinCompetition(t.db, s.viewer, c.code);
    const me = userActor(s.user.id);
    await placeOrder(t.db, prices, me, accountId, {
      symbol: 'BTCUSDT',
      side: 'buy',
      type: 'market',
      quantity: '0.1',
    });
    await placeOrder(t.db, prices, me, accountId, {
      symbol: 'BTCUSDT',
      side: 'buy',
      type: 'limit',
      quantity: '0.01',
      price: '40000',
    });
    quote(prices, 'main', 'BTCUSDT', '51000');
    const { endedAt } = await endCompetitionEarly(t.db, prices, host.viewer, c.id);
    expect(await t.db.position.count({ where: { accountId } })).toBe(0);
    expect(await t.db.order.count({ where: { accountId, status: 'new' } })).toBe(0);
    const final = await t.db.equitySnapshot.findUniqueOrThrow({
      where: { accountId_at: { accountId, at: new Date(endedAt) } },
    });
    expect(final.equity.toFixed()).toBe('10100'); // closed at the mark 51,000, no fee
    const view = await getCompetition(t.db, s.viewer, c.id);
    expect(view.state).toBe('FINISHED');
    expect(view.finalizedAt).not.toBeNull();
    const refused = await refusal(
      placeOrder(t.db, prices, me, accountId, {
        symbol: 'BTCUSDT',
        side: 'buy',
        type: 'market',
        quantity: '0.01',
      }),
    );
    expect(refused.reason).toBe('COMPETITION_NOT_RUNNING');
    // freezing again changes nothing
    expect(await freezeCompetition(t.db, prices, c.id)).toBe(false);
    quote(prices, 'main', 'BTCUSDT', '60000'); // the market moves on; the standings do not
    const row = (await getLeaderboard(t.db, prices, s.viewer, c.id)).rows[0]!;
    expect(row).toMatchObject({ equity: '10100', return: '0.01', rank: 1 });
    await expectConsistent(t.db, accountId);

    // the exports list every trade and the equity curve
    const trades = await exportTrades(t.db, host.viewer, c.id);
    const fills = await t.db.fill.count({ where: { accountId } });
    expect(fills).toBe(2); // the buy and the close at the end
    expect(trades.rows).toBe(fills);
    // (columns may be added after these)
    expect(trades.csv.split('\r\n')[0]).toMatch(
      /^time,fill_id,name,email,symbol,side,quantity,price,mark_price,liquidity,fee,realized_pnl,liquidation,order_id(,|$)/,
    );
    expect(trades.csv).toContain(',BTCUSDT,sell,0.1,51000,51000,');
    const curve = await exportMyEquity(t.db, s.viewer, c.id);
    expect(curve.csv.trim().split('\r\n').at(-1)).toBe(
      `${new Date(endedAt).toISOString()},10100,10100,0.01`,
    );
    expect((await refusal(exportTrades(t.db, s.viewer, c.id))).code).toBe('FORBIDDEN');
  });

  it('an order at endsAt + 1 ms is refused even before anything moved the stored state', async () => {
    const host = await viewer();
    const prices = quote(new StaticPrices(), 'main', 'BTCUSDT', '50000');
    const c = await createCompetition(t.db, host.viewer, settings(), { publish: true });
    const s = await viewer();
    const { accountId } = await joinCompetition(t.db, s.viewer, c.code);
    // the window closes (stored state still SCHEDULED: no worker ran)
    await t.db.competition.update({
      where: { id: c.id },
      data: { endsAt: new Date(Date.now() - 1) },
    });
    const refused = await refusal(
      placeOrder(t.db, prices, userActor(s.user.id), accountId, {
        symbol: 'BTCUSDT',
        side: 'buy',
        type: 'market',
        quantity: '0.01',
      }),
    );
    expect(refused.reason).toBe('COMPETITION_NOT_RUNNING');
    expect((await getCompetition(t.db, s.viewer, c.id)).state).toBe('FINISHED');
  });
});
