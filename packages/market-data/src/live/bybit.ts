// Bybit v5 public linear (USDT perpetual) streams over one connection; subscriptions are JSON
// messages sent on every (re)connect, and the heartbeat is Bybit's JSON ping (every 20 s advised).
import type WebSocket from 'ws';

import { BybitFrameParser, type BybitStreamSelection } from './bybit-parser.ts';
import type { ParseOutcome } from './fields.ts';
import { LiveSource, type LiveSourceOptions } from './live-source.ts';

export const BYBIT_LINEAR_WS_URL = 'wss://stream.bybit.com/v5/public/linear';

/** Topics per subscribe request (conservative: Bybit caps args per request on some categories). */
const ARGS_PER_REQUEST = 10;

export interface BybitLinearOptions extends LiveSourceOptions {
  /** Default: tickers + publicTrade + orderbook.1. */
  streams?: Partial<BybitStreamSelection>;
}

export class BybitLinearSource extends LiveSource {
  readonly name: string = 'bybit-linear';
  private readonly endpoint: string;
  private readonly parser: BybitFrameParser;

  /** `baseUrl` is the full endpoint here (default wss://stream.bybit.com/v5/public/linear). */
  constructor(options: BybitLinearOptions) {
    const selection: BybitStreamSelection = {
      tickers: true,
      trades: true,
      book: 1,
      ...options.streams,
    };
    super({
      heartbeatIntervalMs: 20_000,
      ...options,
      staleAfterMs: {
        ...(selection.tickers ? {} : { mark: null }),
        ...(selection.book ? {} : { book: null }),
        ...options.staleAfterMs,
      },
    });
    this.endpoint = options.baseUrl ?? BYBIT_LINEAR_WS_URL;
    this.parser = new BybitFrameParser(this.symbolMap, selection);
    if (this.parser.topicNames.length === 0) throw new RangeError('no Bybit topics selected');
  }

  get topicNames(): string[] {
    return this.parser.topicNames;
  }

  protected url(): string {
    return this.endpoint;
  }

  protected parse(text: string): ParseOutcome {
    const outcome = this.parser.parse(text);
    if (outcome.type === 'ignored' && outcome.reason.includes('failed')) {
      this.logger.warn('bybit request failed', { source: this.name, reason: outcome.reason });
    }
    return outcome;
  }

  protected override onNewConnection(): void {
    this.parser.reset();
  }

  protected override onSocketOpen(ws: WebSocket): void {
    const topics = this.parser.topicNames;
    for (let i = 0; i < topics.length; i += ARGS_PER_REQUEST) {
      ws.send(
        JSON.stringify({
          op: 'subscribe',
          req_id: `sub-${i / ARGS_PER_REQUEST}`,
          args: topics.slice(i, i + ARGS_PER_REQUEST),
        }),
      );
    }
  }

  protected override sendHeartbeat(ws: WebSocket): void {
    ws.send(JSON.stringify({ op: 'ping' }));
  }
}
