// Parser for Binance USDⓈ-M futures combined streams (`/stream?streams=a/b/c`).
// Payloads as documented at developers.binance.com, derivatives/usds-margined-futures/websocket-market-streams:
//   envelope        {"stream":"<streamName>","data":<rawPayload>}
//   markPriceUpdate {e,E,s,p (mark),i (index),P (est. settle),r (funding rate),T (next funding time)}
//   aggTrade        {e,E,s,a,p,q,f,l,T,m}  m = "is the buyer the market maker?" -> true means a sell aggressor
//   bookTicker      {e,u,E,T,s,b,B,a,A}
//   depthUpdate     {e,E,T,s,U,u,pu,b:[[p,q]],a:[[p,q]]}  (partial book depth <symbol>@depth<5|10|20>[@100ms|@500ms])
import {
  assertNotCrossed,
  boolField,
  decimalField,
  FrameError,
  intField,
  isRecord,
  levelsField,
  stringField,
  type Channel,
  type ParseOutcome,
} from './fields.ts';

export type BinanceBookStream = 'bookTicker' | 'depth5' | 'depth10' | 'depth20';

export interface BinanceStreamSelection {
  /** markPrice@1s (default) or markPrice (every 3 s); false to not subscribe. */
  mark: '1s' | '3s' | false;
  trades: boolean;
  /** Best bid/ask stream or partial depth; false to not subscribe. */
  book: BinanceBookStream | false;
  /** Update speed of partial depth streams; default (250 ms) when omitted. */
  depthSpeed?: '100ms' | '250ms' | '500ms';
}

type StreamKind = 'markPrice' | 'aggTrade' | 'bookTicker' | 'depth';

interface StreamInfo {
  /** Exchange symbol, upper case. */
  exchangeSymbol: string;
  /** Symbol our ticks carry. */
  symbol: string;
  kind: StreamKind;
  channel: Channel;
}

/** Stream names (lower-case symbol, as Binance requires) for one symbol. */
export function binanceStreamNames(
  exchangeSymbol: string,
  selection: BinanceStreamSelection,
): string[] {
  const s = exchangeSymbol.toLowerCase();
  const names: string[] = [];
  if (selection.mark) names.push(selection.mark === '1s' ? `${s}@markPrice@1s` : `${s}@markPrice`);
  if (selection.trades) names.push(`${s}@aggTrade`);
  if (selection.book === 'bookTicker') names.push(`${s}@bookTicker`);
  else if (selection.book) {
    const speed =
      selection.depthSpeed && selection.depthSpeed !== '250ms' ? `@${selection.depthSpeed}` : '';
    names.push(`${s}@${selection.book}${speed}`);
  }
  return names;
}

function kindOf(streamName: string): StreamKind {
  const suffix = streamName.slice(streamName.indexOf('@') + 1);
  if (suffix.startsWith('markPrice')) return 'markPrice';
  if (suffix === 'aggTrade') return 'aggTrade';
  if (suffix === 'bookTicker') return 'bookTicker';
  return 'depth';
}

const CHANNEL: Record<StreamKind, Channel> = {
  markPrice: 'mark',
  aggTrade: 'trade',
  bookTicker: 'book',
  depth: 'book',
};
const EVENT: Record<StreamKind, string> = {
  markPrice: 'markPriceUpdate',
  aggTrade: 'aggTrade',
  bookTicker: 'bookTicker',
  depth: 'depthUpdate',
};

/**
 * Turns raw combined-stream frames into ticks. Stateful only for book update ids: a book update
 * whose `u` is not newer than the last one seen on this connection is ignored (out of order).
 */
export class BinanceFrameParser {
  private readonly streams = new Map<string, StreamInfo>();
  private readonly lastBookUpdateId = new Map<string, number>();

  /** @param symbols exchange symbol -> symbol to put on ticks */
  constructor(symbols: ReadonlyMap<string, string>, selection: BinanceStreamSelection) {
    for (const [exchangeSymbol, symbol] of symbols) {
      for (const name of binanceStreamNames(exchangeSymbol, selection)) {
        const kind = kindOf(name);
        this.streams.set(name, { exchangeSymbol, symbol, kind, channel: CHANNEL[kind] });
      }
    }
  }

