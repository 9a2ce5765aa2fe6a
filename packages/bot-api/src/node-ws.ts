// The bot streams on a node:http server: its 'upgrade' requests on the stream paths are answered
// with a WebSocket (the `ws` package) handed to BotStreams; other upgrades (Next's own, in
// development) are left alone. The production server (apps/web/server.ts) and the integration
// tests attach with this same function.
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { BotStreams } from './streams.ts';

/** Paths that are the bot streams'. */
export const STREAM_PATH = /^\/(?:(?:public|market|private)\/)?(?:ws|stream)(?:\/|$)/;

/** Connections allowed per client address at once. */
export const MAX_CONNECTIONS_PER_IP = 50;
const PING_EVERY_MS = 3 * 60_000;

function refuse(socket: Duplex, status: number, message: string): void {
  const body = JSON.stringify({ code: -1, msg: message });
  socket.end(
    `HTTP/1.1 ${status} ${status === 429 ? 'Too Many Requests' : status === 404 ? 'Not Found' : 'Bad Request'}\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/**
 * Serves the bot streams on `server`. `streams` is asked on each connection (it may start
 * lazily); `ipOf` gives the client address (the socket's, unless a trusted proxy says otherwise).
 */
export function attachBotStreams(
  server: Server,
  streams: () => BotStreams | Promise<BotStreams> | undefined,
  ipOf: (req: IncomingMessage) => string = (req) => req.socket.remoteAddress ?? 'unknown',
): () => void {
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: 16 * 1024,
    perMessageDeflate: false,
  });
  const perIp = new Map<string, number>();
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!STREAM_PATH.test(url.pathname)) return;
    const ip = ipOf(req);
    void (async () => {
      try {
        if ((perIp.get(ip) ?? 0) >= MAX_CONNECTIONS_PER_IP)
          return refuse(socket, 429, 'Too many connections from this address.');
        const s = await streams();
        if (!s) return refuse(socket, 503, 'Streams are starting; try again.');
        const opened = await s.open(url.pathname, url.searchParams);
        if (!opened.ok) return refuse(socket, opened.status, opened.message);
        wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
          perIp.set(ip, (perIp.get(ip) ?? 0) + 1);
          const conn = opened.attach(ws);
          const ping = setInterval(() => ws.ping(), PING_EVERY_MS).unref();
          ws.on('message', (data, isBinary) => {
            if (!isBinary) conn.onMessage(Buffer.isBuffer(data) ? data.toString('utf8') : '');
          });
          ws.on('error', () => ws.terminate());
          ws.once('close', () => {
            clearInterval(ping);
            const n = (perIp.get(ip) ?? 1) - 1;
            if (n > 0) perIp.set(ip, n);
            else perIp.delete(ip);
            conn.onClose();
          });
        });
      } catch (e) {
        console.error('bot stream upgrade failed', e);
        refuse(socket, 500, 'Internal error.');
      }
    })();
  };
  server.on('upgrade', onUpgrade);
  return () => {
    server.off('upgrade', onUpgrade);
    for (const c of wss.clients) c.terminate();
    wss.close();
  };
}
