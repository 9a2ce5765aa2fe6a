// Trading on an account: place, cancel and close orders, change leverage, margin mode and
// isolated margin. Each request runs through runOnAccount (queue, row lock, load, engine,
// persist) and every rule is the margin engine's; this file only turns requests into engine calls
// and results into views. Inputs are plain typed objects so that the tRPC API and the bot API
// call the same functions.
import { PLANNED_EACH_CALL, Prisma, type Db } from '@lab/db';
import {
  adjustIsolatedMargin as engineAdjustMargin,
  addsRisk as engineAddsRisk,
  amendOrder as engineAmend,
  cancelOrder as engineCancel,
  Decimal,
  placeOrder as enginePlace,
  setLeverage as engineSetLeverage,
  setMarginMode as engineSetMarginMode,
  settingsOf,
  type Account,
  type EngineEvent,
  type EngineResult,
  type Market,
  type Order,
  type OrderRequest,
  type OrderType,
  type Side,
  type TimeInForce,
  type WorkingType,
} from '@lab/margin-engine';
import { allowedModes, enforceCompetitionRules, marketRuleOf } from '../competitions/rules.ts';
import { cleanNote, recordOrderAuthor } from '../teaching/notes.ts';
import type { LoadedAccount } from '../engine-state.ts';
import { engine, engineAppError, requireLive } from './engine-errors.ts';
import { effectiveStatus, marketOf, type VenuePrices } from './prices.ts';
import { runOnAccount, type Actor } from './run.ts';
import {
  STORED_FILL_JSON,
  STORED_ORDER_JSON,
  type Persisted,
  type StoredFillJson,
  type StoredOrderJson,
} from './persist.ts';
import {
  fillView,
  fillViewSelect,
  orderView,
  orderViewSelect,
  type FillRow,
  type FillView,
  type OrderRow,
  type OrderView,
} from './views.ts';

type Tx = Prisma.TransactionClient;

/** An order as a client asks for it: decimal strings, the engine's names. */
export interface PlaceOrderRequest {
  symbol: string;
  side: Side;
  type: OrderType;
  /** Not for close-position orders (they close whatever the position is when they trigger). */
  quantity?: string;
  /** Limit price (limit, stop-limit, take-profit-limit). */
  price?: string;
  /** Trigger price (stop and take-profit orders). */
  stopPrice?: string;
  /** Limit orders only; GTX is post-only. */
  timeInForce?: TimeInForce;
  reduceOnly?: boolean;
  closePosition?: boolean;
  /** What a trigger watches: the mark price (default) or the last trade price. */
  workingType?: WorkingType;
  /** A retry with the same id returns the order placed first, whatever happened to it since. */
  clientOrderId?: string;
  /** Attached take-profit / stop-loss: close-position orders placed with this one. */
  takeProfit?: { stopPrice: string };
  stopLoss?: { stopPrice: string };
  /** Why the trader places it (a trade note): a competition may require one. Kept with the order. */
  note?: string;
}

export interface PlacedOrder {
  order: OrderView;
  /** Its attached take-profit / stop-loss orders. */
  attached: OrderView[];
  /** Fills at placement (a market order, a marketable limit). */
  fills: FillView[];
  /** True when the clientOrderId was already used: this is the order placed first. */
  duplicate: boolean;
}

/** What one trading operation gives back: the engine's account before and after it. */
interface Computed<T> {
  result: EngineResult;
  market: Market;
  value: T;
}

const attachedIds = (id: string) => [id, `${id}-tp`, `${id}-sl`];

type StoredPlacedRow = StoredOrderJson & { fills: StoredFillJson[] };

const dec = (v: string) => new Prisma.Decimal(v);
const optDec = (v: string | null) => (v === null ? null : dec(v));

/**
 * The order `id` with its attached orders and their fills, as stored, read back (a retried
 * clientOrderId; a new placement takes them from its write's RETURNING: placedFromWrite).
 */
async function placedOrder(tx: Tx, id: string, duplicate: boolean): Promise<PlacedOrder> {
  // planned on each call: a cached generic plan of this lookup became a scan of every order
  const rows = await tx.$queryRawUnsafe<Array<{ o: StoredOrderJson; fills: StoredFillJson[] }>>(
    `${PLANNED_EACH_CALL}
    SELECT ${STORED_ORDER_JSON('o')} AS o,
           coalesce((SELECT json_agg(${STORED_FILL_JSON('f')} ORDER BY f.event_seq, f.id)
             FROM fills f WHERE f.order_id = o.id), '[]'::json) AS fills
      FROM orders o WHERE o.id = ANY($1::text[])
     ORDER BY o.seq`,
    attachedIds(id),
  );
  return placedFrom(
    rows.map((r) => ({ ...r.o, fills: r.fills })),
    id,
    duplicate,
  );
}

