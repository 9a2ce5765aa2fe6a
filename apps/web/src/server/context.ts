import 'server-only';
import type { Context } from '@lab/api';
import { cookiesOfHeader, readSessionUser } from '@lab/auth/next-auth';
import { feedPrices, storedPrices } from '@lab/services';
import { sessionReader } from './auth';
import { db } from './db';
import { marketFeed } from './market-feed';

/**
 * The tRPC context of a request, from its headers alone (no request scope of Next's), so that the
 * same context serves the request whether Next routes it or the HTTP server hands it straight to
 * the handler (direct-routes.ts).
 */
export async function createContext(headers: Headers): Promise<Context> {
  const forwarded = headers.get('x-forwarded-for')?.split(',')[0]?.trim();
  const feed = await marketFeed().catch(() => undefined);
  return {
    db: db(),
    user: await readSessionUser(sessionReader(), cookiesOfHeader(headers.get('cookie'))),
    ip: forwarded || headers.get('x-real-ip') || 'unknown',
    // Without a live feed (it could not start), prices come from the stored tickers.
    prices: feed ? feedPrices(feed) : storedPrices(db()),
  };
}
