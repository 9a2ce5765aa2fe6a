import 'server-only';
import { MarketFeed, PgNotifySubscriber } from '@lab/market-data';
import { env } from '@/env';

// One LISTEN connection per server process, shared by every browser's live subscription.
const globalForFeed = globalThis as unknown as { labFeed?: MarketFeed; labFeedStart?: Promise<void> };

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
