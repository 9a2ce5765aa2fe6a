import { describe, expect, it } from 'vitest';
import {
  CATALOGUE,
  accountToJson,
  amendOrder,
  counterpartyFlows,
  eventFromJson,
  eventToJson,
  onPrice,
  openAccount,
  placeOrder,
  replay,
  setLeverage,
  summarize,
  type Account,
  type EngineEvent,
  type Market,
  type OrderRequest,
} from '../src/index.ts';
import { d, market, s, types, withInstrument } from './helpers.ts';

const BTC0 = { ...CATALOGUE.BTCUSDT!, makerFeeRate: d(0), takerFeeRate: d(0) };
const m: Market = market({ BTCUSDT: '50000' }, withInstrument(BTC0));
const limit = (
  side: 'buy' | 'sell',
  quantity: string,
  price: string,
  extra: Partial<OrderRequest> = {},
) => ({ symbol: 'BTCUSDT', side, type: 'limit', quantity, price, ...extra }) as OrderRequest;

function start(wallet = '10000'): { account: Account; events: EngineEvent[] } {
  const o = openAccount('a', d(wallet), 0);
  const l = setLeverage(o.account, m, 'BTCUSDT', 10, 0);
  return { account: l.account, events: [...o.events, ...l.events] };
}
const throwsCode = (f: () => unknown, code: string, field?: string) =>
  expect(f).toThrowError(expect.objectContaining({ code, ...(field ? { field } : {}) }) as Error);

