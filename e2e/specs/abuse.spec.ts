// Issue 12's abuse suite: every request of the probe that broke the running platform, replayed
// against the production server (apps/web/server.ts on the e2e build), with the answer each must
// now get: 400, 411, 413, 429 or a refused redirect, never a 500 and never a stream; and
// /api/health stays fast while 500 live streams and the largest allowed batch run.
//
// Requests go to the e2e server on loopback only; every loop is bounded in count and time. Each
// test plays its own client addresses (X-Forwarded-For: the e2e server trusts it, as behind a
// proxy) from a documentation prefix no other spec uses, so the per-address limits it provokes
// never touch another spec running beside it.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { createDb } from '@lab/db';
import type { APIRequestContext, APIResponse, PlaywrightWorkerArgs } from '@playwright/test';
import {
  expect,
  getCsrfToken,
  newUserData,
  signInViaApi,
  signUpViaApi,
  test,
  type TestUser,
} from '../fixtures/accounts.ts';
import { e2eState } from '../fixtures/state.ts';

const PORT = Number(process.env.E2E_PORT);
const HOST = '127.0.0.1';
const BASE = `http://localhost:${PORT}`;
const RUN = randomBytes(2).toString('hex');
let addressSeq = 0;
/** A client address of this file alone (IPv6 documentation prefix, never routed anywhere). */
const newAddress = () => `2001:db8:${RUN}::${(++addressSeq).toString(16)}`;

const MAX_STREAMS_PER_ADDRESS = 200;
const MAX_BATCH = 10;
const HEALTH_BUDGET_MS = 200;

// ---- raw HTTP (Playwright's request API reads whole bodies: no good for streams or huge bodies)

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  ms: number;
}

/** One request on a fresh connection; the whole answer, timed; never longer than `timeoutMs`. */
function rawRequest(
  method: string,
  path: string,
  opts: { headers?: Record<string, string>; body?: string; timeoutMs?: number } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = http.request(
      {
        host: HOST,
        port: PORT,
        method,
        path,
        agent: false,
        headers: {
          host: `localhost:${PORT}`,
          ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...opts.headers,
        },
        timeout: opts.timeoutMs ?? 15_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
            ms: performance.now() - t0,
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () =>
      req.destroy(new Error(`${method} ${path}: no complete answer in time`)),
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

interface LiveStream {
  status: number;
  headers: http.IncomingHttpHeaders;
  contentType: string;
  /** Still open (the server has not ended it). */
  open: boolean;
  /** Data frames received (the snapshot is the first). */
  frames: number;
  /** Resolves at the first data frame (the snapshot), rejects when the stream ends before it. */
  snapshot: Promise<void>;
  close(): void;
}

/** Opens GET `path` as a server-sent-events client; resolves once the response head arrived. */
function openStream(path: string, address: string): Promise<LiveStream> {
  return new Promise((resolve, reject) => {
    const req = http.get(
      {
        host: HOST,
        port: PORT,
        path,
        agent: false,
        headers: {
          host: `localhost:${PORT}`,
          accept: 'text/event-stream',
          'x-forwarded-for': address,
        },
        timeout: 20_000,
      },
      (res) => {
        let gotSnapshot: () => void = () => {};
        let ended: (e: Error) => void = () => {};
        const stream: LiveStream = {
          status: res.statusCode ?? 0,
          headers: res.headers,
          contentType: String(res.headers['content-type'] ?? ''),
          open: true,
          frames: 0,
          snapshot: new Promise<void>((ok, fail) => {
            gotSnapshot = ok;
            ended = fail;
          }),
          close: () => req.destroy(),
        };
        stream.snapshot.catch(() => {}); // awaited by callers that want it
        let tail = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          const text = tail + chunk;
          let at = 0;
          let end: number;
          while ((end = text.indexOf('\n\n', at)) >= 0) {
            if (text.slice(at, end).includes('data:') && ++stream.frames === 1) gotSnapshot();
            at = end + 2;
          }
          tail = text.slice(at);
        });
        res.on('close', () => {
          stream.open = false;
          ended(new Error(`stream ${path} ended (status ${stream.status})`));
        });
        // the idle timeout is for connecting; an open stream may be quiet for a while
        req.setTimeout(0);
        resolve(stream);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`GET ${path}: no answer in time`)));
    req.on('error', reject);
  });
}

