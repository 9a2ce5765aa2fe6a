// What a trader reads about an account: the summary and positions with the engine's figures
// (figuresOf, from one consistent snapshot of the account), and the paged lists of orders,
// fills, funding payments, liquidations and ledger lines. Lists are newest first; `cursor` is the
// `nextCursor` of the previous page (an account sequence number, exclusive).
import { Prisma, type Db } from '@lab/db';
import { SYMBOLS } from '@lab/margin-engine';
import { QUOTE_ASSET } from '../config.ts';
import { loadAccountState, marketFor, OPEN_STATUSES, type LoadedAccount } from '../engine-state.ts';
import { AppError } from '../errors.ts';
import { tradesSharedAccount } from '../teaching/shared-accounts.ts';
import { engineAppError } from './engine-errors.ts';
import { accountBook } from './ledger-lines.ts';
import { figuresOf, type AccountFigures, type PositionFigures } from './figures.ts';
import { effectiveStatus, type VenuePrices } from './prices.ts';
import type { Actor } from './run.ts';
import { findOrder, settingView, type OrderRef, type SymbolSettingView } from './orders.ts';
import {
  fillView,
  fillViewSelect,
  fundingView,
  liquidationView,
  orderView,
  orderViewSelect,
  type FillView,
  type FundingView,
  type LiquidationView,
  type OrderView,
} from './views.ts';

type Tx = Prisma.TransactionClient;

const notFound = () => new AppError('NOT_FOUND', 'Account not found.');

/** A page of a list: `nextCursor` is null on the last page. */
export interface Page<T> {
  items: T[];
  nextCursor: number | null;
}

export interface PageQuery {
  limit: number;
  /** Exclusive: the nextCursor of the previous page. */
  cursor?: number | null | undefined;
}

export interface TimeRange {
  /** Epoch ms, inclusive. */
  from?: number | undefined;
  /** Epoch ms, exclusive. */
  to?: number | undefined;
}

function page<R, T>(rows: R[], limit: number, seqOf: (r: R) => number, view: (r: R) => T): Page<T> {
  const items = rows.slice(0, limit);
  return {
    items: items.map(view),
    nextCursor: rows.length > limit && items.length ? seqOf(items.at(-1)!) : null,
  };
}

const timeWhere = (r: TimeRange) =>
  r.from === undefined && r.to === undefined
    ? undefined
    : {
        ...(r.from !== undefined ? { gte: new Date(r.from) } : {}),
        ...(r.to !== undefined ? { lt: new Date(r.to) } : {}),
      };

/**
 * NOT_FOUND unless the actor may read the account (a user: their own, or a shared team account
 * they trade).
 */
async function assertReadable(db: Db | Tx, actor: Actor, accountId: string): Promise<void> {
  const row = await db.paperAccount.findFirst({
    where: { id: accountId, ...(actor.kind === 'user' ? { userId: actor.userId } : {}) },
    select: { id: true },
  });
  if (!row && !(actor.kind === 'user' && (await tradesSharedAccount(db, actor.userId, accountId))))
    throw notFound();
}

/**
 * The account's engine state if the actor may read it (else NOT_FOUND). One statement, so one
 * consistent picture of the account without a transaction around it.
 */
export async function readAccount(db: Db | Tx, actor: Actor, accountId: string) {
  const loaded = await loadAccountState(db, accountId);
  if (
    !loaded ||
    (actor.kind === 'user' &&
      loaded.userId !== actor.userId &&
      !(await tradesSharedAccount(db, actor.userId, accountId)))
  )
    throw notFound();
  return loaded;
}

