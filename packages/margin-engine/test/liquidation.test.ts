import { describe, expect, it } from 'vitest';
import {
  CATALOGUE,
  exchangeOnPrice,
  exchangeOpenAccount,
  exchangePlaceOrder,
  liquidationPrice,
  newExchange,
  onPrice,
  onPrices,
  openAccount,
  placeOrder,
  setLeverage,
  setMarginMode,
  totalMoney,
  type EngineEvent,
  type Instrument,
} from '../src/index.ts';
import { accountWith, d, market, s, types, withInstrument } from './helpers.ts';

const liqs = (evs: EngineEvent[]) => evs.filter((e) => e.type === 'liquidation');

describe('isolated liquidation', () => {
  it('closes at the mark when wallet + uPnL <= maintenance; fee to the insurance fund; cross untouched', () => {
    let ex = exchangeOpenAccount(
      newExchange(market({ BTCUSDT: '50000', ETHUSDT: '3000' })),
      'a',
      d('10000'),
      0,
    );
    ex = {
      ...ex,
      accounts: {
        a: setLeverage(
          setMarginMode(ex.accounts.a!, ex.market, 'BTCUSDT', 'isolated', 0).account,
          ex.market,
          'BTCUSDT',
          10,
          0,
        ).account,
      },
    };
    ex = exchangePlaceOrder(
      ex,
      'a',
      { symbol: 'BTCUSDT', side: 'buy', type: 'market', quantity: '1' },
      { now: 1 },
    ).exchange;
    ex = exchangePlaceOrder(
      ex,
      'a',
      { symbol: 'ETHUSDT', side: 'sell', type: 'market', quantity: '1' },
      { now: 1 },
    ).exchange;
    const a = ex.accounts.a!;
    // liquidation price: (50,000 - 5,000) / 0.996 = 45,180.72... -> 45,180.7
    expect(s(liquidationPrice(a, ex.market, 'BTCUSDT'))).toBe('45180.7');
    expect(exchangeOnPrice(ex, 'BTCUSDT', { markPrice: d('45180.8') }, 2).events).toEqual([]);
    const r = exchangeOnPrice(ex, 'BTCUSDT', { markPrice: d('45180.7') }, 2);
    expect(types(r.events)).toEqual(['liquidationTriggered', 'liquidation', 'positionChanged']);
    // margin balance 5,000 - 4,819.3 = 180.7 <= MM 45,180.7 x 0.004 = 180.7228
    expect(r.events[0]).toMatchObject({
      mode: 'isolated',
      marginBalance: d('180.7'),
      maintenanceMargin: d('180.7228'),
    });
    // realized -4,819.3; fee = min(45,180.7 x 0.0125 = 564.75875, 180.7 left) = 180.7; no shortfall
    expect(liqs(r.events)[0]).toMatchObject({
      realizedPnl: d('-4819.3'),
      fee: d('180.7'),
      shortfall: d(0),
      partial: false,
    });
    const after = r.exchange.accounts.a!;
    // cross wallet unchanged: 10,000 - 25 (BTC fee) - 1.5 (ETH fee) - 5,000 isolated before = 4,973.5, and now the wallet
    expect(s(after.walletBalance)).toBe('4973.5');
    expect(after.positions.ETHUSDT).toBe(a.positions.ETHUSDT);
    expect(s(r.exchange.insuranceFund)).toBe('180.7');
    expect(s(totalMoney(r.exchange))).toBe(s(r.exchange.deposits));
  });
});

describe('isolation', () => {
  it('a stop-loss gapped through the isolated bankruptcy price never draws on the cross wallet', () => {
    const m = market({ BTCUSDT: '50000' });
    let a = openAccount('a', d('10000'), 0).account;
    a = setMarginMode(a, m, 'BTCUSDT', 'isolated', 0).account;
    a = setLeverage(a, m, 'BTCUSDT', 10, 0).account;
    // long 1 @ 50,000 at 10x: isolated wallet 5,000, fee 25 from the cross wallet (4,975 left)
    a = placeOrder(
      a,
      m,
      {
        symbol: 'BTCUSDT',
        side: 'buy',
        type: 'market',
        quantity: '1',
        stopLoss: { stopPrice: '46000' },
      },
      { now: 1 },
    ).account;
    // the mark gaps to 44,000 (below the liquidation price 45,180.7): closing at 44,000 loses
    // 6,000, i.e. 1,000 more than the 5,000 isolated wallet. A stop-loss always executes; the
    // 1,000 may not come from the cross wallet, so the insurance fund pays it (as a liquidation's
    // shortfall), and the fee (22) is waived: nothing is left to charge it from
    const r = onPrice(a, m, 'BTCUSDT', { markPrice: d('44000') }, 2);
    expect(types(r.events)).toEqual(['orderTriggered', 'fill', 'positionChanged']);
    expect(r.events.find((e) => e.type === 'fill')).toMatchObject({
      realizedPnl: d(-6000),
      fee: d(0),
      shortfall: d(1000),
    });
    expect(s(r.account.walletBalance)).toBe('4975');
  });
});

