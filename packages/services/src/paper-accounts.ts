// Paper accounts: open, list with equity, reset, archive, restore, rename. Every change happens in
// one transaction that first locks the account row (and the user row before it when a per-user
// rule is checked). Money and positions change only through the margin engine (its events are
// the account's history and its money moves through the ledger, trading/persist.ts); renaming,
// archiving and restoring record events of their own.
import { Prisma, type Db, type PaperAccountKind } from '@lab/db';
import { AppError } from './errors.ts';
import {
  ACCOUNT_NAME_MAX,
  MAX_ACTIVE_ACCOUNTS,
  MAX_STARTING_BALANCE,
  MIN_STARTING_BALANCE,
  QUOTE_ASSET,
} from './config.ts';
import { MAIN_VENUE } from '@lab/contracts';
import {
  adjustWallet,
  CATALOGUE,
  closeAllAtMark,
  DEFAULT_SETTINGS,
  Decimal,
  openAccount as openEngineAccount,
  setLeverage,
  setMarginMode,
  type Catalogue,
  type EngineEvent,
  type EngineResult,
} from '@lab/margin-engine';
import { appendAccountEvent } from './account-events.ts';
import { positionSelect, type LoadedAccount } from './engine-state.ts';
import { valueAccount } from './equity.ts';
import { sharedAccountsOf, tradesSharedAccount } from './teaching/shared-accounts.ts';
import { lockOwnedAccount, lockUser } from './locks.ts';
import { persistResult } from './trading/persist.ts';
import { marketOf, type VenuePrices } from './trading/prices.ts';
import { runOnAccount, userActor, type Actor } from './trading/run.ts';

type Tx = Prisma.TransactionClient;
type D = Prisma.Decimal;

export interface AccountSummary {
  id: string;
  name: string;
  kind: PaperAccountKind;
  status: 'ACTIVE' | 'ARCHIVED';
  asset: string;
  startingBalance: string;
  walletBalance: string;
  unrealizedPnl: string;
  equity: string;
  pnl: string;
  pnlPercent: string;
  venueId: string;
  openPositions: number;
  unpricedSymbols: string[];
  createdAt: string;
  archivedAt: string | null;
  /** A shared team account the user trades as a member (not theirs): the team's name. */
  sharedTeam?: string;
}

const notFound = () => new AppError('NOT_FOUND', 'Account not found.');

/** Trimmed, single-spaced; 1 to 64 characters. */
export function normalizeAccountName(raw: string): string {
  const name = raw.normalize('NFC').trim().replace(/\s+/g, ' ');
  if (name.length === 0)
    throw new AppError('VALIDATION', 'Enter a name for the account.', { field: 'name' });
  if (name.length > ACCOUNT_NAME_MAX) {
    throw new AppError(
      'VALIDATION',
      `An account name has at most ${ACCOUNT_NAME_MAX} characters.`,
      { field: 'name' },
    );
  }
  return name;
}

/** 1000000 -> "1,000,000" (for messages; the limits are whole numbers). */
const grouped = (v: D) => v.toFixed(0).replace(/\B(?=(\d{3})+(?!\d))/g, ',');

export function checkStartingBalance(value: D): D {
  if (value.lt(MIN_STARTING_BALANCE) || value.gt(MAX_STARTING_BALANCE)) {
    throw new AppError(
      'VALIDATION',
      `The starting balance must be between ${grouped(MIN_STARTING_BALANCE)} and ${grouped(MAX_STARTING_BALANCE)} ${QUOTE_ASSET}.`,
      { field: 'startingBalance' },
    );
  }
  if (value.decimalPlaces() > 2) {
    throw new AppError('VALIDATION', 'The starting balance has at most 2 decimal places.', {
      field: 'startingBalance',
    });
  }
  return value;
}

