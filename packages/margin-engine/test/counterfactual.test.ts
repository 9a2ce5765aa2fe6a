// The counterfactual replay (src/counterfactual.ts): an account's own fills replayed under the
// other margin mode along the same prices must be exactly what the engine does when the same
// orders are traded in that mode from the start.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CATALOGUE,
  Decimal,
  ENGINE_EVENT_TYPES,
  candlePath,
  engineEvents,
  eventToJson,
  isEngineEventType,
  onPrices,
  openAccount,
  placeOrder,
  replayUnder,
  roundToTick,
  setLeverage,
  setMarginMode,
  summarize,
  tradingWindow,
  type Account,
  type Catalogue,
  type EngineEvent,
  type Instrument,
  type MarginMode,
  type Market,
  type Outcome,
  type PricePoint,
  type StoredEvent,
} from '../src/index.ts';

const T0 = Date.UTC(2026, 2, 2, 9, 0);
const SEC = 1000;
const MIN = 60_000;

const strip = (i: Instrument): Instrument => {
  const { book: _b, ...flat } = i;
  void _b;
  return flat;
};
/** The catalogue with no fees: the worked examples' arithmetic stays short. */
const FREE: Catalogue = Object.fromEntries(
  Object.entries(CATALOGUE).map(([s, i]) => [
    s,
    { ...strip(i), makerFeeRate: new Decimal(0), takerFeeRate: new Decimal(0) },
  ]),
);

type Sym = 'BTCUSDT' | 'ETHUSDT';
type ScriptStep = { at?: number } & (
  | { k: 'order'; sym: Sym; side: 'buy' | 'sell'; qty: string; reduceOnly?: boolean }
  | { k: 'tick'; sym: Sym; price: string }
);

interface Traded {
  account: Account;
  market: Market;
  events: EngineEvent[];
  /** Orders the engine accepted, in the order placed. */
  accepted: ScriptStep[];
  refused: string[];
  path: PricePoint[];
  /** Mark at each fill (by its index in `events`). */
  fillMarks: Map<number, Decimal>;
  end: number;
}

const START_MARKS: Record<Sym, string> = { BTCUSDT: '50000', ETHUSDT: '3000' };

/**
 * Trades the script directly with the engine: the account opened with `wallet`, each symbol set to
 * its mode and leverage first, then every step a second apart (orders at the current marks,
 * ticks through onPrices, as the worker applies them).
 */
function trade(
  steps: readonly ScriptStep[],
  modes: Record<Sym, MarginMode>,
  leverage: Record<Sym, number>,
  instruments: Catalogue,
  wallet = '10000',
): Traded {
  const events: EngineEvent[] = [];
  const marks = Object.fromEntries(
    Object.entries(START_MARKS).map(([s, p]) => [s, new Decimal(p)]),
  );
  let market: Market = { instruments, marks, lastPrices: marks };
  const opened = openAccount('acc', new Decimal(wallet), T0);
  let account = opened.account;
  events.push(...opened.events);
  for (const s of ['BTCUSDT', 'ETHUSDT'] as const) {
    const m = setMarginMode(account, market, s, modes[s], T0);
    const l = setLeverage(m.account, market, s, leverage[s], T0);
    account = l.account;
    events.push(...m.events, ...l.events);
  }
  const accepted: ScriptStep[] = [];
  const refused: string[] = [];
  const path: PricePoint[] = [];
  const fillMarks = new Map<number, Decimal>();
  steps.forEach((st, i) => {
    const time = st.at ?? T0 + (i + 1) * SEC;
    if (st.k === 'tick') {
      const price = new Decimal(st.price);
      const r = onPrices(
        account,
        market,
        { [st.sym]: { markPrice: price, lastPrice: price } },
        time,
      );
      account = r.account;
      market = r.market;
      events.push(...r.events);
      path.push({ time, symbol: st.sym, markPrice: price, lastPrice: price });
      return;
    }
    const r = placeOrder(
      account,
      market,
      {
        symbol: st.sym,
        side: st.side,
        type: 'market',
        quantity: st.qty,
        ...(st.reduceOnly ? { reduceOnly: true } : {}),
      },
      { now: time },
    );
    if (r.rejected) {
      refused.push(r.rejected.code);
      return;
    }
    accepted.push(st);
    account = r.account;
    for (const ev of r.events) {
      if (ev.type === 'fill') fillMarks.set(events.length, market.marks[st.sym]!);
      events.push(ev);
    }
  });
  return {
    account,
    market,
    events,
    accepted,
    refused,
    path,
    fillMarks,
    end: (steps.at(-1)?.at ?? T0 + steps.length * SEC) + SEC,
  };
}

