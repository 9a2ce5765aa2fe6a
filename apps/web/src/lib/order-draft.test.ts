import { CATALOGUE } from '@lab/margin-engine';
import { describe, expect, it } from 'vitest';
import {
  EMPTY_DRAFT,
  quantityOf,
  readDraft,
  type DraftContext,
  type OrderDraft,
} from './order-draft';

const ctx: DraftContext = {
  symbol: 'BTCUSDT',
  instrument: CATALOGUE.BTCUSDT!,
  baseAsset: 'BTC',
  mark: '50000',
  available: '10000',
  leverage: 20,
};
const draft = (d: Partial<OrderDraft>): OrderDraft => ({ ...EMPTY_DRAFT, ...d });

describe('order draft', () => {
  it('a limit buy in contracts is the order the API takes', () => {
    const r = readDraft(draft({ price: '49,000.5', amount: '0.010' }), ctx);
    expect(r.errors).toEqual({});
    expect(r.order).toEqual({
      symbol: 'BTCUSDT',
      side: 'buy',
      type: 'limit',
      quantity: '0.01',
      price: '49000.5',
      timeInForce: 'GTC',
    });
  });

  it('USDT of order value and a share of the balance become contracts, rounded down to the lot', () => {
    // 1,000 USDT at the limit 49,000 = 0.020408… -> 0.020
    expect(
      quantityOf(draft({ price: '49000', amount: '1000', unit: 'quote' }), ctx)?.toFixed(),
    ).toBe('0.02');
    // a market order converts at the mark: 777 / 50,000 = 0.01554 -> 0.015
    expect(
      quantityOf(draft({ kind: 'market', amount: '777', unit: 'quote' }), ctx)?.toFixed(),
    ).toBe('0.015');
    // 50% of 10,000 as margin at 20x with room for the fee: 5,000 / (2,500 + 25) / 1.001 = 1.978… -> 1.978
    expect(
      quantityOf(draft({ kind: 'market', amount: '50', unit: 'percent' }), ctx)?.toFixed(),
    ).toBe('1.978');
  });

  it('says what is missing or wrong at each field, in words', () => {
    expect(readDraft(draft({}), ctx).errors).toMatchObject({
      amount: 'Enter a quantity.',
      price: 'Enter a limit price.',
    });
    expect(readDraft(draft({ price: 'abc', amount: '1' }), ctx).errors.price).toBe(
      'The limit price must be a positive decimal number like "0.01".',
    );
    expect(readDraft(draft({ kind: 'stop', amount: '1' }), ctx).errors.stopPrice).toBe(
      'Enter a trigger price.',
    );
    expect(
      readDraft(draft({ kind: 'market', amount: '120', unit: 'percent' }), ctx).errors.amount,
    ).toMatch(/at most 100%/);
    expect(
      readDraft(draft({ kind: 'market', amount: '10', unit: 'quote' }), ctx).errors.amount,
    ).toMatch(/less than one lot/);
    expect(
      readDraft(draft({ kind: 'market', amount: '1', tpsl: true }), ctx).errors.takeProfit,
    ).toMatch(/take-profit or a stop-loss/);
    const tp = readDraft(draft({ kind: 'market', amount: '1', tpsl: true, takeProfit: '-5' }), ctx);
    expect(tp.errors.takeProfit).toMatch(/^The take-profit price/);
    expect(tp.order).toBeNull();
  });

  it('post-only is GTX, stops carry their trigger and working type, TP/SL attach', () => {
    expect(
      readDraft(draft({ price: '49000', amount: '1', postOnly: true }), ctx).order?.timeInForce,
    ).toBe('GTX');
    expect(
      readDraft(
        draft({
          kind: 'stop',
          execution: 'limit',
          stopPrice: '51000',
          price: '51100',
          amount: '1',
          workingType: 'last',
        }),
        ctx,
      ).order,
    ).toMatchObject({ type: 'stopLimit', stopPrice: '51000', price: '51100', workingType: 'last' });
    expect(
      readDraft(
        draft({ kind: 'market', amount: '1', tpsl: true, takeProfit: '55000', stopLoss: '48000' }),
        ctx,
      ).order,
    ).toMatchObject({
      type: 'market',
      takeProfit: { stopPrice: '55000' },
      stopLoss: { stopPrice: '48000' },
    });
    // reduce-only orders carry no TP/SL
    expect(
      readDraft(
        draft({ kind: 'market', amount: '1', reduceOnly: true, tpsl: true, takeProfit: '55000' }),
        ctx,
      ).order,
    ).toEqual({ symbol: 'BTCUSDT', side: 'buy', type: 'market', quantity: '1', reduceOnly: true });
  });
});