/** Per-user rules for an account becoming active under `name` (caller holds the user lock). */
async function checkActiveSlot(tx: Tx, userId: string, name: string, exceptAccountId?: string) {
  const active = await tx.paperAccount.findMany({
    where: {
      userId,
      status: 'ACTIVE',
      ...(exceptAccountId ? { id: { not: exceptAccountId } } : {}),
    },
    select: { name: true },
  });
  if (active.some((a) => a.name.toLowerCase() === name.toLowerCase())) {
    throw new AppError('CONFLICT', `You already have an active account named "${name}".`, {
      field: 'name',
    });
  }
  if (!exceptAccountId && active.length >= MAX_ACTIVE_ACCOUNTS) {
    throw new AppError(
      'PRECONDITION',
      `You can have at most ${MAX_ACTIVE_ACCOUNTS} active accounts; archive one first.`,
    );
  }
}

/**
 * Creates an account and funds it: the engine opens it with the starting balance, and the ledger
 * moves that money from the treasury (the account's first event, accountOpened).
 */
export async function createFundedAccount(
  tx: Tx,
  userId: string,
  input: {
    name: string;
    kind: PaperAccountKind;
    startingBalance: D;
    venueId?: string;
    /**
     * Markets that start in isolated margin (a competition that allows only isolated), at the
     * default leverage of the account's catalogue: set through the engine, so the history replays
     * them.
     */
    isolated?: { symbols: readonly string[]; catalogue: Catalogue };
  },
): Promise<string> {
  const account = await tx.paperAccount.create({
    data: {
      userId,
      name: input.name,
      kind: input.kind,
      venueId: input.venueId ?? MAIN_VENUE,
      startingBalance: input.startingBalance,
      walletBalance: 0,
    },
    select: { id: true, venueId: true },
  });
  await lockOwnedAccount(tx, userId, account.id);
  const now = Date.now();
  const base = openEngineAccount(account.id, new Decimal(input.startingBalance.toFixed()), now);
  let opened: EngineResult = base;
  if (input.isolated) {
    const market = { instruments: input.isolated.catalogue, marks: {} };
    const modes = chain(
      base.account,
      input.isolated.symbols
        .filter((symbol) => Object.hasOwn(market.instruments, symbol))
        .map((symbol) => (a) => setMarginMode(a, market, symbol, 'isolated', now)),
    );
    opened = { account: modes.account, events: [...base.events, ...modes.events] };
  }
  const loaded: LoadedAccount = {
    id: account.id,
    userId,
    venueId: account.venueId,
    status: 'ACTIVE',
    kind: input.kind,
    startingBalance: input.startingBalance,
    lastEventSeq: 0,
    version: 0,
    // the state before this result: opened, no money yet, no settings
    engine: { ...base.account, walletBalance: new Decimal(0) },
    catalogue: CATALOGUE,
  };
  await persistResult(tx, loaded, opened, { market: { instruments: {}, marks: {} } });
  return account.id;
}

export async function openAccount(
  db: Db,
  prices: VenuePrices,
  userId: string,
  input: { name: string; startingBalance: string },
): Promise<AccountSummary> {
  const name = normalizeAccountName(input.name);
  const startingBalance = checkStartingBalance(new Prisma.Decimal(input.startingBalance));
  const id = await db.$transaction(async (tx) => {
    if (!(await lockUser(tx, userId))) throw new AppError('UNAUTHORIZED', 'Sign in to do this.');
    await checkActiveSlot(tx, userId, name);
    return createFundedAccount(tx, userId, { name, kind: 'EXTRA', startingBalance });
  });
  return getAccount(db, prices, userId, id);
}

const summarySelect = {
  id: true,
  name: true,
  kind: true,
  status: true,
  startingBalance: true,
  walletBalance: true,
  createdAt: true,
  archivedAt: true,
  venueId: true,
  positions: { select: positionSelect },
} as const satisfies Prisma.PaperAccountSelect;

type AccountRow = Prisma.PaperAccountGetPayload<{ select: typeof summarySelect }>;

