// The bridge between stored rows and the margin engine: services load rows, turn them into the
// engine's Account with these functions, let the engine compute, and persist what it returns
// (trading/persist.ts). Margin math lives only in @lab/margin-engine.
import { Prisma } from '@lab/db';
import {
  CATALOGUE,
  Decimal,
  emptyAccount,
  type Account,
  type Catalogue,
  type MarginMode,
  type Market,
  type Order,
  type OrderStatus,
  type OrderType,
  type Side,
  type TimeInForce,
  type WorkingType,
} from '@lab/margin-engine';
import { competitionCatalogue, rulesOf, type CompetitionRules } from './competitions/rules.ts';

type Tx = Prisma.TransactionClient;
type Num = Prisma.Decimal | string | { toString(): string };

const dec = (d: Num) => new Decimal(d.toString());
const opt = (d: Num | null | undefined) => (d == null ? undefined : dec(d));
export const engineMode = (m: 'CROSS' | 'ISOLATED'): MarginMode =>
  m === 'CROSS' ? 'cross' : 'isolated';
export const storedMode = (m: MarginMode): 'CROSS' | 'ISOLATED' =>
  m === 'cross' ? 'CROSS' : 'ISOLATED';

/** Order statuses that are still on the book (or waiting for their trigger). */
export const OPEN_STATUSES = ['untriggered', 'new', 'partiallyFilled'] as const;

export interface StoredPosition {
  symbol: string;
  quantity: Num;
  entryPrice: Num;
  costBasis: Num;
  isolatedWallet: Num;
}

export interface StoredSetting {
  symbol: string;
  leverage: number;
  marginMode: 'CROSS' | 'ISOLATED';
}

export interface StoredOrder {
  id: string;
  clientOrderId: string | null;
  symbol: string;
  side: string;
  currentType: string;
  quantity: Num;
  filledQuantity: Num;
  price: Num | null;
  stopPrice: Num | null;
  timeInForce: string;
  reduceOnly: boolean;
  closePosition: boolean;
  workingType: string;
  status: string;
  parentId: string | null;
  seq: number;
  createdAt: Date;
}

export interface StoredAccount {
  id: string;
  /** All USDT of the account, isolated margin included (the engine's walletBalance). */
  walletBalance: Num;
  nextOrderSeq?: number;
  positions: StoredPosition[];
  settings?: StoredSetting[];
  orders?: StoredOrder[];
}

export function toEngineOrder(o: StoredOrder): Order {
  return {
    id: o.id,
    clientOrderId: o.clientOrderId ?? undefined,
    symbol: o.symbol,
    side: o.side as Side,
    type: o.currentType as OrderType,
    quantity: dec(o.quantity),
    filledQuantity: dec(o.filledQuantity),
    price: opt(o.price),
    stopPrice: opt(o.stopPrice),
    timeInForce: o.timeInForce as TimeInForce,
    reduceOnly: o.reduceOnly,
    closePosition: o.closePosition,
    workingType: o.workingType as WorkingType,
    status: o.status as OrderStatus,
    createdAt: o.createdAt.getTime(),
    seq: o.seq,
    ...(o.parentId !== null ? { parentId: o.parentId } : {}),
  };
}

/** The engine's Account of stored rows (settings, positions and open orders). */
export function toEngineAccount(row: StoredAccount): Account {
  const settings: Record<string, Account['settings'][string]> = {};
  for (const s of row.settings ?? [])
    settings[s.symbol] = { leverage: s.leverage, marginMode: engineMode(s.marginMode) };
  const positions: Record<string, Account['positions'][string]> = {};
  for (const p of row.positions) {
    positions[p.symbol] = {
      symbol: p.symbol,
      quantity: dec(p.quantity),
      entryPrice: dec(p.entryPrice),
      costBasis: dec(p.costBasis),
      isolatedWallet: dec(p.isolatedWallet),
    };
  }
  const orders: Record<string, Order> = {};
  for (const o of row.orders ?? []) orders[o.id] = toEngineOrder(o);
  return {
    ...emptyAccount(row.id),
    walletBalance: dec(row.walletBalance),
    settings,
    positions,
    orders,
    nextSeq: row.nextOrderSeq ?? 1,
  };
}

export const positionSelect = {
  symbol: true,
  quantity: true,
  entryPrice: true,
  costBasis: true,
  isolatedWallet: true,
} as const satisfies Prisma.PositionSelect;

export const settingSelect = {
  symbol: true,
  leverage: true,
  marginMode: true,
} as const satisfies Prisma.AccountSymbolSettingSelect;