const stored = (events: readonly EngineEvent[]): StoredEvent[] =>
  events.map((ev, i) => ({ seq: i + 1, type: ev.type, payload: eventToJson(ev) }));

/** The counterfactual of the traded account's history under `mode`, along its own prices. */
function counterfactual(a: Traded, mode: MarginMode, instruments: Catalogue, marks: boolean) {
  const events = engineEvents(stored(a.events));
  const start = Object.fromEntries(
    Object.entries(START_MARKS).map(([s, p]) => [s, new Decimal(p)]),
  );
  const fillMarks = new Map([...a.fillMarks].map(([i, m]) => [i + 1, m]));
  return replayUnder(
    'acc',
    events,
    tradingWindow(events, a.end),
    mode,
    instruments,
    { start, points: a.path },
    marks ? { fillMarks } : {},
  );
}

/** What the engine's own account says, in the Outcome's terms. */
function recorded(b: Traded) {
  const sum = summarize(b.account, b.market);
  return {
    walletEnd: sum.walletBalance.toFixed(),
    equityEnd: sum.marginBalance.toFixed(),
    openAtEnd: Object.values(b.account.positions)
      .map((p) => ({ symbol: p.symbol, quantity: p.quantity.toFixed() }))
      .sort((x, y) => x.symbol.localeCompare(y.symbol)),
    liquidations: b.events.flatMap((ev, i) =>
      ev.type === 'liquidationTriggered'
        ? [
            {
              time: ev.time,
              mode: ev.mode,
              symbols: b.events
                .slice(i + 1)
                .filter((e) => e.type === 'liquidation' && e.time === ev.time)
                .map((e) => (e as { symbol: string }).symbol),
            },
          ]
        : [],
    ),
  };
}

const comparable = (o: Outcome) => ({
  walletEnd: o.walletEnd,
  equityEnd: o.equityEnd,
  openAtEnd: [...o.openAtEnd].sort((x, y) => x.symbol.localeCompare(y.symbol)),
  liquidations: o.liquidations.map((l) => ({ time: l.time, mode: l.mode, symbols: l.symbols })),
});

describe('the engine’s event types', () => {
  it('are listed once, and account events or legacy types are not among them', () => {
    expect(ENGINE_EVENT_TYPES).toContain('fill');
    expect(ENGINE_EVENT_TYPES).toContain('liquidation');
    expect(new Set(ENGINE_EVENT_TYPES).size).toBe(ENGINE_EVENT_TYPES.length);
    for (const t of ENGINE_EVENT_TYPES) expect(isEngineEventType(t)).toBe(true);
    for (const t of ['accountRenamed', 'accountReset', 'accountArchived', 'legacy:deposit', ''])
      expect(isEngineEventType(t)).toBe(false);
  });

  it('engineEvents keeps the engine’s events of a stored stream, with their seq', () => {
    const opened = openAccount('acc', new Decimal(100), T0).events;
    const rows: StoredEvent[] = [
      { seq: 1, type: 'accountOpened', payload: eventToJson(opened[0]!) },
      { seq: 2, type: 'accountRenamed', payload: { from: 'a', to: 'b' } },
      { seq: 3, type: 'legacy:deposit', payload: {} },
    ];
    const evs = engineEvents(rows);
    expect(evs.map((e) => e.seq)).toEqual([1]);
    expect(evs[0]!.ev.type).toBe('accountOpened');
  });
});