/** The account's engine state and its positions' open time and funding, in one snapshot. */
async function readWithPositions(db: Db, actor: Actor, accountId: string) {
  return db.$transaction(
    async (tx) => {
      const loaded = await readAccount(tx, actor, accountId);
      const positions = await tx.$queryRaw<
        Array<{ symbol: string; opened_at: Date; funding: Prisma.Decimal }>
      >`SELECT p.symbol, p.opened_at, coalesce(sum(f.amount), 0) AS funding
          FROM positions p
          LEFT JOIN funding_payments f
            ON f.account_id = p.account_id AND f.symbol = p.symbol AND f.time >= p.opened_at
         WHERE p.account_id = ${accountId}::uuid
         GROUP BY p.symbol, p.opened_at`;
      return { loaded, positions };
    },
    { isolationLevel: Prisma.TransactionIsolationLevel.RepeatableRead },
  );
}

async function figuresAt(prices: VenuePrices, loaded: LoadedAccount) {
  const quotes = await prices.quotes(loaded.venueId);
  const marks = new Map([...quotes].map(([s, q]) => [s, q.markPrice]));
  const last = new Map(
    [...quotes].flatMap(([s, q]) => (q.lastPrice ? [[s, q.lastPrice] as const] : [])),
  );
  const { market, unpriced } = marketFor(loaded.engine, marks, last, loaded.catalogue);
  return { figures: figuresOf(loaded.engine, market), unpriced, quotes };
}

export interface TradingSummary extends AccountFigures {
  accountId: string;
  venueId: string;
  status: 'ACTIVE' | 'ARCHIVED';
  asset: string;
  /** Increases with every change of the account (the live stream's version). */
  version: number;
  openPositions: number;
  openOrders: number;
  /** Symbols with a position but no mark yet: valued at their entry price. */
  unpricedSymbols: string[];
}

/** Wallet, margin balance, unrealized PnL, available balance, maintenance, cross margin ratio. */
export async function getTradingSummary(
  db: Db,
  prices: VenuePrices,
  actor: Actor,
  accountId: string,
): Promise<TradingSummary> {
  const loaded = await readAccount(db, actor, accountId);
  const { figures, unpriced } = await figuresAt(prices, loaded);
  return {
    accountId,
    venueId: loaded.venueId,
    status: loaded.status,
    asset: QUOTE_ASSET,
    version: loaded.version,
    ...figures.account,
    openPositions: Object.keys(loaded.engine.positions).length,
    openOrders: Object.keys(loaded.engine.orders).length,
    unpricedSymbols: unpriced,
  };
}

export interface PositionView extends PositionFigures {
  openedAt: number;
  /** Net funding paid since the position opened (negative: received). */
  fundingPaid: string;
  /** The symbol's market: live, stale, halted or connecting. */
  marketStatus: string;
}

/** Open positions with the engine's figures: size, entry, mark, liquidation price, margin, ... */
export async function listPositions(
  db: Db,
  prices: VenuePrices,
  actor: Actor,
  accountId: string,
): Promise<PositionView[]> {
  const { loaded, positions } = await readWithPositions(db, actor, accountId);
  const { figures, quotes } = await figuresAt(prices, loaded);
  const extra = new Map(positions.map((p) => [p.symbol, p]));
  const now = Date.now();
  return figures.positions.map((p) => {
    const x = extra.get(p.symbol);
    return {
      ...p,
      openedAt: x?.opened_at.getTime() ?? 0,
      fundingPaid: new Prisma.Decimal(x?.funding ?? 0).negated().toFixed(),
      marketStatus: effectiveStatus(quotes.get(p.symbol), now),
    };
  });
}

/** Leverage and margin mode of every symbol (or one), defaults included. */
export async function getSymbolSettings(
  db: Db,
  actor: Actor,
  accountId: string,
  opts: { symbol?: string } = {},
): Promise<SymbolSettingView[]> {
  const loaded = await readAccount(db, actor, accountId);
  if (opts.symbol !== undefined && !Object.hasOwn(loaded.catalogue, opts.symbol))
    throw engineAppError('UNKNOWN_SYMBOL', 'symbol');
  const symbols = opts.symbol !== undefined ? [opts.symbol] : [...SYMBOLS];
  return symbols.map((symbol) => settingView(loaded, loaded.engine, symbol));
}

