// The class report on PostgreSQL, from a scripted class on the real services: two students place
// the same orders along the same prices, one in cross margin and one in isolated; each one's
// counterfactual under the other mode must be the other's stored account, figure for figure.
// Also the distributions, the benchmark from the venue's candles, the rules most broken and the
// CSV. The clock is the test's (Date only): every event has a known time, and the prices between
// the fills follow the candles stored for the venue exactly as the counterfactual reads them.
import { MAIN_VENUE } from '@lab/contracts';
import type { Prisma } from '@lab/db';
import { candlePath, Decimal, onPrices, type Candle, type PricePoint } from '@lab/margin-engine';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { freezeCompetition } from '../src/competitions/lifecycle.ts';
import { placeOrder, setLeverage, setMarginMode } from '../src/trading/orders.ts';
import { marketOf, type PriceQuote } from '../src/trading/prices.ts';
import { runOnAccount } from '../src/trading/run.ts';
import { exportClassReport } from '../src/teaching/exports.ts';
import { counterfactualSentence, distribution, getClassReport } from '../src/teaching/report.ts';
import { expectConsistent, useTestDb } from './helpers.ts';
import { classroom } from './teaching-fixture.ts';
import { testPrices, worker } from './trading-helpers.ts';

const t = useTestDb();
const MIN = 60_000;
const T0 = Date.UTC(2026, 5, 1, 10, 0);

beforeAll(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(T0 - 5 * MIN);
});
afterAll(() => vi.useRealTimers());

/** Minute candles from T0 - 1 min: [open, high, low, close] each. */
function candles(rows: Array<[string, string, string, string]>): Candle[] {
  return rows.map(([open, high, low, close], i) => ({
    openTime: T0 + (i - 1) * MIN,
    open,
    high,
    low,
    close,
  }));
}

// BTC falls from 50,000 through 47,000 and comes back to 49,000; ETH stays at 3,000.
const BTC = candles([
  ['50000', '50000', '50000', '50000'],
  ['50000', '50000', '50000', '50000'],
  ['50000', '50000', '48500', '48600'],
  ['48600', '48700', '47000', '47200'],
  ['47200', '48800', '47100', '48700'],
  ['48700', '49100', '48600', '49000'],
]);
const ETH = candles(Array.from({ length: 6 }, () => ['3000', '3000', '3000', '3000']));

