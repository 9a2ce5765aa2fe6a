// Random, boundary and malformed inputs for the trading procedures: each request starts from a
// valid input of its procedure and has fields replaced by values from pools of valid, boundary
// and hostile values (NUL bytes, int4 and safe-integer edges, times past year 9999, numbers for
// decimal strings, oversized strings, prototype names), removed, or added; sometimes the whole
// input is garbage. A seeded generator makes a run repeatable.

/** mulberry32: small, fast, seeded. */
export function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!,
    chance: (p: number) => next() < p,
  };
}
export type Rng = ReturnType<typeof rng>;

/** What the run knows of the trader's account: marks, its orders, its open limit orders. */
export interface FuzzCtx {
  marks: Record<string, number>;
  orderIds: string[];
  orderNos: string[];
  clientIds: string[];
  openLimits: Array<{ id: string; symbol: string; price: string }>;
}

const NUL = '\u0000';
const HOSTILE_STRINGS = [
  '',
  ' ',
  NUL,
  `a${NUL}b`,
  '\u202e',
  '\u200b',
  '🚀',
  '__proto__',
  'constructor',
  'toString',
  "'; DROP TABLE orders; --",
  'x'.repeat(300),
  '%00',
  '\\u0000',
];
const HOSTILE_NUMBERS = [
  0, -1, 1.5, 2147483647, 2147483648, -2147483649, 9007199254740991, -9007199254740991, 1e308,
  253402300799999, 253402300800000,
];
const HOSTILE_OTHER: unknown[] = [
  null,
  true,
  false,
  [],
  {},
  [1, 2],
  { $gt: '' },
  { toString: 'x' },
];

export const SYMBOLS = ['BTCUSDT', 'ETHUSDT', 'SOLUSDT', 'BNBUSDT', 'XRPUSDT', 'DOGEUSDT'];

function decimals(r: Rng, mark: number): unknown[] {
  const near = (f: number, dp: number) => (mark * f).toFixed(dp);
  return [
    near(1, 2),
    near(0.9, 1),
    near(1.1, 1),
    near(0.5, 2),
    near(1, 7),
    '0',
    '0.0',
    '-0',
    '-1',
    '1e3',
    '0x1A',
    ' 1 ',
    '1.',
    '.5',
    '00001',
    '1'.repeat(21),
    `0.${'0'.repeat(17)}1`,
    `0.${'0'.repeat(18)}1`,
    '99999999999999999999.999999999999999999',
    'NaN',
    'Infinity',
    '１２',
    String(r.int(1000)),
    (r.next() * 10).toFixed(r.int(10)),
    1.5,
    100,
  ];
}