/** The order `id` just placed, from what its write returned (Persisted.created). */
function placedFromWrite(created: NonNullable<Persisted['created']>, id: string): PlacedOrder {
  // a placement creates the order and its attached ones in the same result, so all are here
  const ids = new Set(attachedIds(id));
  const rows = created.orders
    .filter((o) => ids.has(o.id))
    .map((o) => ({ ...o, fills: created.fills.filter((f) => f.orderId === o.id) }));
  return placedFrom(rows, id, false);
}

function placedFrom(rows: StoredPlacedRow[], id: string, duplicate: boolean): PlacedOrder {
  const main = rows.find((o) => o.id === id);
  if (!main) throw new Error(`order ${id} was not stored`);
  const toOrder = (o: StoredPlacedRow): OrderRow => ({
    id: o.id,
    orderNo: BigInt(o.order_no),
    clientOrderId: o.client_order_id,
    symbol: o.symbol,
    side: o.side,
    type: o.type,
    currentType: o.current_type,
    status: o.status,
    statusCode: o.status_code,
    statusReason: o.status_reason,
    quantity: dec(o.quantity),
    filledQuantity: dec(o.filled_quantity),
    price: optDec(o.price),
    stopPrice: optDec(o.stop_price),
    averagePrice: optDec(o.average_price),
    timeInForce: o.time_in_force,
    reduceOnly: o.reduce_only,
    closePosition: o.close_position,
    workingType: o.working_type,
    parentId: o.parent_id,
    seq: o.seq,
    createdAt: new Date(o.created_at),
    updatedAt: new Date(o.updated_at),
  });
  const toFill = (f: StoredPlacedRow['fills'][number]): FillRow => ({
    id: BigInt(f.id),
    orderId: f.orderId,
    liquidationId: f.liquidationId === null ? null : BigInt(f.liquidationId),
    symbol: f.symbol,
    side: f.side,
    quantity: dec(f.quantity),
    price: dec(f.price),
    markPrice: dec(f.markPrice),
    liquidity: f.liquidity,
    feeRate: dec(f.feeRate),
    fee: dec(f.fee),
    realizedPnl: dec(f.realizedPnl),
    shortfall: dec(f.shortfall),
    isLiquidation: f.isLiquidation,
    eventSeq: f.eventSeq,
    time: new Date(f.time),
  });
  return {
    order: orderView(toOrder(main)),
    attached: rows.filter((o) => o.id !== id).map((o) => orderView(toOrder(o))),
    fills: rows
      .flatMap((o) => o.fills.map(toFill))
      .sort((a, b) => a.eventSeq - b.eventSeq)
      .map(fillView),
    duplicate,
  };
}

/** The market of the account's venue, with `symbol` required to be live (when given). */
export async function liveMarket(
  prices: VenuePrices,
  loaded: LoadedAccount,
  symbol: string | undefined,
  now: number,
): Promise<Market> {
  const quotes = await prices.quotes(loaded.venueId);
  const market = marketOf(quotes, loaded.catalogue);
  if (symbol !== undefined) {
    if (!market.instruments[symbol]) throw engineAppError('UNKNOWN_SYMBOL', 'symbol');
    requireLive(symbol, effectiveStatus(quotes.get(symbol), now));
  }
  return market;
}

/**
 * The rules the account's competition puts on an order (none for other accounts): throws the
 * refusal that names the rule. Placing and previewing an order both pass here (a preview is not
 * asked for a trade note).
 */
export function enforceOrderRules(
  loaded: LoadedAccount,
  req: PlaceOrderRequest,
  now: number,
  opts: { preview?: boolean } = {},
): void {
  if (!loaded.competition) return;
  const s = settingsOf(loaded.engine, req.symbol, loaded.catalogue[req.symbol]);
  enforceCompetitionRules(
    loaded.competition,
    {
      kind: 'order',
      symbol: req.symbol,
      addsRisk: requestAddsRisk(loaded.engine, req),
      leverage: s.leverage,
      marginMode: s.marginMode,
      note: req.note,
      checkNote: !opts.preview,
    },
    now,
  );
}

