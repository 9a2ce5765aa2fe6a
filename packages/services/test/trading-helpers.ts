// Driving trading in the tests of this package: the shared drivers (@lab/services/testing) and
// the figures of a stored account.
import type { Db } from '@lab/db';
import { loadAccountState } from '../src/engine-state.ts';
import { figuresOf } from '../src/trading/figures.ts';
import { marketOf, type StaticPrices } from '../src/trading/prices.ts';

export { fund, testPrices, tick, worker } from '../src/testing/trading.ts';
export { ledgerBalancesAfterEach } from '../src/testing/vitest.ts';

/** The engine's figures of the stored account at the quotes (what the read models must show). */
export async function figuresOfStored(db: Db, prices: StaticPrices, accountId: string) {
  const loaded = await db.$transaction((tx) => loadAccountState(tx, accountId));
  return figuresOf(loaded!.engine, marketOf(await prices.quotes(loaded!.venueId)));
}
