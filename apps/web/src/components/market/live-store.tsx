'use client';
// Live market state in the browser: one market stream (/api/stream/market) per page feeds a small
// external store; components read one symbol's state with useSyncExternalStore, so a tick only
// re-renders what shows that symbol. The chart listens to raw trades to build its last candle.
import type { MarketStreamEvent, MarketTick, TickKind, TradeTick } from '@lab/contracts';
import { createContext, useContext, useEffect, useState, useSyncExternalStore } from 'react';
import { compareDecimal } from '@/lib/market-format';
import { useEventStream } from '@/lib/use-event-stream';
import type { MarketStatus } from './types';

export type Level = [price: string, quantity: string];

export interface LiveSymbolState {
  last: string | null;
  /** Direction of the last price change: 1 up, -1 down, 0 unknown. */
  lastDir: -1 | 0 | 1;
  /** Increases on every price change (restarts the flash animation). */
  lastSeq: number;
  mark: string | null;
  index: string | null;
  fundingRate: string | null;
  nextFundingTime: number | null;
  status: MarketStatus | null;
  book: { bids: Level[]; asks: Level[]; time: number } | null;
  /** Most recent first. */
  trades: TradeTick[];
  /** Extremes of trades seen since this page loaded (widen the stored 24h range). */
  high: string | null;
  low: string | null;
}

export type FeedConnection = 'connecting' | 'live' | 'reconnecting';

const EMPTY: LiveSymbolState = Object.freeze({
  last: null,
  lastDir: 0,
  lastSeq: 0,
  mark: null,
  index: null,
  fundingRate: null,
  nextFundingTime: null,
  status: null,
  book: null,
  trades: [],
  high: null,
  low: null,
});

const MAX_TRADES = 40;

export type LiveUpdate = Pick<MarketStreamEvent, 'snapshot'> & { ticks: MarketTick[] };

export class LiveMarketStore {
  private states = new Map<string, LiveSymbolState>();
  private listeners = new Set<() => void>();
  private tradeListeners = new Map<string, Set<(t: TradeTick) => void>>();
  connection: FeedConnection = 'connecting';

