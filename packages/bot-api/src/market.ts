// Public market endpoints: exchange information from the engine's catalogue (the same instruments,
// ticks, lots, minimum notionals, fees and leverage brackets the engine trades with), and prices
// from the process's live feed (what tRPC shows and trades at), candles and 24-hour figures from
// what the worker stored.
import {
  CATALOGUE,
  Decimal,
  priceDecimals,
  quantityDecimals,
  type Instrument,
} from '@lab/margin-engine';
import { getCandles, listTickers, type TickerDto } from '@lab/services';
import type { BookTick, MarkTick, TradeTick } from '@lab/contracts';
import { INTERVAL_MS, isCandleInterval } from '@lab/market-data';
import { z } from 'zod';
import type { Call, Endpoint } from './context.ts';
import { ERR } from './errors.ts';
import { epochMs, intBetween, readParams, symbolParam } from './params.ts';
import { LIMITS } from './rate-limit.ts';

const SYMBOLS_TTL_MS = 10_000;
type SymbolsByVenue = Map<string, { at: number; symbols: Promise<string[]> }>;
const symbolsCache = new WeakMap<object, SymbolsByVenue>();

/**
 * Symbols traded on a venue: the catalogue's enabled instruments (the venue's list, if it has
 * one). Read at most every 10 s per venue: instruments and venues change rarely, and this is on
 * the path of most requests.
 */
export function venueSymbols(call: Call): Promise<string[]> {
  let byVenue = symbolsCache.get(call.deps.db);
  if (!byVenue) symbolsCache.set(call.deps.db, (byVenue = new Map() as SymbolsByVenue));
  const hit = byVenue.get(call.venue);
  if (hit && call.now - hit.at < SYMBOLS_TTL_MS) return hit.symbols;
  const symbols = loadVenueSymbols(call);
  byVenue.set(call.venue, { at: call.now, symbols });
  symbols.catch(() => byVenue.delete(call.venue));
  return symbols;
}

async function loadVenueSymbols(call: Call): Promise<string[]> {
  const [instruments, venue] = await Promise.all([
    call.deps.db.instrument.findMany({ where: { enabled: true }, select: { symbol: true } }),
    call.deps.db.venue.findUnique({ where: { id: call.venue }, select: { symbols: true } }),
  ]);
  const only = venue?.symbols.length ? new Set(venue.symbols) : null;
  return instruments
    .map((i) => i.symbol)
    .filter((s) => CATALOGUE[s] && (!only || only.has(s)))
    .sort();
}

/** The symbol parameter, required to be one the venue trades (else -1121). */
export async function knownSymbol(call: Call, symbol: string): Promise<Instrument> {
  const inst = CATALOGUE[symbol];
  if (!inst || !(await venueSymbols(call)).includes(symbol)) throw ERR.badSymbol();
  return inst;
}

const optSymbol = z.object({ symbol: symbolParam.optional() });
const reqSymbol = z.object({ symbol: symbolParam });

export function leverageBrackets(i: Instrument) {
  let floor = new Decimal(0);
  return i.riskTiers.map((t, n) => {
    const b = {
      bracket: n + 1,
      initialLeverage: t.maxLeverage,
      notionalCap: Number(t.maxNotional.toFixed()),
      notionalFloor: Number(floor.toFixed()),
      maintMarginRatio: Number(t.maintenanceMarginRate.toFixed()),
      cum: Number(t.maintenanceAmount.toFixed()),
    };
    floor = t.maxNotional;
    return b;
  });
}

/** The largest position notional a leverage allows (the cap of the last tier that permits it). */
export function maxNotionalAt(i: Instrument, leverage: number): string {
  let cap = '0';
  for (const t of i.riskTiers) if (t.maxLeverage >= leverage) cap = t.maxNotional.toFixed();
  return cap;
}

