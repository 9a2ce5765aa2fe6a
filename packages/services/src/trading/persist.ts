// Writes margin-engine results in the caller's transaction (which holds the accounts' row locks):
// the engine's events as each account's history, then what they did to orders (with their status
// history), fills, funding payments, liquidations, positions, settings and the wallet, and the
// ledger lines of every movement of money. After it, each stored account equals the replay of its
// engine events (test/persistence.test.ts), and each account book's balance equals its wallet.
//
// One code path for one account and for hundreds, and ONE statement for all of it: each table's
// rows go as one array per column (bulk-sql.ts) into a data-modifying CTE of a single query; the
// account update reserves the event sequence numbers every other row is numbered from (base + 1 +
// the event's index), liquidation fills find the liquidations inserted beside them, and the
// query's own SELECT sends each account's NOTIFY. So a batch of the worker's liquidations costs one round
// trip to write, whatever its size (foreign keys are checked at the end of the statement).
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
import { unnestFrom, type Column } from './bulk-sql.ts';
import { ACCOUNT_BOOK_PREFIX, ledgerMovementsFor } from './ledger-lines.ts';
import { foldOrders, groupLiquidations, reopenedPositions } from './persist-rows.ts';

type Tx = Prisma.TransactionClient;
const s = (v: Decimal | { toFixed(): string }) => v.toFixed();
const optS = (v: Decimal | undefined) => (v === undefined ? null : v.toFixed());
const at = (ms: number) => new Date(ms).toISOString();

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
  /**
   * Return the orders and fills this result created, as stored (`Persisted.created`): the answer
   * to a placement comes from the write itself, not from a read after it.
   */
  returnCreated?: boolean;
}

/** An order as stored: its columns (numbers as their text), times in epoch ms. */
export interface StoredOrderJson {
  id: string;
  order_no: string;
  client_order_id: string | null;
  symbol: string;
  side: string;
  type: string;
  current_type: string;
  status: string;
  status_code: string | null;
  status_reason: string | null;
  quantity: string;
  filled_quantity: string;
  price: string | null;
  stop_price: string | null;
  average_price: string | null;
  time_in_force: string;
  reduce_only: boolean;
  close_position: boolean;
  working_type: string;
  parent_id: string | null;
  seq: number;
  created_at: number;
  updated_at: number;
}

/** A fill as stored (numbers as their text, time in epoch ms). */
export interface StoredFillJson {
  id: string;
  orderId: string | null;
  liquidationId: string | null;
  symbol: string;
  side: string;
  quantity: string;
  price: string;
  markPrice: string;
  liquidity: string;
  feeRate: string;
  fee: string;
  realizedPnl: string;
  shortfall: string;
  isLiquidation: boolean;
  eventSeq: number;
  time: number;
}

/** The JSON of a stored order row `o` (StoredOrderJson): one definition for every reader. */
export const STORED_ORDER_JSON = (o: string) => `json_build_object(
  'id', ${o}.id, 'order_no', ${o}.order_no::text, 'client_order_id', ${o}.client_order_id,
  'symbol', ${o}.symbol, 'side', ${o}.side, 'type', ${o}.type, 'current_type', ${o}.current_type,
  'status', ${o}.status, 'status_code', ${o}.status_code, 'status_reason', ${o}.status_reason,
  'quantity', ${o}.quantity::text, 'filled_quantity', ${o}.filled_quantity::text,
  'price', ${o}.price::text, 'stop_price', ${o}.stop_price::text,
  'average_price', ${o}.average_price::text, 'time_in_force', ${o}.time_in_force,
  'reduce_only', ${o}.reduce_only, 'close_position', ${o}.close_position,
  'working_type', ${o}.working_type, 'parent_id', ${o}.parent_id, 'seq', ${o}.seq,
  'created_at', (extract(epoch FROM ${o}.created_at) * 1000)::bigint,
  'updated_at', (extract(epoch FROM ${o}.updated_at) * 1000)::bigint)`;