const MARKET_STREAM = '/api/stream/market?symbols=BTCUSDT,ETHUSDT';

async function openMany(count: number, addresses: string[]): Promise<LiveStream[]> {
  const streams: LiveStream[] = [];
  // in waves, so the server's accept queue never overflows
  for (let i = 0; i < count; i += 50) {
    const wave = Array.from({ length: Math.min(50, count - i) }, (_, j) =>
      openStream(MARKET_STREAM, addresses[(i + j) % addresses.length]!),
    );
    streams.push(...(await Promise.all(wave)));
  }
  return streams;
}

// ---- tRPC over HTTP (no transformer: plain JSON)

const q = (input: unknown) => `input=${encodeURIComponent(JSON.stringify(input))}`;
const trpcQuery = (request: APIRequestContext, path: string, input: unknown) =>
  request.get(`/api/trpc/${path}?${q(input)}`);
const trpcMutation = (request: APIRequestContext, path: string, input: unknown) =>
  request.post(`/api/trpc/${path}`, { data: input });

/** A batch of calls of one procedure: `/api/trpc/p,p,...?batch=1`. */
function batchPath(procedure: string, inputs: unknown[], asQuery: boolean): string {
  const path = `/api/trpc/${inputs.map(() => procedure).join(',')}?batch=1`;
  const byIndex = Object.fromEntries(inputs.map((v, i) => [String(i), v]));
  return asQuery ? `${path}&${q(byIndex)}` : path;
}

interface TrpcError {
  error: { message: string; code: number; data: { code: string; httpStatus: number } };
}

async function expectRefused(res: APIResponse, status: number, code?: string) {
  const text = await res.text();
  expect(res.status(), text).toBe(status);
  if (code) expect((JSON.parse(text) as TrpcError).error.data.code, text).toBe(code);
}

/** A request context of its own at `address` (own cookies). */
const contextAt = (playwright: PlaywrightWorkerArgs['playwright'], address: string) =>
  playwright.request.newContext({
    baseURL: BASE,
    extraHTTPHeaders: { 'x-forwarded-for': address },
  });

// ---- the web server's process (for its memory)

/** The pid of the process listening on `port` (Linux: /proc/net/tcp* and /proc/<pid>/fd). */
function listeningPid(port: number): number | undefined {
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!fs.existsSync(table)) continue;
    for (const line of fs.readFileSync(table, 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      // local_address is HEX_IP:HEX_PORT; state 0A is LISTEN; field 9 is the socket's inode
      if (f[3] === '0A' && Number.parseInt(f[1]?.split(':')[1] ?? '', 16) === port && f[9])
        inodes.add(`socket:[${f[9]}]`);
    }
  }
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    let fds: string[];
    try {
      fds = fs.readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        if (inodes.has(fs.readlinkSync(`/proc/${pid}/fd/${fd}`))) return Number(pid);
      } catch {
        /* closed meanwhile */
      }
    }
  }
  return undefined;
}

const rssKiB = (pid: number) =>
  Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);

/**
 * POSTs a body announced as `announced` bytes, written 1 MiB at a time until the server answers
 * (or the whole body is sent). Returns the answer's status and how much had been sent by then.
 */
function postHugeBody(
  path: string,
  announced: number,
  address: string,
): Promise<{ status: number; sentBeforeAnswer: number; answer: string }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(PORT, HOST);
    const chunk = Buffer.alloc(1024 * 1024, 'a');
    let sent = 0;
    let answer = '';
    let sentBeforeAnswer = -1;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('no answer to the huge body within 15 s'));
    }, 15_000);
    const pump = () => {
      while (sentBeforeAnswer < 0 && sent < announced && !socket.destroyed) {
        const n = Math.min(chunk.length, announced - sent);
        sent += n;
        if (!socket.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return;
      }
    };
    socket.on('connect', () => {
      socket.write(
        `POST ${path} HTTP/1.1\r\nHost: localhost:${PORT}\r\nContent-Type: application/json\r\n` +
          `Content-Length: ${announced}\r\nX-Forwarded-For: ${address}\r\n\r\n{"email":"`,
      );
      pump();
    });
    socket.on('drain', pump);
    socket.on('data', (d: Buffer) => {
      if (sentBeforeAnswer < 0) sentBeforeAnswer = sent;
      answer += d.toString('utf8');
    });
    const done = () => {
      clearTimeout(timer);
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0);
      resolve({ status, sentBeforeAnswer, answer });
    };
    socket.on('close', done);
    socket.on('error', () => {
      // the server closes the connection after answering: writing further is EPIPE/ECONNRESET
    });
  });
}

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)]!;
};
const fmtMs = (x: number) => `${x.toFixed(1)} ms`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---- live streams and load ----------------------------------------------------------------------

