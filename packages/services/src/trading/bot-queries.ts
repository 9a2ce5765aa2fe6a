// Reads the bot API needs in the order and windows Binance defines them (oldest first, the most
// recent `limit` when no start is given, ids from a given one), beside the tRPC read models (newest
// first, cursor pages). Same access rule: a user reads only their own accounts.
import { Prisma, type Db } from '@lab/db';
import { OPEN_STATUSES } from '../engine-state.ts';
import { AppError } from '../errors.ts';
import { accountBook } from './ledger-lines.ts';
import type { Actor } from './run.ts';
import {
  fillView,
  fillViewSelect,
  orderView,
  orderViewSelect,
  type FillView,
  type OrderView,
} from './views.ts';

const notFound = () => new AppError('NOT_FOUND', 'Account not found.');

async function assertReadable(db: Db, actor: Actor, accountId: string): Promise<void> {
  const row = await db.paperAccount.findFirst({
    where: { id: accountId, ...(actor.kind === 'user' ? { userId: actor.userId } : {}) },
    select: { id: true },
  });
  if (!row) throw notFound();
}

export interface BotWindow {
  /** Epoch ms, inclusive. */
  startTime?: number | undefined;
  /** Epoch ms, inclusive (Binance's windows include their end). */
  endTime?: number | undefined;
  limit: number;
}

const between = (w: BotWindow) =>
  w.startTime === undefined && w.endTime === undefined
    ? undefined
    : {
        ...(w.startTime !== undefined ? { gte: new Date(w.startTime) } : {}),
        ...(w.endTime !== undefined ? { lte: new Date(w.endTime) } : {}),
      };

/** `rows` newest first -> oldest first. */
const ascending = <T>(rows: T[]) => rows.reverse();

export interface BotOrderQuery extends BotWindow {
  symbol?: string | undefined;
  /** Orders with this order number or a later one. */
  fromOrderNo?: bigint | undefined;
  openOnly?: boolean;
  /**
   * regular: market and limit orders, and conditional ones once triggered (Binance's orders);
   * conditional: stop and take-profit orders, triggered or not (Binance's algo orders).
   */
  kind?: 'regular' | 'conditional';
}

const PLAIN_TYPES = ['market', 'limit'];

/**
 * Orders of the account, oldest first: from `fromOrderNo` on when given (the first `limit`),
 * otherwise the most recent `limit` in the window.
 */
export async function listBotOrders(
  db: Db,
  actor: Actor,
  accountId: string,
  q: BotOrderQuery,
): Promise<OrderView[]> {
  await assertReadable(db, actor, accountId);
  const createdAt = between(q);
  const where: Prisma.OrderWhereInput = {
    accountId,
    ...(q.openOnly ? { status: { in: [...OPEN_STATUSES] } } : {}),
    ...(q.kind === 'regular' ? { currentType: { in: PLAIN_TYPES } } : {}),
    ...(q.kind === 'conditional' ? { type: { notIn: PLAIN_TYPES } } : {}),
    ...(q.symbol !== undefined ? { symbol: q.symbol } : {}),
    ...(q.fromOrderNo !== undefined ? { orderNo: { gte: q.fromOrderNo } } : {}),
    ...(createdAt ? { createdAt } : {}),
  };
  const rows =
    q.fromOrderNo !== undefined
      ? await db.order.findMany({
          where,
          select: orderViewSelect,
          orderBy: { orderNo: 'asc' },
          take: q.limit,
        })
      : ascending(
          // newest first by seq: within an account the order of orderNo, and the index's
          await db.order.findMany({
            where,
            select: orderViewSelect,
            orderBy: { seq: 'desc' },
            take: q.limit,
          }),
        );
  return rows.map(orderView);
}

/** Sum of price x quantity of each order's fills (Binance's cumQuote), as decimal strings. */
export async function orderQuoteTotals(
  db: Db | Prisma.TransactionClient,
  orderIds: readonly string[],
): Promise<Map<string, string>> {
  if (!orderIds.length) return new Map();
  const rows = await db.$queryRaw<Array<{ order_id: string; quote: Prisma.Decimal }>>`
    SELECT order_id, sum(price * quantity) AS quote FROM fills
     WHERE order_id = ANY(${[...orderIds]}::varchar[]) GROUP BY order_id`;
  return new Map(rows.map((r) => [r.order_id, new Prisma.Decimal(r.quote).toFixed()]));
}

export interface BotTradeQuery extends BotWindow {
  symbol?: string | undefined;
  /** The engine id of the order whose fills to list. */
  orderId?: string | undefined;
  /** Fills with this id or a later one. */
  fromId?: bigint | undefined;
}

export interface BotFill extends FillView {
  /** The order's number (the bot API's orderId); null for a liquidation close. */
  orderNo: string | null;
}