/** The JSON of a stored fill row `f` (StoredFillJson). */
export const STORED_FILL_JSON = (f: string) => `json_build_object(
  'id', ${f}.id::text, 'orderId', ${f}.order_id, 'liquidationId', ${f}.liquidation_id::text,
  'symbol', ${f}.symbol, 'side', ${f}.side, 'quantity', ${f}.quantity::text,
  'price', ${f}.price::text, 'markPrice', ${f}.mark_price::text, 'liquidity', ${f}.liquidity,
  'feeRate', ${f}.fee_rate::text, 'fee', ${f}.fee::text, 'realizedPnl', ${f}.realized_pnl::text,
  'shortfall', ${f}.shortfall::text, 'isLiquidation', ${f}.is_liquidation,
  'eventSeq', ${f}.event_seq, 'time', (extract(epoch FROM ${f}.time) * 1000)::bigint)`;

export interface Persisted {
  /** Sequence numbers of the account events written (empty range when nothing happened). */
  firstEventSeq: number;
  lastEventSeq: number;
  version: number;
  events: EngineEvent[];
  /** With `returnCreated`: the orders (by seq) and fills (by event) the result created. */
  created?: { orders: StoredOrderJson[]; fills: StoredFillJson[] };
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
}

/** One query being built: its parameters and its CTEs. */
class Statement {
  readonly params: unknown[] = [];
  readonly ctes: string[] = [];
  private readonly names = new Set<string>();

  param(v: unknown): string {
    this.params.push(v);
    return `$${this.params.length}`;
  }

  /** The rows as `u`, typed by the columns (bulk-sql.ts). */
  rows(columns: readonly Column[], rows: ReadonlyArray<readonly unknown[]>): string {
    return this.target(columns, rows).from;
  }

  /** The rows as `u` for an UPDATE or DELETE, with `keyIn` on its key (bulk-sql.ts). */
  target(
    columns: readonly Column[],
    rows: ReadonlyArray<readonly unknown[]>,
  ): { from: string; keyIn: (column: string) => string } {
    const { sql, params, keyIn } = unnestFrom(columns, rows, this.params.length + 1);
    this.params.push(...params);
    return { from: sql, keyIn };
  }

  /** Adds a CTE when there are rows for it. */
  with(name: string, rows: ReadonlyArray<readonly unknown[]>, sql: () => string): void {
    if (!rows.length) return;
    this.ctes.push(`${name} AS (${sql()})`);
    this.names.add(name);
  }

  /** Whether the statement has the CTE `name` (it had rows). */
  has(name: string): boolean {
    return this.names.has(name);
  }
}

// Every row numbered by its event carries the account id and `k`, the event's index in the
// result: its seq is acc.base + 1 + k.
const SEQ = 'acc.base + 1 + u.k';
const JOIN_ACC = 'JOIN acc ON acc.id = u.account_id';
// A liquidation fill's liquidation: looked up in a map of the inserted ones (an uncorrelated
// subquery, built once), not joined: the generic plan takes liq for one row (acc's index probe
// makes it so) and would rescan it for every fill.
const LIQUIDATION_ID = `CASE WHEN u.trigger_k IS NULL THEN NULL::bigint ELSE ((SELECT
    jsonb_object_agg(l.account_id::text || ':' || l.event_seq, l.id) FROM liq l)
    ->> (u.account_id::text || ':' || (acc.base + 1 + u.trigger_k)))::bigint END`;