/** A value for `field`: usually a plausible one, often a boundary one, sometimes hostile. */
export function valueFor(r: Rng, field: string, ctx: FuzzCtx): unknown {
  if (r.chance(0.08)) return r.pick(HOSTILE_STRINGS);
  if (r.chance(0.05)) return r.pick(HOSTILE_NUMBERS);
  if (r.chance(0.04)) return r.pick(HOSTILE_OTHER);
  const mark = ctx.marks.BTCUSDT ?? 50000;
  switch (field) {
    case 'symbol':
      return r.pick([
        ...SYMBOLS,
        ...SYMBOLS,
        'btcusdt',
        'NOPEUSDT',
        `BTC${NUL}USDT`,
        'A'.repeat(21),
      ]);
    case 'side':
      return r.pick(['buy', 'sell', 'buy', 'sell', 'BUY', 'hold']);
    case 'type':
      return r.pick([
        'market',
        'limit',
        'stopMarket',
        'stopLimit',
        'takeProfitMarket',
        'takeProfitLimit',
        'MARKET',
        'iceberg',
      ]);
    case 'quantity':
      return r.pick([...decimals(r, 1), '0.001', '0.01', '0.1', '1', '10', '1000000']);
    case 'price':
    case 'stopPrice':
      return r.pick(decimals(r, mark));
    case 'amount':
      return r.pick([...decimals(r, 100), '1', '10', '100000']);
    case 'timeInForce':
      return r.pick(['GTC', 'IOC', 'FOK', 'GTX', 'gtc', 'DAY']);
    case 'workingType':
      return r.pick(['mark', 'last', 'MARK', 'index']);
    case 'reduceOnly':
    case 'closePosition':
      return r.pick([true, false, 'true', 1, null]);
    case 'clientOrderId':
      return r.pick([
        ...ctx.clientIds,
        `c-${r.int(50)}`,
        'x'.repeat(36),
        'x'.repeat(37),
        'a b',
        `a${NUL}`,
        '🚀',
      ]);
    case 'takeProfit':
    case 'stopLoss':
      return r.pick([
        { stopPrice: (mark * 1.2).toFixed(1) },
        { stopPrice: (mark * 0.8).toFixed(1) },
        { stopPrice: 'x' },
        { stopPrice: NUL },
        {},
        'x',
      ]);
    case 'orderId':
      return r.pick([
        ...ctx.orderIds,
        ...ctx.orderIds,
        `${crypto.randomUUID()}-1`,
        `${crypto.randomUUID()}-99999999999`,
        'x',
        'a'.repeat(65),
      ]);
    case 'orderNo':
      return r.pick([
        ...ctx.orderNos,
        ...ctx.orderNos,
        '0',
        '-1',
        '99999999999999999999',
        '1.5',
        1,
      ]);
    case 'leverage':
      return r.pick([1, 5, 20, 50, 125, 126, 0, -1, 1.5, 2147483648, '10']);
    case 'marginMode':
      return r.pick(['cross', 'isolated', 'CROSS', 'portfolio']);
    case 'action':
      return r.pick(['add', 'remove', 'withdraw']);
    case 'limit':
      return r.pick([1, 10, 50, 100, 0, 101, -1, 1.5, 2147483648, '10']);
    case 'cursor':
      return r.pick([1, 5, 2147483647, 2147483648, 0, -1, 1.5, null, '5', 9007199254740991]);
    case 'from':
    case 'to':
      return r.pick([
        0,
        Date.now() - 3_600_000,
        253402300799999,
        253402300800000,
        9007199254740991,
        -1,
        1.5,
        'yesterday',
      ]);
    case 'kind':
      return r.pick(['deposit', 'fee', 'funding', 'realizedPnl', 'x']);
    case 'accountId':
      return r.pick([crypto.randomUUID(), 'not-a-uuid', `${crypto.randomUUID()}${NUL}`]);
    default:
      return r.pick(HOSTILE_STRINGS);
  }
}

