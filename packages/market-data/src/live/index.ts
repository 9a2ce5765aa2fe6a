export {
  BinanceFuturesSource,
  BINANCE_FUTURES_WS_URL,
  type BinanceFuturesOptions,
} from './binance.ts';
export {
  BinanceFrameParser,
  binanceStreamNames,
  type BinanceBookStream,
  type BinanceStreamSelection,
} from './binance-parser.ts';
export { BybitLinearSource, BYBIT_LINEAR_WS_URL, type BybitLinearOptions } from './bybit.ts';
export { BybitFrameParser, bybitTopics, type BybitStreamSelection } from './bybit-parser.ts';
export {
  LiveSource,
  type FeedStatus,
  type LiveSourceOptions,
  type LiveSourceStats,
} from './live-source.ts';
export type { Channel, DataTick, MalformedReason, ParseOutcome } from './fields.ts';
export {
  Backoff,
  consoleLogger,
  DEFAULT_BACKOFF,
  silentLogger,
  systemClock,
  type BackoffOptions,
  type Clock,
  type LiveLogger,
  type TimerHandle,
} from './runtime.ts';