describe('a cross long replayed under isolated margin (worked example, no fees)', () => {
  // 10,000 USDT, BTC at 10x, 1 BTC bought at 50,000: initial margin 50,000 / 10 = 5,000.
  // BTC then falls to 46,000, 45,100 and 42,000.
  // Cross: the whole wallet holds it; at 42,000 the loss is 8,000, the margin balance 2,000 and
  //   the maintenance margin 42,000 x 0.4% = 168: no liquidation. Equity at the end 2,000.
  // Isolated: the position holds only its 5,000. At 45,100 its margin balance is
  //   5,000 - 4,900 = 100 and its maintenance margin 45,100 x 0.4% = 180.4: the engine liquidates
  //   at the mark; realized PnL -4,900, the fee (45,100 x 1.25% = 563.75) is charged only out of
  //   the 100 left, so 100. Wallet: 10,000 - 4,900 - 100 = 5,000, kept whatever BTC does next.
  //   "In isolated you would have kept 3,000 of the 8,000 you lost."
  const script: ScriptStep[] = [
    { k: 'order', sym: 'BTCUSDT', side: 'buy', qty: '1' },
    { k: 'tick', sym: 'BTCUSDT', price: '46000' },
    { k: 'tick', sym: 'BTCUSDT', price: '45100' },
    { k: 'tick', sym: 'BTCUSDT', price: '42000' },
  ];
  const lev = { BTCUSDT: 10, ETHUSDT: 10 };
  const cross = trade(script, { BTCUSDT: 'cross', ETHUSDT: 'cross' }, lev, FREE);

  it('the record: cross survives with 2,000 of equity', () => {
    expect(cross.refused).toEqual([]);
    expect(recorded(cross)).toMatchObject({ walletEnd: '10000', equityEnd: '2000' });
    expect(recorded(cross).liquidations).toEqual([]);
  });

  it('under isolated the engine liquidates at 45,100 and 5,000 is kept', () => {
    const o = counterfactual(cross, 'isolated', FREE, false);
    expect(o.refused).toEqual([]);
    expect(o.liquidations).toEqual([
      {
        time: T0 + 3 * SEC,
        mode: 'isolated',
        symbols: ['BTCUSDT'],
        markPrice: '45100',
        fee: '100',
      },
    ]);
    expect(o.walletEnd).toBe('5000');
    expect(o.equityEnd).toBe('5000');
    expect(o.equityStart).toBe('10000');
    expect(o.change).toBe('-5000');
    expect(o.realizedPnl).toBe('-4900');
    expect(o.fees).toBe('100');
    expect(o.openAtEnd).toEqual([]);
    // and it is what trading the same order in isolated from the start gives
    const iso = trade(script, { BTCUSDT: 'isolated', ETHUSDT: 'isolated' }, lev, FREE);
    expect(comparable(o)).toEqual(recorded(iso));
  });

  it('replayed as traded, it reproduces the record', () => {
    const o = counterfactual(cross, 'cross', FREE, false);
    expect(comparable(o)).toEqual(recorded(cross));
  });

  it('closed at the end (a competition’s end), the open long is realized at the last mark', () => {
    const events = engineEvents(stored(cross.events));
    const start = { BTCUSDT: new Decimal(50000), ETHUSDT: new Decimal(3000) };
    const o = replayUnder(
      'acc',
      events,
      tradingWindow(events, cross.end),
      'cross',
      FREE,
      { start, points: cross.path },
      { closeAtEnd: true },
    );
    // 1 BTC closed at 42,000 (no fee at the end): realized -8,000, the wallet 2,000 = the equity
    expect(o).toMatchObject({ walletEnd: '2000', equityEnd: '2000', realizedPnl: '-8000' });
    expect(o.openAtEnd).toEqual([]);
  });
});

