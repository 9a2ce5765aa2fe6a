import 'server-only';
// The live streams of this server process: one hub, the market and account producers on it, and
// the one LISTEN connection for account changes. They live on globalThis because Next bundles
// each route handler separately: both stream routes reach the same objects in the same process.
import { accountChangeSchema, CHANNELS } from '@lab/contracts';
import { listenToChannel } from '@lab/db/listen';
import { feedPrices } from '@lab/services';
import { env } from '@/env';
import { db } from '../db';
import { marketFeed } from '../market-feed';
import { AccountStreams } from './account-stream';
import { MarketStreams } from './market-stream';
import { SseHub } from './sse-hub';

export interface LiveStreams {
  hub: SseHub;
  market: MarketStreams;
  account: AccountStreams;
}

const globalForStreams = globalThis as unknown as { labStreams?: Promise<LiveStreams> };

async function start(): Promise<LiveStreams> {
  const feed = await marketFeed();
  const hub = new SseHub();
  const market = new MarketStreams(hub, feed);
  const account = new AccountStreams(hub, db(), feed, feedPrices(feed));
  await listenToChannel(
    env().DATABASE_URL,
    CHANNELS.accountChanges,
    (payload) => {
      const change = accountChangeSchema.safeParse(JSON.parse(payload));
      if (change.success) account.onChange(change.data);
    },
    { onReconnect: () => account.resyncAll() },
  );
  return { hub, market, account };
}

/** The process's live streams, started on first use (a failed start is retried next time). */
export function liveStreams(): Promise<LiveStreams> {
  globalForStreams.labStreams ??= start().catch((e: unknown) => {
    globalForStreams.labStreams = undefined;
    throw e;
  });
  return globalForStreams.labStreams;
}

export const SSE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'Content-Type': 'text/event-stream; charset=utf-8',
  'Cache-Control': 'no-cache, no-transform',
  'X-Accel-Buffering': 'no',
  Connection: 'keep-alive',
});
