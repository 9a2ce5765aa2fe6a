// Driving trading in tests: fixed prices (StaticPrices), and the worker's part of the trading loop
// (a price tick, a funding run) applied the way the worker applies it, through runOnAccount with
// a system actor and the engine's onPrice / applyFunding.
import type { Db } from '@lab/db';
import { applyFunding, Decimal, onPrice } from '@lab/margin-engine';
import { marketOf, StaticPrices } from '../trading/prices.ts';
import { runOnAccount, systemActor } from '../trading/run.ts';

export const worker = systemActor('test-worker');

/** Prices of the main venue: BTC 50,000, ETH 3,000, SOL 150 (mark = last). */
export function testPrices(): StaticPrices {
  return new StaticPrices()
    .set('BTCUSDT', { markPrice: '50000', lastPrice: '50000' })
    .set('ETHUSDT', { markPrice: '3000', lastPrice: '3000' })
    .set('SOLUSDT', { markPrice: '150', lastPrice: '150' });
}

/**
 * A price tick for one symbol on the account, as the worker's loop applies it: triggers, resting
 * fills, liquidation. `prices` then quotes the new price.
 */
export async function tick(
  db: Db,
  prices: StaticPrices,
  accountId: string,
  symbol: string,
  markPrice: string,
  lastPrice: string = markPrice,
) {
  const out = await runOnAccount(db, worker, accountId, async (loaded) => {
    const before = marketOf(await prices.quotes(loaded.venueId));
    const r = onPrice(
      loaded.engine,
      before,
      symbol,
      { markPrice: new Decimal(markPrice), lastPrice: new Decimal(lastPrice) },
      Date.now(),
    );
    return { result: r, context: { market: r.market }, value: r.events };
  });
  prices.set(symbol, { markPrice, lastPrice });
  return out.value;
}

/** A funding run at `fundingTime` with the given rates (symbol -> rate). */
export async function fund(
  db: Db,
  prices: StaticPrices,
  accountId: string,
  rates: Record<string, string>,
  fundingTime: number,
) {
  const out = await runOnAccount(db, worker, accountId, async (loaded) => {
    const market = marketOf(await prices.quotes(loaded.venueId));
    const r = applyFunding(
      loaded.engine,
      market,
      Object.fromEntries(Object.entries(rates).map(([s, v]) => [s, new Decimal(v)])),
      fundingTime,
    );
    return { result: r, context: { market, fundingTime }, value: r.events };
  });
  return out.value;
}