describe('a closing order stays a close', () => {
  // Isolated 20x long of 1 BTC (margin 2,500) liquidated at 47,600 (margin balance 100 against
  // 190.4 maintenance); later the trader closes it with a reduce-only sell. Replayed under cross,
  // the position survives and the sell closes it at 48,000: wallet 10,000 - 2,000 = 8,000. The
  // recorded close is reduce-only, so replayed under isolated (where nothing is left to close) it
  // is refused and opens no short.
  const script: ScriptStep[] = [
    { k: 'order', sym: 'BTCUSDT', side: 'buy', qty: '1' },
    { k: 'tick', sym: 'BTCUSDT', price: '47600' },
    { k: 'tick', sym: 'BTCUSDT', price: '48000' },
    { k: 'order', sym: 'BTCUSDT', side: 'sell', qty: '1', reduceOnly: true },
  ];
  const lev = { BTCUSDT: 20, ETHUSDT: 20 };

  it('under cross the reduce-only sell closes the surviving long', () => {
    const cross = trade(script, { BTCUSDT: 'cross', ETHUSDT: 'cross' }, lev, FREE);
    expect(cross.refused).toEqual([]);
    const iso = counterfactual(cross, 'isolated', FREE, false);
    expect(iso.liquidations.map((l) => l.symbols)).toEqual([['BTCUSDT']]);
    expect(iso.refused).toEqual([
      { time: T0 + 4 * SEC, symbol: 'BTCUSDT', code: 'REDUCE_ONLY_WOULD_INCREASE' },
    ]);
    expect(iso.openAtEnd).toEqual([]);
    expect(iso.walletEnd).toBe('7500');
    expect(recorded(cross).walletEnd).toBe('8000');
    expect(comparable(counterfactual(cross, 'cross', FREE, false))).toEqual(recorded(cross));
  });
});

describe('a reduce-only order asks for what it asked for', () => {
  // Isolated 20x: 1 BTC long liquidated at 47,600; a new 0.5 BTC long; then a reduce-only sell of
  // 1 BTC, which the engine caps at the 0.5 held. Under cross the first long survives (1.5 BTC):
  // the same order sells 1 BTC and leaves 0.5, as trading it under cross does (not 1 BTC, which
  // replaying the recorded fill of 0.5 would leave).
  const script: ScriptStep[] = [
    { k: 'order', sym: 'BTCUSDT', side: 'buy', qty: '1' },
    { k: 'tick', sym: 'BTCUSDT', price: '47600' },
    { k: 'order', sym: 'BTCUSDT', side: 'buy', qty: '0.5' },
    { k: 'order', sym: 'BTCUSDT', side: 'sell', qty: '1', reduceOnly: true },
  ];
  const lev = { BTCUSDT: 20, ETHUSDT: 20 };

  it('capped at the record, replayed uncapped', () => {
    const iso = trade(script, { BTCUSDT: 'isolated', ETHUSDT: 'isolated' }, lev, FREE);
    expect(iso.refused).toEqual([]);
    expect(recorded(iso).openAtEnd).toEqual([]);
    const cross = trade(script, { BTCUSDT: 'cross', ETHUSDT: 'cross' }, lev, FREE);
    expect(recorded(cross).openAtEnd).toEqual([{ symbol: 'BTCUSDT', quantity: '0.5' }]);
    expect(comparable(counterfactual(iso, 'cross', FREE, false))).toEqual(recorded(cross));
  });
});

describe('candlePath', () => {
  it('starts at the close before `from`, then each candle’s extremes and close', () => {
    const candles = {
      BTCUSDT: [
        { openTime: T0 - MIN, open: '100', high: '110', low: '90', close: '105' },
        { openTime: T0, open: '105', high: '106', low: '95', close: '96' },
      ],
    };
    const p = candlePath(candles, MIN, T0 + 10 * SEC, T0 + 2 * MIN);
    expect(p.start.BTCUSDT?.toFixed()).toBe('105');
    // a falling candle meets its high first
    expect(p.points.map((x) => [x.time - T0, x.markPrice.toFixed()])).toEqual([
      [15_000, '106'],
      [30_000, '95'],
      [45_000, '96'],
    ]);
    // the candle still open at `to` (40 s into it) is spread over those 40 s
    const open = candlePath(candles, MIN, T0 + 10 * SEC, T0 + 40 * SEC);
    expect(open.points.map((x) => [x.time - T0, x.markPrice.toFixed()])).toEqual([
      [10_000, '106'],
      [20_000, '95'],
      [30_000, '96'],
    ]);
  });
});

