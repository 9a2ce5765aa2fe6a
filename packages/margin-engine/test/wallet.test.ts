import { describe, expect, it } from 'vitest';
import {
  Decimal,
  accountToJson,
  adjustWallet,
  counterpartyFlows,
  openAccount,
  replay,
} from '../src/index.ts';
import { accountWith, d, market, s } from './helpers.ts';

const throwsCode = (f: () => unknown, code: string) =>
  expect(f).toThrowError(expect.objectContaining({ code, field: 'amount' }) as Error);

describe('adjustWallet', () => {
  it('a signed deposit: money in from the platform treasury, or out', () => {
    const o = openAccount('a', d('1000'), 0);
    const r = adjustWallet(o.account, d('250.5'), 1);
    expect(r.events).toEqual([{ type: 'deposit', accountId: 'a', time: 1, amount: d('250.5') }]);
    expect(s(r.account.walletBalance)).toBe('1250.5');
    expect(counterpartyFlows(r.events[0]!)).toEqual({
      house: d(0),
      insurance: d(0),
      deposit: d('250.5'),
    });
    const out = adjustWallet(r.account, d('-1250.5'), 2);
    expect(s(out.account.walletBalance)).toBe('0');
    expect(accountToJson(replay('a', [...o.events, ...r.events, ...out.events]))).toEqual(
      accountToJson(out.account),
    );
  });

  it('refuses a bad amount or one taking the cross wallet below zero, changing nothing', () => {
    // wallet 1,000 of which 600 is isolated margin: cross wallet 400
    const a = accountWith('1000', [
      {
        symbol: 'BTCUSDT',
        quantity: '0.1',
        entry: '50000',
        mode: 'isolated',
        leverage: 10,
        isolatedWallet: '600',
      },
    ]);
    const before = accountToJson(a);
    const m = market({ BTCUSDT: '50000' });
    for (const bad of [
      d(0),
      new Decimal(NaN),
      new Decimal(Infinity),
      d('0.000000001'),
      d('-400.00000001'),
    ])
      throwsCode(() => adjustWallet(a, bad, 1, m), 'INVALID_AMOUNT');
    expect(s(adjustWallet(a, d('-400'), 1, m).account.walletBalance)).toBe('600');
    expect(accountToJson(a)).toEqual(before);
    // with a position and no market to value it, a withdrawal cannot be checked: refused
    throwsCode(() => adjustWallet(a, d('-1'), 1), 'INSUFFICIENT_MARGIN');
  });

  it('a withdrawal must leave the margin the cross positions need (Binance: at most the available balance)', () => {
    // wallet 10,000, cross long 1 BTC @ 50,000 at 20x, mark 48,000: available = 10,000 - 2,000 - 2,400 = 5,600
    const a = accountWith('10000', [{ symbol: 'BTCUSDT', quantity: '1', entry: '50000' }]);
    const m = market({ BTCUSDT: '48000' });
    expect(s(adjustWallet(a, d('-5600'), 1, m).account.walletBalance)).toBe('4400');
    throwsCode(() => adjustWallet(a, d('-5600.00000001'), 1, m), 'INSUFFICIENT_MARGIN');
  });
});
