// A per-symbol index for finding, on a mark tick, every account that must be liquidated.
//
// Health of a "unit" (a cross account, or one isolated position) is its slack:
//   slack = C + sum over its positions of g(M),  g(M) = q M - (|q| M mmr(tier) - cum(tier))
// with C = cross wallet - sum(signed cost) (cross) or isolated wallet - signed cost (isolated),
// the signed cost being q E with the exact entry (the position's cost basis), so that
// slack = margin balance - maintenance margin, and the unit liquidates exactly when slack <= 0.
// A tick of symbol S re-marks only S's positions: slack += g(new) - g(old), in float64 typed arrays.
// Units whose float slack is within a conservative tolerance of zero are candidates, confirmed
// (or dismissed) with the engine's exact Decimal rules, so the answer is exact. Accounts that
// change are re-indexed with updateAccount() (tombstone + append, periodic compaction).
import type { Decimal } from './decimal.ts';
import { signedCost } from './position-math.ts';
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
/**
 * Ticks after which the float slacks, each summed tick after tick, are computed again from the
 * exact states: error grows by about 1e-16 of the notional per tick, so even summed in the worst
 * direction it stays far inside REL_TOL.
 */
const REBASE_TICKS = 1_000_000;

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

export interface IndexOptions {
  /** Ticks between two rebuilds from the exact states (default REBASE_TICKS). */
  rebaseTicks?: number;
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

function grow<T extends Float64Array | Int32Array | Int16Array>(a: T, need: number): T {
  if (need <= a.length) return a;
  const b = new (a.constructor as new (n: number) => T)(Math.max(need, a.length * 2, 16));
  b.set(a);
  return b;
}

export class LiquidationIndex {
  private readonly slabs = new Map<string, SymbolSlab>();
  private readonly symbols: string[];
  private readonly symIndex: Map<string, number>;
  private slack = new Float64Array(0);
  private tol = new Float64Array(0);
  private unitAccount = new Int32Array(0);
  private unitSymbol = new Int16Array(0);
  private units = 0;
  private stale = 0;
  private live = 0;
  private ticks = 0;
  /** Per account: its units and its (symbol, slot) entries, so an update can tombstone them. */
  private readonly owned: Array<
    { units: number[]; slots: Array<[SymbolSlab, number]> } | undefined
  > = [];
  private readonly accounts: Account[];
  private market: Market;

  private readonly rebaseTicks: number;

  private constructor(accounts: readonly Account[], market: Market, opts: IndexOptions = {}) {
    this.accounts = [...accounts];
    this.market = market;
    this.rebaseTicks = opts.rebaseTicks ?? REBASE_TICKS;
    this.symbols = Object.keys(market.instruments);
    this.symIndex = new Map(this.symbols.map((s, i) => [s, i]));
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
    this.ensureUnits(units);
    this.accounts.forEach((a, ai) => this.add(ai, a));
  }

  static build(
    accounts: readonly Account[],
    market: Market,
    opts: IndexOptions = {},
  ): LiquidationIndex {
    return new LiquidationIndex(accounts, market, opts);
  }

  get unitCount(): number {
    return this.units;
  }

  private ensureUnits(n: number): void {
    this.slack = grow(this.slack, n);
    this.tol = grow(this.tol, n);
    this.unitAccount = grow(this.unitAccount, n);
    this.unitSymbol = grow(this.unitSymbol, n);
  }

  private newUnit(ai: number, symbol: number, slack: number, scale: number): number {
    const u = this.units++;
    this.ensureUnits(this.units);
    this.unitAccount[u] = ai;
    this.unitSymbol[u] = symbol;
    this.slack[u] = slack;
    this.tol[u] = scale;
    return u;
  }

