import { describe, expect, it } from 'vitest';
import {
  CATALOGUE,
  ERROR_CODES,
  ERROR_MESSAGES,
  EngineError,
  ORDER_TRANSITIONS,
  cancelOrder,
  onPrice,
  openAccount,
  placeOrder,
  previewOrder,
  setLeverage,
  transition,
  withPrice,
  type Account,
  type EngineEvent,
  type Instrument,
  type OrderRequest,
} from '../src/index.ts';
import { accountWith, d, market, s, types, withInstrument } from './helpers.ts';

const m0 = market({ BTCUSDT: '50000', ETHUSDT: '3000', DOGEUSDT: '0.1' });
const fresh = (wallet = '10000'): Account => openAccount('a', d(wallet), 0).account;
const buy = (extra: Partial<OrderRequest> = {}): OrderRequest => ({
  symbol: 'BTCUSDT',
  side: 'buy',
  type: 'market',
  quantity: '0.1',
  ...extra,
});
const fills = (evs: EngineEvent[]) => evs.filter((e) => e.type === 'fill');

describe('validation: each rule its own code, and a rejection changes nothing', () => {
  const a = fresh();
  const cases: Array<[string, OrderRequest, string]> = [
    ['unknown symbol', buy({ symbol: 'FOOUSDT' }), 'UNKNOWN_SYMBOL'],
    ['zero quantity', buy({ quantity: '0' }), 'INVALID_QUANTITY'],
    ['garbage quantity', buy({ quantity: 'abc' }), 'INVALID_QUANTITY'],
    ['quantity off the lot', buy({ quantity: '0.0015' }), 'QUANTITY_NOT_ON_STEP'],
    ['limit without price', buy({ type: 'limit' }), 'PRICE_REQUIRED'],
    ['price off the tick', buy({ type: 'limit', price: '49000.05' }), 'PRICE_NOT_ON_TICK'],
    ['negative price', buy({ type: 'limit', price: '-1' }), 'INVALID_PRICE'],
    ['stop without stop price', buy({ type: 'stopMarket' }), 'STOP_PRICE_REQUIRED'],
    [
      'stop off the tick',
      buy({ type: 'stopMarket', stopPrice: '51000.01' }),
      'STOP_PRICE_NOT_ON_TICK',
    ],
    [
      'stop already reached',
      buy({ type: 'stopMarket', stopPrice: '49000' }),
      'STOP_WOULD_TRIGGER_IMMEDIATELY',
    ],
    ['IOC on a market order', buy({ timeInForce: 'IOC' }), 'INVALID_TIME_IN_FORCE'],
    ['below min notional', buy({ quantity: '0.001' }), 'MIN_NOTIONAL'],
    ['reduce-only without position', buy({ reduceOnly: true }), 'REDUCE_ONLY_WOULD_INCREASE'],
    [
      'close-position on a limit',
      buy({ type: 'limit', price: '49000', closePosition: true }),
      'CLOSE_POSITION_INVALID',
    ],
    ['too big for the wallet', buy({ quantity: '5' }), 'INSUFFICIENT_MARGIN'],
    ['no mark', { symbol: 'SOLUSDT', side: 'buy', type: 'market', quantity: '1' }, 'NO_MARK_PRICE'],
  ];
  it.each(cases)('%s', (_name, req, code) => {
    const r = placeOrder(a, m0, req, { now: 1 });
    expect(r.rejected?.code).toBe(code);
    expect(r.account).toBe(a);
    expect(r.events).toHaveLength(1);
    const ev = r.events[0]!;
    expect(ev.type === 'orderRejected' && ev.message).toBe(
      ERROR_MESSAGES[code as keyof typeof ERROR_MESSAGES],
    );
  });

  it('leverage above the bracket of the resulting notional is rejected', () => {
    // 20x leverage; 5 BTC x 50,000 = 250,000 is tier 2 (max 100x) fine, 6 BTC = 300,000 tier 3 (max 50x) fine,
    // at 60x: 1 BTC (tier 1, 125x) ok, 6 BTC (tier 3, 50x) rejected
    const rich = setLeverage(fresh('1000000'), m0, 'BTCUSDT', 60, 0).account;
    expect(placeOrder(rich, m0, buy({ quantity: '1' }), { now: 1 }).rejected).toBeUndefined();
    expect(placeOrder(rich, m0, buy({ quantity: '6' }), { now: 1 }).rejected?.code).toBe(
      'LEVERAGE_TOO_HIGH',
    );
  });

  it('error codes form a closed set with constant messages', () => {
    expect(ERROR_CODES.length).toBeGreaterThan(30);
    const e = new EngineError('MIN_NOTIONAL', 'quantity');
    expect([e.code, e.message, e.field]).toEqual([
      'MIN_NOTIONAL',
      ERROR_MESSAGES.MIN_NOTIONAL,
      'quantity',
    ]);
  });
});

