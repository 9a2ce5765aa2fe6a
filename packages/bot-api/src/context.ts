// What the bot API's handlers are given: the same services and prices as the tRPC API (the
// process's Prisma client, its live feed's prices), and, for keyed endpoints, whose key it is.
import type { Db } from '@lab/db';
import type { MarketFeedLike } from '@lab/market-data';
import type { Actor, BotCredential, VenuePrices } from '@lab/services';
import type { RawParams } from './params.ts';
import type { RateLimiter } from './rate-limit.ts';
import type { RecentTrades } from './recent-trades.ts';

export interface BotApiDeps {
  db: Db;
  prices: VenuePrices;
  feed: MarketFeedLike;
  trades: RecentTrades;
  limiter: RateLimiter;
  now?: () => number;
  /** Unexpected failures (their details never reach the client). */
  log?: (message: string, error: unknown) => void;
}

/**
 * Binance's security types: NONE (public), USER_STREAM (API key, no signature), USER_DATA
 * (signed, read) and TRADE (signed, needs a key with the trade permission).
 */
export type Security = 'NONE' | 'USER_STREAM' | 'USER_DATA' | 'TRADE';

export interface KeyedCall {
  cred: BotCredential;
  actor: Actor;
  accountId: string;
  venueId: string;
}

export interface Call {
  deps: BotApiDeps;
  params: RawParams;
  now: number;
  /** The venue prices and market data are read from (the key's account's, else the main one). */
  venue: string;
  key: KeyedCall | null;
}

export interface Endpoint {
  security: Security;
  /** Request weight on the IP limit, possibly depending on the parameters. */
  weight: number | ((p: RawParams) => number);
  /** New orders the request counts on the account's order limits. */
  orders?: (p: RawParams) => number;
  run: (call: Call) => Promise<unknown>;
}

/** The key of a keyed call (the dispatcher guarantees it for keyed endpoints). */
export function keyed(call: Call): KeyedCall {
  if (!call.key) throw new Error('keyed endpoint called without a key');
  return call.key;
}
