import 'server-only';
import type { Context } from '@lab/api';
import { feedPrices, storedPrices } from '@lab/services';
import { db } from './db';
import { marketFeed } from './market-feed';
import { getSessionUser } from './session';

export async function createContext(headers: Headers): Promise<Context> {
  const forwarded = headers.get('x-forwarded-for')?.split(',')[0]?.trim();
  const feed = await marketFeed().catch(() => undefined);
  return {
    db: db(),
    user: await getSessionUser(),
    ip: forwarded || headers.get('x-real-ip') || 'unknown',
    // Without a live feed (it could not start), prices come from the stored tickers.
    prices: feed ? feedPrices(feed) : storedPrices(db()),
  };
}
