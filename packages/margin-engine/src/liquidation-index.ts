// A per-symbol index for finding, on a mark tick, every account that must be liquidated.
//
// Health of a "unit" (a cross account, or one isolated position) is its slack:
//   slack = C + sum over its positions of g(M),  g(M) = q M - (|q| M mmr(tier) - cum(tier))
// with C = cross wallet - sum(q E) (cross) or isolated wallet - q E (isolated), so that
// slack = margin balance - maintenance margin, and the unit liquidates exactly when slack <= 0.
// A tick of symbol S re-marks only S's positions: slack += g(new) - g(old), in float64 typed arrays.
// Units whose float slack is within a conservative tolerance of zero are candidates, confirmed
// (or dismissed) with the engine's exact Decimal rules, so the answer is exact.
import type { Decimal } from './decimal.ts';
import {
  allPositionRisks,
  crossFigures,
  crossLiquidatable,
  instrumentOf,
  isolatedLiquidatable,
  positionRisk,
  settingsOf,
} from './risk.ts';
import type { Account, Market } from './types.ts';

/** Relative tolerance of the float pre-filter (float64 error is ~1e-16 per operation). */
const REL_TOL = 1e-9;

interface SymbolSlab {
  caps: Float64Array;
  mmr: Float64Array;
  cum: Float64Array;
  unit: Int32Array;
  qty: Float64Array;
  g: Float64Array;
  length: number;
}

export interface LiquidationHit {
  /** Margin unit id inside the index (pass to retire()). */
  unit: number;
  accountIndex: number;
  accountId: string;
  /** The isolated position's symbol, or undefined for a cross account. */
  isolatedSymbol: string | undefined;
}

export interface TickResult {
  liquidations: LiquidationHit[];
  /** Positions re-marked. */
  scanned: number;
  /** Units the float filter passed to the exact check. */
  candidates: number;
}

function gOf(slab: SymbolSlab, q: number, m: number): number {
  const n = Math.abs(q) * m;
  const caps = slab.caps;
  let t = 0;
  const last = caps.length - 1;
  while (t < last && n > caps[t]!) t++;
  return q * m - (n * slab.mmr[t]! - slab.cum[t]!);
}

export class LiquidationIndex {
  private readonly slabs = new Map<string, SymbolSlab>();
  private readonly symbols: string[];
  private readonly slack: Float64Array;
  private readonly tol: Float64Array;
  private readonly unitAccount: Int32Array;
  private readonly unitSymbol: Int16Array;
  private market: Market;

