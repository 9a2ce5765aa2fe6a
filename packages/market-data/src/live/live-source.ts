// The exchange-independent half of a live connector: one WebSocket with reconnection (exponential
// backoff + jitter), heartbeat, rotation before the exchange's connection age limit, per-symbol
// staleness detection and status ticks. Exchange connectors supply the URL, the subscription and
// the frame parser.
import WebSocket, { type RawData } from 'ws';

import type { MarketTick, PriceSource, StatusTick, TickListener } from '../types.ts';
import type { Channel, MalformedReason, ParseOutcome } from './fields.ts';
import {
  Backoff,
  consoleLogger,
  DEFAULT_BACKOFF,
  systemClock,
  type BackoffOptions,
  type Clock,
  type LiveLogger,
  type TimerHandle,
} from './runtime.ts';

export type FeedStatus = StatusTick['status'];

export interface LiveSourceOptions {
  /**
   * Exchange symbols to stream (case-insensitive, e.g. "BTCUSDT"), or `{ exchange, symbol }` pairs
   * when the platform names the instrument differently from the exchange.
   */
  symbols: ReadonlyArray<string | { exchange: string; symbol: string }>;
  /** Override the exchange's public WebSocket base URL (tests point it at a local server). */
  baseUrl?: string;
  /** Reconnection delays; defaults {initialMs: 500, maxMs: 30000, factor: 2, jitter: 0.5}. */
  backoff?: Partial<BackoffOptions>;
  /**
   * Silence, per channel, after which a symbol is flagged `stale`; null = not watched.
   * Defaults: mark 5000 ms, book 30000 ms, trade null (quiet markets legitimately trade rarely).
   */
  staleAfterMs?: Partial<Record<Channel, number | null>>;
  /** How often staleness is evaluated; default min(watched thresholds) / 5, at least 10 ms. */
  staleCheckIntervalMs?: number;
  /** Client heartbeat (a WebSocket ping, or the exchange's JSON ping) period; default 10000 ms. */
  heartbeatIntervalMs?: number;
  /** Any frame at all (data, ping, pong) must arrive within this, else the socket is dead; default 30000 ms. */
  heartbeatTimeoutMs?: number;
  /** WebSocket handshake timeout; default 10000 ms. */
  connectTimeoutMs?: number;
  /**
   * Open a fresh connection (make-before-break) once the current one is this old. Binance closes
   * connections at 24 h; default 23.5 h. Null disables rotation.
   */
  maxConnectionAgeMs?: number | null;
  /** How long stop() waits for a clean close handshake before terminating; default 1000 ms. */
  closeTimeoutMs?: number;
  logger?: LiveLogger;
  clock?: Clock;
  /** Random source for jitter, in [0, 1). */
  random?: () => number;
}

export interface LiveSourceStats {
  /** Sockets opened successfully (initial + reconnects + rotations). */
  connections: number;
  /** Reconnects scheduled after a lost or failed connection. */
  reconnects: number;
  rotations: number;
  /** Heartbeat timeouts that killed a dead socket. */
  heartbeatTimeouts: number;
  framesReceived: number;
  ticksEmitted: number;
  ignored: number;
  malformed: number;
  malformedByReason: Partial<Record<MalformedReason, number>>;
  staleEvents: number;
  lastFrameAt: number | null;
}

interface SymbolState {
  status: FeedStatus;
  lastAt: Partial<Record<Channel, number>>;
}

interface ResolvedOptions {
  staleAfterMs: Array<[Channel, number]>;
  staleCheckIntervalMs: number;
  heartbeatIntervalMs: number;
  heartbeatTimeoutMs: number;
  connectTimeoutMs: number;
  maxConnectionAgeMs: number | null;
  closeTimeoutMs: number;
}

const DEFAULT_STALE: Record<Channel, number | null> = { mark: 5_000, book: 30_000, trade: null };

function rawToText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

export abstract class LiveSource implements PriceSource {
  abstract readonly name: string;
  /** Platform symbols, in configuration order. */
  readonly symbols: readonly string[];
  /** exchange symbol (upper case) -> platform symbol */
  protected readonly symbolMap: ReadonlyMap<string, string>;
  protected readonly logger: LiveLogger;
  protected readonly clock: Clock;

  private readonly options: ResolvedOptions;
  private readonly backoff: Backoff;
  private readonly listeners = new Set<TickListener>();
  private readonly state = new Map<string, SymbolState>();
  private stats: LiveSourceStats = LiveSource.emptyStats();

  private running = false;
  private ws: WebSocket | null = null;
  private rotating: WebSocket | null = null;
  private connectedAt: number | null = null;
  private receivedDataOnConnection = false;
  private reconnectTimer: TimerHandle | null = null;
  private heartbeatTimer: TimerHandle | null = null;
  private staleTimer: TimerHandle | null = null;
  private rotationTimer: TimerHandle | null = null;

