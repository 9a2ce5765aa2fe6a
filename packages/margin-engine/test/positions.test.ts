import { describe, expect, it } from 'vitest';
import {
  adjustIsolatedMargin,
  allPositionRisks,
  applyFunding,
  crossFigures,
  onPrice,
  openAccount,
  placeOrder,
  setLeverage,
  setMarginMode,
  withPrice,
  type Account,
  type Market,
} from '../src/index.ts';
import { accountWith, d, market, s } from './helpers.ts';

const trade = (
  a: Account,
  m: Market,
  side: 'buy' | 'sell',
  quantity: string,
  symbol = 'BTCUSDT',
): Account => {
  const r = placeOrder(a, m, { symbol, side, type: 'market', quantity }, { now: 1 });
  if (r.rejected) throw r.rejected;
  return r.account;
};
const fresh = (wallet = '100000'): Account => openAccount('a', d(wallet), 0).account;
const at = (price: string): Market => market({ BTCUSDT: price, ETHUSDT: '3000' });

describe('position accounting', () => {
  it('weighted-average entry on increase, realized PnL on reduce, flip through zero', () => {
    let a = trade(fresh(), at('50000'), 'buy', '0.1');
    a = trade(a, at('51000'), 'buy', '0.1');
    // entry = (0.1 x 50,000 + 0.1 x 51,000) / 0.2 = 50,500
    expect(s(a.positions.BTCUSDT!.entryPrice)).toBe('50500');
    const r = placeOrder(
      a,
      at('52000'),
      { symbol: 'BTCUSDT', side: 'sell', type: 'market', quantity: '0.05' },
      { now: 2 },
    );
    // realized = 0.05 x (52,000 - 50,500) = 75; entry unchanged
    expect(r.events.find((e) => e.type === 'fill')).toMatchObject({ realizedPnl: d(75) });
    expect(s(r.account.positions.BTCUSDT!.entryPrice)).toBe('50500');
    const f = placeOrder(
      r.account,
      at('52000'),
      { symbol: 'BTCUSDT', side: 'sell', type: 'market', quantity: '0.3' },
      { now: 3 },
    );
    // flip: closes 0.15 (realized 0.15 x 1,500 = 225) and opens -0.15 at 52,000
    expect(f.events.find((e) => e.type === 'fill')).toMatchObject({ realizedPnl: d(225) });
    expect([
      s(f.account.positions.BTCUSDT!.quantity),
      s(f.account.positions.BTCUSDT!.entryPrice),
    ]).toEqual(['-0.15', '52000']);
    // wallet = 100,000 - fees (2.5 + 2.55 + 1.3 + 7.8) + 75 + 225 = 100,285.85
    expect(s(f.account.walletBalance)).toBe('100285.85');
  });

  it('a short: realized PnL on reduce and on a flip to long has the opposite sign', () => {
    const eth = (price: string): Market => market({ BTCUSDT: '50000', ETHUSDT: price });
    const a = trade(fresh(), eth('3000'), 'sell', '2', 'ETHUSDT');
    // buy back 0.5 at 2,900: realized = 0.5 x (2,900 - 3,000) x -1 = +50; fee 0.5 x 2,900 x 0.0005 = 0.725
    const r = placeOrder(
      a,
      eth('2900'),
      { symbol: 'ETHUSDT', side: 'buy', type: 'market', quantity: '0.5' },
      { now: 2 },
    );
    expect(r.events.find((e) => e.type === 'fill')).toMatchObject({ realizedPnl: d(50) });
    expect(s(r.account.positions.ETHUSDT!.entryPrice)).toBe('3000');
    // buy 2.5 at 3,100: closes 1.5 (realized 1.5 x (3,100 - 3,000) x -1 = -150), opens +1 at 3,100
    const f = placeOrder(
      r.account,
      eth('3100'),
      { symbol: 'ETHUSDT', side: 'buy', type: 'market', quantity: '2.5' },
      { now: 3 },
    );
    expect(f.events.find((e) => e.type === 'fill')).toMatchObject({ realizedPnl: d(-150) });
    expect([
      s(f.account.positions.ETHUSDT!.quantity),
      s(f.account.positions.ETHUSDT!.entryPrice),
    ]).toEqual(['1', '3100']);
    // wallet = 100,000 - fees (3 + 0.725 + 3.875) + 50 - 150 = 99,892.4
    expect(s(f.account.walletBalance)).toBe('99892.4');
  });

  it('funding uses the position held at funding time (after adds and partial closes)', () => {
    let a = trade(fresh(), at('50000'), 'buy', '0.1');
    a = trade(a, at('50000'), 'buy', '0.1');
    const f1 = applyFunding(a, at('50000'), { BTCUSDT: d('0.0001') }, 8 * 3600_000);
    // long 0.2 pays 0.2 x 50,000 x 0.0001 = 1
    expect(f1.events).toMatchObject([
      { type: 'fundingPaid', amount: d(-1), positionQuantity: d('0.2') },
    ]);
    const b = trade(f1.account, at('50000'), 'sell', '0.15');
    const f2 = applyFunding(b, at('60000'), { BTCUSDT: d('-0.0003') }, 16 * 3600_000);
    // long 0.05, negative rate: receives 0.05 x 60,000 x 0.0003 = 0.9
    expect(f2.events).toMatchObject([{ type: 'fundingPaid', amount: d('0.9') }]);
    // a short receives when the rate is positive
    const sh = trade(fresh(), at('50000'), 'sell', '0.1');
    expect(applyFunding(sh, at('50000'), { BTCUSDT: d('0.0001') }, 0).events).toMatchObject([
      { amount: d('0.5') },
    ]);
  });

  it('isolated margin: opened with the initial margin, released pro rata on reduce', () => {
    let a = setMarginMode(fresh('10000'), at('50000'), 'BTCUSDT', 'isolated', 0).account;
    a = setLeverage(a, at('50000'), 'BTCUSDT', 10, 0).account;
    a = trade(a, at('50000'), 'buy', '1');
    // isolated wallet = 50,000 / 10 = 5,000; fee 25 from the cross wallet: 10,000 - 25 - 5,000 = 4,975
    expect(s(a.positions.BTCUSDT!.isolatedWallet)).toBe('5000');
    expect(s(crossFigures(a, allPositionRisks(a, at('50000'))).crossWallet)).toBe('4975');
    const r = trade(a, at('51000'), 'sell', '0.5');
    // realized 0.5 x 1,000 = 500, fee 0.5 x 51,000 x 0.0005 = 12.75 settle in the isolated wallet:
    // 5,000 + 500 - 12.75 = 5,487.25; half of it (2,743.625) goes back to the cross wallet
    expect(s(r.positions.BTCUSDT!.isolatedWallet)).toBe('2743.625');
    expect(s(crossFigures(r, allPositionRisks(r, at('51000'))).crossWallet)).toBe('7718.625');
  });

  it('isolated reduce at a loss releases only what keeps the rest as safe as before', () => {
    let a = setMarginMode(fresh('10000'), at('50000'), 'BTCUSDT', 'isolated', 0).account;
    a = setLeverage(a, at('50000'), 'BTCUSDT', 10, 0).account;
    a = trade(a, at('50000'), 'buy', '1');
    const r = trade(a, at('46000'), 'sell', '0.5');
    // realized 0.5 x -4,000 = -2,000, fee 0.5 x 46,000 x 0.0005 = 11.5: settled = 5,000 - 2,011.5 = 2,988.5
    // closed share of the wallet would be 1,494.25, but the remaining 0.5 BTC carries -2,000 of PnL:
    // equity after = (5,000 - 4,000 - 11.5) / 2 = 494.25 = isolated wallet - 2,000 -> wallet 2,494.25, release 494.25
    expect(s(r.positions.BTCUSDT!.isolatedWallet)).toBe('2494.25');
  });

  it('isolated margin add/remove within limits', () => {
    let a = setMarginMode(fresh('10000'), at('50000'), 'BTCUSDT', 'isolated', 0).account;
    a = setLeverage(a, at('50000'), 'BTCUSDT', 10, 0).account;
    a = trade(a, at('50000'), 'buy', '1');
    const m = at('49000');
    expect(
      s(
        adjustIsolatedMargin(a, m, 'BTCUSDT', d('100'), 1).account.positions.BTCUSDT!
          .isolatedWallet,
      ),
    ).toBe('5100');
    expect(() => adjustIsolatedMargin(a, m, 'BTCUSDT', d('5000'), 1)).toThrowError(
      expect.objectContaining({ code: 'INSUFFICIENT_MARGIN' }) as Error,
    );
    // at 49,000: IM = 4,900, loss 1,000: max removal = 5,000 - 1,000 - 4,900 < 0 -> any removal fails
    expect(() => adjustIsolatedMargin(a, m, 'BTCUSDT', d('-1'), 1)).toThrowError(
      expect.objectContaining({ code: 'MARGIN_REMOVAL_TOO_LARGE' }) as Error,
    );
    // at 52,000: add 300 (5,300), then remove 100 (max min(5,300 - 210, 5,300 + 2,000 - 5,200) = 2,100)
    const plus = adjustIsolatedMargin(a, at('52000'), 'BTCUSDT', d('300'), 1).account;
    expect(
      s(
        adjustIsolatedMargin(plus, at('52000'), 'BTCUSDT', d('-100'), 1).account.positions.BTCUSDT!
          .isolatedWallet,
      ),
    ).toBe('5200');
    expect(() => adjustIsolatedMargin(fresh(), m, 'BTCUSDT', d('1'), 1)).toThrowError(
      expect.objectContaining({ code: 'NO_ISOLATED_POSITION' }) as Error,
    );
  });

  it("isolated margin removal: Binance's maximum min(wallet - maintenance, wallet + uPnL - initial margin)", () => {
    // isolated long 1 @ 50,000 at 20x: isolated wallet 2,500
    const a = accountWith('10000', [
      {
        symbol: 'BTCUSDT',
        quantity: '1',
        entry: '50000',
        mode: 'isolated',
        leverage: 20,
        isolatedWallet: '2500',
      },
    ]);
    // mark 52,000: uPnL +2,000, maintenance 52,000 x 0.005 - 50 = 210, IM 52,000 / 20 = 2,600
    // max = min(2,500 - 210, 2,500 + 2,000 - 2,600) = min(2,290, 1,900) = 1,900
    const m = at('52000');
    const iw = (amount: string) =>
      adjustIsolatedMargin(a, m, 'BTCUSDT', d(amount), 1).account.positions.BTCUSDT!.isolatedWallet;
    expect(s(iw('-1000'))).toBe('1500');
    expect(s(iw('-1900'))).toBe('600');
    expect(() => adjustIsolatedMargin(a, m, 'BTCUSDT', d('-1900.00000001'), 1)).toThrowError(
      expect.objectContaining({ code: 'MARGIN_REMOVAL_TOO_LARGE', field: 'amount' }) as Error,
    );
    // the maintenance bound binds when the profit is large: mark 60,000 (uPnL 10,000, IM 3,000,
    // maintenance 60,000 x 0.005 - 50 = 250): max = min(2,250, 9,500) = 2,250
    expect(
      s(
        adjustIsolatedMargin(a, at('60000'), 'BTCUSDT', d('-2250'), 1).account.positions.BTCUSDT!
          .isolatedWallet,
      ),
    ).toBe('250');
    expect(() => adjustIsolatedMargin(a, at('60000'), 'BTCUSDT', d('-2250.00000001'), 1)).toThrow();
  });

  it('leverage is checked against the bracket of the position plus its open orders', () => {
    const m = at('50000');
    // default 20x: a resting buy of 10 BTC @ 49,000 (notional 490,000, tier 3: max 50x) is fine
    const r = placeOrder(
      fresh(),
      m,
      { symbol: 'BTCUSDT', side: 'buy', type: 'limit', quantity: '10', price: '49000' },
      { now: 1 },
    );
    expect(r.rejected).toBeUndefined();
    // 125x would let that order fill into a 490,000 position at 125x (tier 1's leverage)
    expect(() => setLeverage(r.account, m, 'BTCUSDT', 125, 2)).toThrowError(
      expect.objectContaining({ code: 'LEVERAGE_TOO_HIGH' }) as Error,
    );
    // 50x is tier 3's maximum: allowed
    expect(setLeverage(r.account, m, 'BTCUSDT', 50, 2).account.settings.BTCUSDT!.leverage).toBe(50);
    // a sell order on the other side is measured from the position the other way
    const long = trade(fresh(), m, 'buy', '4');
    const sell = placeOrder(
      long,
      m,
      { symbol: 'BTCUSDT', side: 'sell', type: 'limit', quantity: '5', price: '51000' },
      { now: 1 },
    ).account;
    // buy side: 4 x 50,000 = 200,000 (tier 2, 100x); sell side: |200,000 - 255,000| = 55,000 (tier 2)
    expect(setLeverage(sell, m, 'BTCUSDT', 100, 2).account.settings.BTCUSDT!.leverage).toBe(100);
    expect(() => setLeverage(sell, m, 'BTCUSDT', 125, 2)).toThrowError(
      expect.objectContaining({ code: 'LEVERAGE_TOO_HIGH' }) as Error,
    );
  });

  it('margin mode changes only without position or open orders; leverage only if margin allows', () => {
    const a = trade(fresh('10000'), at('50000'), 'buy', '0.1');
    expect(() => setMarginMode(a, at('50000'), 'BTCUSDT', 'isolated', 1)).toThrowError(
      expect.objectContaining({ code: 'MARGIN_MODE_CHANGE_WITH_POSITION' }) as Error,
    );
    const o = placeOrder(
      fresh(),
      at('50000'),
      { symbol: 'ETHUSDT', side: 'buy', type: 'limit', quantity: '1', price: '2900' },
      { now: 1 },
    ).account;
    expect(() => setMarginMode(o, at('50000'), 'ETHUSDT', 'isolated', 1)).toThrowError(
      expect.objectContaining({ code: 'MARGIN_MODE_CHANGE_WITH_OPEN_ORDERS' }) as Error,
    );
    const big = trade(fresh('10000'), at('50000'), 'buy', '3');
    // 3 BTC = 150,000 notional; at 1x it needs 150,000 of margin
    expect(() => setLeverage(big, at('50000'), 'BTCUSDT', 1, 1)).toThrowError(
      expect.objectContaining({ code: 'INSUFFICIENT_MARGIN' }) as Error,
    );
    expect(() => setLeverage(big, at('50000'), 'BTCUSDT', 126, 1)).toThrowError(
      expect.objectContaining({ code: 'LEVERAGE_TOO_HIGH' }) as Error,
    );
    expect(() => setLeverage(big, at('50000'), 'BTCUSDT', 0, 1)).toThrowError(
      expect.objectContaining({ code: 'INVALID_LEVERAGE' }) as Error,
    );
  });

  it('a price update alone does not touch a healthy account', () => {
    const a = trade(fresh('10000'), at('50000'), 'buy', '0.1');
    const r = onPrice(a, at('50000'), 'BTCUSDT', { markPrice: d('45000') }, 2);
    expect(r.events).toEqual([]);
    expect(r.account).toBe(a);
    expect(r.market.marks.BTCUSDT!.toFixed()).toBe('45000');
    expect(withPrice(at('1'), 'BTCUSDT', { markPrice: d(2) }).marks.BTCUSDT!.toFixed()).toBe('2');
  });
});