async function summarise(prices: VenuePrices, rows: AccountRow[]): Promise<AccountSummary[]> {
  const venues = [...new Set(rows.map((r) => r.venueId))];
  const quotes = new Map(
    await Promise.all(venues.map(async (v) => [v, await prices.quotes(v)] as const)),
  );
  return rows.map((r) => {
    const marks = new Map([...(quotes.get(r.venueId) ?? [])].map(([s, q]) => [s, q.markPrice]));
    const v = valueAccount(r, r.positions, marks);
    return {
      id: r.id,
      name: r.name,
      kind: r.kind,
      status: r.status,
      asset: QUOTE_ASSET,
      startingBalance: r.startingBalance.toFixed(),
      walletBalance: v.walletBalance.toFixed(),
      unrealizedPnl: v.unrealizedPnl.toFixed(),
      equity: v.equity.toFixed(),
      pnl: v.pnl.toFixed(),
      pnlPercent: v.pnlPercent.toFixed(2),
      venueId: r.venueId,
      openPositions: v.openPositions,
      unpricedSymbols: v.unpricedSymbols,
      createdAt: r.createdAt.toISOString(),
      archivedAt: r.archivedAt?.toISOString() ?? null,
    };
  });
}

/** The user's accounts, personal first, then by creation; archived ones only when asked. */
export async function listAccounts(
  db: Db,
  prices: VenuePrices,
  userId: string,
  opts: { includeArchived?: boolean } = {},
): Promise<AccountSummary[]> {
  // with the shared team accounts the user trades as a member (teaching/shared-accounts.ts)
  const shared = await sharedAccountsOf(db, userId);
  const rows = await db.paperAccount.findMany({
    where: {
      OR: [{ userId }, ...(shared.length ? [{ id: { in: shared.map((s) => s.account_id) } }] : [])],
      ...(opts.includeArchived ? {} : { status: 'ACTIVE' }),
    },
    select: summarySelect,
    orderBy: [{ status: 'asc' }, { kind: 'asc' }, { createdAt: 'asc' }],
  });
  const team = new Map(shared.map((s) => [s.account_id, s.team]));
  return (await summarise(prices, rows)).map((a) =>
    team.has(a.id) ? { ...a, sharedTeam: team.get(a.id)! } : a,
  );
}

export async function getAccount(
  db: Db,
  prices: VenuePrices,
  userId: string,
  accountId: string,
): Promise<AccountSummary> {
  const row = await db.paperAccount.findFirst({
    where: { id: accountId, userId },
    select: summarySelect,
  });
  if (!row) throw notFound();
  const [summary] = await summarise(prices, [row]);
  return summary!;
}

/** Throws NOT_FOUND unless the account exists and belongs to the user (no hint which). */
export async function requireOwnedAccount(
  db: Db,
  userId: string,
  accountId: string,
): Promise<{ id: string; status: 'ACTIVE' | 'ARCHIVED' }> {
  const account =
    (await db.paperAccount.findFirst({
      where: { id: accountId, userId },
      select: { id: true, status: true },
    })) ??
    // a shared team account the user trades as a member (teaching/shared-accounts.ts)
    ((await tradesSharedAccount(db, userId, accountId))
      ? await db.paperAccount.findUnique({
          where: { id: accountId },
          select: { id: true, status: true },
        })
      : null);
  if (!account) throw notFound();
  return account;
}

async function lockedAccount(tx: Tx, userId: string, accountId: string) {
  if (!(await lockOwnedAccount(tx, userId, accountId))) throw notFound();
  return tx.paperAccount.findUniqueOrThrow({ where: { id: accountId } });
}

/** Folds several engine steps into one result: each step starts from the previous account. */
function chain(
  start: LoadedAccount['engine'],
  steps: Array<(a: LoadedAccount['engine']) => EngineResult>,
): EngineResult {
  let account = start;
  const events: EngineEvent[] = [];
  for (const step of steps) {
    const r = step(account);
    account = r.account;
    events.push(...r.events);
  }
  return { account, events };
}

/**
 * Everything the account holds goes: its orders are canceled and its positions closed at the
 * mark (no fee), in the engine, within the caller's transaction.
 */
async function closeEverything(
  prices: VenuePrices,
  loaded: LoadedAccount,
  reason: string,
  now: number,
) {
  const market = marketOf(await prices.quotes(loaded.venueId), loaded.catalogue);
  return { market, close: (a: LoadedAccount['engine']) => closeAllAtMark(a, market, now, reason) };
}

