import 'server-only';
import type { MarketFeed } from '@lab/market-data';
import { env } from '@/env';
import { sharedMarketFeed } from './shared-feed';

// One LISTEN connection per server process, shared by every browser's live subscription (and by
// the fast path of the production server, see shared-feed.ts).
export function marketFeed(): Promise<MarketFeed> {
  return sharedMarketFeed(env().DATABASE_URL);
}
