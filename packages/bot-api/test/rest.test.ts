// REST details a client library does not show: request weights and the 429 past the limit,
// signatures over a form body (or split between query and body), batches with mixed outcomes,
// amending, isolated margin, income and klines, and the user stream's listen key life.
import { createHmac } from 'node:crypto';
import { createApiKey } from '@lab/services';
import { createCompetitionAccount, createUser } from '@lab/services/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectConsistent } from '@lab/services/testing/vitest';
import { RateLimiter } from '../src/index.ts';
import { startHarness, type Harness } from './harness.ts';

let h: Harness;
beforeAll(async () => {
  // a small weight limit, so the test reaches it quickly
  h = await startHarness({
    limiter: new RateLimiter({ weightPerMinute: 300, ordersPer10s: 300, ordersPerMinute: 1200 }),
    trustProxy: true,
  });
  h.market('BTCUSDT', '50000');
  h.market('ETHUSDT', '3000');
});
afterAll(async () => {
  await h?.close();
});

const hmac = (secret: string, s: string) => createHmac('sha256', secret).update(s).digest('hex');

async function bot() {
  const { user, accountId } = await createUser(h.db);
  const key = await createApiKey(h.db, user.id, accountId, { label: 'rest', permission: 'trade' });
  /** A signed request with the parameters in the query (GET, DELETE) or the form body. */
  const call = async (method: string, path: string, params: string, ip = '127.0.0.1') => {
    const q = `${params}${params ? '&' : ''}timestamp=${Date.now()}`;
    const signedQ = `${q}&signature=${hmac(key.secret, q)}`;
    const inBody = method === 'POST' || method === 'PUT';
    const r = await fetch(`${h.url}${path}${inBody ? '' : `?${signedQ}`}`, {
      method,
      headers: {
        'X-MBX-APIKEY': key.key,
        'x-forwarded-for': ip,
        ...(inBody ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      ...(inBody ? { body: signedQ } : {}),
    });
    return { status: r.status, headers: r.headers, body: await r.json() };
  };
  return { user, accountId, key, call };
}

describe('REST', () => {
  it('counts request weight per address, reports it, and answers 429 -1003 past the limit', async () => {
    const { key } = await bot();
    // the windows are clock minutes (as Binance's): start where none ends during the test,
    // which otherwise rolled over in the middle of it now and then and reset the count
    const msLeft = 60_000 - (Date.now() % 60_000);
    if (msLeft < 10_000) await new Promise((r) => setTimeout(r, msLeft + 50));
    const get = (path: string) =>
      fetch(`${h.url}${path}`, { headers: { 'x-forwarded-for': '127.0.0.1' } });
    const first = await get('/fapi/v1/ping');
    const used = Number(first.headers.get('x-mbx-used-weight-1m'));
    expect(used).toBeGreaterThan(0);
    const depth = await get('/fapi/v1/depth?symbol=BTCUSDT&limit=5');
    expect(Number(depth.headers.get('x-mbx-used-weight-1m'))).toBe(used + 2);
    let last: Response | undefined;
    for (let i = 0; i < 400 && (!last || last.status === 200); i++)
      last = await get('/fapi/v1/ticker/price?symbol=BTCUSDT');
    expect(last!.status).toBe(429);
    expect(await last!.json()).toMatchObject({ code: -1003 });
    expect(Number(last!.headers.get('x-mbx-used-weight-1m'))).toBeGreaterThan(300);
    void key;
  });

  it('signs form bodies; batches report each order; amends; adjusts isolated margin; lists income', async () => {
    const { call, accountId } = await bot();
    const ip = '127.0.0.2';
    // a leverage the instrument does not allow (ETH: at most 100x), refused by the engine
    expect(
      (await call('POST', '/fapi/v1/leverage', 'symbol=ETHUSDT&leverage=110', ip)).body,
    ).toEqual({ code: -4028, msg: 'Leverage 110 is not valid' });
    expect(
      (await call('POST', '/fapi/v1/marginType', 'symbol=BTCUSDT&marginType=ISOLATED', ip)).body,
    ).toEqual({
      code: 200,
      msg: 'success',
    });
    const batch = JSON.stringify([
      { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.01' },
      {
        symbol: 'BTCUSDT',
        side: 'BUY',
        type: 'LIMIT',
        quantity: '0.01',
        price: '40000',
        timeInForce: 'GTC',
      },
      {
        symbol: 'BTCUSDT',
        side: 'BUY',
        type: 'LIMIT',
        quantity: '0.01',
        price: '40000.05',
        timeInForce: 'GTC',
      },
      { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET' },
    ]);
    const res = await call(
      'POST',
      '/fapi/v1/batchOrders',
      `batchOrders=${encodeURIComponent(batch)}`,
      ip,
    );
    expect(res.status).toBe(200);
    expect(Number(res.headers.get('x-mbx-order-count-10s'))).toBe(4);
    const [m, l, offTick, noQty] = res.body as Array<Record<string, unknown>>;
    expect(m).toMatchObject({ status: 'FILLED', executedQty: '0.01', avgPrice: '50000' });
    expect(l).toMatchObject({ status: 'NEW', price: '40000', type: 'LIMIT', timeInForce: 'GTC' });
    expect(offTick).toEqual({ code: -4014, msg: 'Price not increased by tick size.' });
    expect(noQty).toMatchObject({ code: -1102 });
    // amend the resting limit (PUT /fapi/v1/order)
    const amended = await call(
      'PUT',
      '/fapi/v1/order',
      `symbol=BTCUSDT&orderId=${String(l!.orderId)}&side=BUY&quantity=0.02&price=41000`,
      ip,
    );
    expect(amended.body).toMatchObject({
      orderId: l!.orderId,
      price: '41000',
      origQty: '0.02',
      status: 'NEW',
    });
    // isolated margin: add 10
    const added = await call(
      'POST',
      '/fapi/v1/positionMargin',
      'symbol=BTCUSDT&amount=10&type=1',
      ip,
    );
    expect(added.body).toMatchObject({ amount: '10', code: 200, type: 1 });
    const [pos] = (await call('GET', '/fapi/v2/positionRisk', 'symbol=BTCUSDT', ip)).body as Array<
      Record<string, string>
    >;
    expect(pos).toMatchObject({ marginType: 'isolated', positionAmt: '0.01', leverage: '20' });
    // income: the taker fee of the market order (500 x 0.05% = 0.25)
    const income = (await call('GET', '/fapi/v1/income', 'incomeType=COMMISSION', ip))
      .body as Array<Record<string, unknown>>;
    expect(income).toHaveLength(1);
    expect(income[0]).toMatchObject({
      symbol: 'BTCUSDT',
      incomeType: 'COMMISSION',
      income: '-0.25',
      asset: 'USDT',
    });
    expect(Number(income[0]!.tradeId)).toBeGreaterThan(0);
    // unknown parameters are ignored; a missing mandatory one is -1102 naming it
    expect((await call('GET', '/fapi/v1/allOrders', '', ip)).body).toEqual({
      code: -1102,
      msg: "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed.",
    });
    const all = (await call('GET', '/fapi/v1/allOrders', 'symbol=BTCUSDT&foo=bar', ip))
      .body as unknown[];
    expect(all).toHaveLength(2);
    expect(
      (await call('DELETE', '/fapi/v1/allOpenOrders', 'symbol=BTCUSDT', ip)).body,
    ).toMatchObject({ code: 200 });
    await expectConsistent(h.db, accountId);
  });

  it('a signature over a query and a body together; a tampered body is -1022', async () => {
    const { key } = await bot();
    const query = 'symbol=BTCUSDT';
    const body = `side=BUY&type=LIMIT&quantity=0.01&price=30000&timeInForce=GTC&timestamp=${Date.now()}`;
    const post = (b: string, sig: string) =>
      fetch(`${h.url}/fapi/v1/order?${query}`, {
        method: 'POST',
        headers: {
          'X-MBX-APIKEY': key.key,
          'content-type': 'application/x-www-form-urlencoded',
          'x-forwarded-for': '127.0.0.3',
        },
        body: `${b}&signature=${sig}`,
      }).then((r) => r.json() as Promise<Record<string, unknown>>);
    const sig = hmac(key.secret, query + body);
    expect(await post(body.replace('0.01', '0.02'), sig)).toMatchObject({ code: -1022 });
    expect(await post(body, sig)).toMatchObject({ status: 'NEW', price: '30000' });
  });

  it('listen keys: one per key, kept alive by PUT, gone after DELETE (-1125)', async () => {
    const { key } = await bot();
    const lk = (method: string) =>
      fetch(`${h.url}/fapi/v1/listenKey`, {
        method,
        headers: { 'X-MBX-APIKEY': key.key, 'x-forwarded-for': '127.0.0.4' },
      }).then((r) => r.json() as Promise<Record<string, unknown>>);
    const a = await lk('POST');
    expect(a.listenKey).toMatch(/^[A-Za-z0-9]{64}$/);
    expect(await lk('POST')).toEqual(a);
    expect(await lk('PUT')).toEqual(a);
    expect(await lk('DELETE')).toEqual({});
    expect(await lk('PUT')).toEqual({ code: -1125, msg: 'This listenKey does not exist.' });
  });

  it('klines from the stored candles; unknown paths and intervals', async () => {
    const t0 = Math.floor(Date.now() / 60_000) * 60_000 - 10 * 60_000;
    await h.db.candle.createMany({
      data: Array.from({ length: 5 }, (_, i) => ({
        venueId: 'main',
        symbol: 'BTCUSDT',
        interval: '1m',
        openTime: new Date(t0 + i * 60_000),
        open: '50000',
        high: '50010',
        low: '49990',
        close: String(50000 + i),
        volume: '2',
        trades: 3,
      })),
    });
    const get = (p: string) =>
      fetch(`${h.url}${p}`, { headers: { 'x-forwarded-for': '127.0.0.5' } }).then(async (r) => ({
        status: r.status,
        body: await r.json(),
      }));
    const k = await get(`/fapi/v1/klines?symbol=BTCUSDT&interval=1m&startTime=${t0}&limit=3`);
    expect(k.body).toEqual([
      [t0, '50000', '50010', '49990', '50000', '2', t0 + 59_999, '100000', 3, '0', '0', '0'],
      [
        t0 + 60_000,
        '50000',
        '50010',
        '49990',
        '50001',
        '2',
        t0 + 119_999,
        '100002',
        3,
        '0',
        '0',
        '0',
      ],
      [
        t0 + 120_000,
        '50000',
        '50010',
        '49990',
        '50002',
        '2',
        t0 + 179_999,
        '100004',
        3,
        '0',
        '0',
        '0',
      ],
    ]);
    expect((await get('/fapi/v1/klines?symbol=BTCUSDT&interval=7m')).body).toEqual({
      code: -1120,
      msg: 'Invalid interval.',
    });
    expect((await get('/fapi/v1/klines?symbol=NOPEUSDT&interval=1m')).body).toMatchObject({
      code: -1121,
    });
    expect(await get('/fapi/v9/nothing')).toEqual({
      status: 404,
      body: { code: -5000, msg: 'Path not found.' },
    });
  });

  it("a competition account (bots allowed) reads its competition's fees and leverage cap", async () => {
    const { student, competition, accountId } = await createCompetitionAccount(h.db, {
      name: 'Bots week',
      allowBots: true,
    });
    const key = await createApiKey(h.db, student.user.id, accountId, {
      label: 'bot',
      permission: 'trade',
    });
    const get = async (path: string, params: string) => {
      const q = `${params}&timestamp=${Date.now()}`;
      const r = await fetch(`${h.url}${path}?${q}&signature=${hmac(key.secret, q)}`, {
        headers: { 'X-MBX-APIKEY': key.key, 'x-forwarded-for': '127.0.0.6' },
      });
      return await r.json();
    };
    expect(await get('/fapi/v1/commissionRate', 'symbol=BTCUSDT')).toMatchObject({
      makerCommissionRate: '0',
      takerCommissionRate: '0.001',
    });
    const [bracket] = (await get('/fapi/v1/leverageBracket', 'symbol=BTCUSDT')) as Array<{
      brackets: Array<{ initialLeverage: number }>;
    }>;
    expect(Math.max(...bracket!.brackets.map((b) => b.initialLeverage))).toBe(10);
    // the host switches bots off: refused
    await h.db.competition.update({ where: { id: competition.id }, data: { allowBots: false } });
    expect(await get('/fapi/v1/commissionRate', 'symbol=BTCUSDT')).toMatchObject({ code: -2015 });
  });
});
