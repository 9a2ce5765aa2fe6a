// The one MarketFeed of this server process (one LISTEN connection), shared by the tRPC route
// handler (through market-feed.ts) and the live fast path of server.ts (live-fanout.ts). It lives
// on globalThis because Next bundles the route handler separately from server.ts: both reach the
// same object in the same process.
import { MarketFeed, PgNotifySubscriber } from '@lab/market-data';

const globalForFeed = globalThis as unknown as {
  labFeed?: MarketFeed;
  labFeedStart?: Promise<void>;
};

export async function sharedMarketFeed(databaseUrl: string): Promise<MarketFeed> {
  if (!globalForFeed.labFeed) {
    const feed = new MarketFeed(new PgNotifySubscriber(databaseUrl));
    globalForFeed.labFeed = feed;
    globalForFeed.labFeedStart = feed.start().catch((e: unknown) => {
      globalForFeed.labFeed = undefined;
      throw e;
    });
  }
  await globalForFeed.labFeedStart;
  return globalForFeed.labFeed;
}
