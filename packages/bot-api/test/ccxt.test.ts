// The bot API driven by ccxt's binanceusdm class (the npm package, unmodified) pointed at a real
// HTTP server on a real PostgreSQL: markets, leverage and margin type, every order type placed,
// queried and canceled, balance, positions and trades, and order updates over the user data
// stream; then the refusals a bot meets, with Binance's codes. After each scenario the account is
// checked with the services' invariants (replay == stored state, ledger balanced).
import ccxt from 'ccxt';
import { createApiKey, revokeApiKey } from '@lab/services';
import { createUser } from '@lab/services/testing';
import { expectConsistent } from '@lab/services/testing/vitest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sign } from '../src/index.ts';
import { startHarness, type Harness } from './harness.ts';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
  h.market('BTCUSDT', '50000');
  h.market('ETHUSDT', '3000');
});
afterAll(async () => {
  await h?.close();
});

type Pro = InstanceType<typeof ccxt.pro.binanceusdm>;

/** A binanceusdm client on the local server (REST and WebSocket). */
function client(apiKey: string, secret: string): Pro {
  const ex = new ccxt.pro.binanceusdm({
    apiKey,
    secret,
    enableRateLimit: false,
    options: { fetchCurrencies: false },
  });
  const api = ex.urls.api as Record<string, unknown>;
  for (const [k, v] of Object.entries(api)) {
    if (k.startsWith('fapi') && typeof v === 'string')
      api[k] = v.replace(/^https:\/\/fapi\.binance\.com/, h.url);
  }
  (api.ws as Record<string, string>).future = `${h.wsUrl}/ws`;
  return ex;
}

async function trader(permission: 'read' | 'trade' = 'trade') {
  const { user, accountId } = await createUser(h.db);
  const key = await createApiKey(h.db, user.id, accountId, { label: 'ccxt', permission });
  return { user, accountId, key, ex: client(key.key, key.secret) };
}

/** The USDT total of a ccxt balance. */
const usdt = (b: object) => (b as { total: Record<string, number> }).total.USDT;

