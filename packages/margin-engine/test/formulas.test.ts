import { describe, expect, it } from 'vitest';
import {
  CATALOGUE,
  allPositionRisks,
  crossFigures,
  liquidationPrice,
  maintenanceMargin,
  openOrderMargin,
  placeOrder,
  summarize,
  onPrice,
  withPrice,
  type Instrument,
} from '../src/index.ts';
import { accountWith, d, market, s, withInstrument } from './helpers.ts';

const btc = CATALOGUE.BTCUSDT!;

describe('position formulas', () => {
  it('long 1 BTC from 50,000 at mark 49,000 (cross, 20x)', () => {
    const a = accountWith('10000', [
      { symbol: 'BTCUSDT', quantity: '1', entry: '50000', leverage: 20 },
    ]);
    const [r] = allPositionRisks(a, market({ BTCUSDT: '49000' }));
    // unrealized PnL = 1 x (49,000 - 50,000) = -1,000
    expect(s(r!.unrealizedPnl)).toBe('-1000');
    // notional = |1| x 49,000 = 49,000 -> tier 1 (<= 50,000): MM = 49,000 x 0.004 - 0 = 196
    expect(s(r!.notional)).toBe('49000');
    expect(r!.tier).toBe(0);
    expect(s(r!.maintenanceMargin)).toBe('196');
    // initial margin = 49,000 / 20 = 2,450
    expect(s(r!.initialMargin)).toBe('2450');
  });

  it('short PnL has the opposite sign: -2 ETH from 3,000 at 2,900 earns 200', () => {
    const a = accountWith('1000', [{ symbol: 'ETHUSDT', quantity: '-2', entry: '3000' }]);
    const [r] = allPositionRisks(a, market({ ETHUSDT: '2900' }));
    // -2 x (2,900 - 3,000) = +200; notional 5,800 -> MM = 5,800 x 0.005 = 29
    expect(s(r!.unrealizedPnl)).toBe('200');
    expect(s(r!.maintenanceMargin)).toBe('29');
  });

  it('maintenance margin at the tier boundary and with the maintenance amount', () => {
    // 50,000 is still tier 1: 50,000 x 0.004 = 200
    expect(s(maintenanceMargin(btc, d('50000')))).toBe('200');
    // 50,000.1 is tier 2: 50,000.1 x 0.005 - 50 = 200.0005 (continuous)
    expect(s(maintenanceMargin(btc, d('50000.1')))).toBe('200.0005');
    // 5 BTC at 60,000 = 300,000 -> tier 3: 300,000 x 0.01 - 1,300 = 1,700
    const a = accountWith('100000', [{ symbol: 'BTCUSDT', quantity: '5', entry: '60000' }]);
    const [r] = allPositionRisks(a, market({ BTCUSDT: '60000' }));
    expect(r!.tier).toBe(2);
    expect(s(r!.maintenanceAmount)).toBe('1300');
    expect(s(r!.maintenanceMargin)).toBe('1700');
  });
});

describe('cross account figures', () => {
  it('cross margin balance, ratio and available balance with an isolated position aside', () => {
    const a = accountWith('10000', [
      { symbol: 'BTCUSDT', quantity: '1', entry: '50000', leverage: 20 },
      {
        symbol: 'ETHUSDT',
        quantity: '-1',
        entry: '3000',
        mode: 'isolated',
        leverage: 10,
        isolatedWallet: '300',
      },
    ]);
    const m = market({ BTCUSDT: '49000', ETHUSDT: '3100' });
    const c = crossFigures(a, allPositionRisks(a, m));
    // cross wallet = 10,000 - 300 (isolated) = 9,700; cross uPnL = -1,000 (the ETH loss stays isolated)
    expect(s(c.crossWallet)).toBe('9700');
    expect(s(c.crossMarginBalance)).toBe('8700');
    // ratio = 196 / 8,700
    expect(s(c.crossMarginRatio)).toBe(d(196).div(8700).toFixed());
    const sum = summarize(a, m);
    // available = 8,700 - 2,450 (cross IM) = 6,250
    expect(s(sum.availableBalance)).toBe('6250');
    // margin balance = wallet + all uPnL = 10,000 - 1,000 - 100 = 8,900
    expect(s(sum.marginBalance)).toBe('8900');
    const eth = sum.positions.find((p) => p.symbol === 'ETHUSDT')!;
    // isolated margin balance = 300 - 100 = 200; MM = 3,100 x 0.005 = 15.5
    expect(s(eth.marginBalance)).toBe('200');
    expect(s(eth.maintenanceMargin)).toBe('15.5');
  });

  it('open orders hold margin plus the open loss of orders priced worse than mark', () => {
    let m = market({ BTCUSDT: '50000' });
    let a = accountWith('10000', [
      { symbol: 'BTCUSDT', quantity: '0.2', entry: '50000', leverage: 10 },
    ]);
    a = placeOrder(
      a,
      m,
      { symbol: 'BTCUSDT', side: 'buy', type: 'limit', quantity: '0.1', price: '49000' },
      { now: 1 },
    ).account;
    // buy 0.1 @ 49,000 below mark: 0.1 x 49,000 / 10 = 490, no open loss
    expect(s(openOrderMargin(a, m))).toBe('490');
    a = placeOrder(
      a,
      m,
      { symbol: 'BTCUSDT', side: 'sell', type: 'limit', quantity: '0.3', price: '51000' },
      { now: 1 },
    ).account;
    // sell 0.3 @ 51,000: 0.2 closes the long (no margin), 0.1 opens: 0.1 x 51,000 / 10 = 510
    expect(s(openOrderMargin(a, m))).toBe('1000');
    m = withPrice(m, 'BTCUSDT', { markPrice: d('48500') });
    // the buy at 49,000 is now 500 above mark: open loss 0.1 x 500 = 50
    expect(s(openOrderMargin(a, m))).toBe('1050');
    // available = 10,000 + 0.2 x (48,500 - 50,000) - 0.2 x 48,500 / 10 - 1,050 = 10,000 - 300 - 970 - 1,050 = 7,680
    expect(s(summarize(a, m).availableBalance)).toBe('7680');
  });
});

