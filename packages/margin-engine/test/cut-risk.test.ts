// Orders that only cut risk are never refused: the loss-carrying rule (README "Losses beyond a wallet").
import { describe, expect, it } from 'vitest';
import {
  CATALOGUE,
  allPositionRisks,
  counterpartyFlows,
  crossFigures,
  newExchange,
  applyResult,
  exchangeOpenAccount,
  onPrice,
  placeOrder,
  setLeverage,
  setMarginMode,
  totalMoney,
  type Account,
  type EngineEvent,
  type Market,
  type OrderRequest,
} from '../src/index.ts';
import { accountWith, d, market, s, types, withInstrument } from './helpers.ts';

const fill = (evs: EngineEvent[]) => evs.find((e) => e.type === 'fill');
const reduce = (symbol: string, side: 'buy' | 'sell', quantity: string): OrderRequest => ({
  symbol,
  side,
  type: 'market',
  quantity,
  reduceOnly: true,
});
const cross = (a: Account, m: Market) => crossFigures(a, allPositionRisks(a, m));

describe('cutting risk is never refused', () => {
  it('cross: a close beyond the wallet leaves it negative while other cross positions carry it', () => {
    // wallet 1,000; long 1 BTC @ 50,000 and short 10 ETH @ 3,000, both cross
    const a = accountWith('1000', [
      { symbol: 'BTCUSDT', quantity: '1', entry: '50000' },
      { symbol: 'ETHUSDT', quantity: '-10', entry: '3000' },
    ]);
    // BTC 48,000 (uPnL -2,000), ETH 2,500 (uPnL +5,000): margin balance 4,000 > maintenance
    // 48,000 x 0.004 + 25,000 x 0.005 = 317
    const m = market({ BTCUSDT: '48000', ETHUSDT: '2500' });
    const r = placeOrder(a, m, reduce('BTCUSDT', 'sell', '1'), { now: 1 });
    expect(r.rejected).toBeUndefined();
    // realized -2,000, taker fee 48,000 x 0.0005 = 24: cross wallet 1,000 - 2,024 = -1,024,
    // carried by the ETH profit (margin balance -1,024 + 5,000 = 3,976); no insurance money
    expect(fill(r.events)).toMatchObject({ realizedPnl: d(-2000), fee: d(24), shortfall: d(0) });
    expect(s(r.account.walletBalance)).toBe('-1024');
    expect(s(cross(r.account, m).crossMarginBalance)).toBe('3976');
    // closing the short repays it: +5,000 - fee 25,000 x 0.0005 = 12.5 -> 3,963.5
    const r2 = placeOrder(r.account, m, reduce('ETHUSDT', 'buy', '10'), { now: 2 });
    expect(s(r2.account.walletBalance)).toBe('3963.5');
  });

  it('cross: closing the last cross position beyond the wallet: the insurance fund pays the rest, no fee', () => {
    // a book 1,000 USDT away from the mark: best bid = 49,500 - 10,000 ticks x 0.1 = 48,500
    const book = { halfSpreadTicks: 10000, levelStepTicks: 1, levelQuantities: [d('5')] };
    const m = market({ BTCUSDT: '49500' }, withInstrument({ ...CATALOGUE.BTCUSDT!, book }));
    let ex = exchangeOpenAccount(newExchange(m), 'a', d('1000'), 0);
    const a = accountWith('1000', [{ symbol: 'BTCUSDT', quantity: '1', entry: '50000' }], 'a');
    ex = { ...ex, accounts: { a } };
    // margin balance 1,000 - 500 = 500 > maintenance 198: healthy, no liquidation
    const r = placeOrder(a, m, reduce('BTCUSDT', 'sell', '1'), { now: 1 });
    expect(r.rejected).toBeUndefined();
    // sells at 48,500: realized -1,500 > wallet 1,000. Nothing is left to charge the fee from
    // (48,500 x 0.0005 = 24.25 waived) and no cross position is left to carry a debt: the
    // insurance fund pays the 500 below zero, the wallet ends at 0
    expect(fill(r.events)).toMatchObject({
      price: d(48500),
      realizedPnl: d(-1500),
      fee: d(0),
      shortfall: d(500),
    });
    expect(s(r.account.walletBalance)).toBe('0');
    expect(counterpartyFlows(fill(r.events)!)).toMatchObject({
      house: d(1500),
      insurance: d(-500),
    });
    const after = applyResult(ex, r);
    expect(s(after.insuranceFund)).toBe('-500');
    expect(s(totalMoney(after))).toBe(s(after.deposits));
  });

  it('isolated: a reduce-only stop gapped past bankruptcy executes; the insurance fund pays the shortfall', () => {
    const m = market({ BTCUSDT: '50000' });
    let a = exchangeOpenAccount(newExchange(m), 'a', d('10000'), 0).accounts.a!;
    a = setMarginMode(a, m, 'BTCUSDT', 'isolated', 0).account;
    a = setLeverage(a, m, 'BTCUSDT', 10, 0).account;
    // long 1 @ 50,000 at 10x: isolated wallet 5,000, fee 25 from the cross wallet (4,975 left)
    a = placeOrder(
      a,
      m,
      { symbol: 'BTCUSDT', side: 'buy', type: 'market', quantity: '1' },
      { now: 1 },
    ).account;
    a = placeOrder(
      a,
      m,
      {
        symbol: 'BTCUSDT',
        side: 'sell',
        type: 'stopMarket',
        quantity: '1',
        stopPrice: '46000',
        reduceOnly: true,
      },
      { now: 1 },
    ).account;
    // gap to 44,000: the stop executes there (realized -6,000; fee 22 waived, nothing left) and
    // the 1,000 the isolated wallet cannot cover comes from the insurance fund, not the cross wallet
    const r = onPrice(a, m, 'BTCUSDT', { markPrice: d('44000') }, 2);
    expect(types(r.events)).toEqual(['orderTriggered', 'fill', 'positionChanged']);
    expect(fill(r.events)).toMatchObject({ realizedPnl: d(-6000), fee: d(0), shortfall: d(1000) });
    expect(r.account.positions).toEqual({});
    expect(s(r.account.walletBalance)).toBe('4975');
  });
});
