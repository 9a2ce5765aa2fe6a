// Writes margin-engine results in the caller's transaction (which holds the accounts' row locks):
// the engine's events as each account's history, then what they did to orders (with their status
// history), fills, funding payments, liquidations, positions, settings and the wallet, and the
// ledger lines of every movement of money. After it, each stored account equals the replay of its
// engine events (test/persistence.test.ts), and each account book's balance equals its wallet.
//
// One code path for one account and for hundreds: every table is written with one bulk statement
// per batch (INSERT ... SELECT FROM unnest, UPDATE ... FROM unnest), so a batch of the worker's
// liquidations costs about a dozen round trips whatever its size, and a single request the same.
import { randomUUID } from 'node:crypto';
import { CHANNELS, type AccountChange } from '@lab/contracts';
import type { Prisma } from '@lab/db';
import {
  eventToJson,
  ZERO,
  type Decimal,
  type EngineEvent,
  type EngineResult,
  type Market,
} from '@lab/margin-engine';
import { storedMode, type LoadedAccount } from '../engine-state.ts';
import { insertRows, insertRowsReturning, unnestFrom, type Column } from './bulk-sql.ts';
import { ledgerLinesFor } from './ledger-lines.ts';
import { foldOrders, groupLiquidations, reopenedPositions } from './persist-rows.ts';

type Tx = Prisma.TransactionClient;
const s = (v: Decimal | { toFixed(): string }) => v.toFixed();
const optS = (v: Decimal | undefined) => (v === undefined ? null : v.toFixed());
const at = (ms: number) => new Date(ms);

export interface PersistContext {
  /** The market the engine computed with: each fill records the mark it used. */
  market: Market;
  /** For a funding run: the funding time the payments belong to (one per position and time). */
  fundingTime?: number;
  /**
   * The mark of each fill or liquidation close when the result spans several prices (the
   * worker applies a tick path); a fill not in it records `market`'s mark.
   */
  eventMarks?: ReadonlyMap<EngineEvent, Decimal>;
}

export interface Persisted {
  /** Sequence numbers of the account events written (empty range when nothing happened). */
  firstEventSeq: number;
  lastEventSeq: number;
  version: number;
  events: EngineEvent[];
}

/** One account's engine result to persist: the account as loaded (under its lock) and the result. */
export interface PersistItem {
  loaded: LoadedAccount;
  result: EngineResult;
  ctx: PersistContext;
}

interface Work {
  item: PersistItem;
  events: EngineEvent[];
  firstSeq: number;
  version: number;
}

const EVENT_COLUMNS: Column[] = [
  ['account_id', 'uuid'],
  ['seq', 'int'],
  ['type', 'text'],
  ['payload', 'jsonb'],
  ['created_at', 'timestamptz'],
];

const ORDER_COLUMNS: Column[] = [
  ['id', 'text'],
  ['account_id', 'uuid'],
  ['venue_id', 'text'],
  ['seq', 'int'],
  ['client_order_id', 'text'],
  ['symbol', 'text'],
  ['side', 'text'],
  ['type', 'text'],
  ['current_type', 'text'],
  ['quantity', 'numeric'],
  ['filled_quantity', 'numeric'],
  ['price', 'numeric'],
  ['stop_price', 'numeric'],
  ['time_in_force', 'text'],
  ['reduce_only', 'boolean'],
  ['close_position', 'boolean'],
  ['working_type', 'text'],
  ['parent_id', 'text'],
  ['status', 'text'],
  ['status_code', 'text'],
  ['status_reason', 'text'],
  ['average_price', 'numeric'],
  ['created_at', 'timestamptz'],
  ['updated_at', 'timestamptz'],
];

const ORDER_UPDATE_COLUMNS: Column[] = [
  ['id', 'text'],
  ['status', 'text'],
  ['current_type', 'text'],
  ['quantity', 'numeric'],
  ['price', 'numeric'],
  ['filled', 'numeric'],
  ['fill_qty', 'numeric'],
  ['fill_notional', 'numeric'],
  ['code', 'text'],
  ['reason', 'text'],
  ['updated_at', 'timestamptz'],
];

const HISTORY_COLUMNS: Column[] = [
  ['order_id', 'text'],
  ['status', 'text'],
  ['event', 'text'],
  ['code', 'text'],
  ['reason', 'text'],
  ['event_seq', 'int'],
  ['at', 'timestamptz'],
];

