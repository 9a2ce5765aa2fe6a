// One producer for every live stream of this server (market prices, private account updates):
// each event is encoded once per group of clients that want the same thing, and the same bytes
// are queued to every client of the group. A client whose connection cannot keep up (more than
// `maxBufferedBytes` waiting) skips events and, once its connection drains, receives a fresh
// snapshot instead of the backlog, so it never slows the others. Streams are Web Streams returned
// by the stream handlers (routes.ts), which Next's route files export in development and the HTTP
// server calls in production: both run exactly this code, and both read a stream no faster than
// its socket takes it.
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
const MAX_QUEUED_WHILE_STARTING = 64;

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
  controller: ReadableStreamDefaultController<Uint8Array>;
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
    const g = group;
    let client: Client | undefined;
    this.perAddress.set(address, open + 1);
    this.streams++;
    return new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          const c: Client = {
            address,
            group: g,
            controller,
            behind: false,
            starting: [],
            startOverflow: false,
            lastEventId,
            lastWriteAt: this.now(),
            closed: false,
          };
          client = c;
          g.clients.add(c);
          c.timer = setTimeout(() => this.end(c), this.opts.maxDurationMs);
          controller.enqueue(encoder.encode('retry: 1000\n\n'));
          void this.sendSnapshot(c);
        },
        pull: () => {
          // the consumer drained what was queued: a client that fell behind gets a snapshot
          const c = client;
          if (c && c.behind && !c.closed) {
            c.behind = false;
            this.stats.resyncs++;
            void this.sendSnapshot(c);
          }
        },
        cancel: () => {
          if (client) this.remove(client);
        },
      },
      new ByteLengthQueuingStrategy({ highWaterMark: this.opts.maxBufferedBytes }),
    );
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
      return;
    }
    for (const f of queued) this.write(c, f);
  }

  private write(c: Client, frame: SseFrame): void {
    if (c.closed) return;
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
    const room = c.controller.desiredSize ?? 0;
    // Over the cap: skip until drained, then resync (pull). One frame into an empty queue always goes.
    if (room < frame.bytes.byteLength && room < this.opts.maxBufferedBytes) {
      this.stats.skipped++;
      c.behind = true;
      return;
    }
    try {
      c.controller.enqueue(frame.bytes);
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
    try {
      c.controller.close();
    } catch {
      // already closed or errored
    }
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
