import { describe, expect, it } from 'vitest';
import {
  onPrice,
  openAccount,
  placeOrder,
  previewOrder,
  setLeverage,
  setMarginMode,
  type Account,
  type OrderPreview,
  type OrderRequest,
} from '../src/index.ts';
import { accountWith, d, market, s } from './helpers.ts';

const m = market({ BTCUSDT: '50000', ETHUSDT: '3000' });
const at10x = (a: Account): Account => setLeverage(a, m, 'BTCUSDT', 10, 0).account;
const btc = (side: 'buy' | 'sell', extra: Partial<OrderRequest> = {}): OrderRequest => ({
  symbol: 'BTCUSDT',
  side,
  type: 'market',
  quantity: '1',
  ...extra,
});
const ratio = (x: { marginRatio: { isFinite(): boolean; toFixed(): string } }) =>
  x.marginRatio.isFinite() ? x.marginRatio.toFixed() : 'Infinity';
const rows = (p: OrderPreview) =>
  p.stress.map((x) => [x.movePercent, s(x.markPrice), s(x.equity), ratio(x), x.liquidated]);
/** Does the engine liquidate the account the order leaves at this BTC mark? */
const liquidatedAt = (a: Account, req: OrderRequest, mark: string): boolean =>
  onPrice(
    placeOrder(a, m, req, { now: 1 }).account,
    m,
    'BTCUSDT',
    { markPrice: d(mark) },
    2,
  ).events.some((e) => e.type === 'liquidation');

describe('previewOrder: stress and margin ratio', () => {
  it('cross long: the mark 5%, 10%, 20% lower, the cross margin balance as equity', () => {
    const a = at10x(openAccount('a', d('10000'), 0).account);
    const p = previewOrder(a, m, btc('buy'), 1);
    // after the buy: wallet 10,000 - fee 25 = 9,975; maintenance 50,000 x 0.004 = 200
    expect(s(p.marginRatio)).toBe(d(200).div(9975).toFixed());
    expect(p.marginRatio.eq(p.crossMarginRatio)).toBe(true);
    // 47,500: 9,975 - 2,500 = 7,475, MM 190; 45,000: 4,975, MM 180; 40,000: -25, liquidated
    expect(rows(p)).toEqual([
      [5, '47500', '7475', d(190).div(7475).toFixed(), false],
      [10, '45000', '4975', d(180).div(4975).toFixed(), false],
      [20, '40000', '-25', 'Infinity', true],
    ]);
    // the engine's own rule: 40,000 liquidates, 45,000 does not
    expect([liquidatedAt(a, btc('buy'), '45000'), liquidatedAt(a, btc('buy'), '40000')]).toEqual([
      false,
      true,
    ]);
  });

  it('isolated short: the mark higher, the isolated margin balance as equity', () => {
    const a = at10x(
      setMarginMode(openAccount('a', d('10000'), 0).account, m, 'BTCUSDT', 'isolated', 0).account,
    );
    const p = previewOrder(a, m, btc('sell'), 1);
    // isolated wallet 5,000; maintenance 200: ratio 200 / 5,000 = 0.04 (the cross account: 0)
    expect([s(p.marginRatio), s(p.crossMarginRatio)]).toEqual(['0.04', '0']);
    // 52,500: 5,000 - 2,500 = 2,500, MM 52,500 x 0.005 - 50 = 212.5 (ratio 0.085);
    // 55,000: 0 (ratio infinite, liquidated); 60,000: -5,000
    expect(rows(p)).toEqual([
      [5, '52500', '2500', '0.085', false],
      [10, '55000', '0', 'Infinity', true],
      [20, '60000', '-5000', 'Infinity', true],
    ]);
    expect([liquidatedAt(a, btc('sell'), '52500'), liquidatedAt(a, btc('sell'), '55000')]).toEqual([
      false,
      true,
    ]);
  });

  it('a close that ends flat is stressed against the order side, on the cross account', () => {
    const a = accountWith('10000', [
      { symbol: 'BTCUSDT', quantity: '-1', entry: '50000' },
      { symbol: 'ETHUSDT', quantity: '10', entry: '3000' },
    ]);
    const p = previewOrder(a, m, btc('buy', { reduceOnly: true }), 1);
    expect(p.positionQuantity.isZero()).toBe(true);
    // a buy is hurt by a fall; once flat BTC moves nothing: the ETH long keeps the cross margin
    // balance at 10,000 - fee 25 = 9,975; maintenance 30,000 x 0.0065 - 15 = 180 (ETH tier 2)
    const r = d(180).div(9975).toFixed();
    expect(rows(p)).toEqual([
      [5, '47500', '9975', r, false],
      [10, '45000', '9975', r, false],
      [20, '40000', '9975', r, false],
    ]);
  });
});