  protected constructor(options: LiveSourceOptions) {
    if (options.symbols.length === 0)
      throw new RangeError('a live source needs at least one symbol');
    const map = new Map<string, string>();
    for (const entry of options.symbols) {
      const exchange = (typeof entry === 'string' ? entry : entry.exchange).toUpperCase();
      const symbol = typeof entry === 'string' ? exchange : entry.symbol;
      if (map.has(exchange)) throw new RangeError(`duplicate symbol ${exchange}`);
      map.set(exchange, symbol);
    }
    this.symbolMap = map;
    this.symbols = [...map.values()];
    this.logger = options.logger ?? consoleLogger();
    this.clock = options.clock ?? systemClock;
    this.backoff = new Backoff(
      { ...DEFAULT_BACKOFF, ...options.backoff },
      options.random ?? Math.random,
    );

    const stale = { ...DEFAULT_STALE, ...options.staleAfterMs };
    const watched = (Object.entries(stale) as Array<[Channel, number | null | undefined]>).filter(
      (e): e is [Channel, number] => typeof e[1] === 'number',
    );
    for (const [channel, ms] of watched) {
      if (!(ms > 0)) throw new RangeError(`staleAfterMs.${channel} must be positive`);
    }
    const minStale = Math.min(...watched.map(([, ms]) => ms));
    this.options = {
      staleAfterMs: watched,
      staleCheckIntervalMs:
        options.staleCheckIntervalMs ??
        (Number.isFinite(minStale) ? Math.max(10, Math.floor(minStale / 5)) : 1_000),
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? 10_000,
      heartbeatTimeoutMs: options.heartbeatTimeoutMs ?? 30_000,
      connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
      maxConnectionAgeMs:
        options.maxConnectionAgeMs === undefined ? 23.5 * 3_600_000 : options.maxConnectionAgeMs,
      closeTimeoutMs: options.closeTimeoutMs ?? 1_000,
    };
  }

  // ---- exchange-specific hooks -------------------------------------------------------------

  /** Full URL of the connection (including any stream list). */
  protected abstract url(): string;
  /** Parse one text frame. Must not throw for bad input: return `malformed` instead. */
  protected abstract parse(text: string): ParseOutcome;
  /** Called when a socket opens, before any frame is handled (send subscriptions here). */
  protected onSocketOpen(_ws: WebSocket): void {}
  /** Called when a new connection replaces the previous one; clear per-connection parse state. */
  protected onNewConnection(): void {}
  /** Send a client heartbeat; default is a WebSocket ping frame. */
  protected sendHeartbeat(ws: WebSocket): void {
    ws.ping();
  }

  // ---- PriceSource -------------------------------------------------------------------------

  onTick(listener: TickListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /**
   * Starts streaming. Resolves once the first connection attempt has either opened or failed;
   * it never rejects on network errors (the connector keeps retrying and reports status ticks).
   */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.backoff.reset();
    const now = this.clock.now();
    for (const symbol of this.symbols) {
      this.state.set(symbol, { status: 'halted', lastAt: {} });
      this.setStatus(symbol, 'connecting', 'starting', now);
    }
    this.scheduleStaleCheck();
    const ws = this.connect();
    await new Promise<void>((resolve) => {
      const done = (): void => {
        ws.off('open', done);
        ws.off('close', done);
        resolve();
      };
      ws.once('open', done);
      ws.once('close', done);
    });
  }

  /** Closes the socket(s), clears every timer and reports every symbol `halted`. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    for (const timer of [
      this.reconnectTimer,
      this.heartbeatTimer,
      this.staleTimer,
      this.rotationTimer,
    ]) {
      if (timer !== null) this.clock.clearTimeout(timer);
    }
    this.reconnectTimer = this.heartbeatTimer = this.staleTimer = this.rotationTimer = null;
    const sockets = [this.ws, this.rotating].filter((s): s is WebSocket => s !== null);
    this.ws = this.rotating = null;
    this.connectedAt = null;
    await Promise.all(sockets.map((s) => this.closeSocket(s)));
    const now = this.clock.now();
    for (const symbol of this.symbols) this.setStatus(symbol, 'halted', 'stopped', now);
  }

  // ---- introspection -----------------------------------------------------------------------

  /** Current status of a platform symbol (`halted` before start and after stop). */
  statusOf(symbol: string): FeedStatus | undefined {
    return this.state.get(symbol)?.status;
  }

  getStats(): LiveSourceStats {
    return { ...this.stats, malformedByReason: { ...this.stats.malformedByReason } };
  }

  // ---- connection lifecycle ----------------------------------------------------------------

