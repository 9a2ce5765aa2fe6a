import type { Db } from '@lab/db';
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
  /** Prices for trading: this process's live feed (stored tickers where no feed runs). */
  prices: VenuePrices;
}