export interface OrderQuery extends PageQuery, TimeRange {
  symbol?: string | undefined;
}

/** Orders still working (untriggered, new, partially filled), newest first. */
export async function listOpenOrders(
  db: Db,
  actor: Actor,
  accountId: string,
  q: OrderQuery,
): Promise<Page<OrderView>> {
  return listOrders(db, actor, accountId, q, true);
}

/** Every order of the account, whatever its status, newest first. */
export async function listOrderHistory(
  db: Db,
  actor: Actor,
  accountId: string,
  q: OrderQuery,
): Promise<Page<OrderView>> {
  return listOrders(db, actor, accountId, q, false);
}

async function listOrders(
  db: Db,
  actor: Actor,
  accountId: string,
  q: OrderQuery,
  openOnly: boolean,
): Promise<Page<OrderView>> {
  await assertReadable(db, actor, accountId);
  const createdAt = timeWhere(q);
  const rows = await db.order.findMany({
    where: {
      accountId,
      ...(openOnly ? { status: { in: [...OPEN_STATUSES] } } : {}),
      ...(q.symbol !== undefined ? { symbol: q.symbol } : {}),
      ...(q.cursor ? { seq: { lt: q.cursor } } : {}),
      ...(createdAt ? { createdAt } : {}),
    },
    select: orderViewSelect,
    orderBy: { seq: 'desc' },
    take: q.limit + 1,
  });
  return page(rows, q.limit, (r) => r.seq, orderView);
}

/** One order of the account by engine id, order number or client order id. */
export async function getOrder(
  db: Db,
  actor: Actor,
  accountId: string,
  ref: OrderRef,
): Promise<OrderView> {
  await assertReadable(db, actor, accountId);
  const row = await findOrder(db, accountId, ref);
  if (!row)
    throw new AppError('NOT_FOUND', 'No order with this id on the account.', {
      field: 'orderId' in ref ? 'orderId' : 'orderNo' in ref ? 'orderNo' : 'clientOrderId',
      reason: 'ORDER_NOT_FOUND',
    });
  return orderView(row);
}

export interface FillQuery extends PageQuery, TimeRange {
  symbol?: string | undefined;
  orderId?: string | undefined;
}

/** Fills of orders and of liquidations (the trades of the account), newest first. */
export async function listFills(
  db: Db,
  actor: Actor,
  accountId: string,
  q: FillQuery,
): Promise<Page<FillView>> {
  await assertReadable(db, actor, accountId);
  const time = timeWhere(q);
  const rows = await db.fill.findMany({
    where: {
      accountId,
      ...(q.symbol !== undefined ? { symbol: q.symbol } : {}),
      ...(q.orderId !== undefined ? { orderId: q.orderId } : {}),
      ...(q.cursor ? { eventSeq: { lt: q.cursor } } : {}),
      ...(time ? { time } : {}),
    },
    select: fillViewSelect,
    orderBy: { eventSeq: 'desc' },
    take: q.limit + 1,
  });
  return page(rows, q.limit, (r) => r.eventSeq, fillView);
}

export interface SymbolQuery extends PageQuery, TimeRange {
  symbol?: string | undefined;
}

export async function listFundingPayments(
  db: Db,
  actor: Actor,
  accountId: string,
  q: SymbolQuery,
): Promise<Page<FundingView>> {
  await assertReadable(db, actor, accountId);
  const time = timeWhere(q);
  const rows = await db.fundingPayment.findMany({
    where: {
      accountId,
      ...(q.symbol !== undefined ? { symbol: q.symbol } : {}),
      ...(q.cursor ? { eventSeq: { lt: q.cursor } } : {}),
      ...(time ? { time } : {}),
    },
    orderBy: { eventSeq: 'desc' },
    take: q.limit + 1,
  });
  return page(rows, q.limit, (r) => r.eventSeq, fundingView);
}

