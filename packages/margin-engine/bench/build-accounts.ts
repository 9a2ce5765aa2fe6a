// Deterministic generator of realistic accounts (mixed cross/isolated, several symbols) for the bench.
import {
  CATALOGUE,
  Decimal,
  roundToLot,
  roundToTick,
  tierFor,
  type Account,
  type MarginMode,
  type Market,
  type Position,
  type SymbolSettings,
} from '../src/index.ts';

export const BASE_MARKS: Record<string, string> = {
  BTCUSDT: '50000',
  ETHUSDT: '3000',
  SOLUSDT: '150',
  BNBUSDT: '600',
  XRPUSDT: '0.6',
  DOGEUSDT: '0.1',
};
/** Popularity of symbols (BTC most held). */
const WEIGHTS: Array<[string, number]> = [
  ['BTCUSDT', 0.3],
  ['ETHUSDT', 0.22],
  ['SOLUSDT', 0.15],
  ['BNBUSDT', 0.1],
  ['XRPUSDT', 0.12],
  ['DOGEUSDT', 0.11],
];

export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function baseMarket(): Market {
  return {
    instruments: CATALOGUE,
    marks: Object.fromEntries(Object.entries(BASE_MARKS).map(([k, v]) => [k, new Decimal(v)])),
  };
}

function pickSymbols(r: () => number, k: number): string[] {
  const out: string[] = [];
  while (out.length < k) {
    let x = r();
    for (const [sym, w] of WEIGHTS) {
      x -= w;
      if (x <= 0) {
        if (!out.includes(sym)) out.push(sym);
        break;
      }
    }
  }
  return out;
}

/**
 * Accounts holding `totalPositions` positions: 1-5 symbols each; 55% all-cross, 25% all-isolated,
 * 20% mixed. Notional log-uniform $200-$400k, leverage 2-50 (capped by the tier), entries within
 * +-6% of the mark; margins skewed thin so that each 0.3% tick liquidates some accounts.
 */
export function buildAccounts(totalPositions: number, seed = 42): Account[] {
  const r = rng(seed);
  const market = baseMarket();
  const accounts: Account[] = [];
  let made = 0;
  while (made < totalPositions) {
    const k = Math.min(totalPositions - made, 1 + Math.floor(r() * 5));
    const kind = r();
    const syms = pickSymbols(r, k);
    const settings: Record<string, SymbolSettings> = {};
    const positions: Record<string, Position> = {};
    let crossIm = 0;
    let crossMm = 0;
    let crossLoss = 0;
    let iso = new Decimal(0);
    for (const sym of syms) {
      const inst = CATALOGUE[sym]!;
      const mark = Number(BASE_MARKS[sym]);
      const mode: MarginMode =
        kind < 0.55 ? 'cross' : kind < 0.8 ? 'isolated' : r() < 0.5 ? 'cross' : 'isolated';
      const notional = 200 * Math.pow(2000, r());
      const entry = roundToTick(inst, new Decimal((mark * (0.94 + 0.12 * r())).toPrecision(12)));
      const qtyAbs = Decimal.max(
        inst.lotSize,
        roundToLot(inst, new Decimal((notional / entry.toNumber()).toPrecision(12))),
      );
      const qty = r() < 0.55 ? qtyAbs : qtyAbs.neg();
      const tierLev = tierFor(inst, qtyAbs.times(entry).times(1.2)).maxLeverage;
      const leverage = Math.max(1, Math.min(tierLev, 2 + Math.floor(r() * 49)));
      const notionalAtMark = qtyAbs.toNumber() * mark;
      const im = notionalAtMark / leverage;
      const t = tierFor(inst, qtyAbs.times(mark));
      const mm =
        notionalAtMark * t.maintenanceMarginRate.toNumber() - t.maintenanceAmount.toNumber();
      const upnl = qty.toNumber() * (mark - entry.toNumber());
      settings[sym] = { leverage, marginMode: mode };
      let iw = new Decimal(0);
      if (mode === 'isolated') {
        // isolated margin: maintenance x 1.1 plus up to 2x the initial margin (skewed low), plus any open loss
        iw = new Decimal((mm * 1.1 + im * 2 * r() ** 3 + Math.max(0, -upnl) * 1.05 + 1).toFixed(8));
        iso = iso.plus(iw);
      } else {
        crossIm += im;
        crossMm += mm;
        crossLoss += Math.max(0, -upnl);
      }
      positions[sym] = {
        symbol: sym,
        quantity: qty,
        entryPrice: entry,
        costBasis: qtyAbs.times(entry),
        isolatedWallet: iw,
      };
    }
    // cross wallet: open losses + maintenance x 1.1 + up to 3x the initial margin (skewed low)
    const crossWallet = crossMm * 1.1 + crossIm * 3 * r() ** 3 + crossLoss * 1.05 + 10;
    accounts.push({
      id: `acct-${accounts.length}`,
      walletBalance: iso.plus(new Decimal(crossWallet.toFixed(8))),
      settings,
      positions,
      orders: {},
      nextSeq: 1,
    });
    made += k;
  }
  void market;
  return accounts;
}