export interface ResetOptions {
  /**
   * The wallet after the reset (default: the starting balance), or how to find it under the
   * account's lock (a competition withholds its penalties).
   */
  balance?: Prisma.Decimal | ((tx: Tx) => Promise<Prisma.Decimal>);
  /** Runs in the reset's transaction with the money the reset moved in (negative: out). */
  after?: (tx: Tx, moved: Decimal) => Promise<void>;
}

/**
 * Resets an account to its starting balance in one transaction: cancels its orders, closes its
 * positions at the mark, sets every symbol back to the default leverage and cross margin, and
 * moves the difference between the wallet and the starting balance to or from the treasury.
 * A competition account is reset by its competition (its rules say whether, and at what cost),
 * never directly by its owner.
 */
export async function resetAccount(
  db: Db,
  prices: VenuePrices,
  actor: Actor | string,
  accountId: string,
  opts: ResetOptions = {},
): Promise<AccountSummary> {
  const who = typeof actor === 'string' ? userActor(actor) : actor;
  const { loaded } = await runOnAccount(db, who, accountId, async (loaded, tx) => {
    if (loaded.kind === 'COMPETITION' && who.kind === 'user')
      throw new AppError(
        'PRECONDITION',
        'A competition account is reset from its competition page, when the competition allows resets.',
        { reason: 'COMPETITION_RESET_ONLY' },
      );
    const now = Date.now();
    const target =
      typeof opts.balance === 'function'
        ? await opts.balance(tx)
        : (opts.balance ?? loaded.startingBalance);
    let moved = new Decimal(0);
    const { market, close } = await closeEverything(prices, loaded, 'reset', now);
    const result = chain(loaded.engine, [
      close,
      (a) => {
        const events: EngineEvent[] = [];
        let acc = a;
        // back to the defaults: cross, or isolated in a class that allows only isolated
        const mode = loaded.competition?.marginModes === 'ISOLATED_ONLY' ? 'isolated' : 'cross';
        for (const symbol of Object.keys(a.settings).sort()) {
          const leverage = Math.min(
            DEFAULT_SETTINGS.leverage,
            market.instruments[symbol]?.maxLeverage ?? DEFAULT_SETTINGS.leverage,
          );
          // each step starts from the account the previous one left
          for (const step of [
            (x: typeof acc) => setMarginMode(x, market, symbol, mode, now),
            (x: typeof acc) => setLeverage(x, market, symbol, leverage, now),
          ]) {
            const r = step(acc);
            acc = r.account;
            events.push(...r.events);
          }
        }
        return { account: acc, events };
      },
      (a) => {
        const diff = new Decimal(target.toFixed()).minus(a.walletBalance);
        moved = diff;
        return diff.isZero() ? { account: a, events: [] } : adjustWallet(a, diff, now);
      },
    ]);
    const closed = Object.keys(loaded.engine.positions).length;
    const canceled = Object.keys(loaded.engine.orders).length;
    return {
      result,
      context: { market },
      value: null,
      // a summary beside the engine's events, for the account's history
      after: async (tx) => {
        await appendAccountEvent(tx, accountId, 'accountReset', {
          previousWalletBalance: loaded.engine.walletBalance.toFixed(),
          walletBalance: result.account.walletBalance.toFixed(),
          closedPositions: closed,
          canceledOrders: canceled,
        });
        await opts.after?.(tx, moved);
      },
    };
  });
  return getAccount(db, prices, loaded.userId, accountId);
}

/**
 * Archives an extra account. The personal account cannot be archived (reset it instead), nor can
 * a competition account (its competition manages it). Its orders are canceled and its positions
 * closed at the mark in the same transaction. An archived account keeps its balance and history
 * and can be restored.
 */
