// The bot API's WebSocket side, independent of the WebSocket library: which path is which stream
// (Binance's /ws/<stream>, /stream?streams=a/b, /ws/<listenKey>, and the newer /public/ws,
// /market/ws and /private/ws?listenKey=... that ccxt uses), SUBSCRIBE / UNSUBSCRIBE /
// LIST_SUBSCRIPTIONS messages, fan-out of market events (each encoded once per stream and form),
// and the user data stream of a listen key (closed with listenKeyExpired when the key lapses or
// is revoked). A connection that cannot keep up (more than MAX_BUFFERED_BYTES waiting) is closed,
// as Binance disconnects slow consumers, so it never holds memory for the others.
import type { Db } from '@lab/db';
import { MAIN_VENUE } from '@lab/contracts';
import type { MarketFeedLike } from '@lab/market-data';
import { resolveListenKey } from '@lab/services';
import { MarketStreamProducer } from './market-streams.ts';
import type { RecentTrades } from './recent-trades.ts';
import { parseStreamName, type StreamName } from './stream-names.ts';
import { UserStreamTranslator, type AccountEventSource } from './user-stream.ts';

/** What the bot streams need of a WebSocket. */
export interface StreamSocket {
  send(text: string): void;
  close(code?: number, reason?: string): void;
  readonly bufferedAmount: number;
}

/** What the WebSocket layer tells a connection. */
export interface StreamConnection {
  onMessage(text: string): void;
  onClose(): void;
}

export type Opened =
  | { ok: true; attach: (socket: StreamSocket) => StreamConnection }
  | { ok: false; status: number; message: string };

export const STREAM_LIMITS = {
  streamsPerConnection: 200,
  messagesPerSecond: 10,
  maxBufferedBytes: 1 << 20,
  /** Binance closes every connection after 24 hours. */
  lifetimeMs: 24 * 3600_000,
  /** How often a user data stream re-checks its listen key. */
  listenKeyCheckMs: 30_000,
} as const;

export interface BotStreamsDeps {
  db: Db;
  feed: MarketFeedLike;
  trades: RecentTrades;
  accounts: AccountEventSource;
  now?: () => number;
  log?: (message: string, error: unknown) => void;
}

interface Conn {
  socket: StreamSocket;
  venue: string;
  combined: boolean;
  names: Map<string, StreamName>;
  messages: { second: number; count: number };
  timers: NodeJS.Timeout[];
  closed: boolean;
  cleanup: Array<() => void>;
}

const LISTEN_KEY = /^[A-Za-z0-9]{64}$/;

export class BotStreams {
  private readonly conns = new Set<Conn>();
  private readonly producer: MarketStreamProducer;
  private readonly now: () => number;

  constructor(private readonly deps: BotStreamsDeps) {
    this.now = deps.now ?? Date.now;
    this.producer = new MarketStreamProducer(
      deps.feed,
      deps.trades,
      (v, s, p) => this.deliver(v, s, p),
      this.now,
    );
  }

  get size(): number {
    return this.conns.size;
  }

  /** Decides what a WebSocket request to `path` (with its query) is, before the handshake. */
  async open(path: string, query: URLSearchParams): Promise<Opened> {
    const m = /^\/(?:(public|market|private)\/)?(ws|stream)(?:\/([^/]*))?\/?$/.exec(path);
    if (!m) return { ok: false, status: 404, message: 'Unknown stream path.' };
    const [, category, form, rest] = m;
    const combined = form === 'stream';
    const listenKey = query.get('listenKey') ?? (rest && LISTEN_KEY.test(rest) ? rest : null);
    if (category === 'private' || listenKey) {
      if (!listenKey) return { ok: false, status: 400, message: 'listenKey is required.' };
      const owner = await resolveListenKey(this.deps.db, listenKey, this.now());
      if (!owner) return { ok: false, status: 400, message: 'This listenKey does not exist.' };
      return { ok: true, attach: (s) => this.attachUser(s, listenKey, owner.accountId, combined) };
    }
    const initial = combined ? (query.get('streams') ?? '').split('/') : rest ? [rest] : [];
    return { ok: true, attach: (s) => this.attachMarket(s, combined, initial.filter(Boolean)) };
  }

  close(): void {
    for (const c of [...this.conns]) this.end(c, 1001, 'server closing');
    this.producer.close();
  }

  private base(socket: StreamSocket, combined: boolean, venue: string): Conn {
    const c: Conn = {
      socket,
      venue,
      combined,
      names: new Map(),
      messages: { second: 0, count: 0 },
      timers: [],
      closed: false,
      cleanup: [],
    };
    c.timers.push(
      setTimeout(
        () => this.end(c, 1000, 'connection lifetime reached'),
        STREAM_LIMITS.lifetimeMs,
      ).unref(),
    );
    this.conns.add(c);
    return c;
  }

  private attachMarket(
    socket: StreamSocket,
    combined: boolean,
    initial: string[],
  ): StreamConnection {
    const c = this.base(socket, combined, MAIN_VENUE);
    this.subscribe(c, initial);
    return {
      onMessage: (text) => this.onMessage(c, text),
      onClose: () => this.end(c),
    };
  }