describe('market orders', () => {
  it('fill exactly at the mark without a book, taker fee on notional', () => {
    const r = placeOrder(fresh(), m0, buy(), { now: 1 });
    expect(types(r.events)).toEqual(['orderAccepted', 'fill', 'positionChanged']);
    const f = fills(r.events)[0]!;
    // fee = 0.1 x 50,000 x 0.0005 = 2.5
    expect([s(f.price), s(f.fee), f.liquidity]).toEqual(['50000', '2.5', 'taker']);
    expect(s(r.account.walletBalance)).toBe('9997.5');
    expect(r.account.orders).toEqual({});
  });

  it('walk the book model: several fills at a volume-weighted price, remainder expired', () => {
    const book = {
      halfSpreadTicks: 1,
      levelStepTicks: 10,
      levelQuantities: [d('0.05'), d('0.1'), d('0.2')],
    };
    const inst: Instrument = { ...CATALOGUE.BTCUSDT!, book };
    const m = market({ BTCUSDT: '50000' }, withInstrument(inst));
    const r = placeOrder(fresh(), m, buy({ quantity: '0.4' }), { now: 1 });
    // asks: 50,000.1 x 0.05, 50,001.1 x 0.1, 50,002.1 x 0.2; 0.05 left unfilled
    expect(fills(r.events).map((f) => [s(f.price), s(f.quantity)])).toEqual([
      ['50000.1', '0.05'],
      ['50001.1', '0.1'],
      ['50002.1', '0.2'],
    ]);
    // the cost basis is exact: 0.05 x 50,000.1 + 0.1 x 50,001.1 + 0.2 x 50,002.1
    //   = 2,500.005 + 5,000.11 + 10,000.42 = 17,500.535
    // and the displayed entry is cost / qty to 12 dp: 17,500.535 / 0.35 = 50,001.528571428571...
    expect(s(r.account.positions.BTCUSDT!.costBasis)).toBe('17500.535');
    expect(s(r.account.positions.BTCUSDT!.entryPrice)).toBe('50001.528571428571');
    expect(r.events.at(-1)).toMatchObject({ type: 'orderExpired', code: 'BOOK_DEPTH_EXHAUSTED' });
  });
});

