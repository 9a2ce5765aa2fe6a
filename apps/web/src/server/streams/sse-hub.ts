// One producer for every live stream of this server (market prices, private account updates):
// each event is encoded once per group of clients that want the same thing, and the same bytes
// are queued to every client of the group. A client whose connection cannot keep up (more than
// `maxBufferedBytes` waiting) skips events and, once its connection drains, receives a fresh
// snapshot instead of the backlog, so it never slows the others. Streams are Web Streams returned
// by the stream handlers (routes.ts), which Next's route files export in development and the HTTP
// server calls in production. A stream starts when it is first read, or when the HTTP server
// attaches its response to it instead (`attachSink`): then each frame is written to the socket
// without a Web Stream between, which cost the web server more CPU than the write (apps/web's
// README: the stream benchmark before and after). What is broadcast before a stream starts is
// not kept for it: the snapshot it starts with is newer. Both ways run the same hub, and both
// write no faster than the socket takes it.
//
// Frames are standard server-sent events (`id:` + `data:` lines, a blank line after each),
// read in the browser by EventSource. A comment line (`: ping`) keeps idle connections open.

const encoder = new TextEncoder();

/** One SSE frame, encoded, and its id if it has one (the hub keeps each client's last, as EventSource does). */
export interface SseFrame {
  bytes: Uint8Array;
  id?: string;
}

export function sseFrame(data: string, id?: string): SseFrame {
  return { bytes: encoder.encode(`${id !== undefined ? `id: ${id}\n` : ''}data: ${data}\n\n`), id };
}

const PING: SseFrame = { bytes: encoder.encode(': ping\n\n') };
const RETRY: Uint8Array = encoder.encode('retry: 1000\n\n');
const MAX_QUEUED_WHILE_STARTING = 64;

/** Where a client's frames go: its Web Stream's queue, or the HTTP response itself. */
export interface SseSink {
  /** Bytes written and not yet taken by the connection. */
  buffered(): number;
  write(bytes: Uint8Array): void;
  end(): void;
}

/** What the owner of a sink tells the hub about its connection. */
export interface SseConnection {
  /** The connection took what was written: a client that fell behind gets a snapshot. */
  drained(): void;
  /** The client went away. */
  gone(): void;
}

/**
 * The key of a hub stream's `attach` function. A registered symbol: the HTTP server (server.ts)
 * and the route handlers (Next's bundles) are separate module graphs.
 */
const ATTACH = Symbol.for('lab.sse-hub.attach');

type Attach = (sink: SseSink) => SseConnection;

/**
 * Starts a hub stream on `sink` instead of by reading it: undefined when `body` is not a hub
 * stream not yet started (it is then read as any stream).
 */
export function attachSink(body: unknown, sink: SseSink): SseConnection | undefined {
  const attach = (body as { [ATTACH]?: Attach } | null)?.[ATTACH];
  return typeof attach === 'function' ? attach(sink) : undefined;
}

/** The sink of a Web Stream whose queue's high-water mark is 0: what is queued is what waits. */
function webStreamSink(controller: ReadableStreamDefaultController<Uint8Array>): SseSink {
  return {
    buffered: () => Math.max(0, -(controller.desiredSize ?? 0)),
    write: (bytes) => controller.enqueue(bytes),
    end: () => {
      try {
        controller.close();
      } catch {
        // already closed or errored
      }
    },
  };
}

export interface HubOptions {
  /**
   * Open streams allowed per client address (an address beyond it gets 429). Generous: a classroom
   * behind one NAT shares an address, and each trading tab holds a few streams.
   */
  maxPerAddress: number;
  /** Streams allowed in this process in all. */
  maxStreams: number;
  /** Bytes queued for one client above which it skips events until drained. */
  maxBufferedBytes: number;
  /** A ping to a client that got nothing for this long (ms). */
  pingMs: number;
  /** A stream ends after this long (ms); EventSource reconnects at once and gets a snapshot. */
  maxDurationMs: number;
  now?: () => number;
}

