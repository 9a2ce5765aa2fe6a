// Parser for Bybit v5 public linear streams (wss://stream.bybit.com/v5/public/linear), as documented
// at bybit-exchange.github.io/docs/v5/websocket/public:
//   tickers.{symbol}      {topic,type:"snapshot"|"delta",cs,ts,data:{symbol,markPrice,indexPrice,fundingRate,
//                          nextFundingTime,...}} — a delta carries only the fields that changed.
//   publicTrade.{symbol}  {topic,type:"snapshot",ts,data:[{T,s,S:"Buy"|"Sell",v,p,L,i,BT}]} — S is the taker side.
//   orderbook.1.{symbol}  {topic,type,ts,data:{s,b:[[p,q]],a:[[p,q]],u,seq},cts}; u=1 means a fresh snapshot.
//   control               {"success":true,"ret_msg":"","op":"subscribe",...}, pongs {"op":"pong"|"ping",...}
import {
  assertNotCrossed,
  decimalField,
  FrameError,
  intField,
  intLikeField,
  isRecord,
  levelsField,
  stringField,
  type DataTick,
  type ParseOutcome,
} from './fields.ts';

type Topic = 'tickers' | 'publicTrade' | 'orderbook';

interface TopicInfo {
  exchangeSymbol: string;
  symbol: string;
  topic: Topic;
}

interface TickerState {
  markPrice?: string;
  indexPrice?: string;
  fundingRate?: string;
  nextFundingTime?: number;
}

interface BookState {
  bids: Array<[string, string]>;
  asks: Array<[string, string]>;
  u: number;
}

export interface BybitStreamSelection {
  tickers: boolean;
  trades: boolean;
  /** Depth of the orderbook topic (1 = best bid/ask); false to not subscribe. */
  book: 1 | 50 | false;
}

export function bybitTopics(exchangeSymbol: string, selection: BybitStreamSelection): string[] {
  const s = exchangeSymbol.toUpperCase();
  const topics: string[] = [];
  if (selection.tickers) topics.push(`tickers.${s}`);
  if (selection.trades) topics.push(`publicTrade.${s}`);
  if (selection.book) topics.push(`orderbook.${selection.book}.${s}`);
  return topics;
}

function mergeSide(
  side: Array<[string, string]>,
  updates: Array<[string, string]>,
  descending: boolean,
  depth: number,
) {
  const levels = new Map(side);
  for (const [price, qty] of updates) {
    if (/[1-9]/.test(qty)) levels.set(price, qty);
    else levels.delete(price); // size 0 = level removed
  }
  const sorted = [...levels.entries()].sort((x, y) => {
    const d = Number(x[0]) - Number(y[0]); // ordering only; strings stay verbatim
    return descending ? -d : d;
  });
  return sorted.slice(0, depth);
}

export class BybitFrameParser {
  private readonly topics = new Map<string, TopicInfo>();
  private readonly tickers = new Map<string, TickerState>();
  private readonly books = new Map<string, BookState>();

  constructor(
    symbols: ReadonlyMap<string, string>,
    private readonly selection: BybitStreamSelection,
  ) {
    for (const [exchangeSymbol, symbol] of symbols) {
      for (const name of bybitTopics(exchangeSymbol, selection)) {
        const topic = name.split('.')[0] as Topic;
        this.topics.set(name, { exchangeSymbol, symbol, topic });
      }
    }
  }

  get topicNames(): string[] {
    return [...this.topics.keys()];
  }

  /** Forget snapshots (deltas of a new connection must start from its own snapshot). */
  reset(): void {
    this.tickers.clear();
    this.books.clear();
  }