describe('liquidation price', () => {
  it('isolated long: M = (qE - wallet - cum) / (q - |q| mmr), floored to tick', () => {
    const a = accountWith('10000', [
      {
        symbol: 'BTCUSDT',
        quantity: '1',
        entry: '50000',
        mode: 'isolated',
        leverage: 10,
        isolatedWallet: '5000',
      },
    ]);
    // (50,000 - 5,000 - 0) / (1 - 0.004) = 45,180.7228...; floored to 45,180.7
    // at 45,180.7: 5,000 - 4,819.3 = 180.7 <= 180.7228 (MM): liquidates; at 45,180.8: 180.8 > 180.7232
    expect(s(liquidationPrice(a, market({ BTCUSDT: '50000' }), 'BTCUSDT'))).toBe('45180.7');
  });

  it('cross short given the other position: K = cross wallet + other uPnL - other MM', () => {
    const a = accountWith('5000', [
      { symbol: 'BTCUSDT', quantity: '-1', entry: '50000' },
      { symbol: 'ETHUSDT', quantity: '2', entry: '3000' },
    ]);
    const m = market({ BTCUSDT: '50000', ETHUSDT: '3000' });
    // K = 5,000 + 0 - 6,000 x 0.005 = 4,970
    // M = (-50,000 - 4,970 - 0) / (-1 - 0.004) = 54,750.99601...; notional 54,751 > 50,000 so tier 2:
    // M = (-50,000 - 4,970 - 50) / (-1 - 0.005) = 55,020 / 1.005 = 54,746.2686... -> ceil to tick 54,746.3
    expect(s(liquidationPrice(a, m, 'BTCUSDT'))).toBe('54746.3');
  });

  it('a fully collateralised long has no liquidation price', () => {
    const a = accountWith('100000', [{ symbol: 'BTCUSDT', quantity: '1', entry: '50000' }]);
    expect(liquidationPrice(a, market({ BTCUSDT: '50000' }), 'BTCUSDT')).toBeUndefined();
  });
  // A scenario may give its own tiers with maintenance amounts that do not make the maintenance
  // margin continuous (here 0 in both tiers: MM jumps from 1% to 10% of notional at 50,000).
  const jumpy: Instrument = {
    ...btc,
    symbol: 'TSTUSDT',
    tickSize: d('0.1'),
    lotSize: d('1'),
    riskTiers: [
      {
        maxNotional: d(50000),
        maintenanceMarginRate: d('0.01'),
        maintenanceAmount: d(0),
        maxLeverage: 50,
      },
      {
        maxNotional: d(1000000),
        maintenanceMarginRate: d('0.1'),
        maintenanceAmount: d(0),
        maxLeverage: 5,
      },
    ],
  };
  const liquidated = (a: ReturnType<typeof accountWith>, price: string): boolean =>
    onPrice(
      a,
      market({ TSTUSDT: '100' }, withInstrument(jumpy)),
      'TSTUSDT',
      { markPrice: d(price) },
      1,
    ).events.some((e) => e.type === 'liquidation');

  it('discontinuous tiers, long: the first price hit on the way down, not the lowest root', () => {
    const a = accountWith('60000', [
      {
        symbol: 'TSTUSDT',
        quantity: '1000',
        entry: '100',
        mode: 'isolated',
        leverage: 5,
        isolatedWallet: '52000',
      },
    ]);
    // tier 2 (M > 50): 52,000 + 1,000(M - 100) <= 1,000 M x 0.1 -> M <= 48,000 / 900 = 53.333... -> 53.3
    // tier 1 (M <= 50): 52,000 + 1,000(M - 100) <= 1,000 M x 0.01 -> M <= 48,000 / 990 = 48.48...
    // falling from 100 the mark reaches 53.3 first: MB 52,000 - 46,700 = 5,300 <= MM 5,330
    // (at 53.4: MB 5,400 > MM 5,340)
    expect(
      s(liquidationPrice(a, market({ TSTUSDT: '100' }, withInstrument(jumpy)), 'TSTUSDT')),
    ).toBe('53.3');
    expect(liquidated(a, '53.3')).toBe(true);
    expect(liquidated(a, '53.4')).toBe(false);
  });

  it('discontinuous tiers, short: liquidates where the maintenance jumps, just past the tier cap', () => {
    const a = accountWith('60000', [
      {
        symbol: 'TSTUSDT',
        quantity: '-400',
        entry: '100',
        mode: 'isolated',
        leverage: 5,
        isolatedWallet: '12000',
      },
    ]);
    // tier 1 (notional <= 50,000, M <= 125): 12,000 - 400(M - 100) <= 4 M -> M >= 52,000 / 404 = 128.7 > 125: never in tier 1
    // at 125.0 (tier 1): MB 12,000 - 10,000 = 2,000 > MM 500; at 125.1 (tier 2): MB 1,960 <= MM 50,040 x 0.1 = 5,004
    expect(
      s(liquidationPrice(a, market({ TSTUSDT: '100' }, withInstrument(jumpy)), 'TSTUSDT')),
    ).toBe('125.1');
    expect(liquidated(a, '125.1')).toBe(true);
    expect(liquidated(a, '125')).toBe(false);
  });
});
