// The web server, in production and in development alike (`npm start`, `npm run dev`, the e2e
// suite): Next's request handler behind a plain node:http server, so that the client address used
// for throttling comes from the socket, not from a header the client chose, oversized or
// unreadable requests are refused before Next reads them, and the bot API's WebSocket streams are
// served on the same port. With NODE_ENV=development Next runs in dev mode (hot reload).
// Behind a reverse proxy that overwrites X-Forwarded-For, set LAB_TRUST_PROXY=1.
import { createServer, type IncomingMessage } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import next from 'next';
import { attachBotStreams } from '@lab/bot-api/node-ws';
import type { BotStreams } from '@lab/bot-api';
import { COMMON_SECURITY_HEADERS, NON_PAGE_POLICY } from './src/lib/security-headers.ts';
import { directRouteFor, serveDirect } from './src/server/direct-routes.ts';
import { refuseRequest } from './src/server/request-guard.ts';

const port = Number(process.env.PORT ?? 3000);
const trustProxy = process.env.LAB_TRUST_PROXY === '1';
const dir = path.dirname(fileURLToPath(import.meta.url));

const dev = process.env.NODE_ENV === 'development';
const app = next({ dev, dir, port, hostname: 'localhost' });
const handle = app.getRequestHandler();
await app.prepare();

// HTTPS is known from the socket, or from the proxy's X-Forwarded-Proto when it is trusted.
const isHttps = (req: IncomingMessage) =>
  (req.socket as { encrypted?: boolean }).encrypted === true ||
  (trustProxy && req.headers['x-forwarded-proto'] === 'https');

/**
 * The body of a refused request is read and dropped until the client stops sending (250 ms
 * without data) or for 2 s at most, then the connection is closed. Closing it at once, with the
 * body still arriving, resets the connection, and a reset can discard the answer before the
 * client has read it: the client saw no 413, only ECONNRESET.
 */
function dropRefusedBody(req: IncomingMessage): void {
  if (req.complete) return;
  const close = () => req.socket.destroy();
  let idle = setTimeout(close, 250);
  const deadline = setTimeout(close, 2000);
  req.on('data', () => {
    clearTimeout(idle);
    idle = setTimeout(close, 250);
  });
  const done = () => {
    clearTimeout(idle);
    clearTimeout(deadline);
  };
  req.once('end', done);
  req.socket.once('close', done);
}

/** What next.config.ts gives every API response. */
const API_HEADERS = [
  ...COMMON_SECURITY_HEADERS,
  { key: 'Content-Security-Policy', value: NON_PAGE_POLICY },
];

const server = createServer((req, res) => {
  if (!trustProxy) {
    req.headers['x-forwarded-for'] = req.socket.remoteAddress ?? 'unknown';
    delete req.headers['x-real-ip'];
  }
  if (isHttps(req))
    res.setHeader('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
  const refused = refuseRequest(req);
  if (refused) {
    // answered here, before Next: the headers Next would have set
    for (const h of COMMON_SECURITY_HEADERS) res.setHeader(h.key, h.value);
    res.setHeader('Content-Security-Policy', NON_PAGE_POLICY);
    res.writeHead(refused.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { message: refused.message } }));
    dropRefusedBody(req);
    return;
  }
  const failed = (e: unknown) => {
    console.error('request failed', e);
    if (!res.headersSent) res.writeHead(500).end();
    else res.destroy();
  };
  // the API's handlers, straight (src/server/direct-routes.ts); everything else through Next
  const path = req.url ?? '/';
  // origin-form only ('/api/...'); Next answers anything else as before
  const url = path.startsWith('/') ? URL.parse(`http://localhost${path}`) : null;
  const direct = url && directRouteFor(req.method ?? 'GET', url.pathname);
  if (direct) {
    serveDirect(direct, req, res, url, API_HEADERS).catch(failed);
    return;
  }
  handle(req, res).catch(failed);
});
// Idle connections stay open longer than API clients keep theirs (Node's agents 5 s, browsers
// more), so that the client is the one to close them: a client that reuses a connection the
// server is closing at that moment gets ECONNRESET. Headers must still come within 66 s.
server.keepAliveTimeout = 65_000;
server.headersTimeout = 66_000;

// The bot API's WebSocket streams (/ws/..., /stream?streams=..., /private/ws?listenKey=...):
// registered by the Next side (src/instrumentation.ts), started on the first connection.
const botStreams = () =>
  (globalThis as { labBotStreams?: () => Promise<BotStreams> }).labBotStreams?.();
const detachBotStreams = attachBotStreams(server, botStreams, (req) =>
  trustProxy
    ? (String(req.headers['x-forwarded-for'] ?? '')
        .split(',')[0]
        ?.trim() ?? 'unknown')
    : (req.socket.remoteAddress ?? 'unknown'),
);

server.listen(port, () =>
  console.log(
    `web server listening on http://localhost:${port}${trustProxy ? ' (trusting X-Forwarded-For)' : ''}`,
  ),
);

let closing = false;
function shutdown() {
  if (closing) return;
  closing = true;
  detachBotStreams();
  server.close(() => process.exit(0));
  // Live subscriptions (server-sent events) never end by themselves.
  setTimeout(() => server.closeAllConnections(), 1000).unref();
  setTimeout(() => process.exit(0), 5000).unref();
}
// Started by the launcher (scripts/start.ts): stop with it, even if it was killed outright.
if (process.env.LAB_SUPERVISED === '1') {
  process.stdin.on('end', shutdown);
  process.stdin.resume();
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
