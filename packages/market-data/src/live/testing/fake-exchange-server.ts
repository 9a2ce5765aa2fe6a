// A real WebSocket server on 127.0.0.1 (ephemeral port) that stands in for an exchange in tests and
// benchmarks: it records what clients subscribed to, replays recorded frames, streams generated ones,
// and on command drops connections, refuses handshakes, goes silent or sends garbage.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';

import { WebSocketServer, type WebSocket } from 'ws';

export interface FakeConnection {
  readonly id: number;
  /** Request path and query, e.g. `/stream?streams=btcusdt@aggTrade`. */
  readonly path: string;
  /** Streams named in the `streams` query parameter (Binance-style subscription by URL). */
  readonly streams: string[];
  readonly socket: WebSocket;
  /** Text frames the client sent (Bybit-style subscriptions, JSON pings). */
  readonly received: string[];
  pings: number;
  pongs: number;
  open: boolean;
}

/** Produces the frames one streaming step sends to a connection; return [] to send nothing. */
export type FrameGenerator = (connection: FakeConnection, step: number) => string[];

export interface FakeExchangeServerOptions {
  /** Send a WebSocket ping to each client this often (Binance pings every 3 minutes). */
  serverPingIntervalMs?: number;
  /** Called for each text frame a client sends; may reply through `connection.socket`. */
  onClientMessage?: (connection: FakeConnection, text: string) => void;
}

export class FakeExchangeServer {
  readonly connections: FakeConnection[] = [];
  private readonly wss = new WebSocketServer({ noServer: true, autoPong: false });
  private rejections: number[] = [];
  private unresponsive = false;
  private streamTimer: ReturnType<typeof setInterval> | null = null;
  private pingTimer: ReturnType<typeof setInterval> | null = null;
  private readonly waiters: Array<() => void> = [];

  private constructor(
    private readonly http: Server,
    private readonly options: FakeExchangeServerOptions,
  ) {
    http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) =>
      this.upgrade(req, socket, head),
    );
    if (options.serverPingIntervalMs !== undefined) {
      this.pingTimer = setInterval(() => {
        if (this.unresponsive) return;
        for (const c of this.openConnections) c.socket.ping();
      }, options.serverPingIntervalMs);
    }
  }

  static async start(options: FakeExchangeServerOptions = {}): Promise<FakeExchangeServer> {
    const http = createServer((_req, res) => {
      res.writeHead(426).end('WebSocket only');
    });
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(0, '127.0.0.1', () => resolve());
    });
    return new FakeExchangeServer(http, options);
  }

  /** `ws://127.0.0.1:<port>`: the base URL to hand to a connector. */
  get url(): string {
    const { port } = this.http.address() as AddressInfo;
    return `ws://127.0.0.1:${port}`;
  }

  get openConnections(): FakeConnection[] {
    return this.connections.filter((c) => c.open);
  }

  /** Resolves with the n-th connection (1-based) once it has been accepted. */
  async waitForConnection(n: number, timeoutMs = 5_000): Promise<FakeConnection> {
    const deadline = Date.now() + timeoutMs;
    while (this.connections.length < n) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for connection #${n}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 20);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return this.connections[n - 1] as FakeConnection;
  }

  /** Refuse the next `count` handshakes with an HTTP error (default 503). */
  rejectNextConnections(count: number, status = 503): void {
    for (let i = 0; i < count; i++) this.rejections.push(status);
  }

  /** Send a frame (object -> JSON) to every open connection, or to one. Returns how many got it. */
  send(frame: string | object, to?: FakeConnection): number {
    const text = typeof frame === 'string' ? frame : JSON.stringify(frame);
    let sent = 0;
    for (const c of to ? [to] : this.openConnections) {
      if (c.open) {
        c.socket.send(text);
        sent += 1;
      }
    }
    return sent;
  }

  /** Send a binary frame (exchanges here only send text; a binary one is malformed). */
  sendBinary(bytes: Uint8Array): void {
    for (const c of this.openConnections) c.socket.send(bytes, { binary: true });
  }

  /** Replay recorded frames in order to every open connection, `intervalMs` apart. */
  async replay(frames: readonly string[], intervalMs = 0): Promise<void> {
    for (const frame of frames) {
      this.send(frame);
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }

  /** Every `intervalMs`, send each open connection the frames `generator` makes for it. */
  startStreaming(generator: FrameGenerator, intervalMs: number): void {
    this.stopStreaming();
    let step = 0;
    this.streamTimer = setInterval(() => {
      step += 1;
      if (this.unresponsive) return;
      for (const c of this.openConnections)
        for (const frame of generator(c, step)) c.socket.send(frame);
    }, intervalMs);
  }

  stopStreaming(): void {
    if (this.streamTimer) clearInterval(this.streamTimer);
    this.streamTimer = null;
  }

  /**
   * Go silent: no streamed frames, no server pings, and client pings go unanswered — what a
   * half-open TCP connection looks like. Explicit send() calls still go out.
   */
  setUnresponsive(unresponsive: boolean): void {
    this.unresponsive = unresponsive;
  }

  /** Abruptly kill every connection (TCP reset, no close frame). */
  dropAll(): void {
    for (const c of this.openConnections) c.socket.terminate();
  }

  /** Close every connection with a close frame (as an exchange does at the 24 h mark). */
  closeAll(code = 1001, reason = 'going away'): void {
    for (const c of this.openConnections) c.socket.close(code, reason);
  }

  async close(): Promise<void> {
    this.stopStreaming();
    if (this.pingTimer) clearInterval(this.pingTimer);
    for (const c of this.connections) c.socket.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    this.http.closeAllConnections();
    await new Promise<void>((resolve, reject) =>
      this.http.close((e) => (e ? reject(e) : resolve())),
    );
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const status = this.rejections.shift();
    if (status !== undefined) {
      socket.end(`HTTP/1.1 ${status} Refused\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const path = req.url ?? '/';
      const streams =
        new URL(path, 'http://x').searchParams.get('streams')?.split('/').filter(Boolean) ?? [];
      const connection: FakeConnection = {
        id: this.connections.length + 1,
        path,
        streams,
        socket: ws,
        received: [],
        pings: 0,
        pongs: 0,
        open: true,
      };
      this.connections.push(connection);
      ws.on('close', () => {
        connection.open = false;
      });
      ws.on('error', () => {});
      ws.on('ping', (data) => {
        connection.pings += 1;
        if (!this.unresponsive) ws.pong(data);
      });
      ws.on('pong', () => {
        connection.pongs += 1;
      });
      ws.on('message', (data, isBinary) => {
        if (isBinary) return;
        const text = (data as Buffer).toString('utf8');
        connection.received.push(text);
        this.options.onClientMessage?.(connection, text);
      });
      for (const wake of this.waiters.splice(0)) wake();
    });
  }
}