  get streamNames(): string[] {
    return [...this.streams.keys()];
  }

  /** Forget per-connection sequence state (call on every new connection). */
  reset(): void {
    this.lastBookUpdateId.clear();
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
    // Replies to SUBSCRIBE/LIST_SUBSCRIPTIONS requests: {"result":null,"id":1}
    if ('id' in message && 'result' in message) return { type: 'ignored', reason: 'control' };
    const { stream, data } = message;
    if (typeof stream !== 'string' || !isRecord(data)) {
      return {
        type: 'malformed',
        reason: 'bad-envelope',
        detail: 'expected {"stream": string, "data": object}',
      };
    }
    const info = this.streams.get(stream);
    if (!info)
      return { type: 'malformed', reason: 'unknown-stream', detail: `not subscribed to ${stream}` };
    try {
      const event = stringField(data, 'e');
      if (event !== EVENT[info.kind]) {
        throw new FrameError('unexpected-event', `${stream} carried event ${event}`);
      }
      const s = stringField(data, 's');
      if (s !== info.exchangeSymbol)
        throw new FrameError('symbol-mismatch', `${stream} carried symbol ${s}`);
      return this.parsePayload(info, data);
    } catch (error) {
      if (error instanceof FrameError)
        return { type: 'malformed', reason: error.reason, detail: error.message };
      throw error;
    }
  }

  private parsePayload(info: StreamInfo, data: Record<string, unknown>): ParseOutcome {
    const { symbol, channel } = info;
    switch (info.kind) {
      case 'markPrice': {
        const tick = {
          kind: 'mark' as const,
          symbol,
          time: intField(data, 'E'),
          markPrice: decimalField(data, 'p', 'positive'),
          indexPrice: decimalField(data, 'i', 'positive'),
          fundingRate: decimalField(data, 'r', 'any'),
          nextFundingTime: intField(data, 'T'),
        };
        return { type: 'data', symbol, channel, ticks: [tick] };
      }
      case 'aggTrade': {
        intField(data, 'a');
        const tick = {
          kind: 'trade' as const,
          symbol,
          time: intField(data, 'T'),
          price: decimalField(data, 'p', 'positive'),
          quantity: decimalField(data, 'q', 'positive'),
          // m: is the buyer the market maker? Then the seller took liquidity: a sell aggressor.
          side: boolField(data, 'm') ? ('sell' as const) : ('buy' as const),
        };
        return { type: 'data', symbol, channel, ticks: [tick] };
      }
      case 'bookTicker': {
        const updateId = intField(data, 'u');
        intField(data, 'E');
        const bids: Array<[string, string]> = [
          [decimalField(data, 'b', 'positive'), decimalField(data, 'B', 'nonNegative')],
        ];
        const asks: Array<[string, string]> = [
          [decimalField(data, 'a', 'positive'), decimalField(data, 'A', 'nonNegative')],
        ];
        assertNotCrossed(bids, asks);
        const time = intField(data, 'T');
        if (!this.acceptBookUpdate(info.exchangeSymbol, updateId))
          return { type: 'ignored', reason: 'out-of-order' };
        return {
          type: 'data',
          symbol,
          channel,
          ticks: [{ kind: 'book', symbol, time, bids, asks }],
        };
      }
      case 'depth': {
        const updateId = intField(data, 'u');
        intField(data, 'E');
        const time = intField(data, 'T');
        const bids = levelsField(data, 'b');
        const asks = levelsField(data, 'a');
        assertNotCrossed(bids, asks);
        if (!this.acceptBookUpdate(info.exchangeSymbol, updateId))
          return { type: 'ignored', reason: 'out-of-order' };
        return {
          type: 'data',
          symbol,
          channel,
          ticks: [{ kind: 'book', symbol, time, bids, asks }],
        };
      }
    }
  }

  private acceptBookUpdate(exchangeSymbol: string, updateId: number): boolean {
    const last = this.lastBookUpdateId.get(exchangeSymbol);
    if (last !== undefined && updateId <= last) return false;
    this.lastBookUpdateId.set(exchangeSymbol, updateId);
    return true;
  }
}