const LIQUIDATION_COLUMNS: Column[] = [
  ['account_id', 'uuid'],
  ['mode', '"MarginMode"'],
  ['symbol', 'text'],
  ['mark_price', 'numeric'],
  ['margin_balance', 'numeric'],
  ['maintenance_margin', 'numeric'],
  ['margin_ratio', 'numeric'],
  ['fee', 'numeric'],
  ['shortfall', 'numeric'],
  ['positions_closed', 'jsonb'],
  ['orders_canceled', 'jsonb'],
  ['event_seq', 'int'],
  ['time', 'timestamptz'],
];

const FILL_COLUMNS: Column[] = [
  ['account_id', 'uuid'],
  ['order_id', 'text'],
  ['liquidation_id', 'bigint'],
  ['symbol', 'text'],
  ['side', 'text'],
  ['quantity', 'numeric'],
  ['price', 'numeric'],
  ['mark_price', 'numeric'],
  ['liquidity', 'text'],
  ['fee_rate', 'numeric'],
  ['fee', 'numeric'],
  ['realized_pnl', 'numeric'],
  ['shortfall', 'numeric'],
  ['is_liquidation', 'boolean'],
  ['event_seq', 'int'],
  ['time', 'timestamptz'],
];

const FUNDING_COLUMNS: Column[] = [
  ['account_id', 'uuid'],
  ['symbol', 'text'],
  ['rate', 'numeric'],
  ['mark_price', 'numeric'],
  ['position_quantity', 'numeric'],
  ['amount', 'numeric'],
  ['uncollected', 'numeric'],
  ['funding_time', 'timestamptz'],
  ['event_seq', 'int'],
  ['time', 'timestamptz'],
];

const POSITION_COLUMNS: Column[] = [
  ['account_id', 'uuid'],
  ['symbol', 'text'],
  ['quantity', 'numeric'],
  ['entry_price', 'numeric'],
  ['cost_basis', 'numeric'],
  ['isolated_wallet', 'numeric'],
  ['opened_at', 'timestamptz'],
];

const LEDGER_COLUMNS: Column[] = [
  ['tx_id', 'uuid'],
  ['book', 'text'],
  ['kind', 'text'],
  ['amount', 'numeric'],
  ['memo', 'text'],
  ['account_id', 'uuid'],
  ['event_seq', 'int'],
];

/**
 * Reserves each account's event sequence numbers and writes its wallet, order sequence and
 * version in one statement; returns the first sequence number and the new version per account.
 */
async function updateAccounts(
  tx: Tx,
  items: ReadonlyArray<{ item: PersistItem; events: EngineEvent[] }>,
): Promise<Map<string, { firstSeq: number; version: number }>> {
  const { sql, params } = unnestFrom(
    [
      ['id', 'uuid'],
      ['wallet', 'numeric'],
      ['next_seq', 'int'],
      ['n', 'int'],
    ],
    items.map(({ item, events }) => [
      item.loaded.id,
      s(item.result.account.walletBalance),
      item.result.account.nextSeq,
      events.length,
    ]),
  );
  const rows = await tx.$queryRawUnsafe<Array<{ id: string; last: number; version: number }>>(
    `UPDATE paper_accounts p SET wallet_balance = u.wallet, next_order_seq = u.next_seq,
       last_event_seq = p.last_event_seq + u.n, version = p.version + 1
     FROM ${sql} WHERE p.id = u.id
     RETURNING p.id::text AS id, p.last_event_seq AS last, p.version`,
    ...params,
  );
  const out = new Map<string, { firstSeq: number; version: number }>();
  const count = new Map(items.map(({ item, events }) => [item.loaded.id, events.length]));
  for (const r of rows)
    out.set(r.id, { firstSeq: r.last - count.get(r.id)! + 1, version: r.version });
  for (const { item } of items)
    if (!out.has(item.loaded.id)) throw new Error(`no account ${item.loaded.id}`);
  return out;
}