test('the old tRPC live subscription answers 4xx, never a stream, whatever the query', async () => {
  const input = q({ symbols: ['BTCUSDT', 'ETHUSDT'] });
  for (const path of [
    `/api/trpc/market.live?${input}`,
    `/api/trpc/market.live?${input}&batch=0`,
    `/api/trpc/market.live?batch=1&${q({ 0: { symbols: ['BTCUSDT'] } })}`,
    `/api/trpc/market.live`,
  ]) {
    const res = await rawRequest('GET', path, {
      headers: { accept: 'text/event-stream', 'x-forwarded-for': newAddress() },
      timeoutMs: 5000,
    });
    expect(res.status, `${path}: ${res.body}`).toBeGreaterThanOrEqual(400);
    expect(res.status, `${path}: ${res.body}`).toBeLessThan(500);
    expect(String(res.headers['content-type']), path).not.toContain('text/event-stream');
  }
});

test('one address gets 200 live streams; the 201st is refused with 429', async () => {
  const address = newAddress();
  const streams = await openMany(MAX_STREAMS_PER_ADDRESS, [address]);
  try {
    expect(streams.filter((s) => s.status === 200).length).toBe(MAX_STREAMS_PER_ADDRESS);
    expect(streams.every((s) => s.contentType.startsWith('text/event-stream'))).toBe(true);
    await Promise.all(streams.map((s) => s.snapshot));
    const extra = await rawRequest('GET', MARKET_STREAM, {
      headers: { 'x-forwarded-for': address },
      timeoutMs: 5000,
    });
    expect(extra.status, extra.body).toBe(429);
    // another address is not affected by this one's limit
    const other = await openStream(MARKET_STREAM, newAddress());
    expect(other.status).toBe(200);
    other.close();
  } finally {
    for (const s of streams) s.close();
  }
});

