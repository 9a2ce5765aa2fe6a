// The in-process view of the market that a server keeps: the latest mark/trade/book/status per
// symbol (so a client that connects or reconnects gets the current state at once), and a fan-out
// of every batch to live subscribers (the tRPC SSE subscription).
import { MAIN_VENUE } from '@lab/contracts';
import type { TickBatch, TickSubscriber } from '../bus/types.ts';
import type { BookTick, MarkTick, MarketTick, StatusTick, TradeTick } from '../types.ts';

export interface SymbolSnapshot {
  mark?: MarkTick;
  trade?: TradeTick;
  book?: BookTick;
  status?: StatusTick;
}

export interface FeedUpdate {
  /** Increases by one per batch in this process; used as the SSE event id. */
  seq: number;
  /** The venue whose ticks these are. */
  venue: string;
  publishedAt: number;
  ticks: MarketTick[];
}

export interface MarketFeedLike {
  /** The latest state of a venue's symbols (default venue: the main market). */
  snapshot(symbols?: readonly string[], venue?: string): MarketTick[];
  subscribe(listener: (update: FeedUpdate) => void): () => void;
}

export class MarketFeed implements MarketFeedLike {
  /** Per venue, per symbol. */
  private readonly latest = new Map<string, Map<string, SymbolSnapshot>>();
  private readonly listeners = new Set<(update: FeedUpdate) => void>();
  private seq = 0;
  private detach: (() => void) | null = null;

  constructor(private readonly source?: TickSubscriber) {}

  async start(): Promise<void> {
    if (!this.source || this.detach) return;
    this.detach = this.source.onBatch((b) => this.ingest(b));
    await this.source.start();
  }

  async close(): Promise<void> {
    this.detach?.();
    this.detach = null;
    this.listeners.clear();
    await this.source?.close();
  }

  /** Records a batch as the latest state and fans it out. */
  ingest(batch: TickBatch): void {
    const venue = batch.venue ?? MAIN_VENUE;
    let latest = this.latest.get(venue);
    if (!latest) this.latest.set(venue, (latest = new Map<string, SymbolSnapshot>()));
    for (const t of batch.ticks) {
      const s = latest.get(t.symbol) ?? {};
      if (t.kind === 'mark') s.mark = t;
      else if (t.kind === 'trade') s.trade = t;
      else if (t.kind === 'book') s.book = t;
      else s.status = t;
      latest.set(t.symbol, s);
    }
    const update: FeedUpdate = {
      seq: ++this.seq,
      venue,
      publishedAt: batch.publishedAt,
      ticks: batch.ticks,
    };
    for (const l of this.listeners) l(update);
  }

  get lastSeq(): number {
    return this.seq;
  }

  snapshot(symbols?: readonly string[], venue: string = MAIN_VENUE): MarketTick[] {
    const out: MarketTick[] = [];
    for (const [symbol, s] of this.latest.get(venue) ?? []) {
      if (symbols && !symbols.includes(symbol)) continue;
      for (const t of [s.status, s.mark, s.trade, s.book]) if (t) out.push(t);
    }
    return out;
  }

  subscribe(listener: (update: FeedUpdate) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