export async function listLiquidations(
  db: Db,
  actor: Actor,
  accountId: string,
  q: SymbolQuery,
): Promise<Page<LiquidationView>> {
  await assertReadable(db, actor, accountId);
  const time = timeWhere(q);
  const rows = await db.liquidation.findMany({
    where: {
      accountId,
      ...(q.symbol !== undefined ? { symbol: q.symbol } : {}),
      ...(q.cursor ? { eventSeq: { lt: q.cursor } } : {}),
      ...(time ? { time } : {}),
    },
    orderBy: { eventSeq: 'desc' },
    take: q.limit + 1,
  });
  return page(rows, q.limit, (r) => r.eventSeq, liquidationView);
}

/** Kinds of ledger lines on an account's book (see trading/ledger-lines.ts). */
export const LEDGER_KINDS = [
  'deposit',
  'withdrawal',
  'realizedPnl',
  'fee',
  'funding',
  'liquidationFee',
  'shortfall',
] as const;
export type LedgerKind = (typeof LEDGER_KINDS)[number];

export interface LedgerLineView {
  id: string;
  /** realizedPnl, fee, funding, liquidationFee, shortfall, deposit, withdrawal. */
  kind: string;
  /** Signed: positive into the account. */
  amount: string;
  /** The account event that moved the money, its type and symbol. */
  seq: number;
  eventType: string | null;
  symbol: string | null;
  time: number;
}

export interface LedgerQuery extends PageQuery, TimeRange {
  kind?: LedgerKind | undefined;
}

/** The most lines one engine event puts on an account's book (a fill: PnL, fee, shortfall). */
const MAX_LINES_PER_EVENT = 3;

/**
 * The account's ledger lines (every movement of its money), newest event first. A page holds
 * whole events: up to `limit` lines, more only when a single event has more. Paged by line id
 * (the book's index): within an account's book, ids follow its events, each written under the
 * account's lock.
 */
export async function listLedger(
  db: Db,
  actor: Actor,
  accountId: string,
  q: LedgerQuery,
): Promise<Page<LedgerLineView>> {
  await assertReadable(db, actor, accountId);
  const createdAt = timeWhere(q);
  const rows = (
    await db.ledgerEntry.findMany({
      where: {
        book: accountBook(accountId),
        eventSeq: { not: null },
        ...(q.cursor ? { id: { lt: BigInt(q.cursor) } } : {}),
        ...(q.kind !== undefined ? { kind: q.kind } : {}),
        ...(createdAt ? { createdAt } : {}),
      },
      orderBy: { id: 'desc' },
      take: q.limit + MAX_LINES_PER_EVENT + 1,
    })
  ).sort((a, b) => b.eventSeq! - a.eventSeq! || (a.id < b.id ? -1 : 1));
  let items = rows;
  let more = false;
  if (rows.length > q.limit) {
    const boundary = rows[q.limit]!.eventSeq!;
    items = rows.filter((r) => r.eventSeq! > boundary);
    if (!items.length) items = rows.filter((r) => r.eventSeq === boundary);
    more = rows.some((r) => r.eventSeq! < items.at(-1)!.eventSeq!);
  }
  const seqs = [...new Set(items.map((r) => r.eventSeq!))];
  const events = await db.accountEvent.findMany({
    where: { accountId, seq: { in: seqs } },
    select: { seq: true, type: true, payload: true },
  });
  const bySeq = new Map(events.map((e) => [e.seq, e]));
  return {
    items: items.map((r) => {
      const ev = bySeq.get(r.eventSeq!);
      const sym = (ev?.payload as { symbol?: unknown } | undefined)?.symbol;
      return {
        id: r.id.toString(),
        kind: r.kind,
        amount: r.amount.toFixed(),
        seq: r.eventSeq!,
        eventType: ev?.type ?? null,
        symbol: typeof sym === 'string' ? sym : null,
        time: r.createdAt.getTime(),
      };
    }),
    nextCursor: more ? Number(items.reduce((m, r) => (r.id < m ? r.id : m), items[0]!.id)) : null,
  };
}