describe('limit orders', () => {
  it('GTC rests, then fills as maker at its price when the market trades through', () => {
    const r = placeOrder(fresh(), m0, buy({ type: 'limit', price: '49000' }), { now: 1 });
    expect(types(r.events)).toEqual(['orderAccepted']);
    const o = onPrice(
      r.account,
      m0,
      'BTCUSDT',
      { markPrice: d('49100'), lastPrice: d('48990') },
      2,
    );
    const f = fills(o.events)[0]!;
    // maker fee = 0.1 x 49,000 x 0.0002 = 0.98
    expect([s(f.price), f.liquidity, s(f.fee)]).toEqual(['49000', 'maker', '0.98']);
    expect(o.account.orders).toEqual({});
    // a later update without a last price trades at the mark, not at the stale last price
    const later = onPrice(
      r.account,
      withPrice(m0, 'BTCUSDT', { markPrice: d('49100'), lastPrice: d('48990') }),
      'BTCUSDT',
      { markPrice: d('49100') },
      3,
    );
    expect(later.events).toEqual([]);
  });

  it('a marketable GTC limit takes at the mark; IOC expires the rest; FOK is all or nothing', () => {
    const book = { halfSpreadTicks: 0, levelStepTicks: 1, levelQuantities: [d('0.1'), d('0.1')] };
    const m = market({ BTCUSDT: '50000' }, withInstrument({ ...CATALOGUE.BTCUSDT!, book }));
    const ioc = placeOrder(
      fresh(),
      m,
      buy({ type: 'limit', price: '50000', quantity: '0.3', timeInForce: 'IOC' }),
      { now: 1 },
    );
    expect(fills(ioc.events).map((f) => s(f.quantity))).toEqual(['0.1']);
    expect(ioc.events.at(-1)?.type).toBe('orderExpired');
    const before = fresh();
    const fok = placeOrder(
      before,
      m,
      buy({ type: 'limit', price: '50000.1', quantity: '0.3', timeInForce: 'FOK' }),
      { now: 1 },
    );
    // Binance's current form (USDⓈ-M since 2023-03-21): an FOK that cannot fill completely is
    // rejected (-5021) and never enters the order history; nothing changes
    expect(fok.rejected?.code).toBe('FOK_NOT_FILLED');
    expect(types(fok.events)).toEqual(['orderRejected']);
    expect(fok.account).toBe(before);
    const gtc = placeOrder(fresh(), m, buy({ type: 'limit', price: '50000.1', quantity: '0.3' }), {
      now: 1,
    });
    expect(fills(gtc.events).map((f) => s(f.quantity))).toEqual(['0.1', '0.1']);
    expect(Object.values(gtc.account.orders)[0]).toMatchObject({ status: 'partiallyFilled' });
  });

  it('post-only is rejected when it would take', () => {
    // as Binance (-5022 since 2023-03-21): rejected, not accepted and then expired
    const gtx = placeOrder(
      fresh(),
      m0,
      buy({ type: 'limit', price: '50000', timeInForce: 'GTX' }),
      {
        now: 1,
      },
    );
    expect(gtx.rejected?.code).toBe('POST_ONLY_WOULD_TAKE');
    expect(types(gtx.events)).toEqual(['orderRejected']);
    expect(
      placeOrder(fresh(), m0, buy({ type: 'limit', price: '49999.9', timeInForce: 'GTX' }), {
        now: 1,
      }).rejected,
    ).toBeUndefined();
  });
});