  /** Index an account's margin units and positions at the current marks. */
  private add(ai: number, a: Account): void {
    const own: { units: number[]; slots: Array<[SymbolSlab, number]> } = { units: [], slots: [] };
    this.owned[ai] = own;
    let crossUnit = -1;
    let isoTotal = 0;
    for (const sym of Object.keys(a.positions)) {
      if (settingsOf(a, sym).marginMode === 'isolated')
        isoTotal += a.positions[sym]!.isolatedWallet.toNumber();
    }
    const wallet = a.walletBalance.toNumber();
    for (const sym of Object.keys(a.positions)) {
      const p = a.positions[sym]!;
      const slab = this.slabs.get(sym);
      if (!slab) continue;
      const q = p.quantity.toNumber();
      const c = signedCost(p).toNumber();
      const m = (this.market.marks[sym] ?? p.entryPrice).toNumber();
      let unit: number;
      if (settingsOf(a, sym).marginMode === 'isolated') {
        const iw = p.isolatedWallet.toNumber();
        unit = this.newUnit(ai, this.symIndex.get(sym)!, iw - c, Math.abs(iw));
        own.units.push(unit);
      } else {
        if (crossUnit < 0) {
          crossUnit = this.newUnit(
            ai,
            -1,
            wallet - isoTotal,
            Math.abs(wallet) + Math.abs(isoTotal),
          );
          own.units.push(crossUnit);
        }
        unit = crossUnit;
        this.slack[unit] = this.slack[unit]! - c;
      }
      const g = gOf(slab, q, m);
      const i = slab.length++;
      slab.unit = grow(slab.unit, slab.length);
      slab.qty = grow(slab.qty, slab.length);
      slab.g = grow(slab.g, slab.length);
      slab.unit[i] = unit;
      slab.qty[i] = q;
      slab.g[i] = g;
      own.slots.push([slab, i]);
      this.live++;
      this.slack[unit] = this.slack[unit]! + g;
      // scale of the terms summed for this unit: entry and (generously) 4x the current notional
      this.tol[unit] =
        this.tol[unit]! + Math.abs(c) + 4 * Math.abs(q) * m + slab.cum[slab.cum.length - 1]!;
    }
    for (const u of own.units) this.tol[u] = this.tol[u]! * REL_TOL;
  }

  /**
   * Replace an account's state (after a trade, a funding payment or a liquidation). Its old
   * entries become inert tombstones (quantity 0, unit retired); the index compacts itself when
   * tombstones outnumber live entries.
   */
  updateAccount(accountIndex: number, account: Account): void {
    const own = this.owned[accountIndex];
    if (own) {
      for (const u of own.units) this.tol[u] = -Infinity;
      for (const [slab, i] of own.slots) {
        slab.qty[i] = 0;
        slab.g[i] = 0;
      }
      this.stale += own.slots.length;
      this.live -= own.slots.length;
      this.owned[accountIndex] = undefined;
    }
    this.accounts[accountIndex] = account;
    if (this.stale > Math.max(1024, this.live)) this.compact();
    this.add(accountIndex, account);
  }

  /** Indexes every account again from its exact state, at the current marks. */
  private rebuild(): void {
    // units retired (found and not yet updated) stay retired
    const retired = new Set<string>();
    for (const own of this.owned)
      for (const u of own?.units ?? [])
        if (this.tol[u] === -Infinity) retired.add(`${this.unitAccount[u]}:${this.unitSymbol[u]}`);
    Object.assign(
      this,
      new LiquidationIndex(this.accounts, this.market, { rebaseTicks: this.rebaseTicks }),
    );
    for (let u = 0; u < this.units; u++)
      if (retired.has(`${this.unitAccount[u]}:${this.unitSymbol[u]}`)) this.tol[u] = -Infinity;
  }