async function writeOrders(tx: Tx, work: readonly Work[]): Promise<void> {
  const created: unknown[][] = [];
  const updated: unknown[][] = [];
  const history: unknown[][] = [];
  for (const w of work) {
    const { loaded } = w.item;
    for (const t of foldOrders(loaded.engine, w.events, w.firstSeq).values()) {
      for (const h of t.history)
        history.push([
          t.id,
          h.status,
          h.event,
          h.code ?? null,
          h.reason?.slice(0, 200) ?? null,
          h.seq,
          at(h.at),
        ]);
      if (t.accepted) {
        const o = t.accepted.order;
        created.push([
          t.id,
          loaded.id,
          loaded.venueId,
          o.seq,
          o.clientOrderId ?? null,
          o.symbol,
          o.side,
          o.orderType,
          t.currentType,
          s(t.quantity),
          s(t.filled),
          optS(t.price),
          optS(o.stopPrice),
          o.timeInForce,
          o.reduceOnly,
          o.closePosition,
          o.workingType,
          o.parentId ?? null,
          t.status,
          t.code ?? null,
          t.reason ?? null,
          t.fillQty.isZero() ? null : s(t.fillNotional.div(t.fillQty)),
          at(t.accepted.time),
          at(t.updatedAt),
        ]);
      } else {
        updated.push([
          t.id,
          t.status,
          t.currentType,
          s(t.quantity),
          optS(t.price),
          s(t.filled),
          s(t.fillQty),
          s(t.fillNotional),
          t.code ?? null,
          t.reason ?? null,
          at(t.updatedAt),
        ]);
      }
    }
  }
  await insertRows(tx, 'orders', ORDER_COLUMNS, created);
  if (updated.length) {
    // average price of every fill so far: the stored average over the stored filled quantity,
    // plus this result's fills (the right-hand sides read the row as it was)
    const { sql, params } = unnestFrom(ORDER_UPDATE_COLUMNS, updated);
    await tx.$executeRawUnsafe(
      `UPDATE orders o SET
         status = u.status,
         current_type = u.current_type,
         quantity = u.quantity,
         price = u.price,
         filled_quantity = u.filled,
         average_price = CASE WHEN u.fill_qty = 0 THEN o.average_price
           ELSE (coalesce(o.average_price * o.filled_quantity, 0) + u.fill_notional) / u.filled END,
         status_code = coalesce(u.code, o.status_code),
         status_reason = coalesce(u.reason, o.status_reason),
         updated_at = u.updated_at
       FROM ${sql} WHERE o.id = u.id`,
      ...params,
    );
  }
  await insertRows(tx, 'order_status_changes', HISTORY_COLUMNS, history);
}

async function writeFillsAndLiquidations(tx: Tx, work: readonly Work[]): Promise<void> {
  const markOf = (w: Work, ev: EngineEvent & { symbol: string }, fallback: Decimal) =>
    s(w.item.ctx.eventMarks?.get(ev) ?? w.item.ctx.market.marks[ev.symbol] ?? fallback);
  const fills: unknown[][] = [];
  const liquidations: unknown[][] = [];
  const closes: Array<{ accountId: string; triggerSeq: number; row: unknown[] }> = [];
  for (const w of work) {
    const accountId = w.item.loaded.id;
    w.events.forEach((ev, i) => {
      if (ev.type !== 'fill') return;
      fills.push([
        accountId,
        ev.orderId,
        null,
        ev.symbol,
        ev.side,
        s(ev.quantity),
        s(ev.price),
        markOf(w, ev, ev.price),
        ev.liquidity,
        s(ev.feeRate),
        s(ev.fee),
        s(ev.realizedPnl),
        s(ev.shortfall),
        false,
        w.firstSeq + i,
        at(ev.time),
      ]);
    });
    for (const g of groupLiquidations(w.events, w.firstSeq)) {
      const t = g.trigger;
      const fee = g.closes.reduce((sum, c) => sum.plus(c.ev.fee), ZERO);
      const shortfall = g.closes.reduce((sum, c) => sum.plus(c.ev.shortfall), ZERO);
      liquidations.push([
        accountId,
        storedMode(t.mode),
        t.symbol ?? null,
        optS(t.markPrice),
        s(t.marginBalance),
        s(t.maintenanceMargin),
        t.marginRatio.isFinite() ? s(t.marginRatio.toDecimalPlaces(18)) : null,
        s(fee),
        s(shortfall),
        g.closes.map((c) => ({
          symbol: c.ev.symbol,
          side: c.ev.side,
          quantity: c.ev.quantity.toFixed(),
          price: c.ev.price.toFixed(),
          partial: c.ev.partial,
          realizedPnl: c.ev.realizedPnl.toFixed(),
          fee: c.ev.fee.toFixed(),
          shortfall: c.ev.shortfall.toFixed(),
        })),
        g.canceled,
        g.seq,
        at(t.time),
      ]);
      for (const c of g.closes) {
        closes.push({
          accountId,
          triggerSeq: g.seq,
          row: [
            accountId,
            null,
            null, // the liquidation's id, once inserted
            c.ev.symbol,
            c.ev.side,
            s(c.ev.quantity),
            s(c.ev.price),
            markOf(w, c.ev, c.ev.price),
            'taker',
            c.ev.quantity.isZero()
              ? '0'
              : s(c.ev.fee.div(c.ev.quantity.times(c.ev.price)).toDecimalPlaces(18)),
            s(c.ev.fee),
            s(c.ev.realizedPnl),
            s(c.ev.shortfall),
            true,
            c.seq,
            at(c.ev.time),
          ],
        });
      }
    }
  }
  const ids = await insertRowsReturning<{ id: string; account_id: string; event_seq: number }>(
    tx,
    'liquidations',
    LIQUIDATION_COLUMNS,
    liquidations,
    'id::text AS id, account_id::text AS account_id, event_seq',
  );
  const idOf = new Map(ids.map((r) => [`${r.account_id}:${r.event_seq}`, r.id]));
  for (const c of closes) {
    c.row[2] = idOf.get(`${c.accountId}:${c.triggerSeq}`);
    fills.push(c.row);
  }
  await insertRows(tx, 'fills', FILL_COLUMNS, fills);
}

