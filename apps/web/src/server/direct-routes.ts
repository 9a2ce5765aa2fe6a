// Direct routes: the API's fetch handlers (Request -> Response), which the Next side registers
// when the server starts (src/instrumentation.ts) and apps/web/server.ts calls before Next routes
// the request. Next's router, its route-handler runtime and its piping of the response cost the
// web server more CPU than an authenticated tRPC call itself (profiled on the place-order
// benchmark); the handler, its context and its answers are the same either way, and in
// development, where only Next's routes hot-reload, Next serves them. Kept on globalThis, as the
// bot streams are, because server.ts and Next's bundles are separate module graphs.
import { once } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { attachSink } from './streams/sse-hub.ts';

export interface DirectRoute {
  /** Every path under it when it ends with a slash (`/api/trpc/`), else that path alone. */
  path: string;
  /** The methods its route handler exports; any other goes to Next, which answers it as before. */
  methods: ReadonlySet<string>;
  handle(request: Request): Promise<Response>;
}

const registry = globalThis as unknown as { labDirectRoutes?: readonly DirectRoute[] };

export function registerDirectRoutes(routes: readonly DirectRoute[]): void {
  registry.labDirectRoutes = routes;
}

/** The direct route of a request, or undefined for Next to serve. */
export function directRouteFor(method: string, pathname: string): DirectRoute | undefined {
  return registry.labDirectRoutes?.find(
    (r) =>
      (r.path.endsWith('/') ? pathname.startsWith(r.path) : pathname === r.path) &&
      r.methods.has(method),
  );
}

/**
 * The request body: never more than its Content-Length, which the guard (request-guard.ts) has
 * held to the limit, and without which it refuses a body.
 */
async function bodyOf(req: IncomingMessage): Promise<Uint8Array<ArrayBuffer> | undefined> {
  if (req.headers['content-length'] === undefined || req.headers['content-length'] === '0')
    return undefined;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
  // a GET's body is read and dropped, as Next drops it (a fetch Request cannot carry one)
  if (req.method === 'GET' || req.method === 'HEAD') return undefined;
  return new Uint8Array(Buffer.concat(chunks));
}

function requestOf(
  req: IncomingMessage,
  url: URL,
  body: Uint8Array<ArrayBuffer> | undefined,
): Request {
  const headers = new Headers();
  for (let i = 0; i < req.rawHeaders.length; i += 2)
    headers.append(req.rawHeaders[i]!, req.rawHeaders[i + 1]!);
  return new Request(url, { method: req.method ?? 'GET', headers, body: body ?? null });
}

async function writeResponse(res: ServerResponse, response: Response): Promise<void> {
  for (const [key, value] of response.headers) if (key !== 'set-cookie') res.setHeader(key, value);
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) res.setHeader('set-cookie', cookies);
  res.writeHead(response.status);
  if (!response.body) {
    res.end();
    return;
  }
  if (serveLive(res, response.body)) return;
  const reader = response.body.getReader();
  const gone = new AbortController();
  const stop = () => {
    gone.abort();
    void reader.cancel().catch(() => {});
  };
  res.once('close', stop);
  // the client may have gone while the handler worked: 'close' has fired already
  if (res.destroyed) stop();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done || gone.signal.aborted) break;
      // A live stream's producer sees a slow client by its stream's queue filling up (sse-hub.ts):
      // read no more until the socket has taken what was written (or the client is gone).
      if (!res.write(value))
        await once(res, 'drain', { signal: gone.signal }).catch(() => undefined);
    }
  } finally {
    res.off('close', stop);
    res.end();
  }
}

/**
 * A live stream (sse-hub.ts) writes its frames to the response itself, not through its Web
 * Stream: false when `body` is not one.
 */
function serveLive(res: ServerResponse, body: ReadableStream<Uint8Array>): boolean {
  const connection = attachSink(body, {
    // What the response and its socket hold that the kernel has not taken, counted only once a
    // write has been refused (then a 'drain' will come): a write is corked until the next turn
    // of the event loop, so a fast client's bytes are "held" for a moment after every write, and
    // a client held behind on them would wait for a drain that never comes.
    buffered: () => (res.writableNeedDrain ? res.writableLength : 0),
    write: (bytes) => {
      if (!res.destroyed) res.write(bytes);
    },
    end: () => res.end(),
  });
  if (!connection) return false;
  res.on('drain', () => connection.drained());
  res.once('close', () => connection.gone());
  // the client may have gone while the handler worked: 'close' has fired already
  if (res.destroyed) connection.gone();
  return true;
}

/** Answers the request with the route's handler, with the headers next.config.ts gives APIs. */
export async function serveDirect(
  route: DirectRoute,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  headers: ReadonlyArray<{ key: string; value: string }>,
): Promise<void> {
  for (const h of headers) res.setHeader(h.key, h.value);
  await writeResponse(res, await route.handle(requestOf(req, url, await bodyOf(req))));
}