/**
 * Whether the requested order can open or enlarge a position: the engine's one rule (addsRisk),
 * asked about the order as it would be accepted now (after every open order), so the netting
 * against resting orders is the engine's own.
 */
export function requestAddsRisk(account: Account, req: PlaceOrderRequest): boolean {
  const pending: Order = {
    id: '',
    clientOrderId: undefined,
    symbol: req.symbol,
    side: req.side,
    type: req.type,
    quantity: new Decimal(req.quantity ?? '0'),
    filledQuantity: new Decimal(0),
    price: undefined,
    stopPrice: undefined,
    timeInForce: req.timeInForce ?? 'GTC',
    reduceOnly: req.reduceOnly === true,
    closePosition: req.closePosition === true,
    workingType: req.workingType ?? 'mark',
    status: 'new',
    createdAt: 0,
    seq: account.nextSeq,
  };
  return engineAddsRisk(account, pending);
}

export function engineRequest(req: PlaceOrderRequest): OrderRequest {
  const out: OrderRequest = { symbol: req.symbol, side: req.side, type: req.type };
  if (req.quantity !== undefined) out.quantity = req.quantity;
  if (req.price !== undefined) out.price = req.price;
  if (req.stopPrice !== undefined) out.stopPrice = req.stopPrice;
  if (req.timeInForce !== undefined) out.timeInForce = req.timeInForce;
  if (req.reduceOnly !== undefined) out.reduceOnly = req.reduceOnly;
  if (req.closePosition !== undefined) out.closePosition = req.closePosition;
  if (req.workingType !== undefined) out.workingType = req.workingType;
  if (req.clientOrderId !== undefined) out.clientOrderId = req.clientOrderId;
  if (req.takeProfit) out.takeProfit = { stopPrice: req.takeProfit.stopPrice };
  if (req.stopLoss) out.stopLoss = { stopPrice: req.stopLoss.stopPrice };
  return out;
}

const acceptedId = (events: readonly EngineEvent[]): string => {
  const ev = events.find((e) => e.type === 'orderAccepted');
  if (!ev) throw new Error('engine accepted an order without an orderAccepted event');
  return ev.order.id;
};

/** The unique index on (account, clientOrderId), as Prisma reports it or as pg does (raw transactions). */
export function isClientOrderIdConflict(e: unknown): boolean {
  const err = e as {
    code?: string;
    constraint?: string;
    meta?: { target?: unknown; driverAdapterError?: unknown };
  };
  if (err?.code === '23505') return err.constraint?.includes('client_order_id') === true;
  return err?.code === 'P2002' && JSON.stringify(err.meta ?? {}).includes('client_order_id');
}

async function storedByClientOrderId(
  db: Tx,
  accountId: string,
  clientOrderId: string,
): Promise<{ id: string } | undefined> {
  const rows = await db.$queryRaw<Array<{ id: string }>>`
    SELECT id FROM orders WHERE account_id = ${accountId}::uuid AND client_order_id = ${clientOrderId}`;
  return rows[0];
}

/**
 * Places an order. A refused order changes nothing and throws the engine's refusal (see
 * engine-errors.ts); an order on a market that is not live is refused (MARKET_STALE, ...). With a
 * clientOrderId the account already used, the order placed first is returned as it is now,
 * without asking the engine again (checked under the account's row lock; the unique index on
 * (account, clientOrderId) is the last guard).
 */
export function placeOrder(
  db: Db,
  prices: VenuePrices,
  actor: Actor,
  accountId: string,
  req: PlaceOrderRequest,
): Promise<PlacedOrder> {
  return placeUnderLock(db, prices, actor, accountId, req.clientOrderId, () => req);
}

/**
 * Places the order `build` makes from the locked account (closePosition needs the position as
 * it is under the lock). With a clientOrderId the account already used, the stored order is
 * the answer and `build` is never called.
 */
