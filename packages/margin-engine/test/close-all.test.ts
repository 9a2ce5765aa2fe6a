import { describe, expect, it } from 'vitest';
import {
  accountToJson,
  applyResult,
  closeAllAtMark,
  exchangeOpenAccount,
  newExchange,
  placeOrder,
  replay,
  totalMoney,
  type EngineEvent,
} from '../src/index.ts';
import { accountWith, d, market, s, types } from './helpers.ts';

describe('closeAllAtMark (account reset / archive)', () => {
  it('cancels every order, closes every position at its mark without fee, isolated first', () => {
    // wallet 3,000: cross long 1 BTC @ 50,000, cross short 10 ETH @ 3,000, isolated long 100 SOL
    // @ 150 at 10x with 1,500 of isolated margin (cross wallet 1,500)
    let a = accountWith('3000', [
      { symbol: 'BTCUSDT', quantity: '1', entry: '50000' },
      { symbol: 'ETHUSDT', quantity: '-10', entry: '3000' },
      {
        symbol: 'SOLUSDT',
        quantity: '100',
        entry: '150',
        mode: 'isolated',
        leverage: 10,
        isolatedWallet: '1500',
      },
    ]);
    const m0 = market({ BTCUSDT: '50000', ETHUSDT: '3000', SOLUSDT: '150' });
    a = placeOrder(
      a,
      m0,
      {
        symbol: 'ETHUSDT',
        side: 'buy',
        type: 'limit',
        quantity: '1',
        price: '2000',
        reduceOnly: true,
      },
      { now: 1 },
    ).account;
    a = placeOrder(
      a,
      m0,
      {
        symbol: 'SOLUSDT',
        side: 'sell',
        type: 'takeProfitMarket',
        stopPrice: '200',
        closePosition: true,
      },
      { now: 1 },
    ).account;
    let ex = exchangeOpenAccount(newExchange(m0), 'acc', d('3000'), 0);
    ex = { ...ex, accounts: { acc: a } };
    const m = market({ BTCUSDT: '47000', ETHUSDT: '3100', SOLUSDT: '140' });
    const r = closeAllAtMark(a, m, 5, 'account reset');
    expect(types(r.events)).toEqual([
      'orderCanceled',
      'orderCanceled',
      ...['SOLUSDT', 'BTCUSDT', 'ETHUSDT'].flatMap(() => [
        'orderAccepted',
        'fill',
        'positionChanged',
      ]),
    ]);
    expect(r.events.slice(0, 2)).toMatchObject([
      { reason: 'account reset' },
      { reason: 'account reset' },
    ]);
    // system orders: reduce-only market orders with the account's sequence ids
    expect(r.events.filter((e) => e.type === 'orderAccepted')).toMatchObject([
      {
        order: {
          id: 'acc-3',
          symbol: 'SOLUSDT',
          side: 'sell',
          orderType: 'market',
          reduceOnly: true,
          quantity: d(100),
        },
      },
      { order: { id: 'acc-4', symbol: 'BTCUSDT', side: 'sell' } },
      { order: { id: 'acc-5', symbol: 'ETHUSDT', side: 'buy' } },
    ]);
    const fills = r.events.filter((e) => e.type === 'fill');
    // SOL: -1,000 realized, isolated wallet 500 back to the cross wallet (2,000)
    // BTC: -3,000 -> cross wallet -1,000, carried by the ETH position still open
    // ETH: -1,000 -> -2,000 with no cross position left: the insurance fund pays 2,000
    expect(fills).toMatchObject([
      { price: d(140), feeRate: d(0), fee: d(0), realizedPnl: d(-1000), shortfall: d(0) },
      { price: d(47000), fee: d(0), realizedPnl: d(-3000), shortfall: d(0) },
      { price: d(3100), fee: d(0), realizedPnl: d(-1000), shortfall: d(2000) },
    ]);
    expect(r.account.orders).toEqual({});
    expect(r.account.positions).toEqual({});
    expect(s(r.account.walletBalance)).toBe('0');
    ex = applyResult(ex, r);
    expect(s(ex.insuranceFund)).toBe('-2000');
    expect(s(totalMoney(ex))).toBe(s(ex.deposits));
  });

  it('replays, and a profitable account keeps its money; an empty one gives no events', () => {
    const opened: EngineEvent = {
      type: 'accountOpened',
      accountId: 'x',
      time: 0,
      walletBalance: d('10000'),
    };
    const m = market({ BTCUSDT: '50000' });
    const p = placeOrder(
      replay('x', [opened]),
      m,
      { symbol: 'BTCUSDT', side: 'sell', type: 'market', quantity: '0.2' },
      { now: 1 },
    );
    const r = closeAllAtMark(p.account, market({ BTCUSDT: '45000' }), 2, 'archive');
    // short 0.2 from 50,000 at 45,000: +1,000; wallet 10,000 - fee 5 + 1,000
    expect(s(r.account.walletBalance)).toBe('10995');
    expect(accountToJson(replay('x', [opened, ...p.events, ...r.events]))).toEqual(
      accountToJson(r.account),
    );
    expect(closeAllAtMark(r.account, m, 3, 'archive')).toEqual({ account: r.account, events: [] });
  });
});
