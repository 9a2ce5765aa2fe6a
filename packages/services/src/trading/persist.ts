// Writes one margin-engine result in the caller's transaction (which holds the account's row
// lock): the engine's events as the account history, then what they did to orders (with their
// status history), fills, funding payments, liquidations, positions, settings and the wallet, and
// the ledger lines of every movement of money. After it, the stored account equals the replay of
// its engine events (test/persistence.test.ts), and the account book's balance equals the wallet.
import { randomUUID } from 'node:crypto';
import { CHANNELS, type AccountChange } from '@lab/contracts';
import { Prisma } from '@lab/db';
import {
  eventToJson,
  ZERO,
  type Account,
  type Decimal,
  type EngineEvent,
  type EngineResult,
  type EventOf,
  type Market,
  type Order,
  type OrderStatus,
} from '@lab/margin-engine';
import { storedMode, type LoadedAccount } from '../engine-state.ts';
import { reserveEventSeqs } from '../account-events.ts';
import { ledgerLinesFor } from './ledger-lines.ts';

type Tx = Prisma.TransactionClient;
const D = (v: { toString(): string }) => new Prisma.Decimal(v.toString());
const optD = (v: Decimal | undefined) => (v === undefined ? null : D(v));

export interface PersistContext {
  /** The market the engine computed with: each fill records the mark it used. */
  market: Market;
  /** For a funding run: the funding time the payments belong to (one per position and time). */
  fundingTime?: number;
}

export interface Persisted {
  /** Sequence numbers of the account events written (empty range when nothing happened). */
  firstEventSeq: number;
  lastEventSeq: number;
  version: number;
  events: EngineEvent[];
}

type OrderEvent = Extract<EngineEvent, { orderId: string }> | EventOf<'orderAccepted'>;
const orderIdOf = (ev: EngineEvent): string | undefined =>
  ev.type === 'orderAccepted' ? ev.order.id : 'orderId' in ev ? ev.orderId : undefined;

interface OrderTouch {
  id: string;
  accepted?: EventOf<'orderAccepted'>;
  before?: Order;
  quantity: Decimal;
  filled: Decimal;
  currentType: string;
  price: Decimal | undefined;
  status: OrderStatus;
  code?: string | null;
  reason?: string | null;
  fillQty: Decimal;
  fillNotional: Decimal;
  updatedAt: number;
  history: Array<{
    status: OrderStatus;
    event: string;
    code?: string;
    reason?: string;
    seq: number;
    at: number;
  }>;
}

/** Follows each order through the result's events: its final fields and every status it took. */
function foldOrders(
  before: Account,
  events: readonly EngineEvent[],
  firstSeq: number,
): Map<string, OrderTouch> {
  const touched = new Map<string, OrderTouch>();
  events.forEach((ev, i) => {
    const id = orderIdOf(ev);
    if (id === undefined || ev.type === 'orderRejected') return;
    const seq = firstSeq + i;
    let t = touched.get(id);
    if (!t) {
      const b = before.orders[id];
      if (ev.type === 'orderAccepted') {
        const s = ev.order;
        t = {
          id,
          accepted: ev,
          quantity: s.quantity,
          filled: ZERO,
          currentType: s.orderType,
          price: s.price,
          status: s.status,
          fillQty: ZERO,
          fillNotional: ZERO,
          updatedAt: ev.time,
          history: [],
        };
      } else if (b) {
        t = {
          id,
          before: b,
          quantity: b.quantity,
          filled: b.filledQuantity,
          currentType: b.type,
          price: b.price,
          status: b.status,
          fillQty: ZERO,
          fillNotional: ZERO,
          updatedAt: ev.time,
          history: [],
        };
      } else {
        throw new Error(`engine event ${ev.type} for order ${id} that is neither open nor new`);
      }
      touched.set(id, t);
    }
    const e = ev as OrderEvent;
    t.updatedAt = e.time;
    switch (e.type) {
      case 'orderAccepted':
        t.history.push({ status: t.status, event: 'accepted', seq, at: e.time });
        break;
      case 'orderTriggered':
        t.status = 'new';
        t.quantity = e.quantity;
        t.currentType =
          t.currentType === 'stopLimit' || t.currentType === 'takeProfitLimit' ? 'limit' : 'market';
        t.history.push({ status: t.status, event: 'triggered', seq, at: e.time });
        break;
      case 'fill':
        t.filled = t.filled.plus(e.quantity);
        t.fillQty = t.fillQty.plus(e.quantity);
        t.fillNotional = t.fillNotional.plus(e.quantity.times(e.price));
        t.status = t.filled.eq(t.quantity) ? 'filled' : 'partiallyFilled';
        t.history.push({ status: t.status, event: 'fill', seq, at: e.time });
        break;
      case 'orderCanceled':
        t.status = 'canceled';
        t.reason = e.reason;
        t.history.push({ status: t.status, event: 'canceled', reason: e.reason, seq, at: e.time });
        break;
      case 'orderExpired':
        t.status = 'expired';
        t.code = e.code ?? null;
        t.reason = e.reason;
        t.history.push({
          status: t.status,
          event: 'expired',
          ...(e.code ? { code: e.code } : {}),
          reason: e.reason,
          seq,
          at: e.time,
        });
        break;
      default: {
        // orderAmended (and any later order event that changes price or quantity in place)
        const a = e as unknown as {
          type: string;
          price?: Decimal;
          quantity?: Decimal;
          time: number;
        };
        if (a.price) t.price = a.price;
        if (a.quantity) t.quantity = a.quantity;
        t.history.push({
          status: t.status,
          event: a.type === 'orderAmended' ? 'amended' : a.type.slice(0, 16),
          seq,
          at: a.time,
        });
      }
    }
  });
  return touched;
}