function fundingRows(work: readonly Work[]): unknown[][] {
  const rows: unknown[][] = [];
  for (const w of work)
    w.events.forEach((ev, i) => {
      if (ev.type !== 'fundingPaid') return;
      rows.push([
        w.item.loaded.id,
        ev.symbol,
        s(ev.rate),
        s(ev.markPrice),
        s(ev.positionQuantity),
        s(ev.amount),
        s(ev.uncollected),
        at(w.item.ctx.fundingTime ?? ev.time),
        w.firstSeq + i,
        at(ev.time),
      ]);
    });
  return rows;
}

/** Positions as the engine left them; a position opened from flat or flipped restarts its openedAt. */
async function writePositions(tx: Tx, work: readonly Work[]): Promise<void> {
  const gone: unknown[][] = [];
  const created: unknown[][] = [];
  const changed: unknown[][] = [];
  const now = new Date();
  for (const w of work) {
    const accountId = w.item.loaded.id;
    const before = w.item.loaded.engine;
    const after = w.item.result.account;
    const reopened = reopenedPositions(before, w.events);
    for (const symbol of Object.keys(before.positions))
      if (!after.positions[symbol]) gone.push([accountId, symbol]);
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
      const row = [
        accountId,
        p.symbol,
        s(p.quantity),
        s(p.entryPrice),
        s(p.costBasis),
        s(p.isolatedWallet),
        opened !== undefined ? at(opened) : b ? null : now,
      ];
      (b ? changed : created).push(row);
    }
  }
  if (gone.length) {
    const { sql, params } = unnestFrom(
      [
        ['account_id', 'uuid'],
        ['symbol', 'text'],
      ],
      gone,
    );
    await tx.$executeRawUnsafe(
      `DELETE FROM positions p USING ${sql} WHERE p.account_id = u.account_id AND p.symbol = u.symbol`,
      ...params,
    );
  }
  if (changed.length) {
    const { sql, params } = unnestFrom(POSITION_COLUMNS, changed);
    await tx.$executeRawUnsafe(
      `UPDATE positions p SET quantity = u.quantity, entry_price = u.entry_price,
         cost_basis = u.cost_basis, isolated_wallet = u.isolated_wallet,
         opened_at = coalesce(u.opened_at, p.opened_at), updated_at = now()
       FROM ${sql} WHERE p.account_id = u.account_id AND p.symbol = u.symbol`,
      ...params,
    );
  }
  if (created.length) {
    const { sql, params } = unnestFrom(POSITION_COLUMNS, created);
    await tx.$executeRawUnsafe(
      `INSERT INTO positions (account_id, symbol, quantity, entry_price, cost_basis, isolated_wallet,
         opened_at, updated_at)
       SELECT u.*, now() FROM ${sql}`,
      ...params,
    );
  }
}

async function writeSettings(tx: Tx, work: readonly Work[]): Promise<void> {
  const rows: unknown[][] = [];
  for (const w of work) {
    const before = w.item.loaded.engine;
    for (const [symbol, st] of Object.entries(w.item.result.account.settings)) {
      const b = before.settings[symbol];
      if (b && b.leverage === st.leverage && b.marginMode === st.marginMode) continue;
      rows.push([w.item.loaded.id, symbol, st.leverage, storedMode(st.marginMode)]);
    }
  }
  await insertRows(
    tx,
    'account_symbol_settings',
    [
      ['account_id', 'uuid'],
      ['symbol', 'text'],
      ['leverage', 'int'],
      ['margin_mode', '"MarginMode"'],
    ],
    rows,
    `ON CONFLICT (account_id, symbol) DO UPDATE
       SET leverage = EXCLUDED.leverage, margin_mode = EXCLUDED.margin_mode`,
  );
}

