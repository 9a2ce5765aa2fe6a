// Issue 19: every margin rule counts the open orders, not the position alone.
import { describe, expect, it } from 'vitest';
import {
  CATALOGUE,
  onPrice,
  openAccount,
  placeOrder,
  setLeverage,
  summarize,
  type Account,
  type Market,
  type OrderRequest,
} from '../src/index.ts';
import { d, market, s, withInstrument } from './helpers.ts';

/** BTCUSDT with Binance's tiers (50,000 at 0.4% and 125x; 250,000 at 0.5%, amount 50, 100x), fees 0. */
const BTC0 = { ...CATALOGUE.BTCUSDT!, makerFeeRate: d(0), takerFeeRate: d(0) };
const at = (mark: string): Market => market({ BTCUSDT: mark }, withInstrument(BTC0));
const limit = (side: 'buy' | 'sell', quantity: string, price: string): OrderRequest => ({
  symbol: 'BTCUSDT',
  side,
  type: 'limit',
  quantity,
  price,
});
const marketOrder = (side: 'buy' | 'sell', quantity: string, reduceOnly = false): OrderRequest => ({
  symbol: 'BTCUSDT',
  side,
  type: 'market',
  quantity,
  reduceOnly,
});

function at10x(wallet: string, m: Market): Account {
  return setLeverage(openAccount('a', d(wallet), 0).account, m, 'BTCUSDT', 10, 0).account;
}

describe('open orders in the margin check', () => {
  it('resting sells beyond the position need margin for the excess: the second one is refused', () => {
    const m = at('50000');
    // wallet 1,000, cross 10x: market buy 0.1 -> IM 0.1 x 50,000 / 10 = 500, available 500
    let a = placeOrder(at10x('1000', m), m, marketOrder('buy', '0.1'), { now: 1 }).account;
    expect(s(summarize(a, m).availableBalance)).toBe('500');
    // the first sell 0.1 @ 50,100 only closes the long: it needs no margin
    const first = placeOrder(a, m, limit('sell', '0.1', '50100'), { now: 2 });
    expect(first.rejected).toBeUndefined();
    a = first.account;
    expect(s(summarize(a, m).availableBalance)).toBe('500');
    // each further sell would open 0.1 short: 0.1 x 50,100 / 10 = 501 > 500 available
    for (let i = 0; i < 9; i++) {
      const r = placeOrder(a, m, limit('sell', '0.1', '50100'), { now: 3 + i });
      expect(r.rejected?.code).toBe('INSUFFICIENT_MARGIN');
      a = r.account;
    }
    expect(Object.keys(a.orders)).toHaveLength(1);
    // at 50,100 the one sell closes the long; no short is opened
    const filled = onPrice(a, m, 'BTCUSDT', { markPrice: d('50100') }, 20);
    expect(filled.account.positions).toEqual({});
    // the engine refuses a single sell 1 @ 50,100 as well: 0.9 x 50,100 / 10 = 4,509 > 500
    expect(
      placeOrder(first.account, m, limit('sell', '1', '50100'), { now: 2 }).rejected?.code,
    ).toBe('INSUFFICIENT_MARGIN');
  });

  it('a plain close that takes the position a resting order was closing adds risk', () => {
    let m = at('50000');
    // wallet 1,000 at 10x: long 0.19 (IM 950) and a sell 0.19 @ 50,100 that would close it
    let a = placeOrder(at10x('1000', m), m, marketOrder('buy', '0.19'), { now: 1 }).account;
    a = placeOrder(a, m, limit('sell', '0.19', '50100'), { now: 2 }).account;
    m = at('49000');
    // a plain market sell 0.19 at 49,000 closes the long (wallet 1,000 - 190 = 810), after which
    // the resting sell opens a short of 0.19 needing 0.19 x 50,100 / 10 = 951.9 > 810: refused
    expect(placeOrder(a, m, marketOrder('sell', '0.19'), { now: 3 }).rejected?.code).toBe(
      'INSUFFICIENT_MARGIN',
    );
    // as reduce-only it only cuts risk and is never refused
    expect(
      placeOrder(a, m, marketOrder('sell', '0.19', true), { now: 3 }).rejected,
    ).toBeUndefined();
  });

  it('a resting order that adds risk is checked again when it fills', () => {
    let m = at('50000');
    // wallet 1,000 at 10x: long 0.199 (IM 995), and a sell 0.199 @ 50,100 that closes it
    let a = placeOrder(at10x('1000', m), m, marketOrder('buy', '0.199'), { now: 1 }).account;
    a = placeOrder(a, m, limit('sell', '0.199', '50100'), { now: 2 }).account;
    // the mark falls to 49,000 (uPnL -199) and the long is closed reduce-only: wallet 801
    m = at('49000');
    a = placeOrder(a, m, marketOrder('sell', '0.199', true), { now: 3 }).account;
    expect(s(a.walletBalance)).toBe('801');
    // the resting sell would now open a short of 0.199 needing 0.199 x 50,100 / 10 = 996.99 > 801:
    // at 50,100 it is not filled into an under-margined short but expires
    const r = onPrice(a, m, 'BTCUSDT', { markPrice: d('50100') }, 4);
    expect(r.events).toMatchObject([{ type: 'orderExpired', code: 'INSUFFICIENT_MARGIN' }]);
    expect(r.account.positions).toEqual({});
  });
});

describe('the leverage bracket counts the open orders when placing', () => {
  it('two resting buys of 0.9 at 125x would fill into 1.8 BTC (tier 2, at most 100x): the second is refused', () => {
    const m = at('50000');
    const a = setLeverage(openAccount('a', d('10000'), 0).account, m, 'BTCUSDT', 125, 0).account;
    // 0.9 x 49,000 = 44,100 of notional: tier 1 (<= 50,000, 125x), margin 44,100 / 125 = 352.8
    const first = placeOrder(a, m, limit('buy', '0.9', '49000'), { now: 1 });
    expect(first.rejected).toBeUndefined();
    // with the first resting: 1.8 x 49,000 = 88,200, tier 2 (<= 250,000, 100x) < 125x
    const second = placeOrder(first.account, m, limit('buy', '0.9', '49000'), { now: 2 });
    expect(second.rejected?.code).toBe('LEVERAGE_TOO_HIGH');
    // the same rule as a single 1.8 order and as setLeverage(125) with the orders resting
    expect(placeOrder(a, m, limit('buy', '1.8', '49000'), { now: 1 }).rejected?.code).toBe(
      'LEVERAGE_TOO_HIGH',
    );
    const at100 = setLeverage(first.account, m, 'BTCUSDT', 100, 2).account;
    const both = placeOrder(at100, m, limit('buy', '0.9', '49000'), { now: 3 });
    expect(both.rejected).toBeUndefined();
    expect(() => setLeverage(both.account, m, 'BTCUSDT', 125, 4)).toThrowError(
      expect.objectContaining({ code: 'LEVERAGE_TOO_HIGH' }) as Error,
    );
    // each side is measured on its own: the sell side reaches 0.5 x 51,000 = 25,500 (tier 1)
    expect(
      placeOrder(first.account, m, limit('sell', '0.5', '51000'), { now: 2 }).rejected,
    ).toBeUndefined();
  });
});
