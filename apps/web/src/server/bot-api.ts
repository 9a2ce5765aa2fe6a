import 'server-only';
// The bot API of this server process (/fapi and its WebSocket streams): one set of dependencies,
// the same Prisma client and live feed's prices as the tRPC API, the same account stream producer
// as the browser's live account view. Kept on globalThis because Next bundles each route handler
// (and the instrumentation hook) separately: all reach the same objects in the same process.
import { clientIp } from '@lab/auth/client-ip';
import {
  BotStreams,
  handleFetchRequest,
  RateLimiter,
  RecentTrades,
  type BotApiDeps,
} from '@lab/bot-api';
import { feedPrices } from '@lab/services';
import { db } from './db';
import { marketFeed } from './market-feed';
import { liveStreams } from './streams';

const log = (message: string, error: unknown) => console.error(`${message}: ${String(error)}`);

const globalForBots = globalThis as unknown as {
  labBotApi?: Promise<BotApiDeps>;
  labBotStreamsInstance?: Promise<BotStreams>;
  /** Read by apps/web/server.ts when a WebSocket upgrade arrives on a stream path. */
  labBotStreams?: () => Promise<BotStreams>;
};

async function start(): Promise<BotApiDeps> {
  const feed = await marketFeed();
  return {
    db: db(),
    prices: feedPrices(feed),
    feed,
    trades: new RecentTrades(feed),
    limiter: new RateLimiter(),
    log,
  };
}

/** The REST side's dependencies, made on first use (a failed start is retried next time). */
export function botApi(): Promise<BotApiDeps> {
  globalForBots.labBotApi ??= start().catch((e: unknown) => {
    globalForBots.labBotApi = undefined;
    throw e;
  });
  return globalForBots.labBotApi;
}

/**
 * The REST side (/fapi/...): all of it is @lab/bot-api's handler; this hands it the request and
 * the client address (apps/web/server.ts sets X-Forwarded-For from the socket unless a trusted
 * proxy does).
 */
export async function handleBotRequest(request: Request): Promise<Response> {
  return handleFetchRequest(await botApi(), request, clientIp(request.headers));
}

async function startStreams(): Promise<BotStreams> {
  const [deps, live] = await Promise.all([botApi(), liveStreams()]);
  return new BotStreams({
    db: deps.db,
    feed: deps.feed,
    trades: deps.trades,
    accounts: live.account,
    log,
  });
}

/** Makes the WebSocket streams reachable from the HTTP server (started on first connection). */
export function registerBotStreams(): void {
  globalForBots.labBotStreams ??= () => {
    globalForBots.labBotStreamsInstance ??= startStreams().catch((e: unknown) => {
      globalForBots.labBotStreamsInstance = undefined;
      throw e;
    });
    return globalForBots.labBotStreamsInstance;
  };
}