async function writeOrders(
  tx: Tx,
  loaded: LoadedAccount,
  touched: Map<string, OrderTouch>,
): Promise<void> {
  const created: Prisma.OrderCreateManyInput[] = [];
  for (const t of touched.values()) {
    if (!t.accepted) continue;
    const s = t.accepted.order;
    created.push({
      id: t.id,
      accountId: loaded.id,
      venueId: loaded.venueId,
      seq: s.seq,
      clientOrderId: s.clientOrderId ?? null,
      symbol: s.symbol,
      side: s.side,
      type: s.orderType,
      currentType: t.currentType,
      quantity: D(t.quantity),
      filledQuantity: D(t.filled),
      price: optD(t.price),
      stopPrice: optD(s.stopPrice),
      timeInForce: s.timeInForce,
      reduceOnly: s.reduceOnly,
      closePosition: s.closePosition,
      workingType: s.workingType,
      parentId: s.parentId ?? null,
      status: t.status,
      statusCode: t.code ?? null,
      statusReason: t.reason ?? null,
      averagePrice: t.fillQty.isZero() ? null : D(t.fillNotional.div(t.fillQty)),
      createdAt: new Date(t.accepted.time),
      updatedAt: new Date(t.updatedAt),
    });
  }
  if (created.length) await tx.order.createMany({ data: created });
  for (const t of touched.values()) {
    if (t.accepted) continue;
    // average price of every fill so far: the stored average over the stored filled quantity,
    // plus this result's fills (the right-hand sides read the row as it was)
    await tx.$executeRaw`
      UPDATE orders SET
        status = ${t.status},
        current_type = ${t.currentType},
        quantity = ${D(t.quantity)},
        price = ${optD(t.price)},
        filled_quantity = ${D(t.filled)},
        average_price = CASE WHEN ${D(t.fillQty)}::numeric = 0 THEN average_price
          ELSE (coalesce(average_price * filled_quantity, 0) + ${D(t.fillNotional)}::numeric) / ${D(t.filled)}::numeric END,
        status_code = coalesce(${t.code ?? null}, status_code),
        status_reason = coalesce(${t.reason ?? null}, status_reason),
        updated_at = ${new Date(t.updatedAt)}
      WHERE id = ${t.id}`;
  }
  const history = [...touched.values()].flatMap((t) =>
    t.history.map((h) => ({
      orderId: t.id,
      status: h.status,
      event: h.event,
      code: h.code ?? null,
      reason: h.reason?.slice(0, 200) ?? null,
      eventSeq: h.seq,
      at: new Date(h.at),
    })),
  );
  if (history.length) await tx.orderStatusChange.createMany({ data: history });
}

interface LiquidationGroup {
  trigger: EventOf<'liquidationTriggered'>;
  seq: number;
  closes: Array<{ ev: EventOf<'liquidation'>; seq: number }>;
  canceled: string[];
}

function groupLiquidations(events: readonly EngineEvent[], firstSeq: number): LiquidationGroup[] {
  const groups: LiquidationGroup[] = [];
  let cur: LiquidationGroup | undefined;
  events.forEach((ev, i) => {
    if (ev.type === 'liquidationTriggered') {
      cur = { trigger: ev, seq: firstSeq + i, closes: [], canceled: [] };
      groups.push(cur);
    } else if (ev.type === 'liquidation') {
      if (!cur) throw new Error('liquidation event without liquidationTriggered');
      cur.closes.push({ ev, seq: firstSeq + i });
    } else if (ev.type === 'orderCanceled' && ev.reason === 'liquidation' && cur) {
      cur.canceled.push(ev.orderId);
    }
  });
  return groups;
}

