// The margin lab's simulation: the same positions opened twice, once in cross and once in
// isolated margin, on the margin engine in the browser, then moved along the prices the learner
// drags. A price path matters (a liquidated position stays closed), so each move is applied from
// the previous prices, as the engine applies ticks.
import {
  Decimal,
  onPrices,
  openAccount,
  placeOrder,
  roundToLot,
  roundToTick,
  setLeverage,
  setMarginMode,
  summarize,
  type Account,
  type EngineEvent,
  type Instrument,
  type MarginMode,
  type Market,
} from '@lab/margin-engine';

export interface LabPosition {
  symbol: string;
  side: 'long' | 'short';
  /** Order value in USDT at the entry price. */
  notional: string;
  leverage: number;
}

export interface LabSetup {
  wallet: string;
  positions: LabPosition[];
  /** Entry (and starting mark) price of each symbol. */
  entries: Readonly<Record<string, string>>;
}

export interface LabLiquidation {
  mode: MarginMode;
  symbols: string[];
  markPrice: string | null;
  fee: string;
  /** What the closes realized (negative: lost). */
  realizedPnl: string;
}

export interface ModeState {
  mode: MarginMode;
  account: Account;
  market: Market;
  time: number;
  liquidations: LabLiquidation[];
  /** Positions the engine refused to open in this mode, with its code. */
  refused: Array<{ symbol: string; code: string }>;
  startEquity: Decimal;
}

const T0 = Date.UTC(2026, 0, 1);

/** Contracts for a position's USDT value at its entry, on the lot. */
export function labQuantity(p: LabPosition, entry: string, instrument: Instrument): Decimal {
  let value: Decimal;
  try {
    value = new Decimal(p.notional);
  } catch {
    return new Decimal(0);
  }
  if (!value.isFinite() || value.lte(0)) return new Decimal(0);
  return roundToLot(instrument, value.div(entry), 'down');
}

/** Without a book model a market order fills at the mark: the entry price. */
function flatInstruments(instruments: Readonly<Record<string, Instrument>>) {
  return Object.fromEntries(
    Object.entries(instruments).map(([s, i]) => {
      const { book: _book, ...rest } = i;
      void _book;
      return [s, rest];
    }),
  );
}

function collect(state: ModeState, events: readonly EngineEvent[]): LabLiquidation[] {
  const out = [...state.liquidations];
  let cur: LabLiquidation | null = null;
  for (const ev of events) {
    if (ev.type === 'liquidationTriggered') {
      cur = {
        mode: ev.mode,
        symbols: [],
        markPrice: ev.markPrice ? ev.markPrice.toFixed() : null,
        fee: '0',
        realizedPnl: '0',
      };
      out.push(cur);
    } else if (ev.type === 'liquidation' && cur) {
      cur.symbols.push(ev.symbol);
      cur.fee = new Decimal(cur.fee).plus(ev.fee).toFixed();
      cur.realizedPnl = new Decimal(cur.realizedPnl).plus(ev.realizedPnl).toFixed();
    }
  }
  return out;
}

/** Opens the setup's positions at their entries in one margin mode. */
export function openLab(
  setup: LabSetup,
  mode: MarginMode,
  instruments: Readonly<Record<string, Instrument>>,
): ModeState {
  const marks = Object.fromEntries(
    Object.entries(setup.entries).map(([s, p]) => [s, new Decimal(p)]),
  );
  const market: Market = { instruments: flatInstruments(instruments), marks, lastPrices: marks };
  let wallet: Decimal;
  try {
    wallet = new Decimal(setup.wallet);
  } catch {
    wallet = new Decimal(0);
  }
  let account = openAccount(
    `lab-${mode}`,
    wallet.isFinite() && wallet.gt(0) ? wallet : new Decimal(0),
    T0,
  ).account;
  const refused: ModeState['refused'] = [];
  let time = T0;
  for (const p of setup.positions) {
    const instrument = instruments[p.symbol];
    const entry = setup.entries[p.symbol];
    if (!instrument || !entry) continue;
    try {
      account = setMarginMode(account, market, p.symbol, mode, ++time).account;
      account = setLeverage(account, market, p.symbol, p.leverage, ++time).account;
    } catch (e) {
      refused.push({ symbol: p.symbol, code: (e as { code?: string }).code ?? 'INVALID' });
      continue;
    }
    const quantity = labQuantity(p, entry, instrument);
    const r = placeOrder(
      account,
      market,
      {
        symbol: p.symbol,
        side: p.side === 'long' ? 'buy' : 'sell',
        type: 'market',
        quantity: quantity.toFixed(),
      },
      { now: ++time },
    );
    if (r.rejected) refused.push({ symbol: p.symbol, code: r.rejected.code });
    account = r.account;
  }
  const state: ModeState = {
    mode,
    account,
    market,
    time,
    liquidations: [],
    refused,
    startEquity: wallet,
  };
  return state;
}

