// Serialise once, write to all: the live stream of a MarketFeed to many server-sent-events
// clients, speaking exactly the wire format of tRPC 11's SSE subscriptions (what the `market.live`
// procedure produces through tRPC's stream pipeline), so `httpSubscriptionLink` cannot tell the
// difference. tRPC encodes every event separately for every client (~160 µs of CPU per event per
// client); here each batch is encoded once per distinct symbol filter into one Buffer that every
// client of that filter gets with `res.write`.
//
// The frames, as @trpc/server 11.22 `sseStreamProducer` writes them (no transformer):
//   event: connected\ndata: <JSON of config.sse.client, `{}` by default>\n\n\n
//   data: <JSON of the tracked payload>\nid: <tracked id>\n\n\n
//   event: ping\ndata: \n\n\n                       (only when config.sse.ping is enabled)
// The payloads are those of `market.live`: first `{snapshot: true, publishedAt, ticks}` with id
// `s<ms>`, then `{snapshot: false, publishedAt, ticks}` with id `<seq>` for every batch that has
// ticks for the client's symbols. A reconnecting client (Last-Event-ID) gets a fresh snapshot, as
// from the procedure: ticks are not kept, the latest state is.
//
// A client whose socket cannot keep up (more than `maxBufferedBytes` queued) skips batches and gets
// a fresh snapshot when its socket drains; it never delays the others.
import type { ServerResponse } from 'node:http';
import type { MarketTick } from '../types.ts';
import type { FeedUpdate, MarketFeedLike } from './market-feed.ts';

/** The headers of a tRPC subscription response: `vary` of every response, then `sseHeaders`. */
export const SSE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  Vary: 'trpc-accept, accept',
  'Content-Type': 'text/event-stream',
  'Cache-Control': 'no-cache, no-transform',
  'X-Accel-Buffering': 'no',
  Connection: 'keep-alive',
});

export interface LiveSseOptions {
  /** tRPC's `config.sse.client`: sent as the data of the `connected` event. */
  client?: { reconnectAfterInactivityMs?: number };
  /** tRPC's `config.sse.ping`: a `ping` event to a client that got nothing for `intervalMs`. */
  ping?: { enabled?: boolean; intervalMs?: number };
  /** tRPC's `config.sse.maxDurationMs`: the stream ends after this long (the client reconnects). */
  maxDurationMs?: number;
  /** Bytes queued in a client's socket above which it skips batches until drained. Default 256 KiB. */
  maxBufferedBytes?: number;
  now?: () => number;
}

interface Client {
  res: ServerResponse;
  group: Group;
  /** Skipping batches until its socket drains. */
  behind: boolean;
  lastWriteAt: number;
  timer?: ReturnType<typeof setTimeout>;
}

interface Group {
  key: string;
  symbols: readonly string[] | null;
  wanted: Set<string> | null;
  clients: Set<Client>;
}

/** One SSE frame exactly as tRPC's producer writes it. */
export function sseFrame(chunk: { event?: string; data: string; id?: string }): string {
  let s = '';
  if (chunk.event !== undefined) s += `event: ${chunk.event}\n`;
  s += `data: ${chunk.data}\n`;
  if (chunk.id !== undefined) s += `id: ${chunk.id}\n`;
  return s + '\n\n';
}

/** The frame of one `market.live` event (tracked id + payload). */
export function liveFrame(
  id: string,
  snapshot: boolean,
  publishedAt: number,
  ticks: readonly MarketTick[],
): string {
  return sseFrame({ id, data: JSON.stringify({ snapshot, publishedAt, ticks }) });
}

export class LiveSseFanout {
  private readonly groups = new Map<string, Group>();
  private readonly clients = new Set<Client>();
  private readonly off: () => void;
  private readonly pingTimer?: ReturnType<typeof setInterval>;
  private readonly connectedFrame: string;
  private readonly pingFrame = Buffer.from(sseFrame({ event: 'ping', data: '' }));
  private readonly now: () => number;
  private readonly maxBuffered: number;
  private closed = false;
  /** Frames encoded, and client writes (for the benchmark and tests). */
  readonly stats = { encoded: 0, writes: 0, skipped: 0, resyncs: 0 };

