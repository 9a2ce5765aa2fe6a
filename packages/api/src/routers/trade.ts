// Trading on one paper account: every procedure is account-scoped (actingProcedure: its service
// checks that the account is the caller's), validates its input with the bounded contracts
// primitives and calls one service. Amounts are decimal strings; every rule is the margin engine's.
import {
  clientOrderId,
  epochMs,
  idCursor,
  int,
  orderInput,
  positiveDecimal,
  seqCursor,
  symbol,
} from '@lab/contracts';
import {
  adjustIsolatedMargin,
  amendOrder,
  cancelAllOrders,
  cancelOrder,
  closePosition,
  getLiquidationStory,
  getOrder,
  getSymbolSettings,
  getTradingSummary,
  LEDGER_KINDS,
  listFills,
  listFundingPayments,
  listLedger,
  listLiquidations,
  listOpenOrders,
  listOrderHistory,
  listPositions,
  placeOrder,
  previewOrder,
  setLeverage,
  setMarginMode,
  type OrderRef,
} from '@lab/services';
import { z } from 'zod';
import { actingProcedure, router } from '../trpc.ts';

const engineOrderId = z
  .string({ error: 'orderId must be an order id' })
  .max(64, 'orderId must be an order id')
  .regex(/^[0-9a-f-]{36}-\d{1,10}(-tp|-sl)?$/, 'orderId must be an order id');

/** Which order: exactly one of the engine's id, the order number or the client order id. */
const orderRef = {
  orderId: engineOrderId.optional(),
  orderNo: z
    .string({ error: 'orderNo must be a number as a string' })
    .regex(/^[1-9]\d{0,17}$/, 'orderNo must be a number as a string')
    .optional(),
  clientOrderId: clientOrderId.optional(),
};
type RefInput = { orderId?: string; orderNo?: string; clientOrderId?: string };
const oneRef = (i: RefInput) =>
  [i.orderId, i.orderNo, i.clientOrderId].filter((x) => x !== undefined).length === 1;
const ONE_REF = {
  message: 'Give exactly one of orderId, orderNo and clientOrderId',
  path: ['orderId'],
};
const refOf = (i: RefInput): OrderRef =>
  i.orderId !== undefined
    ? { orderId: i.orderId }
    : i.orderNo !== undefined
      ? { orderNo: i.orderNo }
      : { clientOrderId: i.clientOrderId! };

const pageInput = {
  limit: int('limit', { min: 1, max: 100 }).default(50),
  /** The `nextCursor` of the previous page. */
  cursor: seqCursor().nullish(),
  from: epochMs('from').optional(),
  to: epochMs('to').optional(),
};