/** The prices move to `marks` (from the current ones): triggers, liquidations, as the engine ticks. */
export function movePrices(state: ModeState, marks: Readonly<Record<string, string>>): ModeState {
  const updates = Object.fromEntries(
    Object.entries(marks)
      .filter(([s, p]) => !state.market.marks[s]?.eq(p))
      .map(([s, p]) => [s, { markPrice: new Decimal(p), lastPrice: new Decimal(p) }]),
  );
  if (!Object.keys(updates).length) return state;
  const time = state.time + 1000;
  const r = onPrices(state.account, state.market, updates, time);
  return {
    ...state,
    account: r.account,
    market: r.market,
    time,
    liquidations: collect(state, r.events),
  };
}

export interface LabPositionView {
  symbol: string;
  side: 'long' | 'short';
  quantity: string;
  entryPrice: string;
  markPrice: string;
  unrealizedPnl: string;
  /** Isolated: its own margin; cross: its initial margin (all cross positions share the wallet). */
  margin: string;
  liquidationPrice: string | null;
  /** Maintenance / margin balance of its compartment; null: infinite. */
  marginRatio: string | null;
}

export interface LabView {
  wallet: string;
  equity: string;
  change: string;
  crossMarginRatio: string | null;
  positions: LabPositionView[];
}

const ratio = (d: Decimal) => (d.isFinite() ? d.toDecimalPlaces(6).toFixed() : null);

export function viewOf(state: ModeState): LabView {
  const sum = summarize(state.account, state.market);
  return {
    wallet: sum.walletBalance.toFixed(),
    equity: sum.marginBalance.toFixed(),
    change: sum.marginBalance.minus(state.startEquity).toFixed(),
    crossMarginRatio: sum.crossMaintenanceMargin.isZero() ? '0' : ratio(sum.crossMarginRatio),
    positions: sum.positions.map((p) => {
      const mb =
        p.marginMode === 'isolated'
          ? p.isolatedWallet.plus(p.unrealizedPnl)
          : sum.crossMarginBalance;
      const mm = p.marginMode === 'isolated' ? p.maintenanceMargin : sum.crossMaintenanceMargin;
      return {
        symbol: p.symbol,
        side: p.quantity.isPos() ? 'long' : 'short',
        quantity: p.quantity.abs().toFixed(),
        entryPrice: p.entryPrice.toFixed(),
        markPrice: p.markPrice.toFixed(),
        unrealizedPnl: p.unrealizedPnl.toFixed(),
        margin: p.margin.toFixed(),
        liquidationPrice: p.liquidationPrice ? p.liquidationPrice.toFixed() : null,
        marginRatio: mm.isZero() ? '0' : mb.lte(0) ? null : ratio(mm.div(mb)),
      };
    }),
  };
}

/** A price `percent` away from `entry`, on the tick (the slider's value). */
export function priceAt(entry: string, percent: number, instrument: Instrument): string {
  const p = new Decimal(entry).times(new Decimal(100).plus(percent)).div(100);
  const tick = instrument.tickSize;
  const rounded = roundToTick(instrument, p, 'nearest');
  return (rounded.lte(0) ? tick : rounded).toFixed(instrument.tickSize.decimalPlaces());
}