describe('the class report', () => {
  it('each student’s counterfactual under the other mode is the other student’s account, figure for figure', async () => {
    const prices = testPrices();
    const room = await classroom(t.db, {
      students: ['Cross', 'Isolated'],
      rules: [{ kind: 'NO_LIQUIDATION', params: {} }],
      benchmarkSymbol: 'BTCUSDT',
      settings: { startsAt: T0 - 4 * MIN, endsAt: T0 + 30 * MIN, takerFeeRate: '0.0005' },
    });
    const [cross, iso] = room.students;
    // the venue's candles, stored as the worker stores them (for its instruments)
    await t.db.instrument.createMany({
      data: ['BTCUSDT', 'ETHUSDT'].map((symbol) => ({
        symbol,
        baseAsset: symbol.replace('USDT', ''),
        quoteAsset: 'USDT',
        spec: {},
      })),
      skipDuplicates: true,
    });
    await t.db.candle.createMany({
      data: [
        ...BTC.map((c) => ({ ...c, symbol: 'BTCUSDT' })),
        ...ETH.map((c) => ({ ...c, symbol: 'ETHUSDT' })),
      ].map((c) => ({
        venueId: MAIN_VENUE,
        symbol: c.symbol,
        interval: '1m',
        openTime: new Date(c.openTime),
        open: c.open,
        high: c.high,
        low: c.low,
        close: c.close,
        volume: '0',
        trades: 0,
      })),
    });
    vi.setSystemTime(T0 - 3 * MIN); // running
    for (const [s, mode] of [
      [cross!, 'cross'],
      [iso!, 'isolated'],
    ] as const) {
      for (const [symbol, leverage] of [
        ['BTCUSDT', 20],
        ['ETHUSDT', 10],
      ] as const) {
        await setMarginMode(t.db, prices, s.actor, s.accountId, { symbol, marginMode: mode });
        await setLeverage(t.db, prices, s.actor, s.accountId, { symbol, leverage });
      }
    }
    // the same orders: 1 BTC at 50,000 (20x), 5 ETH at 3,000 (10x)
    vi.setSystemTime(T0 + 5_000);
    for (const s of [cross!, iso!])
      await placeOrder(t.db, prices, s.actor, s.accountId, {
        symbol: 'BTCUSDT',
        side: 'buy',
        type: 'market',
        quantity: '1',
      });
    vi.setSystemTime(T0 + 10_000);
    for (const s of [cross!, iso!])
      await placeOrder(t.db, prices, s.actor, s.accountId, {
        symbol: 'ETHUSDT',
        side: 'buy',
        type: 'market',
        quantity: '5',
      });
    // the prices between, as the worker applies them, at the very points the candles give
    const path = candlePath({ BTCUSDT: BTC, ETHUSDT: ETH }, MIN, T0 + 5_000, T0 + 6 * MIN, [
      'BTCUSDT',
      'ETHUSDT',
    ]);
    const after = path.points.filter((p) => p.time > T0 + 10_000);
    for (const p of after) {
      vi.setSystemTime(p.time);
      for (const s of [cross!, iso!]) await tickAt(s.accountId, p);
      const q = { markPrice: p.markPrice.toFixed(), lastPrice: p.lastPrice.toFixed() };
      currentQuotes.set(p.symbol, q);
      prices.set(p.symbol, q);
    }
    // the record: isolated lost its BTC margin at 47,000, cross carried it
    expect(await t.db.liquidation.count({ where: { accountId: iso!.accountId } })).toBe(1);
    expect(await t.db.liquidation.count({ where: { accountId: cross!.accountId } })).toBe(0);

    // the end: frozen at the last marks (BTC 49,000, ETH 3,000)
    const end = T0 + 6 * MIN;
    vi.setSystemTime(end);
    await room.end(end);
    expect(await freezeCompetition(t.db, prices, room.competitionId, { now: end })).toBe(true);
    for (const s of [cross!, iso!]) await expectConsistent(t.db, s.accountId);

    const report = await getClassReport(t.db, prices, room.host.viewer, room.competitionId);
    const byName = new Map(report.students.map((s) => [s.displayName, s]));
    const c = byName.get('Cross')!;
    const i = byName.get('Isolated')!;
    expect(c.counterfactual).toMatchObject({ usedMode: 'cross', mode: 'isolated' });
    expect(i.counterfactual).toMatchObject({ usedMode: 'isolated', mode: 'cross' });
    // figure for figure: the counterfactual of one is the other's stored account
    expect(outcomeFigures(c.counterfactual!.other)).toEqual(await storedFigures(iso!.accountId));
    expect(outcomeFigures(i.counterfactual!.other)).toEqual(await storedFigures(cross!.accountId));
    // and replayed as traded, each reproduces its own record
    expect(outcomeFigures(c.counterfactual!.asTraded)).toEqual(
      await storedFigures(cross!.accountId),
    );
    expect(outcomeFigures(i.counterfactual!.asTraded)).toEqual(await storedFigures(iso!.accountId));
    // the cross student lost 1,000 on BTC (plus fees); isolated would have lost the 2,500 margin
    // and the liquidation fee: the sentence says how much worse
    const diff = new Decimal(c.counterfactual!.difference);
    expect(diff.lt(0)).toBe(true);
    expect(diff.toFixed()).toBe(new Decimal(i.equity).minus(c.equity).toFixed());
    expect(c.counterfactual!.sentence).toBe(
      counterfactualSentence(
        'isolated',
        new Decimal(c.counterfactual!.startEquity),
        new Decimal(c.equity),
        diff,
      ),
    );
    expect(c.counterfactual!.sentence).toMatch(
      /^In isolated margin you would have lost [\d,.]+ USDT more than the [\d,.]+ you lost\.$/,
    );
    expect(i.counterfactual!.sentence).toMatch(
      /^In cross margin you would have kept [\d,.]+ USDT of the [\d,.]+ you lost\.$/,
    );

    // the class: rules most broken, benchmark, distributions
    expect(report.mostBroken).toEqual([
      { kind: 'NO_LIQUIDATION', title: 'No liquidation', violations: 1, students: 1 },
    ]);
    expect(i.rulesBroken).toEqual(['NO_LIQUIDATION']);
    // buy-and-hold BTC over the window: the first minute candle from the start opens at 50,000
    // (the one from T0 - 1 min), the last close before the end is 49,000: -2%
    expect(report.benchmark).toMatchObject({
      startPrice: '50000',
      endPrice: '49000',
      return: '-0.02',
    });
    expect(c.benchmark).toBe('-0.02');
    expect(c.excess).toBe(new Decimal(c.return).plus('0.02').toFixed());
    expect(c.maxLeverage).toBe(20);
    expect(report.distributions.liquidations).toMatchObject({ count: 2, min: '0', max: '1' });
    expect(report.distributions.return.count).toBe(2);
    expect(report.counterfactuals).toEqual({ computed: 2, better: 1, worse: 1 });

    // stored once: read again, the same report
    const again = await getClassReport(t.db, prices, room.host.viewer, room.competitionId);
    expect(again.computedAt).toBe(report.computedAt);
    const csv = await exportClassReport(t.db, prices, room.host.viewer, room.competitionId);
    expect(csv.rows).toBe(2);
    const header = csv.csv.split('\r\n')[0]!.split(',');
    const line = csv.csv.split('\r\n').find((l) => l.includes(',Cross,'))!;
    expect(header).toContain('counterfactual_end_equity');
    expect(line).toContain(c.counterfactual!.other.equityEnd);
  });

  it('is for after the end, and for the hosts', async () => {
    const room = await classroom(t.db, { students: ['Early'] });
    await expect(
      getClassReport(t.db, testPrices(), room.host.viewer, room.competitionId),
    ).rejects.toMatchObject({ code: 'PRECONDITION', reason: 'COMPETITION_NOT_FINAL' });
    await expect(
      getClassReport(t.db, testPrices(), room.students[0]!.viewer, room.competitionId),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});

/** The marks the worker has seen so far. */
const currentQuotes = new Map<string, { markPrice: string; lastPrice: string }>([
  ['BTCUSDT', { markPrice: '50000', lastPrice: '50000' }],
  ['ETHUSDT', { markPrice: '3000', lastPrice: '3000' }],
]);

/** A price tick on the account at the point's time, as the worker applies it. */
async function tickAt(accountId: string, p: PricePoint) {
  await runOnAccount(t.db, worker, accountId, (loaded) => {
    const r = onPrices(
      loaded.engine,
      marketOf(
        new Map<string, PriceQuote>(
          [...currentQuotes].map(([s, q]) => [s, { ...q, status: 'live', time: p.time }]),
        ),
        loaded.catalogue,
      ),
      { [p.symbol]: { markPrice: p.markPrice, lastPrice: p.lastPrice } },
      p.time,
    );
    return { result: r, context: { market: r.market }, value: null };
  });
}

const outcomeFigures = (o: {
  walletEnd: string;
  equityEnd: string;
  realizedPnl: string;
  fees: string;
  liquidations: Array<{ time: number; symbols: string[]; fee: string }>;
  openAtEnd: unknown[];
}) => ({
  wallet: new Decimal(o.walletEnd).toFixed(),
  equity: new Decimal(o.equityEnd).toFixed(),
  realizedPnl: new Decimal(o.realizedPnl).toFixed(),
  fees: new Decimal(o.fees).toFixed(),
  liquidations: o.liquidations.map((l) => ({
    time: l.time,
    symbols: l.symbols,
    fee: new Decimal(l.fee).toFixed(),
  })),
  open: o.openAtEnd.length,
});

/** The same figures of the stored account (after the freeze: nothing open, equity = wallet). */
async function storedFigures(accountId: string) {
  const a = await t.db.paperAccount.findUniqueOrThrow({ where: { id: accountId } });
  const fills = await t.db.fill.findMany({ where: { accountId } });
  const liqs = await t.db.liquidation.findMany({ where: { accountId }, orderBy: { id: 'asc' } });
  const sum = (xs: Prisma.Decimal[]) => xs.reduce((s, x) => s.plus(x.toFixed()), new Decimal(0));
  const open = await t.db.position.count({ where: { accountId } });
  return {
    wallet: new Decimal(a.walletBalance.toFixed()).toFixed(),
    equity: new Decimal(a.walletBalance.toFixed()).toFixed(),
    realizedPnl: sum(fills.map((f) => f.realizedPnl)).toFixed(),
    fees: sum(fills.map((f) => f.fee)).toFixed(),
    liquidations: liqs.map((l) => ({
      time: l.time.getTime(),
      symbols: (l.positionsClosed as Array<{ symbol: string }>).map((p) => p.symbol),
      fee: new Decimal(l.fee.toFixed()).toFixed(),
    })),
    open,
  };
}

describe('pieces of the report', () => {
  it('distribution: quartiles by interpolation, a histogram of equal bins', () => {
    const d = distribution(
      ['-0.5', '-0.1', '0', '0.2', '0.4'].map((x) => new Decimal(x)),
      3,
    );
    // sorted -0.5, -0.1, 0, 0.2, 0.4: p25 at position 1 = -0.1, median 0, p75 at 3 = 0.2
    expect(d).toMatchObject({
      count: 5,
      min: '-0.5',
      p25: '-0.1',
      median: '0',
      p75: '0.2',
      max: '0.4',
      mean: '0',
    });
    // bins of 0.3 from -0.5: [-0.5,-0.2) 1, [-0.2,0.1) 2, [0.1,0.4] 2
    expect(d.histogram.map((h) => h.count)).toEqual([1, 2, 2]);
    expect(distribution([]).count).toBe(0);
  });

  it('the counterfactual sentence', () => {
    const s = (start: string, end: string, diff: string) =>
      counterfactualSentence('isolated', new Decimal(start), new Decimal(end), new Decimal(diff));
    expect(s('10000', '0', '6210')).toBe(
      'In isolated margin you would have kept 6,210 USDT of the 10,000 you lost.',
    );
    expect(s('10000', '8000', '2500')).toBe(
      'In isolated margin you would have ended 500 USDT up instead of losing 2,000.',
    );
    expect(s('10000', '9000', '-250.5')).toBe(
      'In isolated margin you would have lost 250.5 USDT more than the 1,000 you lost.',
    );
    expect(s('10000', '11000', '300')).toBe(
      'In isolated margin you would have made 300 USDT more than the 1,000 you made.',
    );
    expect(s('10000', '11000', '-1500')).toBe(
      'In isolated margin you would have lost 500 USDT instead of making 1,000.',
    );
    expect(s('10000', '11000', '0')).toBe(
      'In isolated margin the same orders would have ended exactly the same.',
    );
  });
});