  private constructor(
    private readonly accounts: readonly Account[],
    market: Market,
  ) {
    this.market = market;
    this.symbols = Object.keys(market.instruments);
    const symIndex = new Map(this.symbols.map((s, i) => [s, i]));
    const counts = new Map<string, number>();
    let units = 0;
    for (const a of accounts) {
      let cross = false;
      for (const sym of Object.keys(a.positions)) {
        counts.set(sym, (counts.get(sym) ?? 0) + 1);
        if (settingsOf(a, sym).marginMode === 'isolated') units++;
        else cross = true;
      }
      if (cross) units++;
    }
    for (const sym of this.symbols) {
      const inst = market.instruments[sym]!;
      const n = counts.get(sym) ?? 0;
      this.slabs.set(sym, {
        caps: Float64Array.from(inst.riskTiers.map((t) => t.maxNotional.toNumber())),
        mmr: Float64Array.from(inst.riskTiers.map((t) => t.maintenanceMarginRate.toNumber())),
        cum: Float64Array.from(inst.riskTiers.map((t) => t.maintenanceAmount.toNumber())),
        unit: new Int32Array(n),
        qty: new Float64Array(n),
        g: new Float64Array(n),
        length: 0,
      });
    }
    this.slack = new Float64Array(units);
    this.tol = new Float64Array(units);
    this.unitAccount = new Int32Array(units);
    this.unitSymbol = new Int16Array(units);
    let u = 0;
    accounts.forEach((a, ai) => {
      let crossUnit = -1;
      let isoTotal = 0;
      for (const sym of Object.keys(a.positions)) {
        const p = a.positions[sym]!;
        if (settingsOf(a, sym).marginMode === 'isolated') isoTotal += p.isolatedWallet.toNumber();
      }
      const wallet = a.walletBalance.toNumber();
      for (const sym of Object.keys(a.positions)) {
        const p = a.positions[sym]!;
        const slab = this.slabs.get(sym)!;
        const q = p.quantity.toNumber();
        const e = p.entryPrice.toNumber();
        const m = (market.marks[sym] ?? p.entryPrice).toNumber();
        let unit: number;
        if (settingsOf(a, sym).marginMode === 'isolated') {
          unit = u++;
          const iw = p.isolatedWallet.toNumber();
          this.unitAccount[unit] = ai;
          this.unitSymbol[unit] = symIndex.get(sym)!;
          this.slack[unit] = iw - q * e;
          this.tol[unit] = Math.abs(iw);
        } else {
          if (crossUnit < 0) {
            crossUnit = u++;
            this.unitAccount[crossUnit] = ai;
            this.unitSymbol[crossUnit] = -1;
            this.slack[crossUnit] = wallet - isoTotal;
            this.tol[crossUnit] = Math.abs(wallet) + Math.abs(isoTotal);
          }
          unit = crossUnit;
          this.slack[unit] = this.slack[unit]! - q * e;
        }
        const g = gOf(slab, q, m);
        const i = slab.length++;
        slab.unit[i] = unit;
        slab.qty[i] = q;
        slab.g[i] = g;
        this.slack[unit] = this.slack[unit]! + g;
        // scale of the terms summed for this unit: entry and (generously) 4x the current notional
        this.tol[unit] = this.tol[unit]! + Math.abs(q * e) + 4 * Math.abs(q) * m + slab.cum[slab.cum.length - 1]!;
      }
    });
    for (let i = 0; i < units; i++) this.tol[i] = this.tol[i]! * REL_TOL;
  }

  static build(accounts: readonly Account[], market: Market): LiquidationIndex {
    return new LiquidationIndex(accounts, market);
  }

  get unitCount(): number {
    return this.slack.length;
  }

  /** Re-mark every position of `symbol` at `markPrice` and return every unit that must be liquidated. */
  tick(symbol: string, markPrice: Decimal): TickResult {
    this.market = { ...this.market, marks: { ...this.market.marks, [symbol]: markPrice } };
    const slab = this.slabs.get(symbol);
    if (!slab) return { liquidations: [], scanned: 0, candidates: 0 };
    const m = markPrice.toNumber();
    const { unit, qty, g } = slab;
    const slack = this.slack;
    const tol = this.tol;
    const cand: number[] = [];
    for (let i = 0; i < slab.length; i++) {
      const ng = gOf(slab, qty[i]!, m);
      const u = unit[i]!;
      const s = slack[u]! + ng - g[i]!;
      slack[u] = s;
      g[i] = ng;
      if (s <= tol[u]!) cand.push(u);
    }
    const liquidations: LiquidationHit[] = [];
    for (const u of cand) {
      const ai = this.unitAccount[u]!;
      const a = this.accounts[ai]!;
      const si = this.unitSymbol[u]!;
      const isoSym = si < 0 ? undefined : this.symbols[si]!;
      if (this.confirm(a, isoSym)) liquidations.push({ unit: u, accountIndex: ai, accountId: a.id, isolatedSymbol: isoSym });
    }
    return { liquidations, scanned: slab.length, candidates: cand.length };
  }

  /**
   * Stop watching a unit, e.g. once the engine has liquidated it (its positions are closed). An
   * account that trades again is re-indexed by building a new index (see README: not incremental yet).
   */
  retire(unit: number): void {
    this.tol[unit] = -Infinity;
  }

  /** The exact Decimal check of one unit at the index's current marks. */
  private confirm(a: Account, isolatedSymbol: string | undefined): boolean {
    if (isolatedSymbol !== undefined) {
      const p = a.positions[isolatedSymbol]!;
      const mark = this.market.marks[isolatedSymbol] ?? p.entryPrice;
      const instrument = instrumentOf(this.market, isolatedSymbol);
      return isolatedLiquidatable(positionRisk(p, instrument, settingsOf(a, isolatedSymbol, instrument), mark));
    }
    return crossLiquidatable(crossFigures(a, allPositionRisks(a, this.market)));
  }
}
