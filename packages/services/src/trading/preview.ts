// Pre-trade preview: what an order would do, with the engine's own figures (it places the order
// on a copy of the account). Nothing is stored; the market must be live, as for placing.
import type { Db } from '@lab/db';
import { previewOrder as enginePreview, type Decimal } from '@lab/margin-engine';
import { engine } from './engine-errors.ts';
import { engineRequest, enforceOrderRules, liveMarket, type PlaceOrderRequest } from './orders.ts';
import type { VenuePrices } from './prices.ts';
import { readAccount } from './read-models.ts';
import type { Actor } from './run.ts';

const s = (d: Decimal) => d.toFixed();
const ratio = (d: Decimal) => (d.isFinite() ? d.toDecimalPlaces(8).toFixed() : null);

export interface OrderPreviewView {
  accepted: boolean;
  /** Why the engine would refuse it (the code placing it would fail with). */
  rejection: { code: string; message: string } | null;
  filledQuantity: string;
  averagePrice: string | null;
  fee: string;
  realizedPnl: string;
  /** Available balance the order consumes (fee and margin; negative when it frees margin). */
  cost: string;
  positionQuantity: string;
  entryPrice: string;
  liquidationPrice: string | null;
  /** Cross margin ratio after the order; null when infinite. */
  crossMarginRatio: string | null;
  /** Margin ratio of the resulting position's compartment (isolated, or cross); null: infinite. */
  marginRatio: string | null;
  /** The resulting account with the symbol's mark 5%, 10%, 20% against the position. */
  stress: Array<{
    movePercent: number;
    markPrice: string;
    /** Margin balance of the position's compartment at that mark. */
    equity: string;
    marginRatio: string | null;
    /** The engine would liquidate that compartment at that mark. */
    liquidated: boolean;
  }>;
  availableBalanceBefore: string;
  availableBalanceAfter: string;
}

export async function previewOrder(
  db: Db,
  prices: VenuePrices,
  actor: Actor,
  accountId: string,
  req: PlaceOrderRequest,
): Promise<OrderPreviewView> {
  const loaded = await readAccount(db, actor, accountId);
  const now = Date.now();
  // a competition's rule refuses it as placing would (the same check, the same message)
  enforceOrderRules(loaded, req, now, { preview: true });
  const market = await liveMarket(prices, loaded, req.symbol, now);
  const p = engine(() => enginePreview(loaded.engine, market, engineRequest(req), now));
  return {
    accepted: p.accepted,
    rejection: p.rejection ? { code: p.rejection.code, message: p.rejection.message } : null,
    filledQuantity: s(p.filledQuantity),
    averagePrice: p.averagePrice ? s(p.averagePrice) : null,
    fee: s(p.fee),
    realizedPnl: s(p.realizedPnl),
    cost: s(p.cost),
    positionQuantity: s(p.positionQuantity),
    entryPrice: s(p.entryPrice),
    liquidationPrice: p.liquidationPrice ? s(p.liquidationPrice) : null,
    crossMarginRatio: ratio(p.crossMarginRatio),
    marginRatio: ratio(p.marginRatio),
    stress: p.stress.map((x) => ({
      movePercent: x.movePercent,
      markPrice: s(x.markPrice),
      equity: s(x.equity),
      marginRatio: ratio(x.marginRatio),
      liquidated: x.liquidated,
    })),
    availableBalanceBefore: s(p.availableBalanceBefore),
    availableBalanceAfter: s(p.availableBalanceAfter),
  };
}
