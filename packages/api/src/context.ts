import type { Db } from '@lab/db';
import type { MarketFeedLike } from '@lab/market-data';
import type { VenuePrices } from '@lab/services';

export type { Role } from '@lab/contracts';
import type { Role } from '@lab/contracts';

export interface SessionUser {
  id: string;
  role: Role;
  email: string;
  displayName: string;
}

export interface Context {
  db: Db;
  /** The signed-in user, verified on the server; null when anonymous. */
  user: SessionUser | null;
  /** Client address for throttling; best effort behind proxies. */
  ip: string;
  /** Live market data of this server process (absent where no feed runs, e.g. some tests). */
  feed?: MarketFeedLike;
  /** Prices for trading: this process's live feed (stored tickers where no feed runs). */
  prices: VenuePrices;
}