function symbolInfo(i: Instrument, base: string, quote: string) {
  const tiers = i.riskTiers;
  return {
    symbol: i.symbol,
    pair: i.symbol,
    contractType: 'PERPETUAL',
    deliveryDate: 4133404800000,
    onboardDate: 1569398400000,
    status: 'TRADING',
    maintMarginPercent: tiers[0]!.maintenanceMarginRate.times(100).toFixed(4),
    requiredMarginPercent: new Decimal(100).div(i.maxLeverage).toFixed(4),
    baseAsset: base,
    quoteAsset: quote,
    marginAsset: quote,
    pricePrecision: priceDecimals(i),
    quantityPrecision: quantityDecimals(i),
    baseAssetPrecision: 8,
    quotePrecision: 8,
    underlyingType: 'COIN',
    underlyingSubType: [],
    settlePlan: 0,
    triggerProtect: '0.0500',
    liquidationFee: i.liquidationFeeRate.toFixed(),
    marketTakeBound: '0.05',
    maxMoveOrderLimit: 10000,
    filters: [
      {
        filterType: 'PRICE_FILTER',
        minPrice: i.tickSize.toFixed(),
        maxPrice: '1000000000',
        tickSize: i.tickSize.toFixed(),
      },
      {
        filterType: 'LOT_SIZE',
        minQty: i.lotSize.toFixed(),
        maxQty: '1000000000',
        stepSize: i.lotSize.toFixed(),
      },
      {
        filterType: 'MARKET_LOT_SIZE',
        minQty: i.lotSize.toFixed(),
        maxQty: '1000000000',
        stepSize: i.lotSize.toFixed(),
      },
      { filterType: 'MIN_NOTIONAL', notional: i.minNotional.toFixed() },
    ],
    orderTypes: ['LIMIT', 'MARKET', 'STOP', 'STOP_MARKET', 'TAKE_PROFIT', 'TAKE_PROFIT_MARKET'],
    timeInForce: ['GTC', 'IOC', 'FOK', 'GTX'],
  };
}

async function exchangeInfo(call: Call) {
  const symbols = await venueSymbols(call);
  const rows = await call.deps.db.instrument.findMany({
    where: { symbol: { in: symbols } },
    select: { symbol: true, baseAsset: true, quoteAsset: true },
  });
  return {
    timezone: 'UTC',
    serverTime: call.now,
    futuresType: 'U_MARGINED',
    rateLimits: [
      {
        rateLimitType: 'REQUEST_WEIGHT',
        interval: 'MINUTE',
        intervalNum: 1,
        limit: LIMITS.weightPerMinute,
      },
      {
        rateLimitType: 'ORDERS',
        interval: 'MINUTE',
        intervalNum: 1,
        limit: LIMITS.ordersPerMinute,
      },
      { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: LIMITS.ordersPer10s },
    ],
    exchangeFilters: [],
    assets: [{ asset: 'USDT', marginAvailable: true, autoAssetExchange: '-10000' }],
    symbols: rows
      .sort((a, b) => a.symbol.localeCompare(b.symbol))
      .map((r) => symbolInfo(CATALOGUE[r.symbol]!, r.baseAsset, r.quoteAsset)),
  };
}

/** The feed's latest tick of a kind per symbol on the call's venue. */
function latest<K extends 'mark' | 'trade' | 'book'>(call: Call, kind: K, symbols?: string[]) {
  type T = K extends 'mark' ? MarkTick : K extends 'trade' ? TradeTick : BookTick;
  const out = new Map<string, T>();
  for (const t of call.deps.feed.snapshot(symbols, call.venue))
    if (t.kind === kind) out.set(t.symbol, t as T);
  return out;
}

async function symbolsOf(call: Call, symbol: string | undefined): Promise<string[]> {
  if (symbol !== undefined) {
    await knownSymbol(call, symbol);
    return [symbol];
  }
  return venueSymbols(call);
}

/** One object for a symbol asked for, an array for all. */
const oneOrAll = <T>(symbol: string | undefined, items: T[]) =>
  symbol !== undefined ? (items[0] ?? null) : items;

async function premiumIndex(call: Call) {
  const { symbol } = readParams(optSymbol, call.params);
  const symbols = await symbolsOf(call, symbol);
  const marks = latest(call, 'mark', symbols);
  const items = symbols.flatMap((s) => {
    const m = marks.get(s);
    if (!m) return [];
    return [
      {
        symbol: s,
        markPrice: m.markPrice,
        indexPrice: m.indexPrice,
        estimatedSettlePrice: m.indexPrice,
        lastFundingRate: m.fundingRate,
        interestRate: '0.00010000',
        nextFundingTime: m.nextFundingTime,
        time: m.time,
      },
    ];
  });
  if (symbol !== undefined && !items.length) throw ERR.marketClosed();
  return oneOrAll(symbol, items);
}

async function tickerPrice(call: Call) {
  const { symbol } = readParams(optSymbol, call.params);
  const symbols = await symbolsOf(call, symbol);
  const trades = latest(call, 'trade', symbols);
  const marks = latest(call, 'mark', symbols);
  const items = symbols.flatMap((s) => {
    const t = trades.get(s);
    const price = t?.price ?? marks.get(s)?.markPrice;
    return price ? [{ symbol: s, price, time: t?.time ?? marks.get(s)!.time }] : [];
  });
  if (symbol !== undefined && !items.length) throw ERR.marketClosed();
  return oneOrAll(symbol, items);
}