  get = (symbol: string): LiveSymbolState => this.states.get(symbol) ?? EMPTY;
  getConnection = (): FeedConnection => this.connection;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Raw trades of one symbol, in order (for building the live candle). */
  onTrade(symbol: string, listener: (t: TradeTick) => void): () => void {
    let set = this.tradeListeners.get(symbol);
    if (!set) this.tradeListeners.set(symbol, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  setConnection(c: FeedConnection) {
    if (c === this.connection) return;
    this.connection = c;
    this.emit();
  }

  apply(update: LiveUpdate) {
    const touched = new Map<string, LiveSymbolState>();
    const draft = (symbol: string) => {
      let s = touched.get(symbol);
      if (!s) {
        const prev = this.get(symbol);
        s = { ...prev, trades: prev.trades };
        touched.set(symbol, s);
      }
      return s;
    };
    const newTrades = new Map<string, TradeTick[]>();
    for (const t of update.ticks) {
      const s = draft(t.symbol);
      switch (t.kind) {
        case 'trade': {
          const cmp = compareDecimal(t.price, s.last);
          if (cmp !== null && cmp !== 0) {
            s.lastDir = cmp;
            s.lastSeq += 1;
          }
          s.last = t.price;
          if (s.high === null || compareDecimal(t.price, s.high) === 1) s.high = t.price;
          if (s.low === null || compareDecimal(t.price, s.low) === -1) s.low = t.price;
          // A snapshot after a reconnect repeats the latest trade: keep it off the tape.
          if (update.snapshot && s.trades[0] && t.time <= s.trades[0].time) break;
          let list = newTrades.get(t.symbol);
          if (!list) newTrades.set(t.symbol, (list = []));
          list.push(t);
          break;
        }
        case 'mark':
          s.mark = t.markPrice;
          s.index = t.indexPrice;
          s.fundingRate = t.fundingRate;
          s.nextFundingTime = t.nextFundingTime;
          break;
        case 'book':
          s.book = { bids: t.bids, asks: t.asks, time: t.time };
          break;
        case 'status':
          s.status = t.status;
          break;
      }
    }
    for (const [symbol, list] of newTrades) {
      const s = touched.get(symbol)!;
      s.trades = [...list.reverse(), ...s.trades].slice(0, MAX_TRADES);
    }
    for (const [symbol, s] of touched) this.states.set(symbol, s);
    if (touched.size) this.emit();
    for (const [symbol, list] of newTrades) {
      const ls = this.tradeListeners.get(symbol);
      if (!ls?.size) continue;
      // `list` was reversed above; deliver in time order.
      for (const t of [...list].reverse()) for (const l of ls) l(t);
    }
  }

  private emit() {
    for (const l of this.listeners) l();
  }
}

const StoreContext = createContext<LiveMarketStore | null>(null);
const ServerNowContext = createContext(0);

function useStore(): LiveMarketStore {
  const store = useContext(StoreContext);
  if (!store) throw new Error('Live market hooks need a <LiveMarketProvider>');
  return store;
}

/** The live state of one symbol; empty until the first event (and during server rendering). */
export function useLiveSymbol(symbol: string): LiveSymbolState {
  const store = useStore();
  return useSyncExternalStore(
    store.subscribe,
    () => store.get(symbol),
    () => EMPTY,
  );
}

export function useFeedConnection(): FeedConnection {
  const store = useStore();
  return useSyncExternalStore(store.subscribe, store.getConnection, () => 'connecting' as const);
}

export function useLiveStore(): LiveMarketStore {
  return useStore();
}

function isUpdate(v: unknown): v is LiveUpdate {
  return !!v && typeof v === 'object' && Array.isArray((v as LiveUpdate).ticks);
}

/** The market stream's URL for these symbols and kinds of tick (all when omitted), on a venue. */
export function marketStreamUrl(
  symbols?: readonly string[],
  kinds?: readonly TickKind[],
  venue?: string,
): string {
  const q = new URLSearchParams();
  if (symbols?.length) q.set('symbols', symbols.join(','));
  if (kinds?.length) q.set('kinds', kinds.join(','));
  if (venue) q.set('venue', venue);
  const qs = q.toString();
  return `/api/stream/market${qs ? `?${qs}` : ''}`;
}

function LiveFeed({
  store,
  symbols,
  kinds,
  venue,
}: {
  store: LiveMarketStore;
  symbols?: string[];
  kinds?: TickKind[];
  venue?: string;
}) {
  const status = useEventStream(marketStreamUrl(symbols, kinds, venue), (payload) => {
    if (isUpdate(payload)) {
      store.apply(payload);
      store.setConnection('live');
    }
  });
  useEffect(() => {
    if (status !== 'open')
      store.setConnection(store.connection === 'live' ? 'reconnecting' : store.connection);
  }, [status, store]);
  return null;
}

const PRICES: TickKind[] = ['trade', 'mark', 'status'];
const BOOKS: TickKind[] = ['book'];

/**
 * Live prices for its subtree: trades, marks and market status of all symbols (or `symbols`),
 * and order books only of `bookSymbols` (books are the heavy part of the feed: a page streams the
 * books it shows and no others).
 */
export function LiveMarketProvider({
  symbols,
  bookSymbols,
  serverNow,
  venue,
  children,
}: {
  symbols?: string[];
  bookSymbols?: string[];
  /** The server's clock when it rendered the page, so countdowns hydrate without a mismatch. */
  serverNow: number;
  /** A competition's own market (default: the main market); the chart's candles follow it. */
  venue?: string;
  children: React.ReactNode;
}) {
  const [store] = useState(() => new LiveMarketStore());
  return (
    <StoreContext.Provider value={store}>
      <ServerNowContext.Provider value={serverNow}>
        <VenueContext.Provider value={venue}>
          <LiveFeed store={store} symbols={symbols} kinds={PRICES} venue={venue} />
          {bookSymbols?.length ? (
            <LiveFeed store={store} symbols={bookSymbols} kinds={BOOKS} venue={venue} />
          ) : null}
          {children}
        </VenueContext.Provider>
      </ServerNowContext.Provider>
    </StoreContext.Provider>
  );
}

const VenueContext = createContext<string | undefined>(undefined);

/** The venue of the live prices around (undefined: the main market). */
export const useLiveVenue = () => useContext(VenueContext);

const nowListeners = new Set<() => void>();
let nowTimer: ReturnType<typeof setInterval> | undefined;
let nowValue = 0;
function subscribeNow(l: () => void) {
  nowListeners.add(l);
  if (!nowTimer) {
    nowValue = Date.now();
    nowTimer = setInterval(() => {
      nowValue = Date.now();
      for (const x of nowListeners) x();
    }, 1000);
  }
  return () => {
    nowListeners.delete(l);
    if (!nowListeners.size && nowTimer) {
      clearInterval(nowTimer);
      nowTimer = undefined;
    }
  };
}

/** Wall-clock time that ticks once a second, shared by every countdown on the page. */
export function useNow(): number {
  const serverNow = useContext(ServerNowContext);
  return useSyncExternalStore(
    subscribeNow,
    () => (nowValue ||= Date.now()),
    () => serverNow || Date.now(),
  );
}
