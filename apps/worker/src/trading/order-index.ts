// Open orders of the venue's accounts by the price that makes them act, per symbol, in sorted
// arrays: a tick finds exactly the accounts whose orders the price reached (a binary search and
// the slice beyond it), not a scan of every account. Resting limits act on the trade price;
// stops and take-profits on their working price (mark or last). Keys are float64 copies of the
// exact prices, looked up with a small margin: the engine, run on each candidate, is the judge.
import type { Account, Order } from '@lab/margin-engine';

interface Entry {
  key: number;
  orderId: string;
  accountId: string;
}

/** Entries sorted by key. */
class SortedEntries {
  private items: Entry[] = [];

  get size(): number {
    return this.items.length;
  }

  private lowerBound(key: number): number {
    let lo = 0;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.items[mid]!.key < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  add(e: Entry): void {
    let i = this.lowerBound(e.key);
    while (i < this.items.length && this.items[i]!.key === e.key) i++;
    this.items.splice(i, 0, e);
  }

  remove(key: number, orderId: string): void {
    for (let i = this.lowerBound(key); i < this.items.length && this.items[i]!.key === key; i++) {
      if (this.items[i]!.orderId === orderId) {
        this.items.splice(i, 1);
        return;
      }
    }
  }

  /** Accounts of the entries with key >= `min`. */
  atLeast(min: number, into: Set<string>): void {
    for (let i = this.lowerBound(min); i < this.items.length; i++)
      into.add(this.items[i]!.accountId);
  }

  /** Accounts of the entries with key <= `max`. */
  atMost(max: number, into: Set<string>): void {
    for (let i = 0; i < this.items.length && this.items[i]!.key <= max; i++)
      into.add(this.items[i]!.accountId);
  }
}

/** Where one order sits in the index. */
type Slot = 'buyLimits' | 'sellLimits' | 'upMark' | 'downMark' | 'upLast' | 'downLast';

interface SymbolOrders {
  /** Limit buys: fill when the trade price is at or below the price. */
  buyLimits: SortedEntries;
  /** Limit sells: fill when the trade price is at or above the price. */
  sellLimits: SortedEntries;
  /** Stops that trigger when the working price is at or above the stop (stop buy, TP sell). */
  upMark: SortedEntries;
  upLast: SortedEntries;
  /** Stops that trigger when the working price is at or below the stop (stop sell, TP buy). */
  downMark: SortedEntries;
  downLast: SortedEntries;
}

/** The price range a symbol's points covered in a segment of the loop. */
export interface PriceRange {
  minMark: number;
  maxMark: number;
  /** The trade price: the last price, else the mark (as the engine fills and triggers). */
  minTrade: number;
  maxTrade: number;
}

const MARGIN = 1e-9;

function slotOf(o: Order): { slot: Slot; key: number } | undefined {
  if (o.status === 'untriggered' && o.stopPrice) {
    const stopKind = o.type === 'stopMarket' || o.type === 'stopLimit';
    const up = stopKind === (o.side === 'buy');
    const last = o.workingType === 'last';
    return {
      slot: up ? (last ? 'upLast' : 'upMark') : last ? 'downLast' : 'downMark',
      key: o.stopPrice.toNumber(),
    };
  }
  if ((o.status === 'new' || o.status === 'partiallyFilled') && o.type === 'limit' && o.price)
    return { slot: o.side === 'buy' ? 'buyLimits' : 'sellLimits', key: o.price.toNumber() };
  return undefined;
}

export class OrderIndex {
  private readonly symbols = new Map<string, SymbolOrders>();
  /** What each account has in the index, so that replacing it removes exactly that. */
  private readonly byAccount = new Map<
    string,
    Array<{ symbol: string; slot: Slot; key: number; orderId: string }>
  >();

  private of(symbol: string): SymbolOrders {
    let s = this.symbols.get(symbol);
    if (!s) {
      s = {
        buyLimits: new SortedEntries(),
        sellLimits: new SortedEntries(),
        upMark: new SortedEntries(),
        upLast: new SortedEntries(),
        downMark: new SortedEntries(),
        downLast: new SortedEntries(),
      };
      this.symbols.set(symbol, s);
    }
    return s;
  }

  /** Replace what the index holds for the account with its current open orders. */
  set(account: Account): void {
    this.remove(account.id);
    const held: Array<{ symbol: string; slot: Slot; key: number; orderId: string }> = [];
    for (const o of Object.values(account.orders)) {
      const at = slotOf(o);
      if (!at) continue;
      this.of(o.symbol)[at.slot].add({ key: at.key, orderId: o.id, accountId: account.id });
      held.push({ symbol: o.symbol, slot: at.slot, key: at.key, orderId: o.id });
    }
    if (held.length) this.byAccount.set(account.id, held);
  }

  remove(accountId: string): void {
    const held = this.byAccount.get(accountId);
    if (!held) return;
    for (const h of held) this.of(h.symbol)[h.slot].remove(h.key, h.orderId);
    this.byAccount.delete(accountId);
  }

  /** Accounts with an order the prices of the range reach (candidates for the engine). */
  candidates(symbol: string, r: PriceRange, into = new Set<string>()): Set<string> {
    const s = this.symbols.get(symbol);
    if (!s) return into;
    const lo = (x: number) => x - Math.abs(x) * MARGIN;
    const hi = (x: number) => x + Math.abs(x) * MARGIN;
    s.buyLimits.atLeast(lo(r.minTrade), into);
    s.sellLimits.atMost(hi(r.maxTrade), into);
    s.upMark.atMost(hi(r.maxMark), into);
    s.downMark.atLeast(lo(r.minMark), into);
    s.upLast.atMost(hi(r.maxTrade), into);
    s.downLast.atLeast(lo(r.minTrade), into);
    return into;
  }

  /** Number of indexed orders (for stats and tests). */
  get size(): number {
    let n = 0;
    for (const held of this.byAccount.values()) n += held.length;
    return n;
  }
}