describe('amendOrder', () => {
  it('moves a resting limit in place: new price and total quantity, same id', () => {
    const st = start();
    const p = placeOrder(st.account, m, limit('buy', '0.1', '49000', { clientOrderId: 'c1' }), {
      now: 1,
    });
    const r = amendOrder(p.account, m, { clientOrderId: 'c1', price: '48000', quantity: '0.3' }, 2);
    expect(r.events).toMatchObject([
      {
        type: 'orderAmended',
        orderId: 'a-1',
        symbol: 'BTCUSDT',
        price: d(48000),
        quantity: d('0.3'),
      },
    ]);
    expect(r.account.orders['a-1']).toMatchObject({
      price: d(48000),
      quantity: d('0.3'),
      status: 'new',
      seq: 1,
    });
    // open order margin 0.3 x 48,000 / 10 = 1,440
    expect(s(summarize(r.account, m).openOrderMargin)).toBe('1440');
    expect(counterpartyFlows(r.events[0]!)).toEqual({
      house: d(0),
      insurance: d(0),
      deposit: d(0),
    });
    // replay, also through JSON, reproduces it
    const stream = [...st.events, ...p.events, ...r.events];
    expect(accountToJson(replay('a', stream))).toEqual(accountToJson(r.account));
    const wire = JSON.parse(JSON.stringify(stream.map(eventToJson))) as unknown[];
    expect(accountToJson(replay('a', wire.map(eventFromJson)))).toEqual(accountToJson(r.account));
    // the amended order fills at its new price
    const f = onPrice(r.account, m, 'BTCUSDT', { markPrice: d('47990') }, 3);
    expect(f.events.find((e) => e.type === 'fill')).toMatchObject({
      price: d(48000),
      quantity: d('0.3'),
    });
  });

  it('keeps the filled part: the new quantity must exceed it', () => {
    const book = { halfSpreadTicks: 0, levelStepTicks: 1, levelQuantities: [d('0.1')] };
    const mb = market({ BTCUSDT: '50000' }, withInstrument({ ...BTC0, book }));
    // a marketable buy 0.3 @ 50,000 takes the 0.1 the book has and rests with 0.2 left
    const p = placeOrder(start().account, mb, limit('buy', '0.3', '50000'), { now: 1 });
    expect(p.account.orders['a-1']).toMatchObject({
      status: 'partiallyFilled',
      filledQuantity: d('0.1'),
    });
    throwsCode(
      () => amendOrder(p.account, mb, { orderId: 'a-1', quantity: '0.1' }, 2),
      'INVALID_QUANTITY',
      'quantity',
    );
    throwsCode(
      () => amendOrder(p.account, mb, { orderId: 'a-1', quantity: '0.05' }, 2),
      'INVALID_QUANTITY',
      'quantity',
    );
    const r = amendOrder(p.account, mb, { orderId: 'a-1', quantity: '0.101', price: '49000' }, 2);
    expect(r.account.orders['a-1']).toMatchObject({
      status: 'partiallyFilled',
      quantity: d('0.101'),
      filledQuantity: d('0.1'),
    });
  });

  it('validates like placement and changes nothing when a rule is broken', () => {
    const p = placeOrder(
      start('1000').account,
      m,
      limit('buy', '0.1', '49000', { timeInForce: 'GTX' }),
      { now: 1 },
    );
    const a = p.account;
    throwsCode(
      () => amendOrder(a, m, { orderId: 'nope', price: '1' }, 2),
      'ORDER_NOT_FOUND',
      'orderId',
    );
    throwsCode(
      () => amendOrder(a, m, { clientOrderId: 'nope', price: '1' }, 2),
      'ORDER_NOT_FOUND',
      'clientOrderId',
    );
    throwsCode(() => amendOrder(a, m, { orderId: 'a-1' }, 2), 'INVALID_QUANTITY', 'quantity');
    throwsCode(
      () => amendOrder(a, m, { orderId: 'a-1', price: '49000.05' }, 2),
      'PRICE_NOT_ON_TICK',
      'price',
    );
    throwsCode(
      () => amendOrder(a, m, { orderId: 'a-1', price: '-1' }, 2),
      'INVALID_PRICE',
      'price',
    );
    throwsCode(
      () => amendOrder(a, m, { orderId: 'a-1', quantity: '0.1005' }, 2),
      'QUANTITY_NOT_ON_STEP',
      'quantity',
    );
    throwsCode(
      () => amendOrder(a, m, { orderId: 'a-1', quantity: 'x' }, 2),
      'INVALID_QUANTITY',
      'quantity',
    );
    // 0.001 x 49,000 = 49 < min notional 100
    throwsCode(
      () => amendOrder(a, m, { orderId: 'a-1', quantity: '0.001' }, 2),
      'MIN_NOTIONAL',
      'quantity',
    );
    // post-only still must not take: 50,000 would buy at the mark
    throwsCode(
      () => amendOrder(a, m, { orderId: 'a-1', price: '50000' }, 2),
      'POST_ONLY_WOULD_TAKE',
    );
    // margin with the open orders: 0.3 x 49,000 / 10 = 1,470 > 1,000
    throwsCode(
      () => amendOrder(a, m, { orderId: 'a-1', quantity: '0.3' }, 2),
      'INSUFFICIENT_MARGIN',
    );
    expect(accountToJson(a)).toEqual(accountToJson(p.account));
    // an untriggered stop is not a resting limit
    const stop = placeOrder(
      a,
      m,
      { symbol: 'BTCUSDT', side: 'buy', type: 'stopMarket', quantity: '0.1', stopPrice: '51000' },
      { now: 3 },
    );
    throwsCode(
      () => amendOrder(stop.account, m, { orderId: 'a-2', price: '52000' }, 4),
      'INVALID_TRANSITION',
      'status',
    );
  });

  it('the leverage bracket counts the other open orders', () => {
    const st = setLeverage(openAccount('a', d('10000'), 0).account, m, 'BTCUSDT', 125, 0).account;
    let a = placeOrder(st, m, limit('buy', '0.9', '49000'), { now: 1 }).account;
    a = placeOrder(a, m, limit('buy', '0.1', '49000'), { now: 1 }).account;
    // 0.9 + 0.9 at 49,000 = 88,200: tier 2, at most 100x
    throwsCode(
      () => amendOrder(a, m, { orderId: 'a-2', quantity: '0.9' }, 2),
      'LEVERAGE_TOO_HIGH',
      'leverage',
    );
    expect(
      amendOrder(a, m, { orderId: 'a-2', quantity: '0.1', price: '48000' }, 2).events,
    ).toHaveLength(1);
  });

  it('a GTC amended across the book executes as taker at once, the rest keeps resting', () => {
    const book = { halfSpreadTicks: 1, levelStepTicks: 1, levelQuantities: [d('0.1')] };
    const mb = market({ BTCUSDT: '50000' }, withInstrument({ ...BTC0, book }));
    const p = placeOrder(start().account, mb, limit('buy', '0.3', '49000'), { now: 1 });
    // best ask 50,000.1 x 0.1: the amended buy @ 50,001 takes it and rests with 0.2
    const r = amendOrder(p.account, mb, { orderId: 'a-1', price: '50001' }, 2);
    expect(types(r.events)).toEqual(['orderAmended', 'fill', 'positionChanged']);
    expect(r.events[1]).toMatchObject({
      price: d('50000.1'),
      quantity: d('0.1'),
      liquidity: 'taker',
    });
    expect(r.account.orders['a-1']).toMatchObject({ status: 'partiallyFilled', price: d(50001) });
    expect(r.account.positions.BTCUSDT?.quantity.toFixed()).toBe('0.1');
  });
});