async function writeFillsAndLiquidations(
  tx: Tx,
  accountId: string,
  events: readonly EngineEvent[],
  firstSeq: number,
  ctx: PersistContext,
): Promise<void> {
  const markOf = (symbol: string, fallback: Decimal) => D(ctx.market.marks[symbol] ?? fallback);
  const fills: Prisma.FillCreateManyInput[] = [];
  events.forEach((ev, i) => {
    if (ev.type !== 'fill') return;
    fills.push({
      accountId,
      orderId: ev.orderId,
      symbol: ev.symbol,
      side: ev.side,
      quantity: D(ev.quantity),
      price: D(ev.price),
      markPrice: markOf(ev.symbol, ev.price),
      liquidity: ev.liquidity,
      feeRate: D(ev.feeRate),
      fee: D(ev.fee),
      realizedPnl: D(ev.realizedPnl),
      shortfall: D(ev.shortfall),
      eventSeq: firstSeq + i,
      time: new Date(ev.time),
    });
  });
  for (const g of groupLiquidations(events, firstSeq)) {
    const t = g.trigger;
    const fee = g.closes.reduce((s, c) => s.plus(c.ev.fee), ZERO);
    const shortfall = g.closes.reduce((s, c) => s.plus(c.ev.shortfall), ZERO);
    const row = await tx.liquidation.create({
      data: {
        accountId,
        mode: storedMode(t.mode),
        symbol: t.symbol ?? null,
        markPrice: optD(t.markPrice),
        marginBalance: D(t.marginBalance),
        maintenanceMargin: D(t.maintenanceMargin),
        marginRatio: t.marginRatio.isFinite() ? D(t.marginRatio.toDecimalPlaces(18)) : null,
        fee: D(fee),
        shortfall: D(shortfall),
        positionsClosed: g.closes.map((c) => ({
          symbol: c.ev.symbol,
          side: c.ev.side,
          quantity: c.ev.quantity.toFixed(),
          price: c.ev.price.toFixed(),
          partial: c.ev.partial,
          realizedPnl: c.ev.realizedPnl.toFixed(),
          fee: c.ev.fee.toFixed(),
          shortfall: c.ev.shortfall.toFixed(),
        })),
        ordersCanceled: g.canceled,
        eventSeq: g.seq,
        time: new Date(t.time),
      },
      select: { id: true },
    });
    for (const c of g.closes) {
      fills.push({
        accountId,
        orderId: null,
        liquidationId: row.id,
        symbol: c.ev.symbol,
        side: c.ev.side,
        quantity: D(c.ev.quantity),
        price: D(c.ev.price),
        markPrice: markOf(c.ev.symbol, c.ev.price),
        liquidity: 'taker',
        feeRate: c.ev.quantity.isZero()
          ? D(0)
          : D(c.ev.fee.div(c.ev.quantity.times(c.ev.price)).toDecimalPlaces(18)),
        fee: D(c.ev.fee),
        realizedPnl: D(c.ev.realizedPnl),
        shortfall: D(c.ev.shortfall),
        isLiquidation: true,
        eventSeq: c.seq,
        time: new Date(c.ev.time),
      });
    }
  }
  if (fills.length) await tx.fill.createMany({ data: fills });
}

async function writeFunding(
  tx: Tx,
  accountId: string,
  events: readonly EngineEvent[],
  firstSeq: number,
  ctx: PersistContext,
): Promise<void> {
  const rows: Prisma.FundingPaymentCreateManyInput[] = [];
  events.forEach((ev, i) => {
    if (ev.type !== 'fundingPaid') return;
    rows.push({
      accountId,
      symbol: ev.symbol,
      rate: D(ev.rate),
      markPrice: D(ev.markPrice),
      positionQuantity: D(ev.positionQuantity),
      amount: D(ev.amount),
      uncollected: D(ev.uncollected),
      fundingTime: new Date(ctx.fundingTime ?? ev.time),
      eventSeq: firstSeq + i,
      time: new Date(ev.time),
    });
  });
  if (rows.length) await tx.fundingPayment.createMany({ data: rows });
}