async function bookTicker(call: Call) {
  const { symbol } = readParams(optSymbol, call.params);
  const symbols = await symbolsOf(call, symbol);
  const books = latest(call, 'book', symbols);
  const items = symbols.flatMap((s) => {
    const b = books.get(s);
    if (!b || !b.bids[0] || !b.asks[0]) return [];
    return [
      {
        symbol: s,
        bidPrice: b.bids[0][0],
        bidQty: b.bids[0][1],
        askPrice: b.asks[0][0],
        askQty: b.asks[0][1],
        time: b.time,
        lastUpdateId: b.time,
      },
    ];
  });
  if (symbol !== undefined && !items.length) throw ERR.marketClosed();
  return oneOrAll(symbol, items);
}

const DEPTH_LIMITS = [5, 10, 20, 50, 100, 500, 1000];
const depthParams = reqSymbol.extend({ limit: intBetween(1, 1000).optional() });
export const depthWeight = (limit: number) =>
  limit <= 50 ? 2 : limit <= 100 ? 5 : limit <= 500 ? 10 : 20;

async function depth(call: Call) {
  const { symbol, limit = 500 } = readParams(depthParams, call.params);
  if (!DEPTH_LIMITS.includes(limit)) throw ERR.invalidParam('limit');
  await knownSymbol(call, symbol);
  const b = latest(call, 'book', [symbol]).get(symbol);
  if (!b) throw ERR.marketClosed();
  return {
    lastUpdateId: b.time,
    E: call.now,
    T: b.time,
    bids: b.bids.slice(0, limit),
    asks: b.asks.slice(0, limit),
  };
}

const tradesParams = reqSymbol.extend({ limit: intBetween(1, 1000).optional() });

async function trades(call: Call) {
  const { symbol, limit = 500 } = readParams(tradesParams, call.params);
  await knownSymbol(call, symbol);
  return call.deps.trades.list(call.venue, symbol, limit).map((t) => ({
    id: t.id,
    price: t.price,
    qty: t.quantity,
    quoteQty: new Decimal(t.price).times(t.quantity).toFixed(),
    time: t.time,
    isBuyerMaker: t.side === 'sell',
  }));
}

const aggTradesParams = reqSymbol.extend({
  fromId: intBetween(0, Number.MAX_SAFE_INTEGER).optional(),
  startTime: epochMs.optional(),
  endTime: epochMs.optional(),
  limit: intBetween(1, 1000).optional(),
});

/** Each trade of the feed is its own aggregate (a simulated or relayed trade is one taker order). */
async function aggTrades(call: Call) {
  const q = readParams(aggTradesParams, call.params);
  await knownSymbol(call, q.symbol);
  const limit = q.limit ?? 500;
  let list = call.deps.trades.list(call.venue, q.symbol, Number.MAX_SAFE_INTEGER);
  if (q.fromId !== undefined) list = list.filter((t) => t.id >= q.fromId!).slice(0, limit);
  else {
    if (q.startTime !== undefined) list = list.filter((t) => t.time >= q.startTime!);
    if (q.endTime !== undefined) list = list.filter((t) => t.time <= q.endTime!);
    list = q.startTime !== undefined ? list.slice(0, limit) : list.slice(-limit);
  }
  return list.map((t) => ({
    a: t.id,
    p: t.price,
    q: t.quantity,
    f: t.id,
    l: t.id,
    T: t.time,
    m: t.side === 'sell',
  }));
}

const klineParams = reqSymbol.extend({
  interval: z.string(),
  startTime: epochMs.optional(),
  endTime: epochMs.optional(),
  limit: intBetween(1, 1500).optional(),
});
export const klinesWeight = (limit: number) =>
  limit < 100 ? 1 : limit < 500 ? 2 : limit <= 1000 ? 5 : 10;

async function klines(call: Call) {
  const q = readParams(klineParams, call.params);
  if (!isCandleInterval(q.interval)) throw ERR.badInterval();
  if (q.startTime !== undefined && q.endTime !== undefined && q.startTime > q.endTime)
    throw ERR.startAfterEnd();
  await knownSymbol(call, q.symbol);
  const ms = INTERVAL_MS[q.interval];
  const limit = q.limit ?? 500;
  const from = q.startTime !== undefined ? q.startTime - (q.startTime % ms) : undefined;
  let to = q.endTime !== undefined ? q.endTime + 1 : undefined;
  // with a start, Binance gives the first `limit` candles from it (getCandles the last ones in
  // its window): a window of `limit` intervals holds exactly those
  if (from !== undefined) to = Math.min(to ?? Infinity, from + limit * ms);
  const r = await getCandles(call.deps.db, {
    symbol: q.symbol,
    interval: q.interval,
    limit,
    venue: call.venue,
    ...(from !== undefined ? { from } : {}),
    ...(to !== undefined ? { to } : {}),
  });
  return r.candles.map((c) => [
    c.openTime,
    c.open,
    c.high,
    c.low,
    c.close,
    c.volume,
    c.openTime + ms - 1,
    new Decimal(c.volume).times(c.close).toFixed(),
    c.trades,
    '0',
    '0',
    '0',
  ]);
}