describe('conditional orders', () => {
  it('stop-market triggers on the mark and fills as taker', () => {
    const r = placeOrder(fresh(), m0, buy({ type: 'stopMarket', stopPrice: '51000' }), { now: 1 });
    expect(Object.values(r.account.orders)[0]!.status).toBe('untriggered');
    const below = onPrice(r.account, m0, 'BTCUSDT', { markPrice: d('50999.9') }, 2);
    expect(below.events).toEqual([]);
    const hit = onPrice(r.account, m0, 'BTCUSDT', { markPrice: d('51000') }, 2);
    expect(types(hit.events)).toEqual(['orderTriggered', 'fill', 'positionChanged']);
    expect(s(fills(hit.events)[0]!.price)).toBe('51000');
  });

  it('take-profit limit and stop-limit become resting limits; workingType last uses the last price', () => {
    const a = accountWith('10000', [{ symbol: 'BTCUSDT', quantity: '0.1', entry: '50000' }]);
    const tp = placeOrder(
      a,
      m0,
      {
        symbol: 'BTCUSDT',
        side: 'sell',
        type: 'takeProfitLimit',
        quantity: '0.1',
        stopPrice: '52000',
        price: '52500',
        reduceOnly: true,
        workingType: 'last',
      },
      { now: 1 },
    ).account;
    const t1 = onPrice(tp, m0, 'BTCUSDT', { markPrice: d('51000'), lastPrice: d('52000') }, 2);
    expect(types(t1.events)).toEqual(['orderTriggered']);
    expect(Object.values(t1.account.orders)[0]).toMatchObject({ status: 'new', type: 'limit' });
    const t2 = onPrice(
      t1.account,
      t1.market,
      'BTCUSDT',
      { markPrice: d('52400'), lastPrice: d('52500') },
      3,
    );
    // realized = 0.1 x (52,500 - 50,000) = 250; maker fee 0.1 x 52,500 x 0.0002 = 1.05
    expect(fills(t2.events).map((f) => [s(f.realizedPnl), s(f.fee)])).toEqual([['250', '1.05']]);
    expect(t2.account.positions).toEqual({});
  });

  it('attached TP/SL are close-position orders; the stop-loss closes the whole position', () => {
    const r = placeOrder(
      fresh(),
      m0,
      buy({
        quantity: '0.2',
        takeProfit: { stopPrice: '55000' },
        stopLoss: { stopPrice: '48000' },
      }),
      { now: 1 },
    );
    expect(Object.values(r.account.orders).map((o) => [o.type, o.closePosition, o.side])).toEqual([
      ['takeProfitMarket', true, 'sell'],
      ['stopMarket', true, 'sell'],
    ]);
    const hit = onPrice(r.account, m0, 'BTCUSDT', { markPrice: d('47990') }, 2);
    // the stop triggers at 47,990 and sells 0.2: realized = 0.2 x (47,990 - 50,000) = -402
    expect(fills(hit.events).map((f) => [s(f.quantity), s(f.realizedPnl)])).toEqual([
      ['0.2', '-402'],
    ]);
    expect(hit.account.positions).toEqual({});
    // the take-profit remains; at its trigger there is nothing to close, so it expires
    const tp = onPrice(hit.account, hit.market, 'BTCUSDT', { markPrice: d('55000') }, 3);
    expect(tp.events).toMatchObject([{ type: 'orderExpired', code: 'NO_POSITION_TO_CLOSE' }]);
  });

  it('TP/SL attached to a resting limit entry wait for the entry to fill; canceling it cancels them', () => {
    const r = placeOrder(
      fresh(),
      m0,
      buy({
        type: 'limit',
        price: '49000',
        quantity: '0.2',
        clientOrderId: 'entry',
        takeProfit: { stopPrice: '55000' },
        stopLoss: { stopPrice: '45000' },
      }),
      { now: 1 },
    );
    expect(r.rejected).toBeUndefined();
    // the mark reaches the take-profit before the entry fills: nothing to protect yet, so the
    // take-profit must not trigger (and expire) - it stays for the position the entry will open
    const early = onPrice(r.account, m0, 'BTCUSDT', { markPrice: d('55000') }, 2);
    expect(early.events).toEqual([]);
    // the entry fills as maker at 49,000 when the mark trades through it
    const filled = onPrice(early.account, early.market, 'BTCUSDT', { markPrice: d('48990') }, 3);
    expect(fills(filled.events).map((f) => [s(f.price), f.liquidity])).toEqual([
      ['49000', 'maker'],
    ]);
    // now the take-profit at 55,000 closes the 0.2: realized 0.2 x (55,000 - 49,000) = 1,200
    const tp = onPrice(filled.account, filled.market, 'BTCUSDT', { markPrice: d('55000') }, 4);
    expect(fills(tp.events).map((f) => [s(f.quantity), s(f.realizedPnl)])).toEqual([
      ['0.2', '1200'],
    ]);
    // canceling an unfilled entry cancels its attached orders too (no orphan close-position orders)
    const c = cancelOrder(r.account, { clientOrderId: 'entry' }, 2);
    expect(c.events.map((e) => e.type)).toEqual([
      'orderCanceled',
      'orderCanceled',
      'orderCanceled',
    ]);
    expect(c.account.orders).toEqual({});
  });

  it('reduce-only never exceeds the position: the remainder expires', () => {
    const a = accountWith('10000', [{ symbol: 'BTCUSDT', quantity: '0.1', entry: '50000' }]);
    const r = placeOrder(
      a,
      m0,
      { symbol: 'BTCUSDT', side: 'sell', type: 'market', quantity: '0.3', reduceOnly: true },
      { now: 1 },
    );
    expect(fills(r.events).map((f) => s(f.quantity))).toEqual(['0.1']);
    expect(r.events.at(-1)).toMatchObject({
      type: 'orderExpired',
      code: 'REDUCE_ONLY_WOULD_INCREASE',
    });
  });
});