/** The Binance code ccxt's error carries (its message ends with the JSON body). */
async function codeOf(p: Promise<unknown>): Promise<number> {
  try {
    await p;
  } catch (e) {
    const m = /"code":\s*(-?\d+)/.exec(String((e as Error).message));
    if (m) return Number(m[1]);
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('ccxt binanceusdm against the bot API', () => {
  it('loads markets with the engine catalogue, tickers and the order book', async () => {
    const { ex } = await trader();
    const markets = await ex.loadMarkets();
    const btc = markets['BTC/USDT:USDT']!;
    expect(btc).toMatchObject({ id: 'BTCUSDT', swap: true, linear: true, settle: 'USDT' });
    expect(btc.precision).toMatchObject({ price: 0.1, amount: 0.001 });
    expect(btc.limits.cost?.min).toBe(100);
    expect(await ex.fetchTime()).toBeGreaterThan(0);
    const ticker = await ex.fetchTicker('BTC/USDT:USDT');
    expect(ticker.last).toBe(50000);
    const book = await ex.fetchOrderBook('BTC/USDT:USDT', 5);
    expect(book.bids[0]![0]).toBe(49999.9);
    expect(book.asks[0]![0]).toBe(50000.1);
    const fr = await ex.fetchFundingRate('BTC/USDT:USDT');
    expect(fr.markPrice).toBe(50000);
    const trades = await ex.fetchTrades('BTC/USDT:USDT');
    expect(trades.at(-1)!.price).toBe(50000);
  });

  it('sets leverage and margin type, places, queries and cancels every order type, reads balance, positions and trades', async () => {
    const { ex, accountId } = await trader();
    await ex.loadMarkets();
    const S = 'BTC/USDT:USDT';
    await ex.setLeverage(10, S);
    await ex.setMarginMode('isolated', S);
    const lev = await ex.fetchLeverage(S);
    expect(lev.longLeverage).toBe(10);
    // the same margin type again: Binance's -4046
    expect(await codeOf(ex.setMarginMode('isolated', S))).toBe(-4046);

    // market: fills at once against the book (ask 50,000.1)
    const m = await ex.createOrder(S, 'market', 'buy', 0.01);
    expect(m.status).toBe('closed');
    expect(m.filled).toBe(0.01);
    expect(m.average).toBe(50000); // the engine fills at the mark (no book model in the catalogue)
    const fetched = await ex.fetchOrder(m.id!, S);
    expect(fetched).toMatchObject({ id: m.id, status: 'closed', filled: 0.01 });

    // limit (GTC, rests below the market), post-only, then canceled
    const l = await ex.createOrder(S, 'limit', 'buy', 0.01, 45000);
    expect(l).toMatchObject({ status: 'open', price: 45000, amount: 0.01, filled: 0 });
    const po = await ex.createOrder(S, 'limit', 'buy', 0.01, 44000, { postOnly: true });
    expect(po.postOnly).toBe(true);
    const open = await ex.fetchOpenOrders(S);
    expect(open.map((o) => o.id).sort()).toEqual([l.id, po.id].sort());
    const canceled = await ex.cancelOrder(l.id!, S);
    expect(canceled.status).toBe('canceled');
    expect((await ex.fetchOrder(l.id!, S)).status).toBe('canceled');

    // stop-market and take-profit-market (the Algo Service), stop-limit and take-profit-limit
    const sl = await ex.createOrder(S, 'market', 'sell', 0.01, undefined, {
      stopLossPrice: 48000,
      reduceOnly: true,
    });
    expect(sl.status).toBe('open');
    const tp = await ex.createOrder(S, 'market', 'sell', 0.01, undefined, {
      takeProfitPrice: 52000,
      reduceOnly: true,
    });
    const stopLimit = await ex.createOrder(S, 'limit', 'sell', 0.01, 47900, {
      stopLossPrice: 48000,
      reduceOnly: true,
    });
    const tpLimit = await ex.createOrder(S, 'limit', 'sell', 0.01, 52100, {
      takeProfitPrice: 52000,
      reduceOnly: true,
    });
    const algoOpen = await ex.fetchOpenOrders(S, undefined, undefined, { trigger: true });
    expect(algoOpen.map((o) => o.id).sort()).toEqual(
      [sl.id, tp.id, stopLimit.id, tpLimit.id].sort(),
    );
    const q = await ex.fetchOrder(sl.id!, S, { trigger: true });
    expect(q).toMatchObject({ id: sl.id, triggerPrice: 48000, status: 'open' });
    for (const o of [sl, tp, stopLimit, tpLimit]) {
      const c = await ex.cancelOrder(o.id!, S, { trigger: true });
      expect(c.id).toBe(o.id);
    }
    expect(await ex.fetchOpenOrders(S, undefined, undefined, { trigger: true })).toEqual([]);

    const bal = await ex.fetchBalance();
    expect(usdt(bal)).toBeLessThan(10000); // the taker fee of the market order
    expect(usdt(bal)).toBeGreaterThan(9999);
    const positions = await ex.fetchPositions([S]);
    expect(positions).toHaveLength(1);
    expect(positions[0]).toMatchObject({
      symbol: S,
      side: 'long',
      contracts: 0.01,
      marginMode: 'isolated',
    });
    expect(positions[0]!.entryPrice).toBe(50000);
    const mine = await ex.fetchMyTrades(S);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({
      order: m.id,
      side: 'buy',
      price: 50000,
      amount: 0.01,
      takerOrMaker: 'taker',
    });
    expect(mine[0]!.fee?.cost).toBe(0.25); // 500 x 0.05%
    const all = await ex.fetchOrders(S);
    expect(all.map((o) => o.id)).toEqual(expect.arrayContaining([m.id, l.id, po.id]));
    await ex.cancelAllOrders(S);
    await expectConsistent(h.db, accountId);
  });

  it('receives order updates over the user data stream', async () => {
    const { ex, accountId } = await trader();
    await ex.loadMarkets();
    await ex.loadHttpProxyAgent(); // ccxt's requirement for plain ws:// URLs
    const S = 'ETH/USDT:USDT';
    const first = ex.watchOrders(S);
    await new Promise((r) => setTimeout(r, 500)); // the stream is subscribed
    const placed = await ex.createOrder(S, 'limit', 'buy', 0.1, 2900);
    const updates = await first;
    expect(updates.at(-1)).toMatchObject({ id: placed.id, status: 'open', price: 2900 });
    const next = ex.watchOrders(S);
    await ex.cancelOrder(placed.id!, S);
    const after = await next;
    expect(after.at(-1)).toMatchObject({ id: placed.id, status: 'canceled' });
    // a fill: a market order, reported with its trade
    const filled = ex.watchMyTrades(S);
    const mkt = await ex.createOrder(S, 'market', 'buy', 0.1);
    const trades = await filled;
    expect(trades.at(-1)).toMatchObject({ order: mkt.id, side: 'buy', amount: 0.1, price: 3000 });
    // a stop that the market triggers (the worker's tick): its algo update and the fill
    const stop = await ex.createOrder(S, 'market', 'sell', 0.1, undefined, {
      stopLossPrice: 2950,
      reduceOnly: true,
    });
    const triggered = ex.watchMyTrades(S);
    h.market('ETHUSDT', '2940');
    await h.tick(accountId, 'ETHUSDT', '2940');
    const t2 = await triggered;
    expect(t2.at(-1)).toMatchObject({ side: 'sell', amount: 0.1 });
    expect((await ex.fetchOrder(stop.id!, S, { trigger: true })).status).toBe('closed');
    h.market('ETHUSDT', '3000');
    await ex.close();
    await expectConsistent(h.db, accountId);
  });

  it('refuses with Binance codes: signature, timestamp, permission, revoked key, margin, notional', async () => {
    const { ex, key, user, accountId } = await trader();
    await ex.loadMarkets();
    const S = 'BTC/USDT:USDT';
    // a wrong secret signs wrongly
    const wrong = client(key.key, 'x'.repeat(64));
    await wrong.loadMarkets();
    expect(await codeOf(wrong.fetchBalance())).toBe(-1022);
    // a timestamp 10 s old with the default 5 s window
    const ts = Date.now() - 10_000;
    const query = `timestamp=${ts}`;
    const r = await fetch(
      `${h.url}/fapi/v2/balance?${query}&signature=${sign(key.secret, query)}`,
      {
        headers: { 'X-MBX-APIKEY': key.key },
      },
    );
    expect(r.status).toBe(400);
    expect(await r.json()).toEqual({
      code: -1021,
      msg: 'Timestamp for this request is outside of the recvWindow.',
    });
    // no key, a malformed key, an unknown key
    expect(await (await fetch(`${h.url}/fapi/v2/balance?${query}`)).json()).toMatchObject({
      code: -2014,
    });
    expect(await codeOf(client('Z'.repeat(64), key.secret).fetchBalance())).toBe(-2015);
    // margin insufficient: 10 BTC at 20x needs 25,000 of margin on a 10,000 wallet
    expect(await codeOf(ex.createOrder(S, 'market', 'buy', 10))).toBe(-2019);
    // below the minimum notional (100 USDT): 0.001 BTC = 50 USDT
    expect(await codeOf(ex.createOrder(S, 'market', 'buy', 0.001))).toBe(-4164);
    // a read-only key cannot trade, but reads
    const reader = await createApiKey(h.db, user.id, accountId, {
      label: 'ro',
      permission: 'read',
    });
    const ro = client(reader.key, reader.secret);
    await ro.loadMarkets();
    expect(usdt(await ro.fetchBalance())).toBe(10000);
    expect(await codeOf(ro.createOrder(S, 'market', 'buy', 0.01))).toBe(-2015);
    // revoked: refused at once
    await revokeApiKey(h.db, user.id, accountId, key.id);
    expect(await codeOf(ex.fetchBalance())).toBe(-2015);
    // nothing above changed the account
    expect(usdt(await ro.fetchBalance())).toBe(10000);
    await expectConsistent(h.db, accountId);
  });

  it('a key acts only on its own account', async () => {
    const a = await trader();
    const b = await trader();
    await a.ex.loadMarkets();
    await b.ex.loadMarkets();
    const S = 'BTC/USDT:USDT';
    const order = await a.ex.createOrder(S, 'limit', 'buy', 0.01, 40000);
    // b cannot see, query or cancel a's order, by number or by client id
    expect(await codeOf(b.ex.fetchOrder(order.id!, S))).toBe(-2013);
    expect(await codeOf(b.ex.cancelOrder(order.id!, S))).toBe(-2013);
    expect(
      await codeOf(b.ex.fetchOrder(order.id!, S, { origClientOrderId: order.clientOrderId })),
    ).toBe(-2013);
    expect(await b.ex.fetchOpenOrders(S)).toEqual([]);
    // b's cancel-all leaves a's order
    await b.ex.cancelAllOrders(S);
    expect((await a.ex.fetchOrder(order.id!, S)).status).toBe('open');
    // an accountId-like parameter is ignored: the account is the key's
    const bal = await b.ex.fetchBalance({ accountId: a.accountId });
    expect(usdt(bal)).toBe(10000);
    expect((await b.ex.fetchPositions()).length).toBe(0);
    await a.ex.cancelOrder(order.id!, S);
  });
});