test('/api/health stays under 200 ms while 500 live streams and the largest batch run', async () => {
  test.setTimeout(90_000);
  const health = () => rawRequest('GET', '/api/health', { timeoutMs: 10_000 });
  const idle: number[] = [];
  for (let i = 0; i < 10; i++) {
    const r = await health();
    expect(r.status).toBe(200);
    idle.push(r.ms);
  }

  const STREAMS = 500;
  const addresses = Array.from({ length: 25 }, newAddress); // 20 streams each, under the cap
  const t0 = performance.now();
  const streams = await openMany(STREAMS, addresses);
  try {
    expect(streams.filter((s) => s.status === 200).length).toBe(STREAMS);
    await Promise.all(streams.map((s) => s.snapshot));
    const openMs = performance.now() - t0;

    // The largest batch the server allows: 10 calls of the largest candles query (limit 1500).
    const symbols = ['BTCUSDT', 'ETHUSDT'];
    const intervals = ['1m', '5m', '15m', '1h', '4h'];
    const calls = symbols.flatMap((symbol) =>
      intervals.map((interval) => ({ symbol, interval, limit: 1500 })),
    );
    expect(calls.length).toBe(MAX_BATCH);
    const over = await rawRequest('GET', batchPath('market.candles', [...calls, calls[0]], true));
    expect(over.status, over.body).toBe(400);

    const framesBefore = streams.reduce((n, s) => n + s.frames, 0);
    const batches: Answer[] = [];
    let sampling = true;
    const batchLoop = (async () => {
      // back to back for as long as health is sampled (bounded: at most 20)
      for (let i = 0; i < 20 && sampling; i++)
        batches.push(await rawRequest('GET', batchPath('market.candles', calls, true)));
    })();
    const samples: number[] = [];
    for (let i = 0; i < 30; i++) {
      const r = await health();
      expect(r.status).toBe(200);
      samples.push(r.ms);
      await sleep(50);
    }
    sampling = false;
    await batchLoop;
    const framesDuring = streams.reduce((n, s) => n + s.frames, 0) - framesBefore;

    expect(batches.length).toBeGreaterThan(0);
    let candles = 0;
    for (const b of batches) {
      expect(b.status, b.body.slice(0, 300)).toBe(200);
      const results = JSON.parse(b.body) as Array<{ result: { data: { candles: unknown[] } } }>;
      expect(results.length).toBe(MAX_BATCH);
      candles = results.reduce((n, r) => n + r.result.data.candles.length, 0);
    }
    const still = streams.filter((s) => s.open).length;
    const figures =
      `idle health p50 ${fmtMs(percentile(idle, 0.5))}, max ${fmtMs(Math.max(...idle))}; ` +
      `${STREAMS} streams from ${addresses.length} addresses open with snapshots in ${fmtMs(openMs)}; ` +
      `${batches.length} batches of ${MAX_BATCH} x market.candles(limit 1500) (${candles} candles each, ` +
      `p50 ${fmtMs(
        percentile(
          batches.map((b) => b.ms),
          0.5,
        ),
      )}, max ${fmtMs(Math.max(...batches.map((b) => b.ms)))}); ` +
      `${framesDuring} stream frames delivered meanwhile; health under load (${samples.length} samples): ` +
      `p50 ${fmtMs(percentile(samples, 0.5))}, p95 ${fmtMs(percentile(samples, 0.95))}, max ${fmtMs(Math.max(...samples))}`;
    console.log(`[abuse] ${figures}`);
    test.info().annotations.push({ type: 'health under load', description: figures });
    expect(still).toBe(STREAMS);
    expect(framesDuring).toBeGreaterThan(0);
    expect(percentile(samples, 0.95), figures).toBeLessThan(HEALTH_BUDGET_MS);
  } finally {
    for (const s of streams) s.close();
  }
});

// ---- request bodies and paths -------------------------------------------------------------------

test('a 100 MB sign-up body is refused with 413 before it is read; memory does not jump', async () => {
  const pid = process.platform === 'linux' ? listeningPid(PORT) : undefined;
  if (process.platform === 'linux') expect(pid, 'the web server process').toBeDefined();
  const before = pid ? rssKiB(pid) : 0;
  const announced = 100 * 1024 * 1024;
  const res = await postHugeBody('/api/trpc/auth.signUp', announced, newAddress());
  expect(res.status, res.answer.slice(0, 300)).toBe(413);
  // answered from the Content-Length: long before the body could have been read
  expect(res.sentBeforeAnswer).toBeLessThan(announced);
  if (pid) {
    const growthKiB = rssKiB(pid) - before;
    console.log(
      `[abuse] 100 MB body: 413 after ${(res.sentBeforeAnswer / 1048576).toFixed(0)} MiB sent; web RSS ${(before / 1024).toFixed(0)} MiB -> ${growthKiB >= 0 ? '+' : ''}${(growthKiB / 1024).toFixed(1)} MiB`,
    );
    expect(growthKiB).toBeLessThan(32 * 1024);
  }
});

test('a body without a Content-Length is 411; one byte over 64 KiB is 413', async () => {
  const chunked = await rawRequest('POST', '/api/trpc/auth.signUp', {
    headers: { 'transfer-encoding': 'chunked', 'x-forwarded-for': newAddress() },
    body: JSON.stringify(newUserData('chunked')),
  });
  expect(chunked.status, chunked.body).toBe(411);
  const just = await rawRequest('POST', '/api/trpc/auth.signUp', {
    headers: { 'x-forwarded-for': newAddress() },
    body: 'x'.repeat(64 * 1024 + 1),
  });
  expect(just.status, 'one byte over 64 KiB').toBe(413);
});

test('undecodable percent-encoding in a path is 400, not 500', async () => {
  for (const path of ['/api/trpc/%ZZ', '/markets/%ff', '/api/trpc/%E0%A4%A']) {
    const res = await rawRequest('GET', path, { headers: { 'x-forwarded-for': newAddress() } });
    expect(res.status, `${path}: ${res.body.slice(0, 200)}`).toBe(400);
  }
});

// ---- input validation ---------------------------------------------------------------------------

