// Test helpers: a local fake exchange. Not exported from the package root; import
// '@lab/market-data/src/live/testing/index.ts' (or a relative path) from tests and benchmarks.
export {
  FakeExchangeServer,
  type FakeConnection,
  type FakeExchangeServerOptions,
  type FrameGenerator,
} from './fake-exchange-server.ts';
export {
  binanceFixturePath,
  binanceStreamGenerator,
  DEFAULT_SPECS,
  loadFrames,
  type SymbolSpec,
} from './binance-frames.ts';
export {
  bybitControlHandler,
  bybitStreamGenerator,
  bybitSubscribedTopics,
} from './bybit-frames.ts';