export const DEFAULT_HUB_OPTIONS: HubOptions = {
  maxPerAddress: 200,
  maxStreams: 5000,
  maxBufferedBytes: 256 * 1024,
  pingMs: 15_000,
  maxDurationMs: 15 * 60_000,
};

/** What a producer gives the hub for a group: how to build the snapshot a (re)joining client gets. */
export interface GroupSource {
  /**
   * `lastEventId`: the id of the last frame this client received, from this connection or (as the
   * browser's Last-Event-ID) from the one before it; undefined on a first connection. A snapshot
   * can bring what the client missed since.
   */
  snapshot(lastEventId: string | undefined): SseFrame | Promise<SseFrame>;
  /** The last client of the group left. */
  onEmpty?(): void;
}

interface Client {
  address: string;
  group: Group;
  /** Where its frames go; none until the stream starts (its first snapshot tells what came before). */
  sink: SseSink | null;
  /** Skipping events until the connection drains (then it gets a snapshot). */
  behind: boolean;
  /** Waiting for its first snapshot: live events queue behind it in order. */
  starting: SseFrame[] | null;
  /** More events came while it waited than the queue holds: it resyncs after the snapshot. */
  startOverflow: boolean;
  /** The id of the last frame written to it that had one. */
  lastEventId: string | undefined;
  lastWriteAt: number;
  closed: boolean;
  timer?: ReturnType<typeof setTimeout>;
}

interface Group {
  key: string;
  source: GroupSource;
  clients: Set<Client>;
}

export class StreamRefused extends Error {
  constructor(
    readonly status: 429 | 503,
    message: string,
  ) {
    super(message);
  }
}

export class SseHub {
  private readonly groups = new Map<string, Group>();
  private readonly perAddress = new Map<string, number>();
  private readonly opts: HubOptions;
  private readonly now: () => number;
  private readonly pingTimer: ReturnType<typeof setInterval>;
  private streams = 0;
  readonly stats = { encoded: 0, writes: 0, skipped: 0, resyncs: 0, refused: 0 };

  constructor(opts: Partial<HubOptions> = {}) {
    this.opts = { ...DEFAULT_HUB_OPTIONS, ...opts };
    this.now = this.opts.now ?? Date.now;
    this.pingTimer = setInterval(() => this.pingIdle(), Math.max(1000, this.opts.pingMs / 3));
    this.pingTimer.unref?.();
  }

  get size(): number {
    return this.streams;
  }

  /** Clients of a group (0 when nobody listens: producers then skip encoding). */
  listeners(key: string): number {
    return this.groups.get(key)?.clients.size ?? 0;
  }

  keys(): IterableIterator<string> {
    return this.groups.keys();
  }

  /**
   * A new stream for a client at `address`, in group `key`. The first client of a group brings its
   * source (later clients reuse it). Throws StreamRefused when the address or the process has too
   * many streams open; nothing is allocated then. `lastEventId`: the request's Last-Event-ID.
   */
  open(
    address: string,
    key: string,
    source: GroupSource,
    lastEventId?: string,
  ): ReadableStream<Uint8Array> {
    const open = this.perAddress.get(address) ?? 0;
    if (open >= this.opts.maxPerAddress) {
      this.stats.refused++;
      throw new StreamRefused(429, `At most ${this.opts.maxPerAddress} live streams per address.`);
    }
    if (this.streams >= this.opts.maxStreams) {
      this.stats.refused++;
      throw new StreamRefused(503, 'This server has too many live streams open; retry shortly.');
    }
    let group = this.groups.get(key);
    if (!group) {
      group = { key, source, clients: new Set() };
      this.groups.set(key, group);
    }
    const c: Client = {
      address,
      group,
      sink: null,
      behind: false,
      starting: [],
      startOverflow: false,
      lastEventId,
      lastWriteAt: this.now(),
      closed: false,
    };
    group.clients.add(c);
    this.perAddress.set(address, open + 1);
    this.streams++;
    // a stream nobody starts (its response was never sent) ends too
    c.timer = setTimeout(() => this.end(c), this.opts.maxDurationMs);
    const connection: SseConnection = {
      drained: () => this.drained(c),
      gone: () => this.remove(c),
    };
    const attach: Attach = (sink) => {
      if (c.sink) throw new Error('this stream has started already');
      c.sink = sink;
      if (!c.closed) {
        sink.write(RETRY);
        void this.sendSnapshot(c);
      } else sink.end();
      return connection;
    };
    const stream = new ReadableStream<Uint8Array>(
      {
        // the first read starts it; after that a read into an empty queue means it drained
        pull: (controller) => {
          if (!c.sink) attach(webStreamSink(controller));
          else connection.drained();
        },
        cancel: () => connection.gone(),
      },
      new ByteLengthQueuingStrategy({ highWaterMark: 0 }),
    );
    Object.defineProperty(stream, ATTACH, { value: attach });
    return stream;
  }