export const openOrderSelect = {
  id: true,
  clientOrderId: true,
  symbol: true,
  side: true,
  currentType: true,
  quantity: true,
  filledQuantity: true,
  price: true,
  stopPrice: true,
  timeInForce: true,
  reduceOnly: true,
  closePosition: true,
  workingType: true,
  status: true,
  parentId: true,
  seq: true,
  createdAt: true,
} as const satisfies Prisma.OrderSelect;

/** What a service needs to act on an account: its row, and the engine's view of it. */
export interface LoadedAccount {
  id: string;
  userId: string;
  venueId: string;
  status: 'ACTIVE' | 'ARCHIVED';
  kind: 'PERSONAL' | 'EXTRA' | 'COMPETITION';
  startingBalance: Prisma.Decimal;
  lastEventSeq: number;
  version: number;
  engine: Account;
  /** The instruments the engine trades this account with (a competition's fees and caps). */
  catalogue: Catalogue;
  /** The rules of the competition a COMPETITION account belongs to. */
  competition?: CompetitionRules;
}

/**
 * Loads an account's whole engine state (wallet, settings, positions, open orders). The caller
 * holds the account's row lock, so nothing changes it meanwhile.
 */
export async function loadAccountState(tx: Tx, accountId: string): Promise<LoadedAccount | null> {
  return (await loadAccountStates(tx, [accountId])).get(accountId) ?? null;
}

interface AccountRow {
  id: string;
  user_id: string;
  venue_id: string;
  status: LoadedAccount['status'];
  kind: LoadedAccount['kind'];
  starting_balance: string;
  wallet_balance: string;
  next_order_seq: number;
  last_event_seq: number;
  version: number;
}
type Keyed<T> = T & { account_id: string };
interface OrderRow {
  account_id: string;
  id: string;
  client_order_id: string | null;
  symbol: string;
  side: string;
  current_type: string;
  quantity: string;
  filled_quantity: string;
  price: string | null;
  stop_price: string | null;
  time_in_force: string;
  reduce_only: boolean;
  close_position: boolean;
  working_type: string;
  status: string;
  parent_id: string | null;
  seq: number;
  created_at: Date;
}

function groupBy<T extends { account_id: string }>(rows: readonly T[]): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const r of rows) {
    const list = out.get(r.account_id);
    if (list) list.push(r);
    else out.set(r.account_id, [r]);
  }
  return out;
}

/**
 * Loads the engine state of many accounts with four statements (accounts, settings, positions,
 * open orders), whatever their number: the worker's batch path and, as a batch of one, every
 * single-account operation. Accounts that do not exist are absent from the map. For a consistent
 * picture the caller holds the accounts' row locks (or takes them here with `lock`), or reads in
 * one REPEATABLE READ transaction.
 */