describe('cross liquidation', () => {
  it('a gap through bankruptcy: wallet goes to zero, the insurance fund takes the shortfall', () => {
    let ex = exchangeOpenAccount(newExchange(market({ BTCUSDT: '50000' })), 'a', d('10000'), 0);
    ex = exchangePlaceOrder(
      ex,
      'a',
      { symbol: 'BTCUSDT', side: 'buy', type: 'market', quantity: '1' },
      { now: 1 },
    ).exchange;
    const r = exchangeOnPrice(ex, 'BTCUSDT', { markPrice: d('39000') }, 2);
    // wallet 9,975, loss 11,000: fee 0, shortfall 1,025 paid by the insurance fund
    expect(liqs(r.events)[0]).toMatchObject({
      realizedPnl: d(-11000),
      fee: d(0),
      shortfall: d(1025),
    });
    expect(s(r.exchange.accounts.a!.walletBalance)).toBe('0');
    expect(s(r.exchange.insuranceFund)).toBe('-1025');
    expect(s(totalMoney(r.exchange))).toBe('10000');
  });

  it('cancels every open order of the cross account first (reduce-only too), then closes the largest loss first', () => {
    let a = accountWith('4000', [
      { symbol: 'BTCUSDT', quantity: '0.5', entry: '50000' },
      { symbol: 'ETHUSDT', quantity: '-5', entry: '3000' },
    ]);
    const m = market({ BTCUSDT: '50000', ETHUSDT: '3000' });
    a = placeOrder(
      a,
      m,
      { symbol: 'ETHUSDT', side: 'buy', type: 'limit', quantity: '1', price: '2000' },
      { now: 1 },
    ).account;
    a = placeOrder(
      a,
      m,
      {
        symbol: 'ETHUSDT',
        side: 'buy',
        type: 'limit',
        quantity: '1',
        price: '2500',
        reduceOnly: true,
      },
      { now: 1 },
    ).account;
    // BTC to 40,000 (loss 5,000), ETH to 3,300 (loss 1,500): MB = 4,000 - 6,500 < 0 -> liquidate
    const after = { ...m, marks: { ...m.marks, BTCUSDT: d('40000'), ETHUSDT: d('3300') } };
    const r = onPrice(
      a,
      { ...m, marks: { ...m.marks, ETHUSDT: d('3300') } },
      'BTCUSDT',
      { markPrice: d('40000') },
      2,
    );
    expect(types(r.events).slice(0, 3)).toEqual([
      'liquidationTriggered',
      'orderCanceled',
      'orderCanceled',
    ]);
    // BTC at 40,000 loses 5,000 > ETH's 1,500: BTC first
    expect(liqs(r.events).map((e) => e.symbol)[0]).toBe('BTCUSDT');
    // both orders go, the reduce-only one too (as on Binance): nothing is left that would act on
    // a position the liquidation closes, or block a margin mode change afterwards
    expect(r.events.slice(1, 3)).toMatchObject([
      { orderId: 'acc-1', reason: 'liquidation' },
      { orderId: 'acc-2', reason: 'liquidation' },
    ]);
    expect(r.account.orders).toEqual({});
    expect(r.account.positions).toEqual({});
    expect(setMarginMode(r.account, after, 'ETHUSDT', 'isolated', 3).events).toMatchObject([
      { type: 'marginModeChanged', mode: 'isolated' },
    ]);
  });

  it('an isolated liquidation cancels every order of its symbol, and only of its symbol', () => {
    let a = accountWith('10000', [
      {
        symbol: 'BTCUSDT',
        quantity: '1',
        entry: '50000',
        mode: 'isolated',
        leverage: 10,
        isolatedWallet: '5000',
      },
    ]);
    const m = market({ BTCUSDT: '50000', ETHUSDT: '3000' });
    const tp = {
      symbol: 'BTCUSDT',
      side: 'sell',
      type: 'takeProfitMarket',
      stopPrice: '55000',
    } as const;
    a = placeOrder(a, m, { ...tp, closePosition: true }, { now: 1 }).account;
    a = placeOrder(
      a,
      m,
      {
        symbol: 'BTCUSDT',
        side: 'sell',
        type: 'limit',
        quantity: '0.5',
        price: '56000',
        reduceOnly: true,
      },
      { now: 1 },
    ).account;
    a = placeOrder(
      a,
      m,
      { symbol: 'ETHUSDT', side: 'buy', type: 'limit', quantity: '1', price: '2000' },
      { now: 1 },
    ).account;
    // liquidation price 45,180.7 (see the first test)
    const r = onPrice(a, m, 'BTCUSDT', { markPrice: d('45180.7') }, 2);
    expect(
      r.events
        .filter((e) => e.type === 'orderCanceled')
        .map((e) => e.type === 'orderCanceled' && e.orderId),
    ).toEqual(['acc-1', 'acc-2']);
    expect(Object.keys(r.account.orders)).toEqual(['acc-3']);
    expect(setMarginMode(r.account, r.market, 'BTCUSDT', 'cross', 3).events).toHaveLength(1);
  });

  it('cancels risk-adding orders on every cross symbol, also those without a position', () => {
    // wallet 1,000, long 0.3 BTC at 50,000 cross 20x and a resting ETH buy 1 @ 2,000 (no ETH position)
    let a = accountWith('1000', [{ symbol: 'BTCUSDT', quantity: '0.3', entry: '50000' }]);
    const m = market({ BTCUSDT: '50000', ETHUSDT: '2500' });
    a = placeOrder(
      a,
      m,
      { symbol: 'ETHUSDT', side: 'buy', type: 'limit', quantity: '1', price: '2000' },
      { now: 1 },
    ).account;
    // BTC to 46,800: MB = 1,000 - 0.3 x 3,200 = 40 <= MM 0.3 x 46,800 x 0.004 = 56.16 -> liquidate
    const r = onPrice(a, m, 'BTCUSDT', { markPrice: d('46800') }, 2);
    expect(r.events[1]).toMatchObject({ type: 'orderCanceled', symbol: 'ETHUSDT' });
    // nothing is left that could reopen risk on the liquidated cross account
    expect(r.account.orders).toEqual({});
  });

  it('no liquidation fee out of a wallet the remaining positions already owe (no fee paid back as shortfall)', () => {
    // wallet 9,960 (after opening fees 25 + 15), long 1 BTC @ 50,000 and 10 ETH @ 3,000, both cross
    const a = accountWith('9960', [
      { symbol: 'BTCUSDT', quantity: '1', entry: '50000' },
      { symbol: 'ETHUSDT', quantity: '10', entry: '3000' },
    ]);
    const m = market({ BTCUSDT: '50000', ETHUSDT: '3000' });
    // gap: BTC 43,500 (loss 6,500), ETH 2,450 (loss 5,500): MB = 9,960 - 12,000 = -2,040
    const r = onPrices(
      a,
      m,
      { BTCUSDT: { markPrice: d('43500') }, ETHUSDT: { markPrice: d('2450') } },
      2,
    );
    // BTC first (largest loss): wallet 9,960 - 6,500 = 3,460, but the margin balance after the
    // close is still -2,040 (ETH's loss), so no fee (not min(543.75, 3,460)); then ETH, the last:
    // 3,460 - 5,500 = -2,040, fee 0, shortfall 2,040 from the insurance fund
    expect(liqs(r.events)).toMatchObject([
      { symbol: 'BTCUSDT', realizedPnl: d(-6500), fee: d(0), shortfall: d(0) },
      { symbol: 'ETHUSDT', realizedPnl: d(-5500), fee: d(0), shortfall: d(2040) },
    ]);
    expect(s(r.account.walletBalance)).toBe('0');
  });

  it('partially by tier when that restores the ratio (low liquidation fee instrument)', () => {
    const cheap: Instrument = { ...CATALOGUE.BTCUSDT!, liquidationFeeRate: d('0.0005') };
    const m = market({ BTCUSDT: '50000' }, withInstrument(cheap));
    const a = accountWith('20000', [{ symbol: 'BTCUSDT', quantity: '6', entry: '50000' }]);
    // 20,000 + 6(M - 50,000) <= 6M x 0.01 - 1,300 -> M <= 278,700 / 5.94 = 46,919.19... -> 46,919.1
    expect(s(liquidationPrice(a, m, 'BTCUSDT'))).toBe('46919.1');
    const r = onPrice(a, m, 'BTCUSDT', { markPrice: d('46919.1') }, 2);
    // reduce to tier 2: floor(250,000 / 46,919.1) = 5.328 BTC kept, 0.672 closed:
    // realized 0.672 x -3,080.9 = -2,070.3648; fee 0.672 x 46,919.1 x 0.0005 = 15.7648176
    // wallet 17,913.8703824 + uPnL 5.328 x -3,080.9 = -16,415.0352 -> MB 1,498.8351824 > MM 5.328 x 46,919.1 = 249,984.9648 x 0.005 - 50 = 1,199.924824
    expect(liqs(r.events)).toMatchObject([
      { partial: true, quantity: d('0.672'), realizedPnl: d('-2070.3648'), fee: d('15.7648176') },
    ]);
    expect(s(r.account.positions.BTCUSDT!.quantity)).toBe('5.328');
    expect(liqs(r.events)[0]).toMatchObject({
      marginBalanceAfter: d('1498.8351824'),
      maintenanceMarginAfter: d('1199.924824'),
    });
  });

  it('with the catalogue fee a partial close does not restore the ratio, so the position closes fully', () => {
    const a = accountWith('20000', [{ symbol: 'BTCUSDT', quantity: '6', entry: '50000' }]);
    const r = onPrice(a, market({ BTCUSDT: '50000' }), 'BTCUSDT', { markPrice: d('46919.1') }, 2);
    expect(liqs(r.events).map((e) => e.partial)).toEqual([false]);
    expect(r.account.positions).toEqual({});
  });
});
