import 'server-only';
// The one MarketFeed of this server process (one LISTEN connection), shared by the tRPC context
// (prices for trading) and the live streams. It lives on globalThis because Next bundles each
// route handler separately: all of them reach the same object in the same process.
import { MarketFeed, PgNotifySubscriber } from '@lab/market-data';
import { env } from '@/env';

const globalForFeed = globalThis as unknown as {
  labFeed?: MarketFeed;
  labFeedStart?: Promise<void>;
};

export async function marketFeed(): Promise<MarketFeed> {
  if (!globalForFeed.labFeed) {
    const feed = new MarketFeed(new PgNotifySubscriber(env().DATABASE_URL));
    globalForFeed.labFeed = feed;
    globalForFeed.labFeedStart = feed.start().catch((e: unknown) => {
      globalForFeed.labFeed = undefined;
      throw e;
    });
  }
  await globalForFeed.labFeedStart;
  return globalForFeed.labFeed;
}