function ticker24(
  t: Pick<TickerDto, 'symbol' | 'lastPrice' | 'open24h' | 'high24h' | 'low24h' | 'volume24h'>,
  last: TradeTick | undefined,
  now: number,
) {
  const lastPrice = last?.price ?? t.lastPrice;
  const open = t.open24h ?? lastPrice;
  const change = new Decimal(lastPrice).minus(open);
  return {
    symbol: t.symbol,
    priceChange: change.toFixed(),
    priceChangePercent: new Decimal(open).isZero()
      ? '0'
      : change.div(open).times(100).toDecimalPlaces(3).toFixed(),
    weightedAvgPrice: lastPrice,
    lastPrice,
    lastQty: last?.quantity ?? '0',
    openPrice: open,
    highPrice: t.high24h ?? lastPrice,
    lowPrice: t.low24h ?? lastPrice,
    volume: t.volume24h ?? '0',
    quoteVolume: new Decimal(t.volume24h ?? '0').times(lastPrice).toFixed(),
    openTime: now - 86_400_000,
    closeTime: now,
    firstId: 0,
    lastId: 0,
    count: 0,
  };
}

async function ticker24hr(call: Call) {
  const { symbol } = readParams(optSymbol, call.params);
  const symbols = await symbolsOf(call, symbol);
  const stored = new Map((await listTickers(call.deps.db, call.venue)).map((t) => [t.symbol, t]));
  const trades = latest(call, 'trade', symbols);
  const marks = latest(call, 'mark', symbols);
  const items = symbols.flatMap((s) => {
    const t = stored.get(s);
    const last = trades.get(s);
    // before the worker has stored a ticker: the live price, with no 24-hour history yet
    const price = last?.price ?? marks.get(s)?.markPrice;
    if (!t && !price) return [];
    const row: Pick<
      TickerDto,
      'symbol' | 'lastPrice' | 'open24h' | 'high24h' | 'low24h' | 'volume24h'
    > = t ?? {
      symbol: s,
      lastPrice: price!,
      open24h: null,
      high24h: null,
      low24h: null,
      volume24h: null,
    };
    return [ticker24(row, last, call.now)];
  });
  if (symbol !== undefined && !items.length) throw ERR.marketClosed();
  return oneOrAll(symbol, items);
}

const bySymbol = (p: Record<string, string>, one: number, all: number) =>
  p.symbol !== undefined ? one : all;

export const MARKET_ENDPOINTS: Record<string, Endpoint> = {
  'GET /fapi/v1/ping': { security: 'NONE', weight: 1, run: () => Promise.resolve({}) },
  'GET /fapi/v1/time': {
    security: 'NONE',
    weight: 1,
    run: (c) => Promise.resolve({ serverTime: c.now }),
  },
  'GET /fapi/v1/exchangeInfo': { security: 'NONE', weight: 1, run: exchangeInfo },
  'GET /fapi/v1/depth': {
    security: 'NONE',
    weight: (p) => depthWeight(Number(p.limit ?? 500) || 500),
    run: depth,
  },
  'GET /fapi/v1/trades': { security: 'NONE', weight: 5, run: trades },
  'GET /fapi/v1/aggTrades': { security: 'NONE', weight: 20, run: aggTrades },
  'GET /fapi/v1/klines': {
    security: 'NONE',
    weight: (p) => klinesWeight(Number(p.limit ?? 500) || 500),
    run: klines,
  },
  'GET /fapi/v1/premiumIndex': { security: 'NONE', weight: 1, run: premiumIndex },
  'GET /fapi/v1/ticker/24hr': {
    security: 'NONE',
    weight: (p) => bySymbol(p, 1, 40),
    run: ticker24hr,
  },
  'GET /fapi/v1/ticker/price': {
    security: 'NONE',
    weight: (p) => bySymbol(p, 1, 2),
    run: tickerPrice,
  },
  'GET /fapi/v2/ticker/price': {
    security: 'NONE',
    weight: (p) => bySymbol(p, 1, 2),
    run: tickerPrice,
  },
  'GET /fapi/v1/ticker/bookTicker': {
    security: 'NONE',
    weight: (p) => bySymbol(p, 2, 5),
    run: bookTicker,
  },
};