  /**
   * Moves the live entries and units to the front of fresh arrays, their float figures as they
   * are: no Decimal work, so a cascade that tombstones thousands of accounts does not rebuild
   * the index (from every account's exact state) again and again.
   */
  private compact(): void {
    let units = 0;
    const size = new Map<SymbolSlab, number>();
    for (const own of this.owned) {
      if (!own) continue;
      units += own.units.length;
      for (const [slab] of own.slots) size.set(slab, (size.get(slab) ?? 0) + 1);
    }
    const slack = new Float64Array(units);
    const tol = new Float64Array(units);
    const unitAccount = new Int32Array(units);
    const unitSymbol = new Int16Array(units);
    const fresh = new Map<SymbolSlab, { unit: Int32Array; qty: Float64Array; g: Float64Array }>();
    for (const slab of this.slabs.values()) {
      const n = size.get(slab) ?? 0;
      fresh.set(slab, {
        unit: new Int32Array(n),
        qty: new Float64Array(n),
        g: new Float64Array(n),
      });
      slab.length = 0;
    }
    let u = 0;
    for (const own of this.owned) {
      if (!own) continue;
      const renumbered = new Map<number, number>();
      for (const old of own.units) {
        renumbered.set(old, u);
        slack[u] = this.slack[old]!;
        tol[u] = this.tol[old]!;
        unitAccount[u] = this.unitAccount[old]!;
        unitSymbol[u] = this.unitSymbol[old]!;
        u++;
      }
      own.units = own.units.map((old) => renumbered.get(old)!);
      own.slots = own.slots.map(([slab, i]) => {
        const to = fresh.get(slab)!;
        const j = slab.length++;
        to.unit[j] = renumbered.get(slab.unit[i]!)!;
        to.qty[j] = slab.qty[i]!;
        to.g[j] = slab.g[i]!;
        return [slab, j];
      });
    }
    for (const [slab, to] of fresh) Object.assign(slab, to);
    this.slack = slack;
    this.tol = tol;
    this.unitAccount = unitAccount;
    this.unitSymbol = unitSymbol;
    this.units = units;
    this.stale = 0;
  }

  /**
   * Stop watching a unit, e.g. once the engine has liquidated it and before the account is
   * updated with updateAccount().
   */
  retire(unit: number): void {
    this.tol[unit] = -Infinity;
  }

  /**
   * Re-mark every position of `symbol` at `markPrice` and return every unit that must be
   * liquidated. `exact: false` returns the float filter's candidates without the exact check, for
   * a caller that confirms each with the engine anyway: a superset, never missing one.
   */
  tick(symbol: string, markPrice: Decimal, opts: { exact?: boolean } = {}): TickResult {
    this.market = { ...this.market, marks: { ...this.market.marks, [symbol]: markPrice } };
    if (++this.ticks > this.rebaseTicks) this.rebuild();
    const slab = this.slabs.get(symbol);
    if (!slab) return { liquidations: [], scanned: 0, candidates: 0 };
    const m = markPrice.toNumber();
    const { unit, qty, g } = slab;
    const slack = this.slack;
    const tol = this.tol;
    const cand: number[] = [];
    for (let i = 0; i < slab.length; i++) {
      const q = qty[i]!;
      if (q === 0) continue;
      const ng = gOf(slab, q, m);
      const u = unit[i]!;
      const s = slack[u]! + ng - g[i]!;
      slack[u] = s;
      g[i] = ng;
      if (s <= tol[u]!) cand.push(u);
    }
    const liquidations: LiquidationHit[] = [];
    const exact = opts.exact ?? true;
    for (const u of cand) {
      const ai = this.unitAccount[u]!;
      const a = this.accounts[ai]!;
      const si = this.unitSymbol[u]!;
      const isoSym = si < 0 ? undefined : this.symbols[si]!;
      if (!exact || this.confirm(a, isoSym))
        liquidations.push({ unit: u, accountIndex: ai, accountId: a.id, isolatedSymbol: isoSym });
    }
    return { liquidations, scanned: slab.length, candidates: cand.length };
  }

  /** The exact Decimal check of one unit at the index's current marks. */
  private confirm(a: Account, isolatedSymbol: string | undefined): boolean {
    if (isolatedSymbol !== undefined) {
      const p = a.positions[isolatedSymbol]!;
      const mark = this.market.marks[isolatedSymbol] ?? p.entryPrice;
      const instrument = instrumentOf(this.market, isolatedSymbol);
      return isolatedLiquidatable(
        positionRisk(p, instrument, settingsOf(a, isolatedSymbol, instrument), mark),
      );
    }
    return crossLiquidatable(crossFigures(a, allPositionRisks(a, this.market)));
  }
}
