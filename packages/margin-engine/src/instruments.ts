// Instrument specs, the default catalogue and tick/lot helpers (used by the UI for display too).
import { Decimal, type DecimalInput, dec, ZERO } from './decimal.ts';

export interface RiskTier {
  /** Upper bound of the notional bracket (inclusive); the floor is the previous tier's cap. */
  maxNotional: Decimal;
  maintenanceMarginRate: Decimal;
  /** Binance "cum": floor x (mmr - previous mmr) + previous cum, so maintenance is continuous. */
  maintenanceAmount: Decimal;
  maxLeverage: number;
}

/** A synthetic order book around the mark: levels at fixed tick offsets with fixed quantities. */
export interface BookModel {
  /** Best ask is the mark rounded up to tick plus this many ticks; best bid mirrors it. */
  halfSpreadTicks: number;
  /** Distance in ticks between consecutive levels. */
  levelStepTicks: number;
  /** Quantity available on each level, best level first; beyond the last level there is none. */
  levelQuantities: Decimal[];
}

export interface Instrument {
  symbol: string;
  tickSize: Decimal;
  lotSize: Decimal;
  minNotional: Decimal;
  maxLeverage: number;
  makerFeeRate: Decimal;
  takerFeeRate: Decimal;
  liquidationFeeRate: Decimal;
  fundingIntervalHours: number;
  riskTiers: RiskTier[];
  book?: BookModel;
}

export type Catalogue = Readonly<Record<string, Instrument>>;

/** Build tiers from [cap, mmr, maxLeverage] rows, deriving maintenance amounts with Binance's formula. */
export function tiersFromRates(rows: ReadonlyArray<readonly [string, string, number]>): RiskTier[] {
  const tiers: RiskTier[] = [];
  let floor = ZERO;
  let prevRate = ZERO;
  let cum = ZERO;
  for (const [cap, rate, lev] of rows) {
    const mmr = new Decimal(rate);
    cum = cum.plus(floor.times(mmr.minus(prevRate)));
    tiers.push({
      maxNotional: new Decimal(cap),
      maintenanceMarginRate: mmr,
      maintenanceAmount: cum,
      maxLeverage: lev,
    });
    floor = new Decimal(cap);
    prevRate = mmr;
  }
  return tiers;
}

interface Spec {
  tick: string;
  lot: string;
  minNotional: string;
  liqFee: string;
  tiers: ReadonlyArray<readonly [string, string, number]>;
}

const SPECS: Record<string, Spec> = {
  BTCUSDT: {
    tick: '0.1',
    lot: '0.001',
    minNotional: '100',
    liqFee: '0.0125',
    tiers: [
      ['50000', '0.004', 125],
      ['250000', '0.005', 100],
      ['3000000', '0.01', 50],
      ['15000000', '0.025', 20],
      ['30000000', '0.05', 10],
      ['80000000', '0.1', 5],
      ['100000000', '0.125', 4],
      ['200000000', '0.15', 3],
      ['300000000', '0.25', 2],
      ['500000000', '0.5', 1],
    ],
  },
  ETHUSDT: {
    tick: '0.01',
    lot: '0.001',
    minNotional: '20',
    liqFee: '0.0125',
    tiers: [
      ['10000', '0.005', 100],
      ['100000', '0.0065', 75],
      ['500000', '0.01', 50],
      ['1000000', '0.02', 40],
      ['2000000', '0.025', 25],
      ['5000000', '0.05', 20],
      ['10000000', '0.1', 10],
      ['20000000', '0.125', 5],
      ['50000000', '0.15', 4],
      ['100000000', '0.25', 2],
      ['200000000', '0.5', 1],
    ],
  },
  SOLUSDT: {
    tick: '0.01',
    lot: '1',
    minNotional: '5',
    liqFee: '0.015',
    tiers: [
      ['5000', '0.01', 50],
      ['50000', '0.025', 20],
      ['250000', '0.05', 10],
      ['1000000', '0.1', 5],
      ['2000000', '0.125', 4],
      ['5000000', '0.15', 3],
      ['10000000', '0.25', 2],
      ['20000000', '0.5', 1],
    ],
  },
  BNBUSDT: {
    tick: '0.01',
    lot: '0.01',
    minNotional: '5',
    liqFee: '0.015',
    tiers: [
      ['10000', '0.005', 75],
      ['50000', '0.01', 50],
      ['250000', '0.02', 25],
      ['1000000', '0.05', 10],
      ['2000000', '0.1', 5],
      ['5000000', '0.125', 4],
      ['10000000', '0.15', 3],
      ['20000000', '0.25', 2],
      ['50000000', '0.5', 1],
    ],
  },
  XRPUSDT: {
    tick: '0.0001',
    lot: '0.1',
    minNotional: '5',
    liqFee: '0.015',
    tiers: [
      ['10000', '0.005', 75],
      ['50000', '0.01', 50],
      ['500000', '0.02', 25],
      ['1000000', '0.05', 10],
      ['2000000', '0.1', 5],
      ['5000000', '0.125', 4],
      ['10000000', '0.15', 3],
      ['20000000', '0.25', 2],
      ['50000000', '0.5', 1],
    ],
  },
  DOGEUSDT: {
    tick: '0.00001',
    lot: '1',
    minNotional: '5',
    liqFee: '0.015',
    tiers: [
      ['10000', '0.005', 75],
      ['50000', '0.01', 50],
      ['750000', '0.02', 25],
      ['2000000', '0.05', 10],
      ['5000000', '0.1', 5],
      ['10000000', '0.125', 4],
      ['20000000', '0.15', 3],
      ['50000000', '0.25', 2],
      ['100000000', '0.5', 1],
    ],
  },
};

