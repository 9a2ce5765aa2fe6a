// The HTTP server's direct routes, on a real node:http server: what a handler sees of the request,
// and what the client gets of the handler's response.
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  directRouteFor,
  registerDirectRoutes,
  serveDirect,
  type DirectRoute,
} from './direct-routes';
import { SseHub, sseFrame } from './streams/sse-hub';

const seen: Array<{ method: string; url: string; body: string; cookie: string | null }> = [];

const echo: DirectRoute = {
  path: '/api/echo/',
  methods: new Set(['GET', 'POST']),
  async handle(req) {
    seen.push({
      method: req.method,
      url: req.url,
      body: await req.text(),
      cookie: req.headers.get('cookie'),
    });
    const headers = new Headers({ 'content-type': 'text/plain' });
    headers.append('set-cookie', 'a=1; Path=/');
    headers.append('set-cookie', 'b=2; Path=/');
    if (req.url.endsWith('/stream')) {
      const parts = ['one ', 'two ', 'three'];
      return new Response(
        new ReadableStream({
          pull(c) {
            const p = parts.shift();
            if (p) c.enqueue(new TextEncoder().encode(p));
            else c.close();
          },
        }),
        { status: 201, headers },
      );
    }
    if (req.url.endsWith('/empty')) return new Response(null, { status: 204 });
    return new Response(`got ${req.method}`, { status: 200, headers });
  },
};

/** A stream that never ends: how many chunks it was asked for, and whether it was canceled. */
const endless = { pulled: 0, canceled: false };
const CHUNK = new Uint8Array(64 * 1024);
const firehose: DirectRoute = {
  path: '/api/firehose',
  methods: new Set(['GET']),
  handle: () =>
    Promise.resolve(
      new Response(
        new ReadableStream<Uint8Array>(
          {
            pull(c) {
              endless.pulled++;
              c.enqueue(CHUNK);
            },
            cancel() {
              endless.canceled = true;
            },
          },
          new ByteLengthQueuingStrategy({ highWaterMark: 256 * 1024 }),
        ),
      ),
    ),
};

/** A stream whose handler takes a while to answer: whether the stream it returned was canceled. */
const slow = { canceled: false };
const slowStart: DirectRoute = {
  path: '/api/slow',
  methods: new Set(['GET']),
  handle: async () => {
    await new Promise((r) => setTimeout(r, 300));
    return new Response(
      new ReadableStream<Uint8Array>({
        pull: (c) => c.enqueue(CHUNK),
        cancel() {
          slow.canceled = true;
        },
      }),
    );
  },
};

/** A live stream of the hub, as the stream routes return it: numbered snapshots. */
const hub = new SseHub({ maxBufferedBytes: 256 * 1024 });
let snapshots = 0;
/** While set, the snapshot waits for it (a snapshot that reads the database). */
let snapshotGate: Promise<void> | null = null;
let lastLive: ReadableStream<Uint8Array> | undefined;
const live: DirectRoute = {
  path: '/api/live',
  methods: new Set(['GET']),
  handle: async (req) => {
    const stream = hub.open('1.1.1.1', 'g', {
      snapshot: async () => {
        if (snapshotGate) await snapshotGate;
        return sseFrame(`"snapshot ${++snapshots}"`, 's');
      },
    });
    lastLive = stream;
    if (req.url.endsWith('?late')) await new Promise((r) => setTimeout(r, 300));
    return new Response(stream, { headers: { 'content-type': 'text/event-stream' } });
  },
};

/** Waits until `done()` holds, for at most `ms`, looking every 10 ms. */
async function waitUntil(done: () => boolean, ms: number): Promise<void> {
  for (const end = Date.now() + ms; !done() && Date.now() < end;)
    await new Promise((r) => setTimeout(r, 10));
}

/** A GET that the client abandons 100 ms in, while the handler still works. */
async function leaveBeforeTheAnswer(path: string): Promise<void> {
  const { port } = server.address() as AddressInfo;
  const r = request({ host: '127.0.0.1', port, path });
  r.on('error', () => {});
  r.end();
  await new Promise((x) => setTimeout(x, 100));
  r.destroy();
}

