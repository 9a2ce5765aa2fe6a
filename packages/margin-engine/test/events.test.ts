import { describe, expect, it } from 'vitest';
import {
  accountToJson,
  applyEvent,
  counterpartyFlows,
  eventFromJson,
  eventToJson,
  exchangeFunding,
  exchangeOpenAccount,
  exchangePlaceOrder,
  newExchange,
  onPrice,
  openAccount,
  placeOrder,
  replay,
  totalMoney,
  type EngineEvent,
} from '../src/index.ts';
import { d, market } from './helpers.ts';

const m = market({ BTCUSDT: '50000', ETHUSDT: '3000' });

describe('events and replay', () => {
  it('folding the emitted events reproduces the state, also through JSON', () => {
    const opened = openAccount('x', d('10000'), 0);
    const events: EngineEvent[] = [...opened.events];
    let a = opened.account;
    for (const req of [
      { symbol: 'BTCUSDT', side: 'buy' as const, type: 'market' as const, quantity: '0.1' },
      {
        symbol: 'BTCUSDT',
        side: 'sell' as const,
        type: 'limit' as const,
        quantity: '0.05',
        price: '51000',
      },
      {
        symbol: 'ETHUSDT',
        side: 'sell' as const,
        type: 'stopMarket' as const,
        quantity: '1',
        stopPrice: '2900',
      },
    ]) {
      const r = placeOrder(a, m, req, { now: 1 });
      a = r.account;
      events.push(...r.events);
    }
    const p = onPrice(a, m, 'BTCUSDT', { markPrice: d('51000') }, 2);
    events.push(...p.events);
    expect(accountToJson(replay('x', events))).toEqual(accountToJson(p.account));
    const wire = JSON.parse(JSON.stringify(events.map(eventToJson))) as unknown[];
    expect(accountToJson(replay('x', wire.map(eventFromJson)))).toEqual(accountToJson(p.account));
    // amounts cross the wire as decimal strings
    expect(wire[2]).toMatchObject({ type: 'fill', price: '50000', fee: '2.5' });
  });

  it('a positionChanged stored before the cost basis existed is revived with |q| x entry', () => {
    const ev = eventFromJson({
      type: 'positionChanged',
      accountId: 'x',
      time: 1,
      symbol: 'BTCUSDT',
      quantity: '-0.3',
      entryPrice: '50000.5',
      isolatedWallet: '0',
      isolatedTransfer: '0',
    });
    // 0.3 x 50,000.5 = 15,000.15
    expect(ev).toMatchObject({ type: 'positionChanged', costBasis: d('15000.15') });
  });

  it('a fill stored before insurance could cover one is revived with shortfall 0', () => {
    const ev = eventFromJson({
      type: 'fill',
      accountId: 'x',
      time: 1,
      orderId: 'x-1',
      symbol: 'BTCUSDT',
      side: 'buy',
      quantity: '0.1',
      price: '50000',
      liquidity: 'taker',
      feeRate: '0.0005',
      fee: '2.5',
      realizedPnl: '0',
    });
    expect(ev).toMatchObject({ type: 'fill', shortfall: d(0), fee: d('2.5') });
    expect(counterpartyFlows(ev)).toEqual({ house: d('2.5'), insurance: d(0), deposit: d(0) });
  });

  it('an event the order status does not allow is INVALID_TRANSITION and changes nothing', () => {
    const r = placeOrder(
      openAccount('x', d('10000'), 0).account,
      m,
      { symbol: 'BTCUSDT', side: 'buy', type: 'limit', quantity: '0.1', price: '49000' },
      { now: 1 },
    );
    const id = Object.keys(r.account.orders)[0]!;
    const trigger: EngineEvent = {
      type: 'orderTriggered',
      accountId: 'x',
      time: 2,
      orderId: id,
      symbol: 'BTCUSDT',
      triggerPrice: d(1),
      quantity: d('0.1'),
    };
    const before = accountToJson(r.account);
    expect(() => applyEvent(r.account, trigger)).toThrowError(
      expect.objectContaining({ code: 'INVALID_TRANSITION' }) as Error,
    );
    expect(accountToJson(r.account)).toEqual(before);
  });
});

describe('exchange', () => {
  it('trading PnL, fees and funding move between accounts and the house; money is conserved', () => {
    let ex = newExchange(m);
    ex = exchangeOpenAccount(ex, 'long', d('10000'), 0);
    ex = exchangeOpenAccount(ex, 'short', d('10000'), 0);
    ex = exchangePlaceOrder(
      ex,
      'long',
      { symbol: 'BTCUSDT', side: 'buy', type: 'market', quantity: '0.2' },
      { now: 1 },
    ).exchange;
    ex = exchangePlaceOrder(
      ex,
      'short',
      { symbol: 'BTCUSDT', side: 'sell', type: 'market', quantity: '0.1' },
      { now: 1 },
    ).exchange;
    // fees 5 + 2.5 to the house
    expect(ex.house.toFixed()).toBe('7.5');
    const f = exchangeFunding(ex, { BTCUSDT: d('0.001') }, 8 * 3600_000);
    // long pays 0.2 x 50,000 x 0.001 = 10, short receives 5: the house keeps the imbalance of 5
    expect(f.events.map((e) => (e.type === 'fundingPaid' ? e.amount.toFixed() : e.type))).toEqual([
      '-10',
      '5',
    ]);
    expect(f.exchange.house.toFixed()).toBe('12.5');
    expect(totalMoney(f.exchange).toFixed()).toBe('20000');
    expect(counterpartyFlows(f.events[0]!).house.toFixed()).toBe('10');
  });
});