async function placeUnderLock(
  db: Db,
  prices: VenuePrices,
  actor: Actor,
  accountId: string,
  clientOrderId: string | undefined,
  build: (loaded: LoadedAccount) => PlaceOrderRequest,
): Promise<PlacedOrder> {
  const box: { placed?: PlacedOrder } = {};
  try {
    await runOnAccount(
      db,
      actor,
      accountId,
      async (loaded, tx) => {
        if (clientOrderId !== undefined) {
          const stored = await storedByClientOrderId(tx, accountId, clientOrderId);
          if (stored) {
            box.placed = await placedOrder(tx, stored.id, true);
            return { value: null };
          }
        }
        const req = build(loaded);
        const now = Date.now();
        enforceOrderRules(loaded, req, now);
        const market = await liveMarket(prices, loaded, req.symbol, now);
        const r = engine(() => enginePlace(loaded.engine, market, engineRequest(req), { now }));
        if (r.rejected) throw engineAppError(r.rejected.code, r.rejected.field);
        const id = acceptedId(r.events);
        return {
          result: r,
          context: { market, returnCreated: true },
          value: null,
          after: async (t, persisted) => {
            // who placed it and why: every order a person places on a competition account (shared
            // team accounts have several traders), and any order with a note
            const note = cleanNote(req.note);
            if (actor.kind === 'user' && (note || loaded.kind === 'COMPETITION'))
              await recordOrderAuthor(t, { orderId: id, accountId, authorId: actor.userId, note });
            // the write returned what it stored (returnCreated): no read after it
            if (!persisted?.created) throw new Error(`the write of order ${id} returned nothing`);
            box.placed = placedFromWrite(persisted.created, id);
          },
        };
      },
      { rawQueriesOnly: true },
    );
  } catch (e) {
    // two writers raced past the row lock (it cannot happen within one database): the order
    // placed first is the answer to both
    if (clientOrderId === undefined || !isClientOrderIdConflict(e)) throw e;
    const placed = await db.$transaction(async (tx) => {
      const stored = await storedByClientOrderId(tx, accountId, clientOrderId);
      return stored ? placedOrder(tx, stored.id, true) : undefined;
    });
    if (!placed) throw e;
    return placed;
  }
  return box.placed!;
}

/** Which order: the engine's id, the order number (bot API) or the client order id. */
export type OrderRef = { orderId: string } | { orderNo: string } | { clientOrderId: string };

/** The stored order `ref` names on the account, or null. */
export async function findOrder(tx: Tx, accountId: string, ref: OrderRef) {
  if ('orderId' in ref)
    return tx.order.findFirst({ where: { id: ref.orderId, accountId }, select: orderViewSelect });
  if ('orderNo' in ref) {
    if (!/^\d{1,18}$/.test(ref.orderNo)) return null;
    return tx.order.findFirst({
      where: { orderNo: BigInt(ref.orderNo), accountId },
      select: orderViewSelect,
    });
  }
  return tx.order.findUnique({
    where: { accountId_clientOrderId: { accountId, clientOrderId: ref.clientOrderId } },
    select: orderViewSelect,
  });
}

const refField = (ref: OrderRef) =>
  'orderId' in ref ? 'orderId' : 'orderNo' in ref ? 'orderNo' : 'clientOrderId';

/** Runs an engine computation on the account and returns its value with the stored orders. */
async function runEngine<T>(
  db: Db,
  actor: Actor,
  accountId: string,
  compute: (loaded: LoadedAccount, tx: Tx) => Promise<Computed<T>>,
): Promise<T> {
  const { value } = await runOnAccount(db, actor, accountId, async (loaded, tx) => {
    const c = await compute(loaded, tx);
    return { result: c.result, context: { market: c.market }, value: c.value };
  });
  return value;
}

async function orderViews(tx: Tx, ids: string[]): Promise<OrderView[]> {
  if (!ids.length) return [];
  const rows = await tx.order.findMany({
    where: { id: { in: ids } },
    select: orderViewSelect,
    orderBy: { seq: 'asc' },
  });
  return rows.map(orderView);
}

export interface AmendedOrder {
  order: OrderView;
  /** Fills when the new price crossed the book (a GTC limit amended to a marketable price). */
  fills: FillView[];
}

/**
 * Changes the price or the total quantity (filled part included) of a resting limit order, in
 * place; the engine validates it as a placement.
 */