/** A GET whose response is read chunk by chunk as text. */
async function openStream(path: string) {
  const { port } = server.address() as AddressInfo;
  const response = await new Promise<IncomingMessage>((resolve, reject) => {
    const r = request({ host: '127.0.0.1', port, path }, resolve);
    r.on('error', reject);
    r.end();
  });
  let text = '';
  response.on('data', (c: Buffer) => (text += c.toString()));
  return {
    response,
    text: () => text,
    async until(what: string, ms = 2000) {
      await waitUntil(() => text.includes(what), ms);
      return text;
    },
  };
}

let server: Server;
let base: string;
beforeAll(async () => {
  registerDirectRoutes([echo, firehose, slowStart, live]);
  server = createServer((req, res) => {
    const url = new URL(`http://localhost${req.url}`);
    const route = directRouteFor(req.method ?? 'GET', url.pathname);
    if (!route) {
      res.writeHead(418).end('next');
      return;
    }
    void serveDirect(route, req, res, url, [{ key: 'X-Frame-Options', value: 'DENY' }]);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  hub.close();
  await new Promise<void>((r) => server.close(() => r()));
});

describe('direct routes', () => {
  it('match by path prefix and by the methods of the route; anything else is left to Next', () => {
    expect(directRouteFor('GET', '/api/echo/x')).toBe(echo);
    expect(directRouteFor('POST', '/api/echo/x')).toBe(echo);
    expect(directRouteFor('HEAD', '/api/echo/x')).toBeUndefined();
    expect(directRouteFor('PATCH', '/api/echo/x')).toBeUndefined();
    expect(directRouteFor('GET', '/api/echo')).toBeUndefined();
    expect(directRouteFor('GET', '/other/api/echo/x')).toBeUndefined();
  });

  it('hand the handler the method, path, query, headers and body, and the client every header', async () => {
    const res = await fetch(`${base}/api/echo/p?q=1&r=%20`, {
      method: 'POST',
      body: '{"x":1}',
      headers: { cookie: 'sid=abc; other=1' },
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('got POST');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('content-type')).toBe('text/plain');
    expect(res.headers.getSetCookie()).toEqual(['a=1; Path=/', 'b=2; Path=/']);
    expect(seen.at(-1)).toEqual({
      method: 'POST',
      url: 'http://localhost/api/echo/p?q=1&r=%20',
      body: '{"x":1}',
      cookie: 'sid=abc; other=1',
    });
  });

  it('drop the body of a GET, as Next does, instead of failing', async () => {
    const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const r = request(
        `${base}/api/echo/g`,
        { method: 'GET', headers: { 'content-length': '5' } },
        (m: IncomingMessage) => {
          let body = '';
          m.on('data', (c: Buffer) => (body += c.toString()));
          m.on('end', () => resolve({ status: m.statusCode ?? 0, body }));
        },
      );
      r.on('error', reject);
      r.end('hello');
    });
    expect(res).toEqual({ status: 200, body: 'got GET' });
    expect(seen.at(-1)?.body).toBe('');
  });

  it('pass a streamed response through as it comes, and a bodiless one as it is', async () => {
    const res = await fetch(`${base}/api/echo/stream`);
    expect(res.status).toBe(201);
    expect(await res.text()).toBe('one two three');
    const empty = await fetch(`${base}/api/echo/empty`);
    expect(empty.status).toBe(204);
    expect(await empty.text()).toBe('');
  });

  it('match a path without a trailing slash exactly', () => {
    expect(directRouteFor('GET', '/api/firehose')).toBe(firehose);
    expect(directRouteFor('GET', '/api/firehose/x')).toBeUndefined();
    expect(directRouteFor('GET', '/api/firehosex')).toBeUndefined();
  });

  it('read a streamed body no faster than the client takes it, and cancel it when the client goes', async () => {
    const { port } = server.address() as AddressInfo;
    let received = 0;
    const response = await new Promise<IncomingMessage>((resolve, reject) => {
      const r = request({ host: '127.0.0.1', port, path: '/api/firehose' }, resolve);
      r.on('error', reject);
      r.end();
    });
    response.on('data', (c: Buffer) => (received += c.length));
    response.pause(); // a client that stops reading
    await new Promise((r) => setTimeout(r, 400));
    const whilePaused = endless.pulled;
    await new Promise((r) => setTimeout(r, 400));
    // the socket's buffers filled and the handler's stream was asked for nothing more; read
    // unchecked, it would have been pulled thousands of times (gigabytes queued in memory)
    expect(endless.pulled).toBe(whilePaused);
    expect(whilePaused * CHUNK.length).toBeLessThan(64 * 1024 * 1024);
    response.resume();
    await new Promise((r) => setTimeout(r, 200));
    expect(endless.pulled).toBeGreaterThan(whilePaused);
    expect(received).toBeGreaterThan(0);
    response.destroy();
    await new Promise((r) => setTimeout(r, 200));
    expect(endless.canceled).toBe(true);
  });

  it('cancel the stream of a client that left before the handler answered', async () => {
    await leaveBeforeTheAnswer('/api/slow');
    await new Promise((x) => setTimeout(x, 600));
    expect(slow.canceled).toBe(true);
  });

  it('write a live stream’s frames to the response itself, in order, and end it when the client goes', async () => {
    const a = await openStream('/api/live');
    expect(a.response.headers['content-type']).toBe('text/event-stream');
    await a.until('snapshot');
    hub.broadcast('g', sseFrame('"one"', '1'));
    hub.broadcast('g', sseFrame('"two"', '2'));
    expect(await a.until('"two"')).toMatch(
      /^retry: 1000\n\nid: s\ndata: "snapshot \d+"\n\nid: 1\ndata: "one"\n\nid: 2\ndata: "two"\n\n$/,
    );
    expect(hub.size).toBe(1);
    expect(lastLive!.locked).toBe(false); // the hub wrote to the response; nobody read its stream
    a.response.destroy();
    await waitUntil(() => hub.size === 0, 1000);
    expect(hub.size).toBe(0);
  });

  it('a live client that stops reading skips frames and, once its socket drains, gets a snapshot', async () => {
    const slow = await openStream('/api/live');
    await slow.until('snapshot');
    slow.response.pause();
    const { resyncs } = hub.stats;
    const skipped = hub.stats.skipped;
    const big = JSON.stringify('x'.repeat(64 * 1024));
    // far more than the kernel's socket buffers and the hub's 256 KB allowance together
    for (let i = 0; i < 200; i++) {
      hub.broadcast('g', sseFrame(big, `n${i}`));
      await new Promise((r) => setImmediate(r));
    }
    hub.broadcast('g', sseFrame('"last"', 'z'));
    expect(hub.stats.skipped).toBeGreaterThan(skipped);
    expect(hub.stats.resyncs).toBe(resyncs);
    slow.response.resume();
    await waitUntil(() => hub.stats.resyncs !== resyncs, 5000);
    expect(hub.stats.resyncs).toBe(resyncs + 1);
    const text = await slow.until(`"snapshot ${snapshots}"`);
    expect(text).toContain(`"snapshot ${snapshots}"`);
    // the backlog was not kept for it: what was skipped never came
    expect(text).not.toContain('"last"');
    expect(text).not.toContain('id: n199\n');
    slow.response.destroy();
  });

  it('a live client whose first snapshot came after more events than wait behind it resyncs at once', async () => {
    let release!: () => void;
    snapshotGate = new Promise<void>((r) => (release = r));
    const c = await openStream('/api/live');
    await c.until('retry');
    const { resyncs } = hub.stats;
    for (let i = 0; i < 100; i++) hub.broadcast('g', sseFrame(`"live ${i}"`, `n${i}`));
    snapshotGate = null;
    release();
    await waitUntil(() => hub.stats.resyncs !== resyncs, 2000);
    // its socket took everything at once: nothing to wait for, so no drain would ever come
    expect(hub.stats.resyncs).toBe(resyncs + 1);
    expect(await c.until(`"snapshot ${snapshots}"`)).not.toContain('live');
    hub.broadcast('g', sseFrame('"after"', 'a'));
    expect(await c.until('"after"')).toContain('id: a\ndata: "after"\n\n');
    c.response.destroy();
  });

  it('end the live stream of a client that left before the handler answered', async () => {
    await leaveBeforeTheAnswer('/api/live?late');
    await waitUntil(() => hub.size === 0, 1000);
    expect(hub.size).toBe(0);
  });

  it('leave other methods and paths to the server behind (Next)', async () => {
    expect((await fetch(`${base}/api/echo/x`, { method: 'PUT' })).status).toBe(418);
    expect((await fetch(`${base}/elsewhere`)).status).toBe(418);
  });
});
