// Market streams in Binance's event formats, from the process's live feed: every subscriber of a
// stream name gets the same encoded text, built once per event. Mark prices are pushed every 3 s
// (or 1 s for @1s) with the latest mark, as Binance does; book tickers and aggregate trades as
// they arrive; klines at most every 250 ms per stream, built from the feed's trades (an interval
// that was already open when this process started begins with the trades seen since then).
import type { BookTick, MarkTick } from '@lab/contracts';
import {
  CandleAggregator,
  INTERVAL_MS,
  type Candle,
  type FeedUpdate,
  type MarketFeedLike,
} from '@lab/market-data';
import type { RecentTrades, NumberedTrade } from './recent-trades.ts';
import type { StreamName } from './stream-names.ts';

export type Deliver = (stream: string, text: string) => void;

const KLINE_EVERY_MS = 250;

function markEvent(m: MarkTick, now: number) {
  return {
    e: 'markPriceUpdate',
    E: now,
    s: m.symbol,
    p: m.markPrice,
    i: m.indexPrice,
    P: m.indexPrice,
    r: m.fundingRate,
    T: m.nextFundingTime,
  };
}

function bookEvent(b: BookTick, now: number) {
  return {
    e: 'bookTicker',
    u: b.time,
    E: now,
    T: b.time,
    s: b.symbol,
    b: b.bids[0]?.[0] ?? '0',
    B: b.bids[0]?.[1] ?? '0',
    a: b.asks[0]?.[0] ?? '0',
    A: b.asks[0]?.[1] ?? '0',
  };
}

function aggTradeEvent(t: NumberedTrade, now: number) {
  return {
    e: 'aggTrade',
    E: now,
    s: t.symbol,
    a: t.id,
    p: t.price,
    q: t.quantity,
    f: t.id,
    l: t.id,
    T: t.time,
    m: t.side === 'sell',
  };
}

function klineEvent(c: Candle, closed: boolean, now: number) {
  const ms = INTERVAL_MS[c.interval];
  return {
    e: 'kline',
    E: now,
    s: c.symbol,
    k: {
      t: c.openTime,
      T: c.openTime + ms - 1,
      s: c.symbol,
      i: c.interval,
      f: 0,
      L: 0,
      o: String(c.open),
      c: String(c.close),
      h: String(c.high),
      l: String(c.low),
      v: String(c.volume),
      n: c.trades,
      x: closed,
      q: '0',
      V: '0',
      Q: '0',
      B: '0',
    },
  };
}

/**
 * The market side of the bot streams on one process: it knows which stream names have
 * subscribers (per venue) and delivers their events.
 */
export class MarketStreamProducer {
  /** venue -> stream name -> parsed name, for names somebody listens to. */
  private readonly wanted = new Map<string, Map<string, StreamName>>();
  private readonly aggregators = new Map<string, CandleAggregator>();
  private readonly klineSentAt = new Map<string, number>();
  private readonly offs: Array<() => void> = [];
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly feed: MarketFeedLike,
    trades: RecentTrades,
    private readonly deliver: (venue: string, stream: string, payload: unknown) => void,
    private readonly now: () => number = Date.now,
  ) {
    this.offs.push(feed.subscribe((u) => this.onFeed(u)));
    this.offs.push(trades.subscribe((venue, t) => this.onTrade(venue, t)));
    this.timers.push(setInterval(() => this.pushMarks(3000), 3000).unref());
    this.timers.push(setInterval(() => this.pushMarks(1000), 1000).unref());
    this.timers.push(setInterval(() => this.closeKlines(), 1000).unref());
  }

  setWanted(venue: string, names: ReadonlyMap<string, StreamName>): void {
    if (names.size) this.wanted.set(venue, new Map(names));
    else this.wanted.delete(venue);
  }

  close(): void {
    for (const off of this.offs) off();
    for (const t of this.timers) clearInterval(t);
  }

  private has(venue: string, name: string): boolean {
    return this.wanted.get(venue)?.has(name) ?? false;
  }

  private onFeed(u: FeedUpdate): void {
    if (!this.wanted.has(u.venue)) {
      // candles are built whether or not somebody listens, so a subscriber gets a whole interval
      for (const t of u.ticks) if (t.kind === 'trade') this.aggregator(u.venue).addTrade(t, false);
      return;
    }
    const now = this.now();
    const touched = new Map<string, Candle>();
    for (const t of u.ticks) {
      if (t.kind === 'book') {
        const name = `${t.symbol.toLowerCase()}@bookTicker`;
        const ev = bookEvent(t, now);
        if (this.has(u.venue, name)) this.deliver(u.venue, name, ev);
        if (this.has(u.venue, '!bookTicker')) this.deliver(u.venue, '!bookTicker', ev);
      } else if (t.kind === 'trade') {
        for (const up of this.aggregator(u.venue).addTrade(t)) {
          const name = `${up.candle.symbol.toLowerCase()}@kline_${up.candle.interval}`;
          if (!this.has(u.venue, name)) continue;
          if (up.closed) this.deliver(u.venue, name, klineEvent(up.candle, true, now));
          else touched.set(name, up.candle);
        }
      }
    }
    for (const [name, candle] of touched) {
      const last = this.klineSentAt.get(`${u.venue}|${name}`) ?? 0;
      if (now - last < KLINE_EVERY_MS) continue;
      this.klineSentAt.set(`${u.venue}|${name}`, now);
      this.deliver(u.venue, name, klineEvent(candle, false, now));
    }
  }

  private aggregator(venue: string): CandleAggregator {
    let a = this.aggregators.get(venue);
    if (!a) this.aggregators.set(venue, (a = new CandleAggregator()));
    return a;
  }

  private onTrade(venue: string, t: NumberedTrade): void {
    const name = `${t.symbol.toLowerCase()}@aggTrade`;
    if (this.has(venue, name)) this.deliver(venue, name, aggTradeEvent(t, this.now()));
  }

  private pushMarks(everyMs: number): void {
    const now = this.now();
    for (const [venue, names] of this.wanted) {
      const marks = this.feed
        .snapshot(undefined, venue)
        .filter((t): t is MarkTick => t.kind === 'mark');
      for (const [name, s] of names) {
        if (s.kind !== 'markPrice' || s.everyMs !== everyMs) continue;
        if (s.symbol === null)
          this.deliver(
            venue,
            name,
            marks.map((m) => markEvent(m, now)),
          );
        else {
          const m = marks.find((x) => x.symbol === s.symbol);
          if (m) this.deliver(venue, name, markEvent(m, now));
        }
      }
    }
  }

  /** Quiet markets still close their candles on time. */
  private closeKlines(): void {
    const now = this.now();
    for (const [venue, agg] of this.aggregators) {
      for (const up of agg.advanceTime(now)) {
        const name = `${up.candle.symbol.toLowerCase()}@kline_${up.candle.interval}`;
        if (up.closed && this.has(venue, name))
          this.deliver(venue, name, klineEvent(up.candle, true, now));
      }
    }
  }

  /** The current open candle of a kline stream (sent when a client subscribes). */
  openKline(venue: string, s: Extract<StreamName, { kind: 'kline' }>): unknown {
    const c = this.aggregator(venue)
      .openCandles(s.symbol)
      .find((x) => x.interval === s.interval);
    return c ? klineEvent(c, false, this.now()) : null;
  }
}
