// The market stream: the latest state, then every batch of ticks, of the symbols (and kinds of
// tick) a page shows, on one venue. Clients wanting the same thing share a group in the hub, so a
// batch is filtered and encoded once per group, whatever the number of clients.
import { MAIN_VENUE, type MarketStreamQuery, type MarketTick, type TickKind } from '@lab/contracts';
import type { FeedUpdate, MarketFeedLike } from '@lab/market-data';
import { sseFrame, type SseHub } from './sse-hub.ts';

interface Filter {
  venue: string;
  symbols: ReadonlySet<string> | null;
  kinds: ReadonlySet<TickKind> | null;
}

const keyOf = (venue: string, q: MarketStreamQuery): string =>
  `market|${venue}|${q.symbols?.length ? [...new Set(q.symbols)].sort().join(',') : '*'}|${
    q.kinds?.length ? [...new Set(q.kinds)].sort().join(',') : '*'
  }`;

const pick = (f: Filter, ticks: readonly MarketTick[]): MarketTick[] =>
  ticks.filter((t) => (!f.symbols || f.symbols.has(t.symbol)) && (!f.kinds || f.kinds.has(t.kind)));

export class MarketStreams {
  private readonly filters = new Map<string, Filter>();
  private readonly off: () => void;

  constructor(
    private readonly hub: SseHub,
    private readonly feed: MarketFeedLike,
  ) {
    this.off = feed.subscribe((u) => this.broadcast(u));
  }

  /** A stream of `q` on `venue` for a client at `address` (throws StreamRefused). */
  open(
    address: string,
    q: MarketStreamQuery,
    venue: string = MAIN_VENUE,
  ): ReadableStream<Uint8Array> {
    const key = keyOf(venue, q);
    const filter: Filter = this.filters.get(key) ?? {
      venue,
      symbols: q.symbols?.length ? new Set(q.symbols) : null,
      kinds: q.kinds?.length ? new Set(q.kinds) : null,
    };
    this.filters.set(key, filter);
    return this.hub.open(address, key, {
      snapshot: () => {
        const now = Date.now();
        const ticks = pick(
          filter,
          this.feed.snapshot(filter.symbols ? [...filter.symbols] : undefined, venue),
        );
        return sseFrame(JSON.stringify({ snapshot: true, publishedAt: now, ticks }), `s${now}`);
      },
      onEmpty: () => this.filters.delete(key),
    });
  }

  close(): void {
    this.off();
  }

  private broadcast(u: FeedUpdate): void {
    for (const [key, f] of this.filters) {
      if (f.venue !== u.venue || !this.hub.listeners(key)) continue;
      const ticks = pick(f, u.ticks);
      if (!ticks.length) continue;
      this.hub.broadcast(
        key,
        sseFrame(
          JSON.stringify({ snapshot: false, publishedAt: u.publishedAt, ticks }),
          String(u.seq),
        ),
      );
    }
  }
}