describe('order lifecycle', () => {
  it('explicit transition table; anything else is INVALID_TRANSITION', () => {
    expect(transition('untriggered', 'trigger')).toBe('new');
    expect(transition('new', 'partialFill')).toBe('partiallyFilled');
    expect(() => transition('filled', 'cancel')).toThrowError(
      expect.objectContaining({ code: 'INVALID_TRANSITION' }) as Error,
    );
    expect(() => transition('new', 'trigger')).toThrow(EngineError);
    expect(Object.keys(ORDER_TRANSITIONS.canceled)).toEqual([]);
  });

  it('cancel by client order id; unknown ids are ORDER_NOT_FOUND; duplicate client ids rejected', () => {
    const r = placeOrder(fresh(), m0, buy({ type: 'limit', price: '49000', clientOrderId: 'c1' }), {
      now: 1,
    });
    expect(
      placeOrder(r.account, m0, buy({ type: 'limit', price: '48000', clientOrderId: 'c1' }), {
        now: 1,
      }).rejected?.code,
    ).toBe('DUPLICATE_CLIENT_ORDER_ID');
    const c = cancelOrder(r.account, { clientOrderId: 'c1' }, 2);
    expect(types(c.events)).toEqual(['orderCanceled']);
    expect(c.account.orders).toEqual({});
    expect(() => cancelOrder(c.account, { clientOrderId: 'c1' }, 3)).toThrowError(
      expect.objectContaining({ code: 'ORDER_NOT_FOUND' }) as Error,
    );
  });

  it('DOGE at 0.1 with tick 0.00001 is exact', () => {
    const r = placeOrder(
      fresh(),
      m0,
      { symbol: 'DOGEUSDT', side: 'buy', type: 'limit', quantity: '1000', price: '0.09999' },
      { now: 1 },
    );
    const o = onPrice(r.account, m0, 'DOGEUSDT', { markPrice: d('0.09998') }, 2);
    // maker fee = 1,000 x 0.09999 x 0.0002 = 0.019998
    expect(s(fills(o.events)[0]!.fee)).toBe('0.019998');
    expect(s(o.account.walletBalance)).toBe('9999.980002');
  });
});

describe('pre-trade preview', () => {
  it('reports cost, fee, resulting position and liquidation price without changing anything', () => {
    const a = setLeverage(fresh(), m0, 'BTCUSDT', 10, 0).account;
    const p = previewOrder(a, m0, buy({ quantity: '1' }), 1);
    // fee 25; cost = 10,000 - (9,975 - 5,000) = 5,025 (IM 5,000 + fee)
    expect([p.accepted, s(p.fee), s(p.cost), s(p.positionQuantity), s(p.averagePrice)]).toEqual([
      true,
      '25',
      '5025',
      '1',
      '50000',
    ]);
    expect(s(p.liquidationPrice)).toBe('40185.7');
    expect(s(p.availableBalanceAfter)).toBe('4975');
    expect(a.positions).toEqual({});
    const bad = previewOrder(a, m0, buy({ quantity: '3' }), 1);
    expect(bad.rejection?.code).toBe('INSUFFICIENT_MARGIN');
  });
});

describe('withPrice', () => {
  it('re-marks a copy (the market is unchanged) and gives the same copy for the same prices', () => {
    const mark = d('49000');
    const last = d('48990');
    const a = withPrice(m0, 'BTCUSDT', { markPrice: mark, lastPrice: last });
    expect(a.marks.BTCUSDT!.toFixed()).toBe('49000');
    expect(a.lastPrices!.BTCUSDT!.toFixed()).toBe('48990');
    expect(m0.marks.BTCUSDT!.toFixed()).toBe('50000');
    expect(m0.lastPrices?.BTCUSDT).toBeUndefined();
    // the same market and price objects: the same market (thousands of accounts share one)
    expect(withPrice(m0, 'BTCUSDT', { markPrice: mark, lastPrice: last })).toBe(a);
    // another price, or the same value in another object, or no last price: a market of its own
    const b = withPrice(m0, 'BTCUSDT', { markPrice: d('48000') });
    expect(b).not.toBe(a);
    expect(b.marks.BTCUSDT!.toFixed()).toBe('48000');
    expect(b.lastPrices!.BTCUSDT).toBeUndefined();
    const c = withPrice(m0, 'BTCUSDT', { markPrice: d('49000'), lastPrice: last });
    expect(c).not.toBe(a);
    expect(c).toEqual(a);
    expect(withPrice(m0, 'ETHUSDT', { markPrice: mark }).marks.BTCUSDT!.toFixed()).toBe('50000');
  });
});