/** The ledger: one transaction per account result, its lines balanced (checked here). */
function ledgerRows(work: readonly Work[]): unknown[][] {
  const rows: unknown[][] = [];
  for (const w of work) {
    const accountId = w.item.loaded.id;
    const lines = w.events.flatMap((ev, i) =>
      ledgerLinesFor(accountId, ev).map((l) => ({ ...l, eventSeq: w.firstSeq + i })),
    );
    if (!lines.length) continue;
    const sum = lines.reduce((acc, l) => acc.plus(l.amount), ZERO);
    if (!sum.isZero()) throw new Error(`unbalanced ledger lines: they sum to ${sum.toFixed()}`);
    const txId = randomUUID();
    for (const l of lines)
      rows.push([txId, l.book, l.kind, l.amount.toFixed(), l.memo ?? null, accountId, l.eventSeq]);
  }
  return rows;
}

/**
 * Persists the engine results of many accounts (each as loaded, under its row lock, before the
 * operation) with one bulk statement per table. Rejected orders (orderRejected) are not stored:
 * a refused request changes nothing. Returns, in the order of `items`, the sequence range of the
 * events written and each account's new version.
 */
export async function persistResults(tx: Tx, items: readonly PersistItem[]): Promise<Persisted[]> {
  const withEvents = items.map((item) => ({
    item,
    events: item.result.events.filter((e) => e.type !== 'orderRejected'),
  }));
  const active = withEvents.filter((x) => x.events.length > 0);
  const reserved = active.length
    ? await updateAccounts(tx, active)
    : new Map<string, { firstSeq: number; version: number }>();
  const work: Work[] = active.map(({ item, events }) => {
    const r = reserved.get(item.loaded.id)!;
    return { item, events, firstSeq: r.firstSeq, version: r.version };
  });
  if (work.length) {
    await insertRows(
      tx,
      'account_events',
      EVENT_COLUMNS,
      work.flatMap((w) =>
        w.events.map((ev, i) => [
          w.item.loaded.id,
          w.firstSeq + i,
          ev.type,
          eventToJson(ev),
          at(ev.time),
        ]),
      ),
    );
    await writeOrders(tx, work);
    await writeFillsAndLiquidations(tx, work);
    await insertRows(tx, 'funding_payments', FUNDING_COLUMNS, fundingRows(work));
    await writePositions(tx, work);
    await writeSettings(tx, work);
    await insertRows(tx, 'ledger_entries', LEDGER_COLUMNS, ledgerRows(work));
    await notifyAccountChanges(
      tx,
      work.map((w) => ({
        accountId: w.item.loaded.id,
        venue: w.item.loaded.venueId,
        version: w.version,
      })),
    );
  }
  const byId = new Map(work.map((w) => [w.item.loaded.id, w]));
  return withEvents.map(({ item, events }) => {
    const w = byId.get(item.loaded.id);
    if (!w || events.length === 0)
      return {
        firstEventSeq: item.loaded.lastEventSeq + 1,
        lastEventSeq: item.loaded.lastEventSeq,
        version: item.loaded.version,
        events,
      };
    return {
      firstEventSeq: w.firstSeq,
      lastEventSeq: w.firstSeq + events.length - 1,
      version: w.version,
      events,
    };
  });
}

/**
 * Persists an engine result for `loaded` (its state before the operation): a batch of one.
 * Returns the sequence range of the events written and the account's new version.
 */
export async function persistResult(
  tx: Tx,
  loaded: LoadedAccount,
  result: EngineResult,
  ctx: PersistContext,
): Promise<Persisted> {
  const [persisted] = await persistResults(tx, [{ loaded, result, ctx }]);
  return persisted!;
}

/** Tells the web servers and the worker, once the transaction commits, that accounts changed. */
export async function notifyAccountChanges(
  tx: Tx,
  changes: readonly AccountChange[],
): Promise<void> {
  if (changes.length === 0) return;
  await tx.$executeRawUnsafe(
    `SELECT pg_notify($1, c) FROM unnest($2::text[]) AS c`,
    CHANNELS.accountChanges,
    changes.map((c) => JSON.stringify(c)),
  );
}

/** Tells the web servers and the worker, once the transaction commits, that the account changed. */
export async function notifyAccountChange(tx: Tx, change: AccountChange): Promise<void> {
  await notifyAccountChanges(tx, [change]);
}