  parse(text: string): ParseOutcome {
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      return { type: 'malformed', reason: 'invalid-json', detail: 'frame is not valid JSON' };
    }
    if (!isRecord(message))
      return { type: 'malformed', reason: 'bad-envelope', detail: 'frame is not an object' };
    if (typeof message['op'] === 'string') {
      if (message['success'] === false) {
        return {
          type: 'ignored',
          reason: `${message['op']} failed: ${String(message['ret_msg'])}`,
        };
      }
      return { type: 'ignored', reason: 'control' };
    }
    const { topic, data } = message;
    if (typeof topic !== 'string')
      return { type: 'malformed', reason: 'bad-envelope', detail: 'no topic' };
    const info = this.topics.get(topic);
    if (!info)
      return { type: 'malformed', reason: 'unknown-stream', detail: `not subscribed to ${topic}` };
    try {
      const ts = intField(message, 'ts');
      const type = stringField(message, 'type');
      if (type !== 'snapshot' && type !== 'delta')
        throw new FrameError('invalid-field', `type ${type}`);
      switch (info.topic) {
        case 'tickers':
          if (!isRecord(data))
            throw new FrameError('bad-envelope', 'tickers data is not an object');
          return this.ticker(info, type, ts, data);
        case 'publicTrade':
          if (!Array.isArray(data))
            throw new FrameError('bad-envelope', 'publicTrade data is not an array');
          return this.trades(info, data);
        case 'orderbook':
          if (!isRecord(data))
            throw new FrameError('bad-envelope', 'orderbook data is not an object');
          return this.book(
            info,
            type,
            typeof message['cts'] === 'number' ? intField(message, 'cts') : ts,
            data,
          );
      }
    } catch (error) {
      if (error instanceof FrameError)
        return { type: 'malformed', reason: error.reason, detail: error.message };
      throw error;
    }
  }

  private checkSymbol(info: TopicInfo, s: string): void {
    if (s !== info.exchangeSymbol)
      throw new FrameError('symbol-mismatch', `${info.topic} carried symbol ${s}`);
  }

  private ticker(
    info: TopicInfo,
    type: string,
    ts: number,
    data: Record<string, unknown>,
  ): ParseOutcome {
    this.checkSymbol(info, stringField(data, 'symbol'));
    const prev = type === 'snapshot' ? {} : this.tickers.get(info.exchangeSymbol);
    if (!prev) return { type: 'ignored', reason: 'delta before snapshot' };
    const next: TickerState = { ...prev };
    const present = (key: string): boolean => data[key] !== undefined;
    if (present('markPrice')) next.markPrice = decimalField(data, 'markPrice', 'positive');
    if (present('indexPrice')) next.indexPrice = decimalField(data, 'indexPrice', 'positive');
    if (present('fundingRate')) next.fundingRate = decimalField(data, 'fundingRate', 'any');
    if (present('nextFundingTime')) next.nextFundingTime = intLikeField(data, 'nextFundingTime');
    const changed = ['markPrice', 'indexPrice', 'fundingRate', 'nextFundingTime'].some(present);
    this.tickers.set(info.exchangeSymbol, next);
    const ticks: DataTick[] = [];
    const { markPrice, indexPrice, fundingRate, nextFundingTime } = next;
    if (changed && markPrice && indexPrice && fundingRate && nextFundingTime !== undefined) {
      ticks.push({
        kind: 'mark',
        symbol: info.symbol,
        time: ts,
        markPrice,
        indexPrice,
        fundingRate,
        nextFundingTime,
      });
    }
    // Any ticker frame proves the stream alive, even one that changed only 24h volume.
    return { type: 'data', symbol: info.symbol, channel: 'mark', ticks };
  }

  private trades(info: TopicInfo, data: unknown[]): ParseOutcome {
    const ticks: DataTick[] = data.map((item, i) => {
      if (!isRecord(item)) throw new FrameError('invalid-field', `trade[${i}] is not an object`);
      this.checkSymbol(info, stringField(item, 's'));
      const side = stringField(item, 'S');
      if (side !== 'Buy' && side !== 'Sell') throw new FrameError('invalid-field', `S is ${side}`);
      return {
        kind: 'trade',
        symbol: info.symbol,
        time: intField(item, 'T'),
        price: decimalField(item, 'p', 'positive'),
        quantity: decimalField(item, 'v', 'positive'),
        side: side === 'Buy' ? 'buy' : 'sell', // S is the taker's side
      };
    });
    return { type: 'data', symbol: info.symbol, channel: 'trade', ticks };
  }

  private book(
    info: TopicInfo,
    type: string,
    time: number,
    data: Record<string, unknown>,
  ): ParseOutcome {
    this.checkSymbol(info, stringField(data, 's'));
    const bids = levelsField(data, 'b');
    const asks = levelsField(data, 'a');
    const u = intField(data, 'u');
    const depth = this.selection.book || 1;
    const prev = this.books.get(info.exchangeSymbol);
    if (type === 'snapshot' && prev && u !== 1 && u < prev.u)
      return { type: 'ignored', reason: 'out-of-order' };
    let next: BookState;
    if (type === 'snapshot' || u === 1) {
      next = { bids: mergeSide([], bids, true, depth), asks: mergeSide([], asks, false, depth), u };
    } else {
      if (!prev) return { type: 'ignored', reason: 'delta before snapshot' };
      if (u <= prev.u) return { type: 'ignored', reason: 'out-of-order' };
      next = {
        bids: mergeSide(prev.bids, bids, true, depth),
        asks: mergeSide(prev.asks, asks, false, depth),
        u,
      };
    }
    assertNotCrossed(next.bids, next.asks);
    this.books.set(info.exchangeSymbol, next);
    return {
      type: 'data',
      symbol: info.symbol,
      channel: 'book',
      ticks: [{ kind: 'book', symbol: info.symbol, time, bids: next.bids, asks: next.asks }],
    };
  }
}