  private connect(): WebSocket {
    const url = this.url();
    this.logger.info('connecting', { source: this.name, url });
    const ws = new WebSocket(url, { handshakeTimeout: this.options.connectTimeoutMs });
    this.ws = ws;
    ws.on('open', () => {
      if (ws !== this.ws) return;
      this.stats.connections += 1;
      this.connectedAt = this.clock.now();
      this.stats.lastFrameAt = this.connectedAt;
      this.receivedDataOnConnection = false;
      this.onNewConnection();
      this.logger.info('connected', { source: this.name });
      this.onSocketOpen(ws);
      this.scheduleHeartbeat();
      this.scheduleRotation();
    });
    this.attachCommonHandlers(ws);
    ws.on('close', (code, reason) => {
      if (ws !== this.ws) return;
      this.handleLost(`closed (${code}${reason.length > 0 ? ` ${reason.toString()}` : ''})`);
    });
    return ws;
  }

  private attachCommonHandlers(ws: WebSocket): void {
    ws.on('message', (data, isBinary) => {
      if (ws === this.ws) this.handleFrame(data, isBinary);
    });
    // The ws library answers server pings with pongs by itself; both count as signs of life.
    ws.on('ping', () => {
      if (ws === this.ws) this.stats.lastFrameAt = this.clock.now();
    });
    ws.on('pong', () => {
      if (ws === this.ws) this.stats.lastFrameAt = this.clock.now();
    });
    ws.on('error', (error) => {
      if (this.running)
        this.logger.warn('socket error', { source: this.name, error: error.message });
    });
  }

  private handleLost(why: string): void {
    this.ws = null;
    this.connectedAt = null;
    for (const timer of [this.heartbeatTimer, this.rotationTimer])
      if (timer !== null) this.clock.clearTimeout(timer);
    this.heartbeatTimer = this.rotationTimer = null;
    if (this.rotating) {
      const pending = this.rotating;
      this.rotating = null;
      pending.terminate();
    }
    if (!this.running) return;
    const now = this.clock.now();
    for (const [symbol, st] of this.state) {
      st.lastAt = {};
      this.setStatus(symbol, 'connecting', `connection ${why}`, now);
    }
    const delayMs = this.backoff.next();
    this.stats.reconnects += 1;
    this.logger.warn('connection lost; reconnecting', {
      source: this.name,
      why,
      attempt: this.backoff.attempts,
      delayMs,
    });
    this.reconnectTimer = this.clock.setTimeout(() => {
      this.reconnectTimer = null;
      if (this.running) this.connect();
    }, delayMs);
  }

  private scheduleHeartbeat(): void {
    this.heartbeatTimer = this.clock.setTimeout(() => {
      this.heartbeatTimer = null;
      const ws = this.ws;
      if (!this.running || !ws || ws.readyState !== WebSocket.OPEN) return;
      const silentFor = this.clock.now() - (this.stats.lastFrameAt ?? 0);
      if (silentFor > this.options.heartbeatTimeoutMs) {
        this.stats.heartbeatTimeouts += 1;
        this.logger.warn('heartbeat timeout; dropping dead socket', {
          source: this.name,
          silentFor,
        });
        ws.terminate(); // emits 'close' -> handleLost -> reconnect
        return;
      }
      try {
        this.sendHeartbeat(ws);
      } catch (error) {
        this.logger.warn('heartbeat send failed', { source: this.name, error: String(error) });
      }
      this.scheduleHeartbeat();
    }, this.options.heartbeatIntervalMs);
  }

  /** Make-before-break: open a second socket, switch to it once open, then close the old one. */
  private scheduleRotation(delayMs = this.options.maxConnectionAgeMs): void {
    if (delayMs === null) return;
    this.rotationTimer = this.clock.setTimeout(() => {
      this.rotationTimer = null;
      if (this.running && this.ws && !this.rotating) this.rotate();
    }, delayMs);
  }

  private rotate(): void {
    this.logger.info('rotating connection before the exchange age limit', { source: this.name });
    const next = new WebSocket(this.url(), { handshakeTimeout: this.options.connectTimeoutMs });
    this.rotating = next;
    next.on('open', () => {
      if (next !== this.rotating) return;
      const old = this.ws;
      this.rotating = null;
      this.ws = next;
      this.stats.connections += 1;
      this.stats.rotations += 1;
      this.connectedAt = this.clock.now();
      this.onNewConnection();
      this.onSocketOpen(next);
      if (this.heartbeatTimer !== null) this.clock.clearTimeout(this.heartbeatTimer);
      this.scheduleHeartbeat();
      this.scheduleRotation();
      if (old) void this.closeSocket(old);
    });
    this.attachCommonHandlers(next);
    next.on('close', () => {
      if (next === this.rotating) {
        this.rotating = null;
        this.logger.warn('rotation connection failed; keeping the current one', {
          source: this.name,
        });
        // Retry soon, without touching the reconnect backoff: the current connection is still fine.
        this.scheduleRotation(
          Math.min(60_000, Math.max(1_000, (this.options.maxConnectionAgeMs ?? 0) / 10)),
        );
      } else if (next === this.ws) {
        this.handleLost('closed');
      }
    });
  }

