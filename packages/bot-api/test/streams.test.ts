// The WebSocket side with a plain WebSocket client: market streams in Binance's formats (raw and
// combined, SUBSCRIBE / LIST_SUBSCRIPTIONS), and a user data stream with ORDER_TRADE_UPDATE,
// ACCOUNT_UPDATE and a MARGIN_CALL when the mark moves close to the liquidation price; an unknown
// listen key is refused at the handshake.
import { createHmac } from 'node:crypto';
import { createApiKey } from '@lab/services';
import { createUser } from '@lab/services/testing';
import { Decimal } from '@lab/margin-engine';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

type Msg = Record<string, unknown>;

/** A connected client that keeps every message; next() waits for one matching `pred`. */
async function connect(path: string) {
  const ws = new WebSocket(`${h.wsUrl}${path}`);
  const got: Msg[] = [];
  ws.on('message', (d: Buffer) => got.push(JSON.parse(d.toString('utf8')) as Msg));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return {
    ws,
    got,
    send: (m: unknown) => ws.send(JSON.stringify(m)),
    async next(pred: (m: Msg) => boolean, ms = 8000): Promise<Msg> {
      const end = Date.now() + ms;
      for (;;) {
        const i = got.findIndex(pred);
        if (i >= 0) return got.splice(i, 1)[0]!;
        if (Date.now() > end)
          throw new Error(`no matching message within ${ms} ms: ${JSON.stringify(got.slice(-5))}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
  };
}

async function signed(
  key: { key: string; secret: string },
  method: string,
  path: string,
  q: string,
) {
  const query = `${q}${q ? '&' : ''}timestamp=${Date.now()}`;
  const sig = createHmac('sha256', key.secret).update(query).digest('hex');
  const r = await fetch(`${h.url}${path}?${query}&signature=${sig}`, {
    method,
    headers: { 'X-MBX-APIKEY': key.key },
  });
  return (await r.json()) as Msg & Msg[];
}

describe('market streams', () => {
  it('mark price, book ticker, aggregate trades and klines in Binance formats', async () => {
    const c = await connect('/stream?streams=btcusdt@markPrice@1s/btcusdt@bookTicker');
    const mark = await c.next((m) => m.stream === 'btcusdt@markPrice@1s');
    expect(mark.data).toMatchObject({
      e: 'markPriceUpdate',
      s: 'BTCUSDT',
      p: '50000',
      r: '0.0001',
    });
    c.send({ method: 'SUBSCRIBE', params: ['btcusdt@aggTrade', 'btcusdt@kline_1m'], id: 7 });
    expect(await c.next((m) => m.id === 7)).toEqual({ result: null, id: 7 });
    c.send({ method: 'LIST_SUBSCRIPTIONS', id: 8 });
    expect((await c.next((m) => m.id === 8)).result).toEqual([
      'btcusdt@markPrice@1s',
      'btcusdt@bookTicker',
      'btcusdt@aggTrade',
      'btcusdt@kline_1m',
    ]);
    c.send({ method: 'SUBSCRIBE', params: ['btcusdt@depth@100ms'], id: 9 });
    expect(await c.next((m) => m.id === 9)).toMatchObject({ error: { code: 2 }, id: 9 });
    h.market('BTCUSDT', '50100');
    const book = await c.next((m) => m.stream === 'btcusdt@bookTicker');
    expect(book.data).toMatchObject({ e: 'bookTicker', s: 'BTCUSDT', b: '50099.9', a: '50100.1' });
    const agg = await c.next((m) => m.stream === 'btcusdt@aggTrade');
    expect(agg.data).toMatchObject({ e: 'aggTrade', s: 'BTCUSDT', p: '50100', q: '0.5', m: false });
    // the open candle came at subscription; this is the update with the new trade
    const kline = await c.next(
      (m) => m.stream === 'btcusdt@kline_1m' && (m.data as { k: Msg }).k.c === '50100',
    );
    expect(kline.data).toMatchObject({
      e: 'kline',
      s: 'BTCUSDT',
      k: { i: '1m', c: '50100', x: false },
    });
    c.ws.close();
    // a raw (not combined) stream on /ws/<name>
    const raw = await connect('/ws/btcusdt@markPrice@1s');
    expect(await raw.next((m) => m.e === 'markPriceUpdate')).toMatchObject({ s: 'BTCUSDT' });
    raw.ws.close();
    h.market('BTCUSDT', '50000');
  });

  it('refuses an unknown listen key at the handshake', async () => {
    const ws = new WebSocket(`${h.wsUrl}/private/ws?listenKey=${'a'.repeat(64)}`);
    const status = await new Promise<number>((resolve) =>
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)),
    );
    expect(status).toBe(400);
  });
});

describe('user data stream', () => {
  it('order and account updates, then a margin call as the mark nears the liquidation price', async () => {
    h.market('BTCUSDT', '50000');
    const { user, accountId } = await createUser(h.db);
    const key = await createApiKey(h.db, user.id, accountId, { label: 'ws', permission: 'trade' });
    const { listenKey } = (await (
      await fetch(`${h.url}/fapi/v1/listenKey`, {
        method: 'POST',
        headers: { 'X-MBX-APIKEY': key.key },
      })
    ).json()) as { listenKey: string };
    const c = await connect(`/ws/${listenKey}`);
    await new Promise((r) => setTimeout(r, 300)); // the snapshot is taken

    expect(
      await signed(key, 'POST', '/fapi/v1/leverage', 'symbol=BTCUSDT&leverage=50'),
    ).toMatchObject({ leverage: 50 });
    expect(await c.next((m) => m.e === 'ACCOUNT_CONFIG_UPDATE')).toMatchObject({
      ac: { s: 'BTCUSDT', l: 50 },
    });
    // 50x long 3 BTC at 50,000: 3,000 of margin on a 10,000 wallet
    const order = await signed(
      key,
      'POST',
      '/fapi/v1/order',
      'symbol=BTCUSDT&side=BUY&type=MARKET&quantity=3&newClientOrderId=ws-1',
    );
    expect(order).toMatchObject({ status: 'FILLED', executedQty: '3', clientOrderId: 'ws-1' });
    const accepted = await c.next((m) => m.e === 'ORDER_TRADE_UPDATE' && (m.o as Msg).x === 'NEW');
    expect(accepted.o).toMatchObject({
      s: 'BTCUSDT',
      c: 'ws-1',
      S: 'BUY',
      o: 'MARKET',
      X: 'NEW',
      i: order.orderId,
    });
    const trade = await c.next((m) => m.e === 'ORDER_TRADE_UPDATE' && (m.o as Msg).x === 'TRADE');
    expect(trade.o).toMatchObject({
      X: 'FILLED',
      l: '3',
      z: '3',
      L: '50000',
      ap: '50000',
      n: '75',
      N: 'USDT',
      m: false,
    });
    const acct = await c.next((m) => m.e === 'ACCOUNT_UPDATE');
    expect(acct.a).toMatchObject({
      m: 'ORDER',
      B: [{ a: 'USDT', wb: '9925', cw: '9925' }],
      P: [{ s: 'BTCUSDT', pa: '3', ep: '50000', mt: 'cross', ps: 'BOTH' }],
    });

    // the mark 40 above the liquidation price: the margin ratio passes 80%
    const [risk] = (await signed(
      key,
      'GET',
      '/fapi/v3/positionRisk',
      'symbol=BTCUSDT',
    )) as unknown as Array<{ liquidationPrice: string }>;
    const near = new Decimal(risk!.liquidationPrice).plus(40).toDecimalPlaces(1).toFixed();
    h.market('BTCUSDT', near);
    const call = await c.next((m) => m.e === 'MARGIN_CALL');
    expect(call).toMatchObject({ cw: '9925' });
    expect((call.p as Msg[])[0]).toMatchObject({
      s: 'BTCUSDT',
      ps: 'BOTH',
      pa: '3',
      mt: 'CROSSED',
      mp: near,
    });
    h.market('BTCUSDT', '50000');
    c.ws.close();
  });
});