export async function archiveAccount(
  db: Db,
  prices: VenuePrices,
  userId: string,
  accountId: string,
): Promise<AccountSummary> {
  await runOnAccount(
    db,
    userActor(userId),
    accountId,
    async (loaded, tx) => {
      if (loaded.status === 'ARCHIVED')
        throw new AppError('PRECONDITION', 'This account is already archived.');
      if (loaded.kind === 'PERSONAL') {
        throw new AppError(
          'PRECONDITION',
          'Your personal account cannot be archived; reset it instead.',
        );
      }
      if (loaded.kind === 'COMPETITION') {
        throw new AppError(
          'PRECONDITION',
          'Competition accounts are archived when their competition ends.',
        );
      }
      const now = Date.now();
      const { market, close } = await closeEverything(prices, loaded, 'archive', now);
      return {
        result: close(loaded.engine),
        context: { market },
        value: null,
        after: async () => {
          await tx.paperAccount.update({
            where: { id: accountId },
            data: { status: 'ARCHIVED', archivedAt: new Date(now), version: { increment: 1 } },
          });
          await appendAccountEvent(tx, accountId, 'accountArchived', {});
        },
      };
    },
    { allowArchived: true },
  );
  return getAccount(db, prices, userId, accountId);
}

/** Makes an archived account active again, within the active-account limit and name rule. */
export async function restoreAccount(
  db: Db,
  prices: VenuePrices,
  userId: string,
  accountId: string,
): Promise<AccountSummary> {
  await db.$transaction(async (tx) => {
    await lockUser(tx, userId);
    const account = await lockedAccount(tx, userId, accountId);
    if (account.status === 'ACTIVE')
      throw new AppError('PRECONDITION', 'This account is already active.');
    await checkActiveSlot(tx, userId, account.name);
    await tx.paperAccount.update({
      where: { id: accountId },
      data: { status: 'ACTIVE', archivedAt: null, version: { increment: 1 } },
    });
    await appendAccountEvent(tx, accountId, 'accountRestored', {});
  });
  return getAccount(db, prices, userId, accountId);
}

export async function renameAccount(
  db: Db,
  prices: VenuePrices,
  userId: string,
  accountId: string,
  rawName: string,
): Promise<AccountSummary> {
  const name = normalizeAccountName(rawName);
  await db.$transaction(async (tx) => {
    await lockUser(tx, userId);
    const account = await lockedAccount(tx, userId, accountId);
    if (account.name === name) return;
    if (account.status === 'ACTIVE') await checkActiveSlot(tx, userId, name, accountId);
    await tx.paperAccount.update({
      where: { id: accountId },
      data: { name, version: { increment: 1 } },
    });
    await appendAccountEvent(tx, accountId, 'accountRenamed', { from: account.name, to: name });
  });
  return getAccount(db, prices, userId, accountId);
}

export interface AccountEventView {
  seq: number;
  type: string;
  payload: Prisma.JsonValue;
  createdAt: string;
}

/** Newest first; `cursor` (a sequence number, exclusive) pages to older events. */
/**
 * What the account's history shows: money and account events. The rest of the engine's stream
 * (order acceptances, position changes, triggers, cancels: the order history shows those) and the
 * deposits a reset makes (its summary event says it) stay out of it.
 */
export const ACTIVITY_EVENT_TYPES = [
  'accountOpened',
  'fill',
  'fundingPaid',
  'liquidation',
  'leverageChanged',
  'marginModeChanged',
  'isolatedMarginAdjusted',
  'accountReset',
  'accountRenamed',
  'accountArchived',
  'accountRestored',
] as const;

export async function listAccountEvents(
  db: Db,
  userId: string,
  accountId: string,
  opts: { limit: number; cursor?: number | null | undefined },
): Promise<{ events: AccountEventView[]; nextCursor: number | null }> {
  await requireOwnedAccount(db, userId, accountId);
  const rows = await db.accountEvent.findMany({
    where: {
      accountId,
      type: { in: [...ACTIVITY_EVENT_TYPES] },
      ...(opts.cursor ? { seq: { lt: opts.cursor } } : {}),
    },
    orderBy: { seq: 'desc' },
    take: opts.limit + 1,
  });
  const page = rows.slice(0, opts.limit);
  return {
    events: page.map((e) => ({
      seq: e.seq,
      type: e.type,
      payload: e.payload,
      createdAt: e.createdAt.toISOString(),
    })),
    nextCursor: rows.length > opts.limit ? (page.at(-1)?.seq ?? null) : null,
  };
}