export async function amendOrder(
  db: Db,
  prices: VenuePrices,
  actor: Actor,
  accountId: string,
  req: OrderRef & { price?: string; quantity?: string },
): Promise<AmendedOrder> {
  const box: { amended?: AmendedOrder } = {};
  await runOnAccount(db, actor, accountId, async (loaded, tx) => {
    const row = await findOrder(tx, accountId, req);
    if (!row || !loaded.engine.orders[row.id])
      throw engineAppError('ORDER_NOT_FOUND', refField(req));
    const now = Date.now();
    if (loaded.competition)
      enforceCompetitionRules(loaded.competition, { kind: 'manage', symbol: row.symbol }, now);
    const market = await liveMarket(prices, loaded, row.symbol, now);
    const result = engine(() =>
      engineAmend(
        loaded.engine,
        market,
        {
          orderId: row.id,
          ...(req.price !== undefined ? { price: req.price } : {}),
          ...(req.quantity !== undefined ? { quantity: req.quantity } : {}),
        },
        now,
      ),
    );
    const firstFill = loaded.lastEventSeq + 1;
    return {
      result,
      context: { market },
      value: null,
      after: async (t) => {
        const [order, fills] = await Promise.all([
          t.order.findUniqueOrThrow({ where: { id: row.id }, select: orderViewSelect }),
          t.fill.findMany({
            where: { orderId: row.id, eventSeq: { gte: firstFill } },
            select: fillViewSelect,
            orderBy: { eventSeq: 'asc' },
          }),
        ]);
        box.amended = { order: orderView(order), fills: fills.map(fillView) };
      },
    };
  });
  return box.amended!;
}

/** Cancels an open order (and the attached orders waiting for it). */
export async function cancelOrder(
  db: Db,
  prices: VenuePrices,
  actor: Actor,
  accountId: string,
  ref: OrderRef,
): Promise<{ canceled: OrderView[] }> {
  const box: { canceled: OrderView[] } = { canceled: [] };
  await runOnAccount(db, actor, accountId, async (loaded, tx) => {
    const row = await findOrder(tx, accountId, ref);
    if (!row || !loaded.engine.orders[row.id])
      throw engineAppError('ORDER_NOT_FOUND', refField(ref));
    const market = marketOf(await prices.quotes(loaded.venueId), loaded.catalogue);
    const result = engine(() => engineCancel(loaded.engine, { orderId: row.id }, Date.now()));
    return {
      result,
      context: { market },
      value: null,
      after: async (t) => {
        box.canceled = await orderViews(t, canceledIds(result.events));
      },
    };
  });
  return box;
}

const canceledIds = (events: readonly EngineEvent[]) =>
  events.flatMap((e) => (e.type === 'orderCanceled' ? [e.orderId] : []));

/** Cancels every open order of the account, or of one symbol. */
export async function cancelAllOrders(
  db: Db,
  prices: VenuePrices,
  actor: Actor,
  accountId: string,
  opts: { symbol?: string } = {},
): Promise<{ canceled: OrderView[] }> {
  const box: { canceled: OrderView[] } = { canceled: [] };
  await runOnAccount(db, actor, accountId, async (loaded) => {
    const now = Date.now();
    const market = marketOf(await prices.quotes(loaded.venueId), loaded.catalogue);
    let account: Account = loaded.engine;
    const events: EngineEvent[] = [];
    const open = Object.values(loaded.engine.orders)
      .filter((o) => opts.symbol === undefined || o.symbol === opts.symbol)
      .sort((a, b) => a.seq - b.seq);
    for (const o of open) {
      if (!account.orders[o.id]) continue; // canceled with its entry
      const r = engine(() => engineCancel(account, { orderId: o.id }, now));
      account = r.account;
      events.push(...r.events);
    }
    if (!events.length) return { value: null };
    return {
      result: { account, events },
      context: { market },
      value: null,
      after: async (t) => {
        box.canceled = await orderViews(t, canceledIds(events));
      },
    };
  });
  return box;
}

export interface ClosePositionRequest {
  symbol: string;
  /** market (default): at once; limit: a reduce-only limit at `price`. */
  type?: 'market' | 'limit';
  price?: string;
  clientOrderId?: string;
}

/**
 * Closes the whole position on a symbol with a reduce-only order: never refused for margin (a
 * trader can always cut risk), whatever the loss (see the engine's "Losses beyond a wallet").
 */
export function closePosition(
  db: Db,
  prices: VenuePrices,
  actor: Actor,
  accountId: string,
  req: ClosePositionRequest,
): Promise<PlacedOrder> {
  const type = req.type ?? 'market';
  if (type === 'limit' && req.price === undefined)
    return Promise.reject(engineAppError('PRICE_REQUIRED', 'price'));
  return placeUnderLock(db, prices, actor, accountId, req.clientOrderId, (loaded) => {
    const position = loaded.engine.positions[req.symbol];
    if (!position) throw engineAppError('NO_POSITION_TO_CLOSE', 'symbol');
    return {
      symbol: req.symbol,
      side: position.quantity.isPos() ? 'sell' : 'buy',
      type,
      quantity: position.quantity.abs().toFixed(),
      reduceOnly: true,
      ...(type === 'limit' ? { price: req.price!, timeInForce: 'GTC' as const } : {}),
      ...(req.clientOrderId !== undefined ? { clientOrderId: req.clientOrderId } : {}),
    };
  });
}

