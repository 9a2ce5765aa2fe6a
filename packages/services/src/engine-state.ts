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

/**
 * The open statuses as an SQL list of literals (they are this module's constants, never input).
 * A literal, not a parameter: the prepared load's generic plan then knows which statuses it reads
 * and takes the (account, status) index; with `status = ANY($n)` it could not, and once the
 * tables had statistics it read every order the account ever placed through the (account) index
 * (or PostgreSQL gave up on the generic plan and planned the load on every call: 1.5 ms each).
 */
const OPEN_STATUS_SQL = Prisma.raw(OPEN_STATUSES.map((s) => `'${s}'`).join(', '));

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

/** The columns of an AccountRow, from paper_accounts `a`. */
const ACCOUNT_ROW = Prisma.sql`a.id, a.user_id, a.venue_id, a.status::text AS status,
  a.kind::text AS kind, a.starting_balance::text AS starting_balance,
  a.wallet_balance::text AS wallet_balance, a.next_order_seq, a.last_event_seq, a.version`;

/** A JSON column as the driver returns it (parsed, or as text). */
const json = <T>(v: unknown): T => (typeof v === 'string' ? (JSON.parse(v) as T) : (v as T));

interface LoadRow extends AccountRow {
  settings: unknown;
  positions: unknown;
  orders: unknown;
  competition: unknown;
}

/**
 * Loads the engine state of many accounts (row, settings, positions, open orders, and a
 * competition account's rules) in ONE statement, whatever their number: the worker's batch path
 * and, as a batch of one, every single-account operation. With `lock`, the same statement takes
 * the accounts' row locks, in id order (two batches never wait on each other in a cycle); with
 * `ownerId`, only that user's accounts are read (and locked). Accounts that do not exist (or are
 * not the owner's) are absent from the map. For a consistent picture without `lock`, read in one
 * REPEATABLE READ transaction.
 */
export async function loadAccountStates(
  tx: Tx,
  ids: readonly string[],
  opts: { lock?: boolean; ownerId?: string } = {},
): Promise<Map<string, LoadedAccount>> {
  const out = new Map<string, LoadedAccount>();
  if (ids.length === 0) return out;
  const list = [...ids];
  const ownedBy = opts.ownerId ? Prisma.sql` AND a.user_id = ${opts.ownerId}::uuid` : Prisma.empty;
  // `o.seq + 0`: ordered by seq, the generic plan of this prepared statement (made while the
  // tables were small) read the account's open orders through its (account, seq) index and
  // filtered every order it ever placed, so each load grew with the account's history (placement
  // fell from about 300 to 190 orders/s within 60 s of the benchmark); without an index order to
  // offer, the (account, status) index reads the open orders only
  const select = Prisma.sql`
    SELECT ${ACCOUNT_ROW},
      (SELECT coalesce(json_agg(json_build_object('symbol', s.symbol, 'leverage', s.leverage,
          'margin_mode', s.margin_mode::text)), '[]')
        FROM account_symbol_settings s WHERE s.account_id = a.id) AS settings,
      (SELECT coalesce(json_agg(json_build_object('symbol', p.symbol, 'quantity', p.quantity::text,
          'entry_price', p.entry_price::text, 'cost_basis', p.cost_basis::text,
          'isolated_wallet', p.isolated_wallet::text)), '[]')
        FROM positions p WHERE p.account_id = a.id) AS positions,
      (SELECT coalesce(json_agg(json_build_object('id', o.id, 'client_order_id', o.client_order_id,
          'symbol', o.symbol, 'side', o.side, 'current_type', o.current_type,
          'quantity', o.quantity::text, 'filled_quantity', o.filled_quantity::text,
          'price', o.price::text, 'stop_price', o.stop_price::text,
          'time_in_force', o.time_in_force, 'reduce_only', o.reduce_only,
          'close_position', o.close_position, 'working_type', o.working_type,
          'status', o.status, 'parent_id', o.parent_id, 'seq', o.seq,
          'created_at', (extract(epoch FROM o.created_at) * 1000)::bigint) ORDER BY o.seq + 0, o.id), '[]')
        FROM orders o WHERE o.account_id = a.id AND o.status IN (${OPEN_STATUS_SQL})) AS orders,
      CASE WHEN a.kind = 'COMPETITION' THEN (
        SELECT json_build_object('competition_id', c.id::text, 'name', c.name,
          'state', c.state::text,
          'starts_at', (extract(epoch FROM c.starts_at) * 1000)::bigint,
          'ends_at', (extract(epoch FROM c.ends_at) * 1000)::bigint,
          'ended_at', (extract(epoch FROM c.ended_at) * 1000)::bigint,
          'symbols', c.symbols, 'max_leverage', c.max_leverage,
          'margin_modes', c.margin_modes::text, 'maker_fee_rate', c.maker_fee_rate::text,
          'taker_fee_rate', c.taker_fee_rate::text, 'allow_bots', c.allow_bots,
          'participant_status', cp.status::text,
          'notes_required', coalesce(ct.notes_required, false), 'shared_team', st.name)
        FROM competition_participants cp JOIN competitions c ON c.id = cp.competition_id
        LEFT JOIN competition_teaching ct ON ct.competition_id = c.id
        LEFT JOIN competition_team_members tm ON tm.participant_id = cp.id
        LEFT JOIN competition_teams st ON st.id = tm.team_id AND st.kind = 'SHARED_ACCOUNT'
          AND st.account_id IS DISTINCT FROM cp.account_id
        WHERE cp.account_id = a.id LIMIT 1) END AS competition
    FROM paper_accounts a
    WHERE a.id = ANY(${list}::uuid[])${ownedBy}`;
  const rows = opts.lock
    ? await tx.$queryRaw<LoadRow[]>`${select} ORDER BY a.id FOR UPDATE OF a`
    : await tx.$queryRaw<LoadRow[]>`${select}`;
  for (const a of rows) {
    const settings = json<Array<{ symbol: string; leverage: number; margin_mode: string }>>(
      a.settings,
    );
    const positions = json<
      Array<{
        symbol: string;
        quantity: string;
        entry_price: string;
        cost_basis: string;
        isolated_wallet: string;
      }>
    >(a.positions);
    const orders = json<
      Array<Omit<OrderRow, 'account_id' | 'created_at'> & { created_at: number }>
    >(a.orders);
    const engine = toEngineAccount({
      id: a.id,
      walletBalance: a.wallet_balance,
      nextOrderSeq: a.next_order_seq,
      settings: settings.map((x) => ({
        symbol: x.symbol,
        leverage: x.leverage,
        marginMode: x.margin_mode as StoredSetting['marginMode'],
      })),
      positions: positions.map((p) => ({
        symbol: p.symbol,
        quantity: p.quantity,
        entryPrice: p.entry_price,
        costBasis: p.cost_basis,
        isolatedWallet: p.isolated_wallet,
      })),
      orders: orders.map((o) => ({
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
        createdAt: new Date(Number(o.created_at)),
      })),
    });
    const c = json<
      | (Omit<Parameters<typeof rulesOf>[0], 'starts_at' | 'ends_at' | 'ended_at'> & {
          starts_at: number;
          ends_at: number;
          ended_at: number | null;
        })
      | null
    >(a.competition);
    out.set(
      a.id,
      loadedAccount(
        a,
        engine,
        c
          ? rulesOf({
              ...c,
              starts_at: new Date(Number(c.starts_at)),
              ends_at: new Date(Number(c.ends_at)),
              ended_at: c.ended_at === null ? null : new Date(Number(c.ended_at)),
            })
          : undefined,
      ),
    );
  }
  return out;
}

