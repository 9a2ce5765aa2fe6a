// @lab/bot-api: the Binance USD-M futures compatible API of paper accounts (REST under /fapi and
// WebSocket streams), a translation layer over @lab/services. Framework-free: the web app mounts
// handleFetchRequest as a Next route handler and attaches the streams to its HTTP server
// (@lab/bot-api/node-ws, which needs the `ws` package and stays out of the Next bundle).
export { BinanceError, ERR, toBinanceError } from './errors.ts';
export { handleBotRequest, handleFetchRequest, ENDPOINTS, MAX_BODY_BYTES } from './handler.ts';
export type { BotHttpRequest, BotHttpResponse } from './handler.ts';
export type { BotApiDeps, Endpoint, Security } from './context.ts';
export { RateLimiter, LIMITS } from './rate-limit.ts';
export { RecentTrades } from './recent-trades.ts';
export { sign, splitSignature, signatureValid, checkTimestamp } from './signature.ts';
export { parseParams } from './params.ts';
export { BotStreams, STREAM_LIMITS } from './streams.ts';
export type { StreamSocket, StreamConnection, Opened, BotStreamsDeps } from './streams.ts';
export type { AccountEventSource } from './user-stream.ts';
export { parseStreamName } from './stream-names.ts';