export interface SymbolSettingView {
  symbol: string;
  leverage: number;
  marginMode: 'cross' | 'isolated';
  /** The highest leverage this account may choose here (a competition's cap included). */
  maxLeverage: number;
  /** The margin modes this account may choose (a competition may allow only one). */
  marginModes: ReadonlyArray<'cross' | 'isolated'>;
  /** Why this account cannot open a position here (a competition's markets), else null. */
  marketRule: string | null;
}

/** A symbol's setting as the engine applies it to this account (its catalogue, its rules). */
export function settingView(
  loaded: Pick<LoadedAccount, 'catalogue' | 'competition'>,
  account: Account,
  symbol: string,
): SymbolSettingView {
  const instrument = loaded.catalogue[symbol];
  const s = settingsOf(account, symbol, instrument);
  return {
    symbol,
    leverage: s.leverage,
    marginMode: s.marginMode,
    maxLeverage: instrument?.maxLeverage ?? s.leverage,
    marginModes: loaded.competition ? allowedModes(loaded.competition) : ['cross', 'isolated'],
    marketRule: loaded.competition ? marketRuleOf(loaded.competition, symbol) : null,
  };
}

/** Sets the leverage of a symbol (the engine checks the bracket and the margin it frees or needs). */
export function setLeverage(
  db: Db,
  prices: VenuePrices,
  actor: Actor,
  accountId: string,
  req: { symbol: string; leverage: number },
): Promise<SymbolSettingView> {
  return runEngine(db, actor, accountId, async (loaded) => {
    if (loaded.competition)
      enforceCompetitionRules(
        loaded.competition,
        { kind: 'leverage', symbol: req.symbol, leverage: req.leverage },
        Date.now(),
      );
    const market = await liveMarket(prices, loaded, req.symbol, Date.now());
    const result = engine(() =>
      engineSetLeverage(loaded.engine, market, req.symbol, req.leverage, Date.now()),
    );
    return { result, market, value: settingView(loaded, result.account, req.symbol) };
  });
}

/** Sets cross or isolated margin on a symbol (only without a position or open orders on it). */
export function setMarginMode(
  db: Db,
  prices: VenuePrices,
  actor: Actor,
  accountId: string,
  req: { symbol: string; marginMode: 'cross' | 'isolated' },
): Promise<SymbolSettingView> {
  return runEngine(db, actor, accountId, async (loaded) => {
    const market = marketOf(await prices.quotes(loaded.venueId), loaded.catalogue);
    if (!market.instruments[req.symbol]) throw engineAppError('UNKNOWN_SYMBOL', 'symbol');
    if (loaded.competition)
      enforceCompetitionRules(
        loaded.competition,
        { kind: 'marginMode', symbol: req.symbol, marginMode: req.marginMode },
        Date.now(),
      );
    const result = engine(() =>
      engineSetMarginMode(loaded.engine, market, req.symbol, req.marginMode, Date.now()),
    );
    return { result, market, value: settingView(loaded, result.account, req.symbol) };
  });
}

/** Adds margin to, or removes it from, an isolated position. */
export function adjustIsolatedMargin(
  db: Db,
  prices: VenuePrices,
  actor: Actor,
  accountId: string,
  req: { symbol: string; action: 'add' | 'remove'; amount: string },
): Promise<{ symbol: string; isolatedWallet: string }> {
  return runEngine(db, actor, accountId, async (loaded) => {
    if (loaded.competition)
      enforceCompetitionRules(
        loaded.competition,
        { kind: 'manage', symbol: req.symbol },
        Date.now(),
      );
    const market = await liveMarket(prices, loaded, req.symbol, Date.now());
    let amount: Decimal;
    try {
      amount = new Decimal(req.amount);
    } catch {
      throw engineAppError('INVALID_AMOUNT', 'amount');
    }
    if (!amount.isFinite() || amount.lte(0)) throw engineAppError('INVALID_AMOUNT', 'amount');
    const signed = req.action === 'add' ? amount : amount.negated();
    const result = engine(() =>
      engineAdjustMargin(loaded.engine, market, req.symbol, signed, Date.now()),
    );
    const p = result.account.positions[req.symbol];
    return {
      result,
      market,
      value: { symbol: req.symbol, isolatedWallet: p ? p.isolatedWallet.toFixed() : '0' },
    };
  });
}
