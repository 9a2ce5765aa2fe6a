import { describe, expect, it } from 'vitest';
import {
  Decimal,
  openAccount,
  placeOrder,
  summarize,
  type Account,
  type Market,
} from '../src/index.ts';
import { SHIB, d, market, s, withInstrument } from './helpers.ts';

const at = (price: string): Market => market({ SHIBUSDT: price }, withInstrument(SHIB));
const trade = (a: Account, m: Market, side: 'buy' | 'sell', quantity: string) => {
  const r = placeOrder(a, m, { symbol: 'SHIBUSDT', side, type: 'market', quantity }, { now: 1 });
  if (r.rejected) throw r.rejected;
  return r;
};

describe('exact cost basis', () => {
  it('low-priced contract: realized PnL over the life of a position is proceeds minus cost, exactly', () => {
    let a = openAccount('a', d('100000'), 0).account;
    a = trade(a, at('0.00001234'), 'buy', '1000000000').account;
    const second = trade(a, at('0.00001235'), 'buy', '2000000000');
    a = second.account;
    // cost = 1e9 x 0.00001234 + 2e9 x 0.00001235 = 12,340 + 24,700 = 37,040 (exact)
    expect(s(a.positions.SHIBUSDT!.costBasis)).toBe('37040');
    expect(second.events.at(-1)).toMatchObject({ type: 'positionChanged', costBasis: d(37040) });
    // the displayed average entry is 37,040 / 3e9 = 0.0000123466666... kept to 12 dp
    expect(s(a.positions.SHIBUSDT!.entryPrice)).toBe('0.000012346667');
    const m = at('0.000013');
    // unrealized PnL = 3e9 x 0.000013 - 37,040 = 39,000 - 37,040 = 1,960 (not 1,959.999 from the 12-dp entry)
    expect(s(summarize(a, m).unrealizedPnl)).toBe('1960');
    const close = trade(a, m, 'sell', '3000000000');
    expect(close.events.find((e) => e.type === 'fill')).toMatchObject({ realizedPnl: d(1960) });
    // wallet change = realized PnL (fees 0) = 1,960 exactly
    expect(s(close.account.walletBalance)).toBe('101960');
  });

  it('a reduce releases its share of the cost rounded to 8 dp; the last close releases the rest', () => {
    let a = openAccount('a', d('100000'), 0).account;
    a = trade(a, at('0.00001234'), 'buy', '1000000000').account;
    a = trade(a, at('0.00001235'), 'buy', '2000000000').account;
    // sell 1e9 of 3e9: released = 37,040 / 3 = 12,346.666666666... -> 12,346.66666667 (8 dp, half-even)
    // realized = 1e9 x 0.000013 - 12,346.66666667 = 13,000 - 12,346.66666667 = 653.33333333
    const r1 = trade(a, at('0.000013'), 'sell', '1000000000');
    expect(r1.events.find((e) => e.type === 'fill')).toMatchObject({
      realizedPnl: d('653.33333333'),
    });
    expect(s(r1.account.positions.SHIBUSDT!.costBasis)).toBe('24693.33333333');
    // the rest: released = 24,693.33333333 (all of it); realized = 26,000 - 24,693.33333333 = 1,306.66666667
    const r2 = trade(r1.account, at('0.000013'), 'sell', '2000000000');
    expect(r2.events.find((e) => e.type === 'fill')).toMatchObject({
      realizedPnl: d('1306.66666667'),
    });
    // 653.33333333 + 1,306.66666667 = 1,960 = proceeds 39,000 - cost 37,040
    expect(s(r2.account.walletBalance)).toBe('101960');
    expect(Decimal.sub(r2.account.walletBalance, 100000).toFixed()).toBe('1960');
  });
});
