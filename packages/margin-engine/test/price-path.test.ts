// A mark step applies triggers and resting fills in the order the price meets them.
import { describe, expect, it } from 'vitest';
import {
  CATALOGUE,
  onPrice,
  openAccount,
  placeOrder,
  type Account,
  type Market,
  type OrderRequest,
} from '../src/index.ts';
import { d, market, s, withInstrument } from './helpers.ts';

const BTC0 = { ...CATALOGUE.BTCUSDT!, makerFeeRate: d(0), takerFeeRate: d(0) };
const m = (mark: string): Market => market({ BTCUSDT: mark }, withInstrument(BTC0));
const place = (a: Account, req: Omit<OrderRequest, 'symbol'>): Account => {
  const r = placeOrder(a, m('50000'), { symbol: 'BTCUSDT', ...req }, { now: 1 });
  if (r.rejected) throw r.rejected;
  return r.account;
};
const fills = (a: ReturnType<typeof onPrice>) =>
  a.events.flatMap((e) =>
    e.type === 'fill' ? [[e.orderId, e.side, s(e.quantity), s(e.price)]] : [],
  );

describe('price path', () => {
  it('up through a sell limit and then a reduce-only buy stop: the limit fills first, the stop closes it all', () => {
    // short 0.1 @ 50,000; a sell limit 0.1 @ 50,500 to add, a reduce-only buy stop 0.2 @ 51,000
    let a = place(openAccount('a', d('10000'), 0).account, {
      side: 'sell',
      type: 'market',
      quantity: '0.1',
    });
    a = place(a, { side: 'sell', type: 'limit', quantity: '0.1', price: '50500' });
    a = place(a, {
      side: 'buy',
      type: 'stopMarket',
      quantity: '0.2',
      stopPrice: '51000',
      reduceOnly: true,
    });
    // the mark gaps 50,000 -> 52,000: it meets 50,500 (the limit: short 0.2) before 51,000 (the
    // stop: buys 0.2 at the mark). Running the stop first would close only 0.1, expire, and let
    // the limit open a new short with no stop left.
    const r = onPrice(a, m('50000'), 'BTCUSDT', { markPrice: d('52000') }, 2);
    expect(fills(r)).toEqual([
      ['a-2', 'sell', '0.1', '50500'],
      ['a-3', 'buy', '0.2', '52000'],
    ]);
    // realized = cost 5,000 + 5,050 - 0.2 x 52,000 = -350
    expect(r.events.find((e) => e.type === 'fill' && e.orderId === 'a-3')).toMatchObject({
      realizedPnl: d(-350),
    });
    expect(r.account.positions).toEqual({});
    expect(r.account.orders).toEqual({});
  });

  it('down through a buy limit and then a close-position stop-loss: the stop closes the added part too', () => {
    let a = place(openAccount('a', d('10000'), 0).account, {
      side: 'buy',
      type: 'market',
      quantity: '0.1',
    });
    a = place(a, { side: 'buy', type: 'limit', quantity: '0.1', price: '49500' });
    a = place(a, { side: 'sell', type: 'stopMarket', closePosition: true, stopPrice: '49000' });
    const r = onPrice(a, m('50000'), 'BTCUSDT', { markPrice: d('48000') }, 2);
    // 49,500 is met before 49,000: long 0.2, then the stop sells all 0.2 at 48,000
    expect(fills(r)).toEqual([
      ['a-2', 'buy', '0.1', '49500'],
      ['a-3', 'sell', '0.2', '48000'],
    ]);
    expect(r.account.positions).toEqual({});
  });
});