test('a NUL byte in any string input is 400', async ({ page, user, playwright }) => {
  const request = page.request;
  await expectRefused(
    await trpcMutation(request, 'account.open', { name: 'Bot\u0000', startingBalance: '1000' }),
    400,
    'BAD_REQUEST',
  );
  await expectRefused(
    await trpcMutation(request, 'account.rename', { accountId: user.accountId, name: 'a\u0000b' }),
    400,
    'BAD_REQUEST',
  );
  const anon = await contextAt(playwright, newAddress());
  try {
    for (const field of ['email', 'displayName', 'password'] as const) {
      const data = newUserData('nul');
      data[field] = field === 'email' ? `nul\u0000${data.email}` : `${data[field]}\u0000`;
      await expectRefused(await trpcMutation(anon, 'auth.signUp', data), 400, 'BAD_REQUEST');
    }
  } finally {
    await anon.dispose();
  }
  // the account is untouched
  const got = await trpcQuery(request, 'account.get', { accountId: user.accountId });
  expect(got.status()).toBe(200);

  const db = createDb(e2eState().databaseUrl, { max: 1 });
  try {
    await db.user.update({ where: { id: user.userId }, data: { role: 'ADMIN' } });
  } finally {
    await db.$disconnect();
  }
  expect((await trpcQuery(request, 'admin.users', { query: 'abuse' })).status()).toBe(200);
  await expectRefused(
    await trpcQuery(request, 'admin.users', { query: 'a\u0000b' }),
    400,
    'BAD_REQUEST',
  );
});

test('an int4 cursor overflow and a time past year 9999 are 400', async ({ page, user }) => {
  await expectRefused(
    await trpcQuery(page.request, 'account.events', {
      accountId: user.accountId,
      cursor: 2147483648,
    }),
    400,
    'BAD_REQUEST',
  );
  expect(
    (
      await trpcQuery(page.request, 'account.events', {
        accountId: user.accountId,
        cursor: 2147483647,
      })
    ).status(),
  ).toBe(200);
  await expectRefused(
    await trpcQuery(page.request, 'market.candles', {
      symbol: 'BTCUSDT',
      interval: '1m',
      to: 9007199254740991,
    }),
    400,
    'BAD_REQUEST',
  );
});

test('batches of account.reset on one account: over 10 calls is 400, and none is a 500', async ({
  page,
  user,
}) => {
  const resets = (n: number) => Array.from({ length: n }, () => ({ accountId: user.accountId }));
  const over = await page.request.post(batchPath('account.reset', resets(MAX_BATCH + 1), false), {
    data: Object.fromEntries(resets(MAX_BATCH + 1).map((v, i) => [String(i), v])),
  });
  expect(over.status(), await over.text()).toBe(400);

  // three full batches at once: 30 resets queue on one account
  const answers = await Promise.all(
    Array.from({ length: 3 }, () =>
      page.request.post(batchPath('account.reset', resets(MAX_BATCH), false), {
        data: Object.fromEntries(resets(MAX_BATCH).map((v, i) => [String(i), v])),
      }),
    ),
  );
  let ok = 0;
  for (const res of answers) {
    const text = await res.text();
    expect(res.status(), text.slice(0, 300)).not.toBe(500);
    const items = JSON.parse(text) as Array<{ result?: unknown } & Partial<TrpcError>>;
    expect(items.length).toBe(MAX_BATCH);
    for (const item of items) {
      if (item.error) expect(item.error.data.httpStatus, item.error.message).not.toBe(500);
      else ok++;
    }
  }
  expect(ok).toBeGreaterThan(0);
  const got = await trpcQuery(page.request, 'account.get', { accountId: user.accountId });
  expect(got.status()).toBe(200);
});

// ---- authentication -----------------------------------------------------------------------------

test('a NUL byte in the sign-in email gets a code in the URL, never the database text', async ({
  playwright,
}) => {
  const ctx = await contextAt(playwright, newAddress());
  try {
    const landed = await signInViaApi(ctx, {
      email: 'nul\u0000@example.test',
      password: 'whatever-Password-1',
    });
    const error = landed.searchParams.get('error');
    expect(error, landed.href).toMatch(/^[A-Za-z]+(-\d+)?$/);
    expect(decodeURIComponent(landed.href)).not.toMatch(
      /postgres|prisma|invalid byte|0x00|UTF8|sequence|query|column|\\u0000/i,
    );
  } finally {
    await ctx.dispose();
  }
});