export function makeInstrument(symbol: string, s: Spec): Instrument {
  const riskTiers = tiersFromRates(s.tiers);
  return {
    symbol,
    tickSize: new Decimal(s.tick),
    lotSize: new Decimal(s.lot),
    minNotional: new Decimal(s.minNotional),
    maxLeverage: riskTiers[0]?.maxLeverage ?? 1,
    makerFeeRate: new Decimal('0.0002'),
    takerFeeRate: new Decimal('0.0005'),
    liquidationFeeRate: new Decimal(s.liqFee),
    fundingIntervalHours: 8,
    riskTiers,
  };
}

export const CATALOGUE: Catalogue = Object.freeze(
  Object.fromEntries(Object.entries(SPECS).map(([sym, s]) => [sym, makeInstrument(sym, s)])),
);

export const SYMBOLS: readonly string[] = Object.keys(CATALOGUE);

/** Index of the tier whose bracket (previous cap, cap] contains the notional; the last tier beyond. */
export function tierIndex(instrument: Instrument, notional: Decimal): number {
  const tiers = instrument.riskTiers;
  for (let i = 0; i < tiers.length; i++) {
    if (notional.lte(tiers[i]!.maxNotional)) return i;
  }
  return tiers.length - 1;
}

export function tierFor(instrument: Instrument, notional: Decimal): RiskTier {
  return instrument.riskTiers[tierIndex(instrument, notional)]!;
}

export const isOnStep = (v: Decimal, step: Decimal): boolean => v.mod(step).isZero();

export function roundToTick(
  instrument: Instrument,
  price: DecimalInput,
  mode: 'down' | 'up' | 'nearest' = 'nearest',
): Decimal {
  const rm =
    mode === 'down'
      ? Decimal.ROUND_FLOOR
      : mode === 'up'
        ? Decimal.ROUND_CEIL
        : Decimal.ROUND_HALF_UP;
  return dec(price).toNearest(instrument.tickSize, rm);
}

export function roundToLot(
  instrument: Instrument,
  qty: DecimalInput,
  mode: 'down' | 'up' = 'down',
): Decimal {
  const q = dec(qty);
  const rm = mode === 'down' ? Decimal.ROUND_DOWN : Decimal.ROUND_UP;
  return q.toNearest(instrument.lotSize, rm);
}

export const priceDecimals = (i: Instrument): number => i.tickSize.decimalPlaces();
export const quantityDecimals = (i: Instrument): number => i.lotSize.decimalPlaces();

/** Format a price with exactly the instrument's tick precision (as order books display it). */
export const formatPrice = (i: Instrument, price: DecimalInput): string =>
  roundToTick(i, price).toFixed(priceDecimals(i));

export const formatQuantity = (i: Instrument, qty: DecimalInput): string =>
  dec(qty).toFixed(quantityDecimals(i), Decimal.ROUND_DOWN);

/** Next funding time (ms since epoch) at or after `now`, on the instrument's UTC interval grid. */
export function nextFundingTime(i: Instrument, now: number): number {
  const interval = i.fundingIntervalHours * 3600_000;
  return Math.ceil(now / interval) * interval;
}
