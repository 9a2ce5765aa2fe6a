import type { Figures } from '@lab/contracts';
import {
  CATALOGUE,
  Decimal,
  openAccount,
  placeOrder,
  summarize,
  type Market,
} from '@lab/margin-engine';
import { describe, expect, it } from 'vitest';
import { checkOrder, estimateFilled, mirrorAccount, mirrorMarket } from './engine-mirror';

const NOW = Date.UTC(2026, 0, 5, 12);
const flat: Figures = {
  account: {
    walletBalance: '10000',
    crossWalletBalance: '10000',
    marginBalance: '10000',
    unrealizedPnl: '0',
    crossMarginBalance: '10000',
    initialMargin: '0',
    positionInitialMargin: '0',
    openOrderMargin: '0',
    maintenanceMargin: '0',
    crossMaintenanceMargin: '0',
    availableBalance: '10000',
    crossMarginRatio: '0',
  },
  positions: [],
};
const market = mirrorMarket(CATALOGUE, { BTCUSDT: '50000', ETHUSDT: '3000' });
const account = mirrorAccount(
  'a',
  flat,
  [{ symbol: 'BTCUSDT', leverage: 125, marginMode: 'cross' }],
  [],
);
const buy = { symbol: 'BTCUSDT', side: 'buy' as const, type: 'market' as const };

describe('the engine in the browser', () => {
  it('judges the entry by the engine’s own rules, naming the field', () => {
    expect(checkOrder(account, market, { ...buy, quantity: '0.0015' }, NOW)).toEqual({
      code: 'QUANTITY_NOT_ON_STEP',
      field: 'quantity',
    });
    // BTC's minimum notional is 100 USDT: 0.001 x 50,000 = 50
    expect(checkOrder(account, market, { ...buy, quantity: '0.001' }, NOW)?.code).toBe(
      'MIN_NOTIONAL',
    );
    expect(
      checkOrder(
        account,
        market,
        { ...buy, type: 'limit', quantity: '0.01', price: '49000.05' },
        NOW,
      ),
    ).toMatchObject({ code: 'PRICE_NOT_ON_TICK', field: 'price' });
    // a buy stop below the mark would fire at once
    expect(
      checkOrder(
        account,
        market,
        { ...buy, type: 'stopMarket', quantity: '0.01', stopPrice: '49000' },
        NOW,
      ),
    ).toMatchObject({ code: 'STOP_WOULD_TRIGGER_IMMEDIATELY', field: 'stopPrice' });
    // 125x allows 50,000 USDT of position: 2 BTC is 100,000
    expect(checkOrder(account, market, { ...buy, quantity: '2' }, NOW)).toMatchObject({
      code: 'LEVERAGE_TOO_HIGH',
      field: 'leverage',
    });
    // an entry that keeps every rule the browser can judge
    expect(checkOrder(account, market, { ...buy, quantity: '0.01' }, NOW)).toBeNull();
  });

  it('checks attached take-profit and stop-loss as the orders the engine makes of them', () => {
    const r = { ...buy, quantity: '0.01' };
    expect(checkOrder(account, market, { ...r, takeProfit: { stopPrice: '49000' } }, NOW)).toEqual({
      code: 'STOP_WOULD_TRIGGER_IMMEDIATELY',
      field: 'takeProfit',
    });
    expect(
      checkOrder(account, market, { ...r, stopLoss: { stopPrice: '51000' } }, NOW),
    ).toMatchObject({
      field: 'stopLoss',
    });
    expect(
      checkOrder(
        account,
        market,
        { ...r, takeProfit: { stopPrice: '55000' }, stopLoss: { stopPrice: '45000' } },
        NOW,
      ),
    ).toBeNull();
  });

  it('a resting limit, as if filled, has the liquidation price the engine gives the filled position', () => {
    const req = {
      symbol: 'BTCUSDT',
      side: 'buy' as const,
      type: 'limit' as const,
      quantity: '1',
      price: '49000',
    };
    const est = estimateFilled(account, market, req, '49000', true, NOW)!;
    // the same position really opened at 49,000 as maker
    const opened = openAccount('b', new Decimal(10000), NOW).account;
    const at: Market = { ...market, marks: { ...market.marks, BTCUSDT: new Decimal(49000) } };
    const withLev = {
      ...opened,
      settings: { BTCUSDT: { leverage: 125, marginMode: 'cross' as const } },
    };
    const filled = placeOrder(
      withLev,
      {
        ...at,
        instruments: {
          ...CATALOGUE,
          BTCUSDT: { ...CATALOGUE.BTCUSDT!, takerFeeRate: CATALOGUE.BTCUSDT!.makerFeeRate },
        },
      },
      { symbol: 'BTCUSDT', side: 'buy', type: 'market', quantity: '1' },
      { now: NOW },
    );
    expect(filled.rejected).toBeUndefined();
    const liq = summarize(filled.account, at).positions[0]!.liquidationPrice!;
    expect(est.liquidationPrice).toBe(liq.toFixed());
    // maker fee 0.02% of 49,000
    expect(est.fee).toBe('9.8');
    expect(est.liquidationPrice).not.toBeNull();
    expect(est.stress.map((s) => s.movePercent)).toEqual([5, 10, 20]);
  });
});