// --- properties ---

const symArb = fc.constantFrom<Sym>('BTCUSDT', 'ETHUSDT');
const stepArb: fc.Arbitrary<ScriptStep> = fc.oneof(
  fc
    .record({
      k: fc.constant('order' as const),
      sym: symArb,
      side: fc.constantFrom<'buy' | 'sell'>('buy', 'sell'),
      // BTC 0.01..0.4, ETH 0.1..4 (lots of 0.001)
      lots: fc.integer({ min: 10, max: 400 }),
      reduceOnly: fc.boolean(),
    })
    .map(({ sym, lots, ...r }) => ({
      ...r,
      sym,
      qty: new Decimal(lots).times(sym === 'BTCUSDT' ? '0.001' : '0.01').toFixed(),
    })),
  fc
    .record({
      k: fc.constant('tick' as const),
      sym: symArb,
      // -8% .. +8% from the symbol's start mark
      move: fc.integer({ min: -800, max: 800 }),
    })
    .map(({ sym, move }) => ({
      k: 'tick' as const,
      sym,
      price: roundToTick(
        CATALOGUE[sym]!,
        new Decimal(START_MARKS[sym]).times(new Decimal(10000 + move).div(10000)),
      ).toFixed(),
    })),
);
const modeArb = fc.constantFrom<MarginMode>('cross', 'isolated');
const historyArb = fc.record({
  steps: fc.array(stepArb, { minLength: 1, maxLength: 30 }),
  modes: fc.record({ BTCUSDT: modeArb, ETHUSDT: modeArb }),
  leverage: fc.record({
    BTCUSDT: fc.integer({ min: 1, max: 50 }),
    ETHUSDT: fc.integer({ min: 1, max: 50 }),
  }),
  wallet: fc.constantFrom('1000', '5000', '20000'),
  other: modeArb,
});

/** The catalogue with its fees and a book five ticks wide (fills away from the mark). */
const BOOKED: Catalogue = Object.fromEntries(
  Object.entries(CATALOGUE).map(([s, i]) => [
    s,
    {
      ...i,
      book: { halfSpreadTicks: 5, levelStepTicks: 1, levelQuantities: [new Decimal(1_000_000)] },
    },
  ]),
);

const RUNS = Number(process.env.FC_RUNS ?? 150);

describe('properties', () => {
  it.each([
    ['fills at the mark (the catalogue)', CATALOGUE, false],
    ['fills off the mark, with the recorded marks', BOOKED, true],
  ] as const)(
    'the counterfactual under a mode equals trading the same accepted orders in that mode: %s',
    (_name, instruments, withMarks) => {
      fc.assert(
        fc.property(historyArb, ({ steps: raw, modes, leverage, wallet, other }) => {
          const steps = raw.map((s, i) => ({ ...s, at: T0 + (i + 1) * SEC }));
          const a = trade(steps, modes, leverage, instruments, wallet);
          // the other mode traded from the start: only the orders the record holds, with every tick
          const b = trade(
            steps.filter((s) => s.k === 'tick' || a.accepted.includes(s)),
            { BTCUSDT: other, ETHUSDT: other },
            leverage,
            instruments,
            wallet,
          );
          const o = counterfactual(a, other, instruments, withMarks);
          expect(comparable(o)).toEqual(recorded(b));
          expect(o.refused.map((r) => r.code)).toEqual(b.refused);
        }),
        { numRuns: RUNS },
      );
    },
  );

  it('replayed in the mode it was traded in, a history reproduces its record', () => {
    fc.assert(
      fc.property(historyArb, ({ steps, modes, leverage, wallet }) => {
        const mode = modes.BTCUSDT;
        const a = trade(steps, { BTCUSDT: mode, ETHUSDT: mode }, leverage, CATALOGUE, wallet);
        const o = counterfactual(a, mode, CATALOGUE, false);
        expect(comparable(o)).toEqual(recorded(a));
        expect(o.refused).toEqual([]);
      }),
      { numRuns: RUNS },
    );
  });
});