export const tradeRouter = router({
  placeOrder: actingProcedure
    .input(orderInput)
    .mutation(({ ctx, input }) =>
      placeOrder(ctx.db, ctx.prices, ctx.actor, input.accountId, input),
    ),
  /** What the order would do (cost, fee, liquidation price, margin ratio), placing nothing. */
  previewOrder: actingProcedure
    .input(orderInput)
    .query(({ ctx, input }) => previewOrder(ctx.db, ctx.prices, ctx.actor, input.accountId, input)),
  amendOrder: actingProcedure
    .input(
      z
        .object({
          ...orderRef,
          price: positiveDecimal('price').optional(),
          quantity: positiveDecimal('quantity').optional(),
        })
        .refine(oneRef, ONE_REF),
    )
    .mutation(({ ctx, input }) =>
      amendOrder(ctx.db, ctx.prices, ctx.actor, input.accountId, {
        ...refOf(input),
        ...(input.price !== undefined ? { price: input.price } : {}),
        ...(input.quantity !== undefined ? { quantity: input.quantity } : {}),
      }),
    ),
  cancelOrder: actingProcedure
    .input(z.object(orderRef).refine(oneRef, ONE_REF))
    .mutation(({ ctx, input }) =>
      cancelOrder(ctx.db, ctx.prices, ctx.actor, input.accountId, refOf(input)),
    ),
  /** Every open order of the account, or of one symbol. */
  cancelAllOrders: actingProcedure
    .input(z.object({ symbol: symbol.optional() }))
    .mutation(({ ctx, input }) =>
      cancelAllOrders(ctx.db, ctx.prices, ctx.actor, input.accountId, input),
    ),
  closePosition: actingProcedure
    .input(
      z.object({
        symbol,
        type: z.enum(['market', 'limit'], { error: 'type must be market or limit' }).optional(),
        price: positiveDecimal('price').optional(),
        clientOrderId: clientOrderId.optional(),
      }),
    )
    .mutation(({ ctx, input }) =>
      closePosition(ctx.db, ctx.prices, ctx.actor, input.accountId, input),
    ),
  setLeverage: actingProcedure
    .input(z.object({ symbol, leverage: int('leverage', { min: 1, max: 125 }) }))
    .mutation(({ ctx, input }) =>
      setLeverage(ctx.db, ctx.prices, ctx.actor, input.accountId, input),
    ),
  setMarginMode: actingProcedure
    .input(
      z.object({
        symbol,
        marginMode: z.enum(['cross', 'isolated'], {
          error: 'marginMode must be cross or isolated',
        }),
      }),
    )
    .mutation(({ ctx, input }) =>
      setMarginMode(ctx.db, ctx.prices, ctx.actor, input.accountId, input),
    ),
  /** Add margin to, or remove it from, an isolated position. */
  adjustMargin: actingProcedure
    .input(
      z.object({
        symbol,
        action: z.enum(['add', 'remove'], { error: 'action must be add or remove' }),
        amount: positiveDecimal('amount'),
      }),
    )
    .mutation(({ ctx, input }) =>
      adjustIsolatedMargin(ctx.db, ctx.prices, ctx.actor, input.accountId, input),
    ),

  summary: actingProcedure.query(({ ctx, input }) =>
    getTradingSummary(ctx.db, ctx.prices, ctx.actor, input.accountId),
  ),
  positions: actingProcedure.query(({ ctx, input }) =>
    listPositions(ctx.db, ctx.prices, ctx.actor, input.accountId),
  ),
  /** Leverage and margin mode of every symbol (defaults included), or of one. */
  settings: actingProcedure
    .input(z.object({ symbol: symbol.optional() }))
    .query(({ ctx, input }) => getSymbolSettings(ctx.db, ctx.actor, input.accountId, input)),
  order: actingProcedure
    .input(z.object(orderRef).refine(oneRef, ONE_REF))
    .query(({ ctx, input }) => getOrder(ctx.db, ctx.actor, input.accountId, refOf(input))),
  openOrders: actingProcedure
    .input(z.object({ ...pageInput, symbol: symbol.optional() }))
    .query(({ ctx, input }) => listOpenOrders(ctx.db, ctx.actor, input.accountId, input)),
  orderHistory: actingProcedure
    .input(z.object({ ...pageInput, symbol: symbol.optional() }))
    .query(({ ctx, input }) => listOrderHistory(ctx.db, ctx.actor, input.accountId, input)),
  fills: actingProcedure
    .input(z.object({ ...pageInput, symbol: symbol.optional(), orderId: engineOrderId.optional() }))
    .query(({ ctx, input }) => listFills(ctx.db, ctx.actor, input.accountId, input)),
  fundingPayments: actingProcedure
    .input(z.object({ ...pageInput, symbol: symbol.optional() }))
    .query(({ ctx, input }) => listFundingPayments(ctx.db, ctx.actor, input.accountId, input)),
  /** A liquidation and the account's engine events up to it (the trading screen replays them). */
  liquidationStory: actingProcedure
    .input(
      z.object({
        liquidationId: z
          .string({ error: 'liquidationId must be a liquidation id' })
          .regex(/^[1-9]\d{0,17}$/, 'liquidationId must be a liquidation id'),
      }),
    )
    .query(({ ctx, input }) =>
      getLiquidationStory(ctx.db, ctx.actor, input.accountId, input.liquidationId),
    ),
  liquidations: actingProcedure
    .input(z.object({ ...pageInput, symbol: symbol.optional() }))
    .query(({ ctx, input }) => listLiquidations(ctx.db, ctx.actor, input.accountId, input)),
  ledger: actingProcedure
    .input(
      z.object({
        ...pageInput,
        /** The `nextCursor` of the previous page: a ledger line's id. */
        cursor: idCursor().nullish(),
        kind: z
          .enum(LEDGER_KINDS, { error: `kind must be one of ${LEDGER_KINDS.join(', ')}` })
          .optional(),
      }),
    )
    .query(({ ctx, input }) => listLedger(ctx.db, ctx.actor, input.accountId, input)),
});
