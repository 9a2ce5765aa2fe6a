// Test helpers of the API: callers with the same checks as HTTP requests. User factories are in
// @lab/services/testing (shared with the demo seed).
import type { AuthUser } from '@lab/auth';
import type { Db } from '@lab/db';
import type { Context } from '../context.ts';
import { storedPrices, type VenuePrices } from '@lab/services';
import { createCaller } from '../root.ts';

export * from '@lab/services/testing';

/** A tRPC caller acting as `user` (null: anonymous), with the same checks as HTTP requests. */
export function callerFor(
  db: Db,
  user: Pick<AuthUser, 'id' | 'email' | 'displayName' | 'role'> | null,
  ip = '127.0.0.1',
  prices: VenuePrices = storedPrices(db),
) {
  const ctx: Context = {
    db,
    prices,
    user: user
      ? { id: user.id, email: user.email, displayName: user.displayName, role: user.role }
      : null,
    ip,
  };
  return createCaller(ctx);
}