const ACCOUNT_COLUMNS: Column[] = [
  ['id', 'uuid'],
  ['wallet', 'numeric'],
  ['next_seq', 'int'],
  ['n', 'int'],
];
const EVENT_COLUMNS: Column[] = [
  ['account_id', 'uuid'],
  ['k', 'int'],
  ['type', 'text'],
  ['payload', 'json'],
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
  ['account_id', 'uuid'],
  ['order_id', 'text'],
  ['status', 'text'],
  ['event', 'text'],
  ['code', 'text'],
  ['reason', 'text'],
  ['k', 'int'],
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
  ['k', 'int'],
  ['time', 'timestamptz'],
];
/** A fill of an order (trigger_k null) or a liquidation close (its liquidation's event index). */
const FILL_COLUMNS: Column[] = [
  ['account_id', 'uuid'],
  ['order_id', 'text'],
  ['trigger_k', 'int'],
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
  ['k', 'int'],
  ['time', 'timestamptz'],
];
/** The column of a fill row that holds its event's index in the result. */
const FILL_K = FILL_COLUMNS.findIndex(([name]) => name === 'k');
const FUNDING_COLUMNS: Column[] = [
  ['account_id', 'uuid'],
  ['symbol', 'text'],
  ['rate', 'numeric'],
  ['mark_price', 'numeric'],
  ['position_quantity', 'numeric'],
  ['amount', 'numeric'],
  ['uncollected', 'numeric'],
  ['funding_time', 'timestamptz'],
  ['k', 'int'],
  ['time', 'timestamptz'],
];
const POSITION_KEY_COLUMNS: Column[] = [
  ['account_id', 'uuid'],
  ['symbol', 'text'],
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
const SETTING_COLUMNS: Column[] = [
  ['account_id', 'uuid'],
  ['symbol', 'text'],
  ['leverage', 'int'],
  ['margin_mode', '"MarginMode"'],
];
/** A movement of money: its two ledger lines are made by the statement (see `led`). */
const MOVEMENT_COLUMNS: Column[] = [
  ['account_id', 'uuid'],
  ['k', 'int'],
  ['house', 'text'],
  ['kind', 'text'],
  ['amount', 'numeric'],
];

function eventRows(work: readonly Work[]): unknown[][] {
  return work.flatMap((w) =>
    w.events.map((ev, k) => [w.item.loaded.id, k, ev.type, eventToJson(ev), at(ev.time)]),
  );
}

/** Orders the results created, the ones they changed, and every status each order took. */
function orderRows(work: readonly Work[]) {
  const created: unknown[][] = [];
  const updated: unknown[][] = [];
  const history: unknown[][] = [];
  for (const w of work) {
    const { loaded } = w.item;
    for (const t of foldOrders(loaded.engine, w.events, 0).values()) {
      for (const h of t.history)
        history.push([
          loaded.id,
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
  return { created, updated, history };
}

/**
 * The mark a fill or a liquidation close was made at. A module function, not a closure per
 * account: see `record` in the worker's engine-steps.ts.
 */
function markOf(ctx: PersistContext, ev: EngineEvent & { symbol: string }, fallback: Decimal) {
  return s(ctx.eventMarks?.get(ev) ?? ctx.market.marks[ev.symbol] ?? fallback);
}

/** Liquidations with their figures, and the fills: of orders, and the closes of liquidations. */
function fillAndLiquidationRows(work: readonly Work[]) {
  const allFills: unknown[][] = [];
  const liquidations: unknown[][] = [];
  for (const w of work) {
    const accountId = w.item.loaded.id;
    const fills: unknown[][] = [];
    w.events.forEach((ev, k) => {
      if (ev.type !== 'fill') return;
      fills.push([
        accountId,
        ev.orderId,
        null,
        ev.symbol,
        ev.side,
        s(ev.quantity),
        s(ev.price),
        markOf(w.item.ctx, ev, ev.price),
        ev.liquidity,
        s(ev.feeRate),
        s(ev.fee),
        s(ev.realizedPnl),
        s(ev.shortfall),
        false,
        k,
        at(ev.time),
      ]);
    });
    for (const g of groupLiquidations(w.events, 0)) {
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
      for (const c of g.closes)
        fills.push([
          accountId,
          null,
          g.seq,
          c.ev.symbol,
          c.ev.side,
          s(c.ev.quantity),
          s(c.ev.price),
          markOf(w.item.ctx, c.ev, c.ev.price),
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
        ]);
    }
    // in the order of their events (the event index is the same column in both kinds), so that
    // within an account fill ids follow events: a result can liquidate, then fill a resting order
    allFills.push(...fills.sort((x, y) => (x[FILL_K] as number) - (y[FILL_K] as number)));
  }
  return { fills: allFills, liquidations };
}

function fundingRows(work: readonly Work[]): unknown[][] {
  const rows: unknown[][] = [];
  for (const w of work)
    w.events.forEach((ev, k) => {
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
        k,
        at(ev.time),
      ]);
    });
  return rows;
}

/** Positions as the engine left them; a position opened from flat or flipped restarts its openedAt. */
function positionRows(work: readonly Work[]) {
  const gone: unknown[][] = [];
  const created: unknown[][] = [];
  const changed: unknown[][] = [];
  const now = new Date().toISOString();
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
  return { gone, created, changed };
}

function settingRows(work: readonly Work[]): unknown[][] {
  const rows: unknown[][] = [];
  for (const w of work) {
    const before = w.item.loaded.engine;
    for (const [symbol, st] of Object.entries(w.item.result.account.settings)) {
      const b = before.settings[symbol];
      if (b && b.leverage === st.leverage && b.marginMode === st.marginMode) continue;
      rows.push([w.item.loaded.id, symbol, st.leverage, storedMode(st.marginMode)]);
    }
  }
  return rows;
}

/** The movements of money of every result, each on its event (ledger-lines.ts). */
function movementRows(work: readonly Work[]): unknown[][] {
  const rows: unknown[][] = [];
  for (const w of work) {
    const accountId = w.item.loaded.id;
    w.events.forEach((ev, k) => {
      for (const m of ledgerMovementsFor(ev))
        rows.push([accountId, k, m.house, m.kind, m.amount.toFixed()]);
    });
  }
  return rows;
}

/** The one statement that writes every row of the results and notifies each account's change. */
function writeStatement(work: readonly Work[], returnCreated: boolean): Statement {
  const q = new Statement();
  const accounts = work.map((w) => [
    w.item.loaded.id,
    s(w.item.result.account.walletBalance),
    w.item.result.account.nextSeq,
    w.events.length,
  ]);
  q.with('acc', accounts, () => {
    const t = q.target(ACCOUNT_COLUMNS, accounts);
    return `UPDATE paper_accounts p SET wallet_balance = u.wallet, next_order_seq = u.next_seq,
      last_event_seq = p.last_event_seq + u.n, version = p.version + 1
    FROM ${t.from} WHERE p.id = u.id AND p.id ${t.keyIn('id')}
    RETURNING p.id, p.venue_id, p.last_event_seq - u.n AS base, p.version,
      gen_random_uuid() AS tx`;
  });
  const events = eventRows(work);
  q.with(
    'ev',
    events,
    () => `INSERT INTO account_events (account_id, seq, type, payload, created_at)
    SELECT u.account_id, ${SEQ}, u.type, u.payload, u.created_at
    FROM ${q.rows(EVENT_COLUMNS, events)} ${JOIN_ACC} ORDER BY u.ord`,
  );
  const orders = orderRows(work);
  const orderNames = ORDER_COLUMNS.map(([n]) => n).join(', ');
  q.with(
    'ord_new',
    orders.created,
    () => `INSERT INTO orders (${orderNames}) SELECT ${orderNames}
    FROM ${q.rows(ORDER_COLUMNS, orders.created)} ORDER BY u.ord
    ${returnCreated ? `RETURNING account_id, seq, ${STORED_ORDER_JSON('orders')} AS j` : ''}`,
  );
  // average price of every fill so far: the stored average over the stored filled quantity,
  // plus this result's fills (the right-hand sides read the row as it was)
  q.with('ord_upd', orders.updated, () => {
    const t = q.target(ORDER_UPDATE_COLUMNS, orders.updated);
    return `UPDATE orders o SET status = u.status, current_type = u.current_type,
      quantity = u.quantity, price = u.price, filled_quantity = u.filled,
      average_price = CASE WHEN u.fill_qty = 0 THEN o.average_price
        ELSE (coalesce(o.average_price * o.filled_quantity, 0) + u.fill_notional) / u.filled END,
      status_code = coalesce(u.code, o.status_code),
      status_reason = coalesce(u.reason, o.status_reason), updated_at = u.updated_at
    FROM ${t.from} WHERE o.id = u.id AND o.id ${t.keyIn('id')}`;
  });
  q.with(
    'hist',
    orders.history,
    () => `INSERT INTO order_status_changes (order_id, status, event, code, reason, event_seq, at)
    SELECT u.order_id, u.status, u.event, u.code, u.reason, ${SEQ}, u.at
    FROM ${q.rows(HISTORY_COLUMNS, orders.history)} ${JOIN_ACC} ORDER BY u.ord`,
  );
  const { fills, liquidations } = fillAndLiquidationRows(work);
  q.with(
    'liq',
    liquidations,
    () => `INSERT INTO liquidations (account_id, mode, symbol, mark_price, margin_balance,
      maintenance_margin, margin_ratio, fee, shortfall, positions_closed, orders_canceled,
      event_seq, time)
    SELECT u.account_id, u.mode, u.symbol, u.mark_price, u.margin_balance, u.maintenance_margin,
      u.margin_ratio, u.fee, u.shortfall, u.positions_closed, u.orders_canceled, ${SEQ}, u.time
    FROM ${q.rows(LIQUIDATION_COLUMNS, liquidations)} ${JOIN_ACC} ORDER BY u.ord
    RETURNING id, account_id, event_seq`,
  );
  q.with(
    'fil',
    fills,
    () => `INSERT INTO fills (account_id, order_id, liquidation_id, symbol, side, quantity, price,
      mark_price, liquidity, fee_rate, fee, realized_pnl, shortfall, is_liquidation, event_seq, time)
    SELECT u.account_id, u.order_id, ${liquidations.length ? LIQUIDATION_ID : 'NULL::bigint'}, u.symbol,
      u.side, u.quantity, u.price, u.mark_price, u.liquidity, u.fee_rate, u.fee, u.realized_pnl,
      u.shortfall, u.is_liquidation, ${SEQ}, u.time
    FROM ${q.rows(FILL_COLUMNS, fills)} ${JOIN_ACC} ORDER BY u.ord
    ${returnCreated ? `RETURNING account_id, event_seq, id, ${STORED_FILL_JSON('fills')} AS j` : ''}`,
  );
  const funding = fundingRows(work);
  q.with(
    'fund',
    funding,
    () => `INSERT INTO funding_payments (account_id, symbol, rate, mark_price, position_quantity,
      amount, uncollected, funding_time, event_seq, time)
    SELECT u.account_id, u.symbol, u.rate, u.mark_price, u.position_quantity, u.amount,
      u.uncollected, u.funding_time, ${SEQ}, u.time
    FROM ${q.rows(FUNDING_COLUMNS, funding)} ${JOIN_ACC} ORDER BY u.ord`,
  );
  const positions = positionRows(work);
  q.with('pos_gone', positions.gone, () => {
    const t = q.target(POSITION_KEY_COLUMNS, positions.gone);
    return `DELETE FROM positions p USING ${t.from}
    WHERE p.account_id = u.account_id AND p.symbol = u.symbol
      AND p.account_id ${t.keyIn('account_id')}`;
  });
  q.with('pos_upd', positions.changed, () => {
    const t = q.target(POSITION_COLUMNS, positions.changed);
    return `UPDATE positions p SET quantity = u.quantity, entry_price = u.entry_price,
      cost_basis = u.cost_basis, isolated_wallet = u.isolated_wallet,
      opened_at = coalesce(u.opened_at, p.opened_at), updated_at = now()
    FROM ${t.from}
    WHERE p.account_id = u.account_id AND p.symbol = u.symbol
      AND p.account_id ${t.keyIn('account_id')}`;
  });
  q.with(
    'pos_new',
    positions.created,
    () => `INSERT INTO positions (account_id, symbol, quantity, entry_price, cost_basis,
      isolated_wallet, opened_at, updated_at)
    SELECT u.account_id, u.symbol, u.quantity, u.entry_price, u.cost_basis, u.isolated_wallet,
      u.opened_at, now()
    FROM ${q.rows(POSITION_COLUMNS, positions.created)}`,
  );
  const settings = settingRows(work);
  q.with(
    'sets',
    settings,
    () => `INSERT INTO account_symbol_settings (account_id, symbol, leverage, margin_mode)
    SELECT u.account_id, u.symbol, u.leverage, u.margin_mode FROM ${q.rows(SETTING_COLUMNS, settings)}
    ON CONFLICT (account_id, symbol) DO UPDATE
      SET leverage = EXCLUDED.leverage, margin_mode = EXCLUDED.margin_mode`,
  );
  // the ledger: one transaction per account result (acc.tx), each movement its two lines, the
  // amount on the account's book and its negation on the house's: balanced by construction
  const movements = movementRows(work);
  q.with(
    'led',
    movements,
    () => `INSERT INTO ledger_entries (tx_id, book, kind, amount, account_id, event_seq)
    SELECT acc.tx, l.book, u.kind, l.amount, u.account_id, ${SEQ}
    FROM ${q.rows(MOVEMENT_COLUMNS, movements)} ${JOIN_ACC}
    CROSS JOIN LATERAL (VALUES (1, '${ACCOUNT_BOOK_PREFIX}' || u.account_id, u.amount),
      (2, u.house, -u.amount)) AS l(side, book, amount)
    ORDER BY u.ord, l.side`,
  );
  return q;
}

/**
 * Persists the engine results of many accounts (each as loaded, under its row lock, before the
 * operation) with one statement. Rejected orders (orderRejected) are not stored: a refused
 * request changes nothing. Returns, in the order of `items`, the sequence range of the events
 * written and each account's new version. Once the transaction commits, each changed account is
 * NOTIFYed on CHANNELS.accountChanges as { accountId, venue, version }.
 */
export async function persistResults(tx: Tx, items: readonly PersistItem[]): Promise<Persisted[]> {
  const withEvents = items.map((item) => ({
    item,
    events: item.result.events.filter((e) => e.type !== 'orderRejected'),
  }));
  const work = withEvents.filter((x) => x.events.length > 0);
  const written = new Map<
    string,
    { base: number; version: number; created?: Persisted['created'] }
  >();
  if (work.length) {
    const returnCreated = work.some((w) => w.item.ctx.returnCreated);
    const q = writeStatement(work, returnCreated);
    const channel = q.param(CHANNELS.accountChanges);
    const created = returnCreated
      ? `, ${
          q.has('ord_new')
            ? `(SELECT json_agg(x.j ORDER BY x.seq) FROM ord_new x WHERE x.account_id = acc.id)`
            : 'NULL::json'
        } AS created_orders, ${
          q.has('fil')
            ? `(SELECT json_agg(x.j ORDER BY x.event_seq, x.id) FROM fil x WHERE x.account_id = acc.id)`
            : 'NULL::json'
        } AS created_fills`
      : '';
    const rows = await tx.$queryRawUnsafe<
      Array<{
        id: string;
        base: number;
        version: number;
        created_orders?: StoredOrderJson[] | null;
        created_fills?: StoredFillJson[] | null;
      }>
    >(
      `WITH ${q.ctes.join(',\n')}
       SELECT acc.id::text AS id, acc.base, acc.version,
         pg_notify(${channel}, json_build_object('accountId', acc.id, 'venue', acc.venue_id,
           'version', acc.version)::text) IS NULL AS notified${created}
       FROM acc`,
      ...q.params,
    );
    for (const r of rows)
      written.set(r.id, {
        base: r.base,
        version: r.version,
        ...(returnCreated
          ? { created: { orders: r.created_orders ?? [], fills: r.created_fills ?? [] } }
          : {}),
      });
    for (const w of work)
      if (!written.has(w.item.loaded.id)) throw new Error(`no account ${w.item.loaded.id}`);
  }
  return withEvents.map(({ item, events }) => {
    const w = written.get(item.loaded.id);
    if (!w || events.length === 0)
      return {
        firstEventSeq: item.loaded.lastEventSeq + 1,
        lastEventSeq: item.loaded.lastEventSeq,
        version: item.loaded.version,
        events,
      };
    return {
      firstEventSeq: w.base + 1,
      lastEventSeq: w.base + events.length,
      version: w.version,
      events,
      ...(item.ctx.returnCreated && w.created ? { created: w.created } : {}),
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
