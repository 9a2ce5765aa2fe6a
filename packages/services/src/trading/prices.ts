// Prices for trading: the latest tick of each symbol on a venue, as the process's live feed has it
// (the web server's MarketFeed, the worker's own sources). Never a stored row older than what the
// trader saw on screen; the stored tickers serve only processes without a feed (scripts, tests).
import { MAIN_VENUE, type MarkTick, type MarketStatus } from '@lab/contracts';
import type { MarketFeedLike } from '@lab/market-data';
import type { Db } from '@lab/db';
import { CATALOGUE, Decimal, type Catalogue, type Market } from '@lab/margin-engine';

export interface PriceQuote {
  markPrice: string;
  /** Last trade price (resting limits fill against it; stops with workingType 'last' use it). */
  lastPrice?: string;
  status: MarketStatus;
  /** Time of the mark, epoch ms. */
  time: number;
}

export interface VenuePrices {
  /** The latest quote of every symbol the venue has prices for. */
  quotes(venue: string): Promise<ReadonlyMap<string, PriceQuote>>;
}

/** A mark older than this is not a live market: orders are refused and nothing fills on it. */
export const STALE_AFTER_MS = 15_000;

/** The quote's status, with a mark that stopped moving treated as stale. */
export function effectiveStatus(q: PriceQuote | undefined, now: number): MarketStatus {
  if (!q) return 'connecting';
  if (q.status === 'live' && now - q.time > STALE_AFTER_MS) return 'stale';
  return q.status;
}

/** The engine's market for the quotes (with an account's own catalogue: a competition's fees). */
export function marketOf(
  quotes: ReadonlyMap<string, PriceQuote>,
  instruments: Catalogue = CATALOGUE,
): Market {
  const marks: Record<string, Decimal> = {};
  const lastPrices: Record<string, Decimal> = {};
  for (const [symbol, q] of quotes) {
    marks[symbol] = new Decimal(q.markPrice);
    if (q.lastPrice) lastPrices[symbol] = new Decimal(q.lastPrice);
  }
  return { instruments, marks, lastPrices };
}

const STATUS: Record<string, MarketStatus> = {
  LIVE: 'live',
  STALE: 'stale',
  HALTED: 'halted',
  CONNECTING: 'connecting',
};

/** Prices from the stored tickers, for processes without a live feed. */
export function storedPrices(db: Db): VenuePrices {
  return {
    async quotes(venue = MAIN_VENUE) {
      const rows = await db.marketTicker.findMany({ where: { venueId: venue } });
      return new Map(
        rows.map((r) => [
          r.symbol,
          {
            markPrice: r.markPrice.toFixed(),
            lastPrice: r.lastPrice.toFixed(),
            status: STATUS[r.status] ?? 'connecting',
            time: r.updatedAt.getTime(),
          },
        ]),
      );
    },
  };
}

/** Fixed quotes, for tests and scripted runs: set() replaces a symbol's quote. */
export class StaticPrices implements VenuePrices {
  private readonly venues = new Map<string, Map<string, PriceQuote>>();

  set(
    symbol: string,
    quote: Partial<PriceQuote> & { markPrice: string },
    venue = MAIN_VENUE,
  ): this {
    const v = this.venues.get(venue) ?? new Map<string, PriceQuote>();
    v.set(symbol, { status: 'live', time: Date.now(), ...quote });
    this.venues.set(venue, v);
    return this;
  }

  quotes(venue: string): Promise<ReadonlyMap<string, PriceQuote>> {
    const v = this.venues.get(venue) ?? new Map<string, PriceQuote>();
    // a fixed price never goes stale
    return Promise.resolve(new Map([...v].map(([s, q]) => [s, { ...q, time: Date.now() }])));
  }
}

/**
 * Prices from a process's live feed: the latest mark, trade and status tick of each symbol of the
 * venue (the feed keeps every venue's ticks: the main market's and the competitions' own).
 */
export function feedPrices(feed: MarketFeedLike): VenuePrices {
  return {
    quotes(venue = MAIN_VENUE) {
      const out = new Map<string, PriceQuote>();
      const last = new Map<string, string>();
      const status = new Map<string, MarketStatus>();
      const marks: MarkTick[] = [];
      for (const t of feed.snapshot(undefined, venue)) {
        if (t.kind === 'mark') marks.push(t);
        else if (t.kind === 'trade') last.set(t.symbol, t.price);
        else if (t.kind === 'status') status.set(t.symbol, t.status);
      }
      for (const m of marks) {
        const lastPrice = last.get(m.symbol);
        out.set(m.symbol, {
          markPrice: m.markPrice,
          ...(lastPrice ? { lastPrice } : {}),
          status: status.get(m.symbol) ?? 'live',
          time: m.time,
        });
      }
      return Promise.resolve(out);
    },
  };
}
