// The trading loop's memory of one venue: the engine Account (and stored version) of every
// account that has a position or an open order, a LiquidationIndex over them, and an OrderIndex
// of their open orders. Memory only finds candidates: each is confirmed by the engine on the
// account as loaded under its row lock, and memory then takes what was committed.
import { emptyAccount, LiquidationIndex, type Account, type Market } from '@lab/margin-engine';
import { OrderIndex } from './order-index.ts';

interface Held {
  account: Account;
  version: number;
  /** The account's index in the LiquidationIndex. */
  slot: number;
}

const holdsAnything = (a: Account) =>
  Object.keys(a.positions).length > 0 || Object.keys(a.orders).length > 0;

export class VenueMemory {
  private readonly held = new Map<string, Held>();
  private index: LiquidationIndex;
  private slots: Account[] = [];
  private readonly free: number[] = [];
  /**
   * The version each account that holds nothing (so is not held) was last seen at, so that the
   * notification of a commit memory already took (a liquidation that closed everything) does not
   * cause a reload. Bounded: the oldest are forgotten first.
   */
  private readonly seen = new Map<string, number>();
  readonly orders = new OrderIndex();

  constructor(market: Market) {
    this.index = LiquidationIndex.build([], market);
  }

  /** Replaces the whole memory (the rebuild at start), indexed at `market`. */
  rebuild(accounts: ReadonlyArray<{ account: Account; version: number }>, market: Market): void {
    this.held.clear();
    this.free.length = 0;
    this.slots = [];
    for (const { account, version } of accounts) {
      if (!holdsAnything(account)) continue;
      this.held.set(account.id, { account, version, slot: this.slots.length });
      this.slots.push(account);
      this.orders.set(account);
    }
    this.index = LiquidationIndex.build(this.slots, market);
  }

  get size(): number {
    return this.held.size;
  }

  get(id: string): Held | undefined {
    return this.held.get(id);
  }

  version(id: string): number | undefined {
    return this.held.get(id)?.version;
  }

  /** The latest version memory took of the account, held or not. */
  knownVersion(id: string): number | undefined {
    return this.held.get(id)?.version ?? this.seen.get(id);
  }

  ids(): IterableIterator<string> {
    return this.held.keys();
  }

  /** Takes an account's state as stored at `version` (an account holding nothing is dropped). */
  set(account: Account, version: number): void {
    const h = this.held.get(account.id);
    if (!holdsAnything(account)) {
      if (h) this.drop(account.id);
      this.seen.delete(account.id);
      this.seen.set(account.id, version);
      if (this.seen.size > 200_000) this.seen.delete(this.seen.keys().next().value!);
      return;
    }
    this.seen.delete(account.id);
    if (h) {
      h.account = account;
      h.version = version;
      this.slots[h.slot] = account;
      this.index.updateAccount(h.slot, account);
    } else {
      const slot = this.free.pop() ?? this.slots.length;
      this.held.set(account.id, { account, version, slot });
      this.slots[slot] = account;
      this.index.updateAccount(slot, account);
    }
    this.orders.set(account);
  }

  /** Re-indexes an account as it is (after a candidate the loop did not act on). */
  refresh(id: string): void {
    const h = this.held.get(id);
    if (h) this.index.updateAccount(h.slot, h.account);
  }

  drop(id: string): void {
    const h = this.held.get(id);
    if (!h) return;
    this.held.delete(id);
    const empty = emptyAccount(id);
    this.slots[h.slot] = empty;
    this.index.updateAccount(h.slot, empty);
    this.free.push(h.slot);
    this.orders.remove(id);
  }

  /**
   * Re-marks the symbol's positions and returns the accounts that may have to be liquidated at
   * the new mark: the index's float filter, which never misses one, without its exact check, since
   * the engine decides each under the account's lock anyway. Their units are retired until the
   * account is set again.
   */
  liquidatable(symbol: string, mark: Account['walletBalance']): string[] {
    const r = this.index.tick(symbol, mark, { exact: false });
    const ids: string[] = [];
    for (const hit of r.liquidations) {
      this.index.retire(hit.unit);
      ids.push(hit.accountId);
    }
    return ids;
  }

  /** Accounts holding a position in any of the symbols. */
  withPositionIn(symbols: readonly string[]): string[] {
    const out: string[] = [];
    for (const [id, h] of this.held)
      if (symbols.some((s) => h.account.positions[s] !== undefined)) out.push(id);
    return out;
  }
}