  private attachUser(
    socket: StreamSocket,
    listenKey: string,
    accountId: string,
    combined: boolean,
  ): StreamConnection {
    const c = this.base(socket, combined, MAIN_VENUE);
    const translator = new UserStreamTranslator(this.deps.db, accountId);
    let chain = Promise.resolve();
    const off = this.deps.accounts.watch(accountId, (e) => {
      // in order: each event is translated after the previous one
      chain = chain
        .then(async () => {
          const out = await translator.translate(e);
          for (const p of out)
            this.send(c, listenKey, JSON.stringify(combined ? { stream: listenKey, data: p } : p));
        })
        .catch((err: unknown) => this.deps.log?.('user data stream translation failed', err));
    });
    c.cleanup.push(off);
    c.timers.push(
      setInterval(() => {
        void resolveListenKey(this.deps.db, listenKey, this.now())
          .then((owner) => {
            if (owner) return;
            const ev = { e: 'listenKeyExpired', E: this.now(), listenKey };
            this.send(
              c,
              listenKey,
              JSON.stringify(combined ? { stream: listenKey, data: ev } : ev),
            );
            this.end(c, 1000, 'listenKey expired');
          })
          .catch((err: unknown) => this.deps.log?.('listen key check failed', err));
      }, STREAM_LIMITS.listenKeyCheckMs).unref(),
    );
    return {
      onMessage: (text) => this.onMessage(c, text),
      onClose: () => this.end(c),
    };
  }

  private onMessage(c: Conn, text: string): void {
    const second = Math.floor(this.now() / 1000);
    if (c.messages.second !== second) c.messages = { second, count: 0 };
    if (++c.messages.count > STREAM_LIMITS.messagesPerSecond) {
      this.end(c, 1008, 'too many messages');
      return;
    }
    let msg: { method?: unknown; params?: unknown; id?: unknown };
    try {
      msg = JSON.parse(text) as typeof msg;
    } catch {
      this.reply(c, { error: { code: 3, msg: 'Invalid JSON: expected a JSON object' }, id: null });
      return;
    }
    const id = typeof msg?.id === 'number' || typeof msg?.id === 'string' ? msg.id : null;
    const params = Array.isArray(msg?.params) ? msg.params : [];
    if (!params.every((p) => typeof p === 'string')) {
      this.reply(c, {
        error: { code: 1, msg: 'Invalid value type: expected an array of strings' },
        id,
      });
      return;
    }
    switch (msg?.method) {
      case 'SUBSCRIBE': {
        const err = this.subscribe(c, params);
        this.reply(c, err ? { error: { code: 2, msg: err }, id } : { result: null, id });
        return;
      }
      case 'UNSUBSCRIBE':
        for (const p of params) c.names.delete(p);
        this.refreshWanted();
        this.reply(c, { result: null, id });
        return;
      case 'LIST_SUBSCRIPTIONS':
        this.reply(c, { result: [...c.names.keys()], id });
        return;
      default:
        this.reply(c, { error: { code: 2, msg: 'Invalid request: unknown method' }, id });
    }
  }

  /** Adds stream names; returns an error message for names refused (others are kept). */
  private subscribe(c: Conn, names: string[]): string | null {
    let refused: string | null = null;
    for (const n of names) {
      const s = parseStreamName(n);
      if (!s) {
        refused ??= `Invalid request: unknown stream name ${n.slice(0, 60)}`;
        continue;
      }
      if (c.names.size >= STREAM_LIMITS.streamsPerConnection && !c.names.has(n)) {
        refused ??= `Invalid request: at most ${STREAM_LIMITS.streamsPerConnection} streams per connection`;
        continue;
      }
      c.names.set(n, s);
      if (s.kind === 'kline') {
        const open = this.producer.openKline(c.venue, s);
        if (open) this.send(c, n, JSON.stringify(c.combined ? { stream: n, data: open } : open));
      }
    }
    this.refreshWanted();
    return refused;
  }

  private refreshWanted(): void {
    const byVenue = new Map<string, Map<string, StreamName>>();
    for (const c of this.conns) {
      let m = byVenue.get(c.venue);
      if (!m) byVenue.set(c.venue, (m = new Map<string, StreamName>()));
      for (const [n, s] of c.names) m.set(n, s);
    }
    for (const [venue, names] of byVenue) this.producer.setWanted(venue, names);
    if (!byVenue.has(MAIN_VENUE)) this.producer.setWanted(MAIN_VENUE, new Map());
  }

  private deliver(venue: string, stream: string, payload: unknown): void {
    let raw: string | undefined;
    let wrapped: string | undefined;
    for (const c of this.conns) {
      if (c.venue !== venue || !c.names.has(stream)) continue;
      if (c.combined) this.send(c, stream, (wrapped ??= JSON.stringify({ stream, data: payload })));
      else this.send(c, stream, (raw ??= JSON.stringify(payload)));
    }
  }

  private send(c: Conn, _stream: string, text: string): void {
    if (c.closed) return;
    if (c.socket.bufferedAmount > STREAM_LIMITS.maxBufferedBytes) {
      this.end(c, 1008, 'client too slow');
      return;
    }
    c.socket.send(text);
  }

  private reply(c: Conn, value: unknown): void {
    this.send(c, '', JSON.stringify(value));
  }

  private end(c: Conn, code?: number, reason?: string): void {
    if (c.closed) return;
    c.closed = true;
    this.conns.delete(c);
    for (const t of c.timers) clearTimeout(t);
    for (const f of c.cleanup) f();
    if (code !== undefined) c.socket.close(code, reason);
    this.refreshWanted();
  }
}
