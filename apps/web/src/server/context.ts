import 'server-only';
import type { Context } from '@lab/api';
import { clientIp } from '@lab/auth/client-ip';
import { feedPrices, storedPrices } from '@lab/services';
import { sessionUserOf } from './auth';
import { db } from './db';
import { marketFeed } from './market-feed';

/**
 * The tRPC context of a request, from its headers alone (no request scope of Next's), so that the
 * same context serves the request whether Next routes it or the HTTP server hands it straight to
 * the handler (direct-routes.ts).
 */
export async function createContext(headers: Headers): Promise<Context> {
  const feed = await marketFeed().catch(() => undefined);
  return {
    db: db(),
    user: await sessionUserOf(headers),
    ip: clientIp(headers),
    // Without a live feed (it could not start), prices come from the stored tickers.
    prices: feed ? feedPrices(feed) : storedPrices(db()),
  };
}