  private closeSocket(ws: WebSocket): Promise<void> {
    return new Promise((resolve) => {
      if (ws.readyState === WebSocket.CLOSED) {
        resolve();
        return;
      }
      const timer = setTimeout(() => ws.terminate(), this.options.closeTimeoutMs);
      ws.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
      else ws.close(1000, 'client stop');
    });
  }

  // ---- frames, ticks, staleness ------------------------------------------------------------

  private handleFrame(data: RawData, isBinary: boolean): void {
    const now = this.clock.now();
    this.stats.framesReceived += 1;
    this.stats.lastFrameAt = now;
    const text = rawToText(data);
    let outcome: ParseOutcome;
    if (isBinary)
      outcome = { type: 'malformed', reason: 'binary-frame', detail: `${text.length} bytes` };
    else {
      try {
        outcome = this.parse(text);
      } catch (error) {
        outcome = {
          type: 'malformed',
          reason: 'bad-envelope',
          detail: `parser threw: ${String(error)}`,
        };
      }
    }
    switch (outcome.type) {
      case 'malformed': {
        this.stats.malformed += 1;
        this.stats.malformedByReason[outcome.reason] =
          (this.stats.malformedByReason[outcome.reason] ?? 0) + 1;
        this.logger.warn('malformed frame skipped', {
          source: this.name,
          reason: outcome.reason,
          detail: outcome.detail,
          frame: text.length > 200 ? `${text.slice(0, 200)}…` : text,
        });
        return;
      }
      case 'ignored':
        this.stats.ignored += 1;
        return;
      case 'data': {
        if (!this.receivedDataOnConnection) {
          // The connection proved itself: the next failure starts again from the initial delay.
          this.receivedDataOnConnection = true;
          this.backoff.reset();
        }
        for (const tick of outcome.ticks) this.emit(tick);
        const st = this.state.get(outcome.symbol);
        if (!st) return;
        st.lastAt[outcome.channel] = now;
        if (st.status !== 'live') this.evaluate(outcome.symbol, st, now);
      }
    }
  }

  /** Decides a symbol's status from the freshness of its watched channels. */
  private evaluate(symbol: string, st: SymbolState, now: number): void {
    if (this.connectedAt === null) return; // disconnected: stays `connecting`
    let pending = false;
    for (const [channel, limit] of this.options.staleAfterMs) {
      const last = st.lastAt[channel];
      const since = last ?? this.connectedAt;
      if (now - since > limit) {
        const reason =
          last === undefined
            ? `no ${channel} data for ${now - since} ms since connecting`
            : `${channel} silent for ${now - since} ms`;
        this.setStatus(symbol, 'stale', reason, now);
        return;
      }
      if (last === undefined) pending = true;
    }
    if (!pending) this.setStatus(symbol, 'live', undefined, now);
  }

  private scheduleStaleCheck(): void {
    this.staleTimer = this.clock.setTimeout(() => {
      this.staleTimer = null;
      if (!this.running) return;
      const now = this.clock.now();
      for (const [symbol, st] of this.state) this.evaluate(symbol, st, now);
      this.scheduleStaleCheck();
    }, this.options.staleCheckIntervalMs);
  }

  private setStatus(
    symbol: string,
    status: FeedStatus,
    reason: string | undefined,
    now: number,
  ): void {
    const st = this.state.get(symbol);
    if (!st || st.status === status) return;
    st.status = status;
    if (status === 'stale') {
      this.stats.staleEvents += 1;
      this.logger.warn('feed stale; trading on it must halt', {
        source: this.name,
        symbol,
        reason,
      });
    }
    const tick: StatusTick = { kind: 'status', symbol, time: now, status };
    if (reason !== undefined) tick.reason = reason;
    this.emit(tick);
  }

  private emit(tick: MarketTick): void {
    if (tick.kind !== 'status') this.stats.ticksEmitted += 1;
    for (const listener of this.listeners) {
      try {
        listener(tick);
      } catch (error) {
        this.logger.error('tick listener threw', { source: this.name, error: String(error) });
      }
    }
  }

  private static emptyStats(): LiveSourceStats {
    return {
      connections: 0,
      reconnects: 0,
      rotations: 0,
      heartbeatTimeouts: 0,
      framesReceived: 0,
      ticksEmitted: 0,
      ignored: 0,
      malformed: 0,
      malformedByReason: {},
      staleEvents: 0,
      lastFrameAt: null,
    };
  }
}