test('a callbackUrl never sends a signed-in browser off-site, and odd ones are not a 500', async ({
  page,
  user,
}) => {
  expect(user.accountId).toBeTruthy();
  for (const raw of [
    '%2F%09%2Fevil.example',
    '%2F%0A%2Fevil.example',
    '%2F%5Cevil.example',
    '%2F%2Fevil.example',
    'https%3A%2F%2Fevil.example%2F',
  ]) {
    const res = await page.request.get(`/sign-in?callbackUrl=${raw}`, { maxRedirects: 0 });
    expect(res.status(), raw).toBeLessThan(500);
    const location = res.headers()['location'];
    if (location) expect(new URL(location, BASE).origin, `${raw} -> ${location}`).toBe(BASE);
  }
  // and next-auth's own redirect after a sign-in
  const csrfToken = await getCsrfToken(page.request);
  const res = await page.request.post('/api/auth/callback/credentials', {
    form: {
      csrfToken,
      email: user.email,
      password: user.password,
      json: 'true',
      callbackUrl: '/\t/evil.example',
    },
  });
  const { url } = (await res.json()) as { url: string };
  expect(new URL(url, BASE).origin, url).toBe(BASE);
});

test('/sign-in?error=<text> never shows that text', async ({ page }) => {
  const words = `Your-account-is-suspended-call-${randomBytes(3).toString('hex')}`;
  await page.goto(`/sign-in?error=${encodeURIComponent(words)}`);
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await expect(page.locator('body')).not.toContainText(words);
  expect(await page.title()).not.toContain(words);
  // a known code does show its own message (so the page does read the parameter)
  await page.goto('/sign-in?error=CredentialsSignin');
  await expect(page.locator('body')).toContainText('Wrong email or password.');
});

test('a session cookie saved before sign-out is refused after it (401)', async ({ playwright }) => {
  const address = newAddress();
  const ctx = await contextAt(playwright, address);
  try {
    const user = await signUpViaApi(ctx, newUserData('signout'));
    expect((await signInViaApi(ctx, user)).searchParams.get('error')).toBeNull();
    expect((await ctx.get('/api/trpc/user.me')).status()).toBe(200);
    const saved = await ctx.storageState();
    const csrfToken = await getCsrfToken(ctx);
    const out = await ctx.post('/api/auth/signout', {
      form: { csrfToken, callbackUrl: '/', json: 'true' },
    });
    expect(out.status()).toBeLessThan(400);
    const replay = await playwright.request.newContext({
      baseURL: BASE,
      storageState: saved,
      extraHTTPHeaders: { 'x-forwarded-for': address },
    });
    try {
      expect((await replay.get('/api/trpc/user.me')).status()).toBe(401);
    } finally {
      await replay.dispose();
    }
  } finally {
    await ctx.dispose();
  }
});

test('200 sign-ups from one address are throttled (429 TOO_MANY_REQUESTS)', async ({
  playwright,
}) => {
  const ctx = await contextAt(playwright, newAddress());
  const statuses: number[] = [];
  let code = '';
  try {
    for (let i = 0; i < 200; i += 20) {
      const wave = await Promise.all(
        Array.from({ length: 20 }, () => trpcMutation(ctx, 'auth.signUp', newUserData('flood'))),
      );
      for (const res of wave) {
        statuses.push(res.status());
        if (res.status() === 429)
          code ||= (JSON.parse(await res.text()) as TrpcError).error.data.code;
      }
    }
  } finally {
    await ctx.dispose();
  }
  const created = statuses.filter((s) => s === 200).length;
  const throttled = statuses.filter((s) => s === 429).length;
  console.log(`[abuse] 200 sign-ups from one address: ${created} created, ${throttled} throttled`);
  expect(statuses.filter((s) => s !== 200 && s !== 429)).toEqual([]);
  expect(created).toBeLessThanOrEqual(20);
  expect(throttled).toBeGreaterThanOrEqual(180);
  expect(code).toBe('TOO_MANY_REQUESTS');
});