/** Positions as the engine left them; a position opened from flat or flipped restarts its openedAt. */
async function writePositions(
  tx: Tx,
  accountId: string,
  before: Account,
  after: Account,
  events: readonly EngineEvent[],
): Promise<void> {
  const reopened = new Map<string, number>();
  const sign = new Map<string, number>();
  for (const [s, p] of Object.entries(before.positions)) sign.set(s, p.quantity.isPos() ? 1 : -1);
  for (const ev of events) {
    if (ev.type !== 'positionChanged') continue;
    const prev = sign.get(ev.symbol) ?? 0;
    const next = ev.quantity.isZero() ? 0 : ev.quantity.isPos() ? 1 : -1;
    if (next !== 0 && next !== prev) reopened.set(ev.symbol, ev.time);
    sign.set(ev.symbol, next);
  }
  const gone = Object.keys(before.positions).filter((s) => !after.positions[s]);
  if (gone.length) await tx.position.deleteMany({ where: { accountId, symbol: { in: gone } } });
  for (const p of Object.values(after.positions)) {
    const b = before.positions[p.symbol];
    const opened = reopened.get(p.symbol);
    if (
      b &&
      opened === undefined &&
      b.quantity.eq(p.quantity) &&
      b.costBasis.eq(p.costBasis) &&
      b.isolatedWallet.eq(p.isolatedWallet) &&
      b.entryPrice.eq(p.entryPrice)
    )
      continue;
    const fields = {
      quantity: D(p.quantity),
      entryPrice: D(p.entryPrice),
      costBasis: D(p.costBasis),
      isolatedWallet: D(p.isolatedWallet),
    };
    await tx.position.upsert({
      where: { accountId_symbol: { accountId, symbol: p.symbol } },
      create: { accountId, symbol: p.symbol, ...fields, openedAt: new Date(opened ?? Date.now()) },
      update: { ...fields, ...(opened !== undefined ? { openedAt: new Date(opened) } : {}) },
    });
  }
}

async function writeSettings(
  tx: Tx,
  accountId: string,
  before: Account,
  after: Account,
): Promise<void> {
  for (const [symbol, s] of Object.entries(after.settings)) {
    const b = before.settings[symbol];
    if (b && b.leverage === s.leverage && b.marginMode === s.marginMode) continue;
    const data = { leverage: s.leverage, marginMode: storedMode(s.marginMode) };
    await tx.accountSymbolSetting.upsert({
      where: { accountId_symbol: { accountId, symbol } },
      create: { accountId, symbol, ...data },
      update: data,
    });
  }
}

/**
 * Persists an engine result for `loaded` (its state before the operation). Rejected orders
 * (orderRejected) are not stored: a refused request changes nothing. Returns the sequence range
 * of the events written and the account's new version.
 */
export async function persistResult(
  tx: Tx,
  loaded: LoadedAccount,
  result: EngineResult,
  ctx: PersistContext,
): Promise<Persisted> {
  const events = result.events.filter((e) => e.type !== 'orderRejected');
  if (events.length === 0)
    return {
      firstEventSeq: loaded.lastEventSeq + 1,
      lastEventSeq: loaded.lastEventSeq,
      version: loaded.version,
      events,
    };
  const before = loaded.engine;
  const after = result.account;
  const accountId = loaded.id;
  const firstSeq = await reserveEventSeqs(tx, accountId, events.length);

  await tx.accountEvent.createMany({
    data: events.map((ev, i) => ({
      accountId,
      seq: firstSeq + i,
      type: ev.type,
      payload: eventToJson(ev) as Prisma.InputJsonObject,
      createdAt: new Date(ev.time),
    })),
  });
  await writeOrders(tx, loaded, foldOrders(before, events, firstSeq));
  await writeFillsAndLiquidations(tx, accountId, events, firstSeq, ctx);
  await writeFunding(tx, accountId, events, firstSeq, ctx);
  await writePositions(tx, accountId, before, after, events);
  await writeSettings(tx, accountId, before, after);

  const lines = events.flatMap((ev, i) =>
    ledgerLinesFor(accountId, ev).map((l) => ({ ...l, eventSeq: firstSeq + i })),
  );
  if (lines.length) {
    const sum = lines.reduce((s, l) => s.plus(l.amount), new Prisma.Decimal(0));
    if (!sum.isZero()) throw new Error(`unbalanced ledger lines: they sum to ${sum.toFixed()}`);
    const txId = randomUUID();
    await tx.ledgerEntry.createMany({
      data: lines.map((l) => ({
        txId,
        book: l.book,
        kind: l.kind,
        amount: l.amount,
        memo: l.memo ?? null,
        accountId,
        eventSeq: l.eventSeq,
      })),
    });
  }

  const lastEventSeq = firstSeq + events.length - 1;
  const { version } = await tx.paperAccount.update({
    where: { id: accountId },
    data: {
      walletBalance: D(after.walletBalance),
      nextOrderSeq: after.nextSeq,
      version: { increment: 1 },
    },
    select: { version: true },
  });
  await notifyAccountChange(tx, { accountId, venue: loaded.venueId, version });
  return { firstEventSeq: firstSeq, lastEventSeq, version, events };
}

/** Tells the web servers and the worker, once the transaction commits, that the account changed. */
export async function notifyAccountChange(tx: Tx, change: AccountChange): Promise<void> {
  await tx.$executeRaw`SELECT pg_notify(${CHANNELS.accountChanges}, ${JSON.stringify(change)})`;
}