/** An account's row, with its engine state and (a competition account) its rules. */
function loadedAccount(
  a: AccountRow,
  engine: Account,
  competition: CompetitionRules | undefined,
): LoadedAccount {
  return {
    id: a.id,
    userId: a.user_id,
    venueId: a.venue_id,
    status: a.status,
    kind: a.kind,
    startingBalance: new Prisma.Decimal(a.starting_balance),
    lastEventSeq: a.last_event_seq,
    version: a.version,
    engine,
    ...accountRules(competition),
  };
}

/** An engine state the caller already holds, and the account version it is the state of. */
export interface KnownState {
  account: Account;
  version: number;
}

/**
 * loadAccountStates with `lock`, for a caller that already holds engine states at known versions
 * (the worker's memory): one statement takes every row lock, in id order, and reads the account
 * rows only. An account whose locked row is at the known version (with the known wallet and next
 * order number, a free check) takes the known state: nothing changed it since, and the row lock
 * keeps it so. The others, and competition accounts (whose rules change without their version),
 * are loaded whole. For the worker's batches the load was about 15% of PostgreSQL's time.
 */
export async function lockAccountStates(
  tx: Tx,
  ids: readonly string[],
  known: (id: string) => KnownState | undefined,
): Promise<Map<string, LoadedAccount>> {
  if (ids.length === 0) return new Map();
  const rows = await tx.$queryRaw<AccountRow[]>`
    SELECT ${ACCOUNT_ROW} FROM paper_accounts a
    WHERE a.id = ANY(${[...ids]}::uuid[]) ORDER BY a.id FOR UPDATE OF a`;
  const held = new Map<string, LoadedAccount>();
  for (const a of rows) {
    const k = known(a.id);
    if (
      k &&
      a.kind !== 'COMPETITION' &&
      k.version === a.version &&
      k.account.nextSeq === a.next_order_seq &&
      k.account.walletBalance.eq(a.wallet_balance)
    )
      held.set(a.id, loadedAccount(a, k.account, undefined));
  }
  const rest = rows.filter((a) => !held.has(a.id)).map((a) => a.id);
  const loaded = rest.length ? await loadAccountStates(tx, rest, { lock: true }) : undefined;
  return new Map(
    rows.flatMap((a) => {
      const l = held.get(a.id) ?? loaded?.get(a.id);
      return l ? [[a.id, l] as const] : [];
    }),
  );
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