/** Fills of the account, oldest first (from `fromId` on, else the most recent `limit`). */
export async function listBotFills(
  db: Db,
  actor: Actor,
  accountId: string,
  q: BotTradeQuery,
): Promise<BotFill[]> {
  await assertReadable(db, actor, accountId);
  const time = between(q);
  const where: Prisma.FillWhereInput = {
    accountId,
    ...(q.symbol !== undefined ? { symbol: q.symbol } : {}),
    ...(q.orderId !== undefined ? { orderId: q.orderId } : {}),
    ...(q.fromId !== undefined ? { id: { gte: q.fromId } } : {}),
    ...(time ? { time } : {}),
  };
  const select = { ...fillViewSelect, order: { select: { orderNo: true } } } as const;
  const rows =
    q.fromId !== undefined
      ? await db.fill.findMany({ where, select, orderBy: { id: 'asc' }, take: q.limit })
      : ascending(
          await db.fill.findMany({ where, select, orderBy: { id: 'desc' }, take: q.limit }),
        );
  return rows.map((r) => ({ ...fillView(r), orderNo: r.order?.orderNo.toString() ?? null }));
}

/** Binance's income types for the kinds of ledger line on an account's book. */
export const INCOME_TYPE_OF_KIND: Readonly<Record<string, string>> = {
  deposit: 'TRANSFER',
  withdrawal: 'TRANSFER',
  realizedPnl: 'REALIZED_PNL',
  fee: 'COMMISSION',
  funding: 'FUNDING_FEE',
  liquidationFee: 'INSURANCE_CLEAR',
  shortfall: 'INSURANCE_CLEAR',
};

export interface IncomeQuery extends BotWindow {
  symbol?: string | undefined;
  /** Binance's incomeType (REALIZED_PNL, FUNDING_FEE, COMMISSION, TRANSFER, INSURANCE_CLEAR). */
  incomeType?: string | undefined;
}

export interface IncomeLine {
  /** The ledger line's id (Binance's tranId). */
  id: string;
  incomeType: string;
  /** Signed: positive into the account. */
  amount: string;
  symbol: string | null;
  /** The fill that moved it (Binance's tradeId), if one did. */
  fillId: string | null;
  time: number;
}

/** Money in and out of the account (its ledger lines), oldest first, the most recent `limit`. */
export async function listIncome(
  db: Db,
  actor: Actor,
  accountId: string,
  q: IncomeQuery,
): Promise<IncomeLine[]> {
  await assertReadable(db, actor, accountId);
  const kinds = Object.entries(INCOME_TYPE_OF_KIND)
    .filter(([, t]) => q.incomeType === undefined || t === q.incomeType)
    .map(([k]) => k);
  if (!kinds.length) return [];
  const conds = [Prisma.sql`l.book = b.book`, Prisma.sql`l.kind = ANY(${kinds}::varchar[])`];
  if (q.startTime !== undefined) conds.push(Prisma.sql`l.created_at >= ${new Date(q.startTime)}`);
  if (q.endTime !== undefined) conds.push(Prisma.sql`l.created_at <= ${new Date(q.endTime)}`);
  if (q.symbol !== undefined) conds.push(Prisma.sql`e.payload->>'symbol' = ${q.symbol}`);
  const rows = await db.$queryRaw<
    Array<{
      id: bigint;
      kind: string;
      amount: Prisma.Decimal;
      created_at: Date;
      symbol: string | null;
      fill_id: bigint | null;
    }>
  >`SELECT r.* FROM
      -- The book as an outer value (OFFSET 0 keeps it one): planned for a book at the ordinary
      -- share of lines, the query walks the book's index. With the book as a constant, an account
      -- holding a large share of all lines, all of them old, was planned as a walk back through
      -- every line of every book (0.58 s at 1.1 M lines, against 0.57 ms).
      (SELECT ${accountBook(accountId)}::varchar AS book OFFSET 0) b
      CROSS JOIN LATERAL (
        SELECT l.id, l.kind, l.amount, l.created_at, e.payload->>'symbol' AS symbol,
               f.id AS fill_id
          FROM ledger_entries l
          LEFT JOIN account_events e ON e.account_id = ${accountId}::uuid AND e.seq = l.event_seq
          LEFT JOIN LATERAL (
            SELECT id FROM fills
             WHERE account_id = ${accountId}::uuid AND event_seq = l.event_seq ORDER BY id LIMIT 1
          ) f ON true
         WHERE ${Prisma.join(conds, ' AND ')}
         ORDER BY l.id DESC
         LIMIT ${q.limit}
      ) r`;
  return ascending(rows).map((r) => ({
    id: r.id.toString(),
    incomeType: INCOME_TYPE_OF_KIND[r.kind]!,
    amount: new Prisma.Decimal(r.amount).toFixed(),
    symbol: r.symbol,
    fillId: r.fill_id?.toString() ?? null,
    time: r.created_at.getTime(),
  }));
}
