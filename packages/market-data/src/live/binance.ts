// Binance USDⓈ-M futures public market streams, over one combined-stream connection.
import { BinanceFrameParser, type BinanceStreamSelection } from './binance-parser.ts';
import type { ParseOutcome } from './fields.ts';
import { LiveSource, type LiveSourceOptions } from './live-source.ts';

export const BINANCE_FUTURES_WS_URL = 'wss://fstream.binance.com';

/** Binance documents at most 1024 streams per connection. */
const MAX_STREAMS = 1024;

export interface BinanceFuturesOptions extends LiveSourceOptions {
  /** Which streams to subscribe per symbol; default markPrice@1s + aggTrade + bookTicker. */
  streams?: Partial<BinanceStreamSelection>;
}

export class BinanceFuturesSource extends LiveSource {
  readonly name: string = 'binance-usdm';
  private readonly baseUrl: string;
  private readonly parser: BinanceFrameParser;

  constructor(options: BinanceFuturesOptions) {
    const selection: BinanceStreamSelection = {
      mark: '1s',
      trades: true,
      book: 'bookTicker',
      ...options.streams,
    };
    super({
      ...options,
      // Do not watch a channel for staleness that is not subscribed.
      staleAfterMs: {
        ...(selection.mark ? {} : { mark: null }),
        ...(selection.book ? {} : { book: null }),
        ...(selection.trades ? {} : { trade: null }),
        ...options.staleAfterMs,
      },
    });
    this.baseUrl = (options.baseUrl ?? BINANCE_FUTURES_WS_URL).replace(/\/+$/, '');
    this.parser = new BinanceFrameParser(this.symbolMap, selection);
    const count = this.parser.streamNames.length;
    if (count === 0) throw new RangeError('no Binance streams selected');
    if (count > MAX_STREAMS)
      throw new RangeError(`${count} streams exceed Binance's ${MAX_STREAMS} per connection`);
  }

  /** The combined-stream names this source subscribes to (through the URL, so every reconnect resubscribes). */
  get streamNames(): string[] {
    return this.parser.streamNames;
  }

  protected url(): string {
    return `${this.baseUrl}/stream?streams=${this.parser.streamNames.join('/')}`;
  }

  protected parse(text: string): ParseOutcome {
    return this.parser.parse(text);
  }

  protected override onNewConnection(): void {
    this.parser.reset();
  }
}