  /** Queues `frame` (encoded once by the producer) to every client of the group. */
  broadcast(key: string, frame: SseFrame): void {
    const g = this.groups.get(key);
    if (!g) return;
    this.stats.encoded++;
    for (const c of g.clients) this.write(c, frame);
  }

  /** Ends every stream. */
  close(): void {
    clearInterval(this.pingTimer);
    for (const g of [...this.groups.values()]) for (const c of [...g.clients]) this.end(c);
  }

  /** What was written has gone out: a client that fell behind gets a snapshot. */
  private drained(c: Client): void {
    if (!c.behind || c.closed) return;
    c.behind = false;
    this.stats.resyncs++;
    void this.sendSnapshot(c);
  }

  private async sendSnapshot(c: Client): Promise<void> {
    c.starting ??= [];
    let snapshot: SseFrame;
    try {
      snapshot = await c.group.source.snapshot(c.lastEventId);
    } catch {
      this.end(c); // the client reconnects and tries again
      return;
    }
    if (c.closed) return;
    const queued = c.starting;
    c.starting = null;
    this.write(c, snapshot);
    if (c.startOverflow) {
      // some of what followed the snapshot is lost: skip the rest, resync once it has drained
      c.startOverflow = false;
      c.behind = true;
      this.stats.skipped += queued.length;
      // nothing waits to go out, so no drain will come: resync now
      if (!c.sink?.buffered()) this.drained(c);
      return;
    }
    for (const f of queued) this.write(c, f);
  }

  private write(c: Client, frame: SseFrame): void {
    // not started: the snapshot it starts with is newer than this
    if (c.closed || !c.sink) return;
    if (c.starting) {
      // events published while the snapshot is being built follow it, in order
      if (c.starting.length < MAX_QUEUED_WHILE_STARTING) c.starting.push(frame);
      else c.startOverflow = true;
      return;
    }
    if (c.behind) {
      this.stats.skipped++;
      return;
    }
    const sink = c.sink;
    const buffered = sink.buffered();
    // Over the cap: skip until drained, then resync. One frame into an empty queue always goes.
    if (buffered > 0 && buffered + frame.bytes.byteLength > this.opts.maxBufferedBytes) {
      this.stats.skipped++;
      c.behind = true;
      return;
    }
    try {
      sink.write(frame.bytes);
      if (frame.id !== undefined) c.lastEventId = frame.id;
      this.stats.writes++;
      c.lastWriteAt = this.now();
    } catch {
      this.remove(c);
    }
  }

  private pingIdle(): void {
    const now = this.now();
    for (const g of this.groups.values())
      for (const c of g.clients)
        if (!c.behind && !c.starting && now - c.lastWriteAt >= this.opts.pingMs)
          this.write(c, PING);
  }

  private end(c: Client): void {
    if (c.closed) return;
    c.sink?.end();
    this.remove(c);
  }

  private remove(c: Client): void {
    if (c.closed) return;
    c.closed = true;
    if (c.timer) clearTimeout(c.timer);
    this.streams--;
    const n = (this.perAddress.get(c.address) ?? 1) - 1;
    if (n <= 0) this.perAddress.delete(c.address);
    else this.perAddress.set(c.address, n);
    const g = c.group;
    g.clients.delete(c);
    if (!g.clients.size && this.groups.get(g.key) === g) {
      this.groups.delete(g.key);
      g.source.onEmpty?.();
    }
  }
}