export async function loadAccountStates(
  tx: Tx,
  ids: readonly string[],
  opts: { lock?: boolean } = {},
): Promise<Map<string, LoadedAccount>> {
  const out = new Map<string, LoadedAccount>();
  if (ids.length === 0) return out;
  const list = [...ids];
  // with `lock`, this read takes the accounts' row locks, in id order (two batches never wait on
  // each other in a cycle; a single-account transaction holds one account lock at a time)
  const accounts = opts.lock
    ? await tx.$queryRaw<AccountRow[]>`
        SELECT id, user_id, venue_id, status::text AS status, kind::text AS kind,
          starting_balance::text AS starting_balance, wallet_balance::text AS wallet_balance,
          next_order_seq, last_event_seq, version
        FROM paper_accounts WHERE id = ANY(${list}::uuid[]) ORDER BY id FOR UPDATE`
    : await tx.$queryRaw<AccountRow[]>`
        SELECT id, user_id, venue_id, status::text AS status, kind::text AS kind,
          starting_balance::text AS starting_balance, wallet_balance::text AS wallet_balance,
          next_order_seq, last_event_seq, version
        FROM paper_accounts WHERE id = ANY(${list}::uuid[])`;
  if (accounts.length === 0) return out;
  const found = accounts.map((a) => a.id);
  const settings = groupBy(
    await tx.$queryRaw<Array<Keyed<{ symbol: string; leverage: number; margin_mode: string }>>>`
      SELECT account_id, symbol, leverage, margin_mode::text AS margin_mode
      FROM account_symbol_settings WHERE account_id = ANY(${found}::uuid[])`,
  );
  const positions = groupBy(
    await tx.$queryRaw<
      Array<
        Keyed<{
          symbol: string;
          quantity: string;
          entry_price: string;
          cost_basis: string;
          isolated_wallet: string;
        }>
      >
    >`
      SELECT account_id, symbol, quantity::text AS quantity, entry_price::text AS entry_price,
        cost_basis::text AS cost_basis, isolated_wallet::text AS isolated_wallet
      FROM positions WHERE account_id = ANY(${found}::uuid[])`,
  );
  const competitive = accounts.filter((a) => a.kind === 'COMPETITION').map((a) => a.id);
  const rules = new Map(
    competitive.length === 0
      ? []
      : (
          await tx.$queryRaw<Array<Keyed<Parameters<typeof rulesOf>[0]>>>`
            SELECT p.account_id, c.id::text AS competition_id, c.name, c.state::text AS state,
              c.starts_at, c.ends_at, c.ended_at, c.symbols, c.max_leverage,
              c.margin_modes::text AS margin_modes, c.maker_fee_rate::text AS maker_fee_rate,
              c.taker_fee_rate::text AS taker_fee_rate, c.allow_bots,
              p.status::text AS participant_status,
              coalesce(ct.notes_required, false) AS notes_required, st.name AS shared_team
            FROM competition_participants p JOIN competitions c ON c.id = p.competition_id
            LEFT JOIN competition_teaching ct ON ct.competition_id = c.id
            LEFT JOIN competition_team_members tm ON tm.participant_id = p.id
            LEFT JOIN competition_teams st ON st.id = tm.team_id AND st.kind = 'SHARED_ACCOUNT'
              AND st.account_id IS DISTINCT FROM p.account_id
            WHERE p.account_id = ANY(${competitive}::uuid[])`
        ).map((r) => [r.account_id, rulesOf(r)] as const),
  );
  const open = [...OPEN_STATUSES];
  const orders = groupBy(
    await tx.$queryRaw<OrderRow[]>`
      SELECT account_id, id, client_order_id, symbol, side, current_type, quantity::text AS quantity,
        filled_quantity::text AS filled_quantity, price::text AS price, stop_price::text AS stop_price,
        time_in_force, reduce_only, close_position, working_type, status, parent_id, seq, created_at
      FROM orders WHERE account_id = ANY(${found}::uuid[]) AND status = ANY(${open}::text[])
      ORDER BY seq, id`,
  );
  for (const a of accounts) {
    const engine = toEngineAccount({
      id: a.id,
      walletBalance: a.wallet_balance,
      nextOrderSeq: a.next_order_seq,
      settings: (settings.get(a.id) ?? []).map((s) => ({
        symbol: s.symbol,
        leverage: s.leverage,
        marginMode: s.margin_mode as StoredSetting['marginMode'],
      })),
      positions: (positions.get(a.id) ?? []).map((p) => ({
        symbol: p.symbol,
        quantity: p.quantity,
        entryPrice: p.entry_price,
        costBasis: p.cost_basis,
        isolatedWallet: p.isolated_wallet,
      })),
      orders: (orders.get(a.id) ?? []).map((o) => ({
        id: o.id,
        clientOrderId: o.client_order_id,
        symbol: o.symbol,
        side: o.side,
        currentType: o.current_type,
        quantity: o.quantity,
        filledQuantity: o.filled_quantity,
        price: o.price,
        stopPrice: o.stop_price,
        timeInForce: o.time_in_force,
        reduceOnly: o.reduce_only,
        closePosition: o.close_position,
        workingType: o.working_type,
        status: o.status,
        parentId: o.parent_id,
        seq: o.seq,
        createdAt: o.created_at,
      })),
    });
    out.set(a.id, {
      id: a.id,
      userId: a.user_id,
      venueId: a.venue_id,
      status: a.status,
      kind: a.kind,
      startingBalance: new Prisma.Decimal(a.starting_balance),
      lastEventSeq: a.last_event_seq,
      version: a.version,
      engine,
      ...accountRules(rules.get(a.id)),
    });
  }
  return out;
}

/** A competition account's rules and catalogue; every other account trades the catalogue as is. */
function accountRules(
  competition: CompetitionRules | undefined,
): Pick<LoadedAccount, 'catalogue' | 'competition'> {
  return competition
    ? { catalogue: competitionCatalogue(competition), competition }
    : { catalogue: CATALOGUE };
}

/**
 * The engine's market from the latest marks (and last trade prices). A position whose symbol has
 * no mark yet is valued at its entry price (no unrealized PnL) and reported as unpriced.
 */
export function marketFor(
  account: Account,
  marks: ReadonlyMap<string, Num>,
  lastPrices?: ReadonlyMap<string, Num>,
  instruments: Catalogue = CATALOGUE,
): { market: Market; unpriced: string[] } {
  const out: Record<string, Decimal> = {};
  for (const [symbol, price] of marks) out[symbol] = dec(price);
  const unpriced: string[] = [];
  for (const p of Object.values(account.positions)) {
    if (out[p.symbol]) continue;
    out[p.symbol] = p.entryPrice;
    unpriced.push(p.symbol);
  }
  const last: Record<string, Decimal> = {};
  for (const [symbol, price] of lastPrices ?? []) last[symbol] = dec(price);
  return { market: { instruments, marks: out, lastPrices: last }, unpriced };
}