/** Valid inputs per trading procedure (without accountId); the fuzz mutates these. */
export function validInput(r: Rng, procedure: string, ctx: FuzzCtx): Record<string, unknown> {
  const symbol = r.pick(SYMBOLS.slice(0, 3));
  const mark = ctx.marks[symbol] ?? 100;
  const lot = symbol === 'SOLUSDT' ? 1 : 0.001;
  const qty = (Math.max(lot, Math.ceil(120 / mark / lot) * lot) * (1 + r.int(3))).toFixed(3);
  const tick = symbol === 'BTCUSDT' ? 1 : 2;
  const away = (f: number) => (mark * f).toFixed(tick === 1 ? 1 : 2);
  const order = () => {
    const type = r.pick(['market', 'limit', 'limit', 'stopMarket', 'takeProfitLimit'] as const);
    const side = r.pick(['buy', 'sell'] as const);
    const o: Record<string, unknown> = { symbol, side, type, quantity: qty };
    if (type === 'limit') {
      o.price = away(side === 'buy' ? 0.7 : 1.3);
      o.timeInForce = r.pick(['GTC', 'IOC', 'FOK', 'GTX']);
    }
    if (type === 'stopMarket') o.stopPrice = away(side === 'buy' ? 1.4 : 0.6);
    if (type === 'takeProfitLimit') {
      o.stopPrice = away(side === 'buy' ? 0.6 : 1.4);
      o.price = o.stopPrice;
    }
    if (r.chance(0.3)) o.clientOrderId = `c-${r.int(200)}`;
    if (r.chance(0.1)) o.reduceOnly = true;
    if (r.chance(0.1)) o.workingType = 'last';
    return o;
  };
  const ref = (): Record<string, unknown> => {
    const k = r.int(3);
    if (k === 0 && ctx.orderIds.length) return { orderId: r.pick(ctx.orderIds) };
    if (k === 1 && ctx.orderNos.length) return { orderNo: r.pick(ctx.orderNos) };
    return { clientOrderId: ctx.clientIds.length ? r.pick(ctx.clientIds) : 'c-1' };
  };
  const page = () => ({
    limit: 1 + r.int(100),
    ...(r.chance(0.3) ? { cursor: 1 + r.int(500) } : {}),
  });
  switch (procedure) {
    case 'trade.placeOrder':
    case 'trade.previewOrder':
      return order();
    case 'trade.amendOrder': {
      // mostly an open limit, moved by a few ticks on its own symbol (so that it can succeed)
      const o = ctx.openLimits.length && r.chance(0.8) ? r.pick(ctx.openLimits) : undefined;
      if (!o) return { ...ref(), price: away(0.75) };
      const ticks = (r.int(5) + 1) * (r.chance(0.5) ? 1 : -1);
      const t = o.symbol === 'BTCUSDT' ? 0.1 : 0.01;
      return {
        orderId: o.id,
        price: (Number(o.price) + ticks * t).toFixed(o.symbol === 'BTCUSDT' ? 1 : 2),
      };
    }
    case 'trade.cancelOrder':
    case 'trade.order':
      return ref();
    case 'trade.cancelAllOrders':
      return r.chance(0.5) ? { symbol } : {};
    case 'trade.closePosition':
      return r.chance(0.5) ? { symbol } : { symbol, type: 'limit', price: away(1.2) };
    case 'trade.setLeverage':
      return { symbol, leverage: 1 + r.int(50) };
    case 'trade.setMarginMode':
      return { symbol, marginMode: r.pick(['cross', 'isolated']) };
    case 'trade.adjustMargin':
      return { symbol, action: r.pick(['add', 'remove']), amount: String(1 + r.int(100)) };
    case 'trade.settings':
      return r.chance(0.5) ? { symbol } : {};
    case 'trade.summary':
    case 'trade.positions':
      return {};
    case 'trade.ledger':
      return { ...page(), ...(r.chance(0.3) ? { kind: 'fee' } : {}) };
    default:
      return { ...page(), ...(r.chance(0.3) ? { symbol } : {}) };
  }
}

/** Replaces, removes or adds fields of a valid input (or returns garbage instead of it). */
export function mutate(r: Rng, input: Record<string, unknown>, ctx: FuzzCtx): unknown {
  if (r.chance(0.03)) return r.pick([null, 'x', 42, [], [input], { input }]);
  const out: Record<string, unknown> = { ...input };
  const fields = [
    ...Object.keys(out),
    'symbol',
    'quantity',
    'price',
    'cursor',
    'limit',
    'from',
    'clientOrderId',
  ];
  const n = r.int(3); // 0: the valid input as it is
  for (let i = 0; i < n; i++) {
    const f = r.pick(fields);
    const k = r.int(10);
    if (k === 0) delete out[f];
    else out[f] = valueFor(r, f, ctx);
  }
  if (r.chance(0.02))
    Object.defineProperty(out, r.pick(['__proto__', 'constructor', 'extra', 'accountId ']), {
      value: 'x',
      enumerable: true,
      configurable: true,
      writable: true,
    });
  return out;
}