test('ten wrong passwords from ten addresses do not lock the owner out', async ({ playwright }) => {
  const owner = await contextAt(playwright, newAddress());
  try {
    const user: TestUser = await signUpViaApi(owner, newUserData('owner'));
    for (let i = 0; i < 10; i++) {
      const guesser = await contextAt(playwright, newAddress());
      try {
        const landed = await signInViaApi(guesser, {
          email: user.email,
          password: `Guess-${i}-wrong`,
        });
        expect(landed.searchParams.get('error')).not.toBeNull();
      } finally {
        await guesser.dispose();
      }
    }
    const landed = await signInViaApi(owner, user);
    expect(landed.searchParams.get('error'), landed.href).toBeNull();
    expect((await owner.get('/api/trpc/user.me')).status()).toBe(200);
  } finally {
    await owner.dispose();
  }
});

test('display names with text-direction or zero-width characters are refused', async ({
  page,
  user,
  playwright,
}) => {
  const anon = await contextAt(playwright, newAddress());
  try {
    for (const bad of ['\u202E', '\u200B', '\u200D', '\uFEFF', '\u2066']) {
      const data = newUserData('bidi');
      const name = `Trader${bad}gnp.exe`;
      await expectRefused(
        await trpcMutation(anon, 'auth.signUp', { ...data, displayName: name }),
        400,
        'BAD_REQUEST',
      );
      await expectRefused(
        await trpcMutation(page.request, 'user.updateProfile', { displayName: name }),
        400,
        'BAD_REQUEST',
      );
    }
  } finally {
    await anon.dispose();
  }
  const me = (await (await page.request.get('/api/trpc/user.me')).json()) as {
    result: { data: { displayName: string } };
  };
  expect(me.result.data.displayName).toBe(user.displayName);
});

// ---- security headers ---------------------------------------------------------------------------

test('every response carries the security headers', async () => {
  const stream = await openStream(MARKET_STREAM, newAddress());
  stream.close();
  const answers: Array<[string, http.IncomingHttpHeaders]> = [
    [`GET ${MARKET_STREAM} (${stream.status})`, stream.headers],
  ];
  for (const [method, path, body] of [
    ['GET', '/', undefined],
    ['GET', '/sign-in', undefined],
    ['GET', '/no-such-page', undefined],
    ['GET', '/api/health', undefined],
    ['GET', '/api/trpc/health.check', undefined],
    ['GET', '/api/trpc/no.such', undefined],
    ['GET', '/api/trpc/%ZZ', undefined],
    ['POST', '/api/trpc/auth.signUp', 'x'.repeat(70_000)],
  ] as const) {
    const res = await rawRequest(method, path, {
      headers: { 'x-forwarded-for': newAddress() },
      ...(body !== undefined ? { body } : {}),
    });
    answers.push([`${method} ${path} (${res.status})`, res.headers]);
  }
  const missing: string[] = [];
  for (const [what, h] of answers) {
    const csp = String(h['content-security-policy'] ?? '');
    if (!/frame-ancestors/.test(csp))
      missing.push(`${what}: Content-Security-Policy frame-ancestors`);
    if (!h['x-frame-options']) missing.push(`${what}: X-Frame-Options`);
    if (h['x-content-type-options'] !== 'nosniff') missing.push(`${what}: X-Content-Type-Options`);
    if (!h['referrer-policy']) missing.push(`${what}: Referrer-Policy`);
  }
  expect(missing).toEqual([]);
});

test('a kept-alive connection idle past a client agent’s own timeout still serves the next request', async () => {
  // Node's server closes idle connections after 5 s by default, the same time Node's client
  // agents keep theirs: a client that reuses one just as the server closes it gets ECONNRESET.
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const get = () =>
    new Promise<{ status: number; reused: boolean }>((resolve, reject) => {
      const req = http.request(
        {
          host: HOST,
          port: PORT,
          path: '/api/health',
          agent,
          headers: { host: `localhost:${PORT}` },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0, reused: req.reusedSocket }));
        },
      );
      req.on('error', reject);
      req.end();
    });
  try {
    expect(await get()).toEqual({ status: 200, reused: false });
    await new Promise((r) => setTimeout(r, 7_000));
    expect(await get()).toEqual({ status: 200, reused: true });
  } finally {
    agent.destroy();
  }
});