  constructor(
    private readonly feed: MarketFeedLike,
    private readonly opts: LiveSseOptions = {},
  ) {
    this.now = opts.now ?? Date.now;
    this.maxBuffered = opts.maxBufferedBytes ?? 256 * 1024;
    this.connectedFrame = sseFrame({ event: 'connected', data: JSON.stringify(opts.client ?? {}) });
    this.off = feed.subscribe((u) => this.broadcast(u));
    const ping = opts.ping;
    if (ping?.enabled) {
      const every = ping.intervalMs ?? 1000;
      if (every > 0 && every !== Infinity) {
        this.pingTimer = setInterval(() => this.pingIdle(every), every);
        this.pingTimer.unref();
      }
    }
  }

  get size(): number {
    return this.clients.size;
  }

  /**
   * Answers `res` with the live stream (status 200 and tRPC's SSE headers, then `connected` and the
   * snapshot). `symbols`: already validated and normalised symbols; null or empty for all.
   */
  open(res: ServerResponse, symbols?: readonly string[] | null): void {
    if (this.closed) throw new Error('LiveSseFanout is closed');
    const group = this.groupFor(symbols?.length ? symbols : null);
    const client: Client = { res, group, behind: false, lastWriteAt: this.now() };
    res.writeHead(200, SSE_HEADERS);
    res.flushHeaders();
    // Before the first batch can arrive (same tick): nothing between the snapshot and the stream is lost.
    this.write(client, this.connectedFrame + this.snapshotFrame(group));
    group.clients.add(client);
    this.clients.add(client);
    if (this.opts.maxDurationMs)
      client.timer = setTimeout(() => res.end(), this.opts.maxDurationMs);
    res.once('close', () => this.remove(client));
    res.on('error', () => this.remove(client));
  }

  /** Ends every stream and stops listening to the feed. */
  close(): void {
    this.closed = true;
    this.off();
    if (this.pingTimer) clearInterval(this.pingTimer);
    for (const c of [...this.clients]) {
      this.remove(c);
      c.res.end();
    }
  }

  private groupFor(symbols: readonly string[] | null): Group {
    const key = symbols ? [...new Set(symbols)].sort().join(',') : '*';
    let g = this.groups.get(key);
    if (!g) {
      g = { key, symbols, wanted: symbols ? new Set(symbols) : null, clients: new Set() };
      this.groups.set(key, g);
    }
    return g;
  }

  private remove(c: Client): void {
    if (!this.clients.delete(c)) return;
    if (c.timer) clearTimeout(c.timer);
    c.group.clients.delete(c);
    if (!c.group.clients.size) this.groups.delete(c.group.key);
  }

  private snapshotFrame(g: Group): string {
    const now = this.now();
    return liveFrame(`s${now}`, true, now, this.feed.snapshot(g.symbols ?? undefined));
  }

  private broadcast(u: FeedUpdate): void {
    for (const g of this.groups.values()) {
      let frame: Buffer | null = null;
      for (const c of g.clients) {
        if (c.behind) {
          this.stats.skipped++;
          continue;
        }
        if (!frame) {
          const wanted = g.wanted;
          const ticks = wanted ? u.ticks.filter((t) => wanted.has(t.symbol)) : u.ticks;
          if (!ticks.length) break; // as the procedure: no event without ticks
          frame = Buffer.from(liveFrame(String(u.seq), false, u.publishedAt, ticks));
          this.stats.encoded++;
        }
        this.write(c, frame);
      }
    }
  }

  private write(c: Client, chunk: Buffer | string): void {
    const res = c.res;
    if (res.destroyed || res.writableEnded) return;
    // Still more than the cap queued from earlier writes (never below the stream's own high-water
    // mark, so that 'drain' will come): skip until the socket drains, then resynchronise with a
    // fresh snapshot. One large frame on an empty queue is always written.
    if (res.writableLength > Math.max(this.maxBuffered, res.writableHighWaterMark)) {
      this.stats.skipped++;
      c.behind = true;
      res.once('drain', () => {
        if (!this.clients.has(c)) return;
        c.behind = false;
        this.stats.resyncs++;
        this.write(c, this.snapshotFrame(c.group));
      });
      return;
    }
    res.write(chunk);
    this.stats.writes++;
    c.lastWriteAt = this.now();
  }

  private pingIdle(every: number): void {
    const now = this.now();
    for (const c of this.clients)
      if (!c.behind && now - c.lastWriteAt >= every) this.write(c, this.pingFrame);
  }
}
