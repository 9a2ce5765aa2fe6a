// The market's recent trades, which /fapi/v1/trades and the aggTrade stream serve: the live feed
// keeps only each symbol's latest trade, so this keeps the last MAX_PER_SYMBOL of every symbol of
// every venue as they arrive, numbered in arrival order. Numbers start again when the process
// starts (Binance's trade ids are exchange-wide; these are this server's).
import type { TradeTick } from '@lab/contracts';
import type { FeedUpdate, MarketFeedLike } from '@lab/market-data';

export const MAX_PER_SYMBOL = 1000;

export interface NumberedTrade extends TradeTick {
  id: number;
}

export class RecentTrades {
  private readonly bySymbol = new Map<string, NumberedTrade[]>();
  private nextId = 1;
  private readonly off: () => void;
  private readonly listeners = new Set<(venue: string, t: NumberedTrade) => void>();

  constructor(feed: MarketFeedLike) {
    this.off = feed.subscribe((u) => this.onUpdate(u));
  }

  /** Oldest first, at most `limit`, the most recent ones. */
  list(venue: string, symbol: string, limit: number): NumberedTrade[] {
    const all = this.bySymbol.get(`${venue}|${symbol}`) ?? [];
    return all.slice(Math.max(0, all.length - limit));
  }

  /** Every trade as it is numbered (the aggTrade stream). */
  subscribe(listener: (venue: string, t: NumberedTrade) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    this.off();
    this.listeners.clear();
  }

  private onUpdate(u: FeedUpdate): void {
    for (const t of u.ticks) {
      if (t.kind !== 'trade') continue;
      const key = `${u.venue}|${t.symbol}`;
      let list = this.bySymbol.get(key);
      if (!list) this.bySymbol.set(key, (list = []));
      const n: NumberedTrade = { ...t, id: this.nextId++ };
      list.push(n);
      if (list.length > MAX_PER_SYMBOL * 1.5) list.splice(0, list.length - MAX_PER_SYMBOL);
      for (const l of this.listeners) l(u.venue, n);
    }
  }
}
