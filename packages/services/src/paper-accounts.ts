// Paper accounts: open, list with equity, reset, archive, restore, rename. Every change happens in
// one transaction that first locks the account row (and the user row before it when a per-user
// rule is checked), and records an AccountEvent; money moves through the ledger.
import { Prisma, type Db, type PaperAccountKind } from '@lab/db';
import { AppError } from './errors.ts';
import {
  ACCOUNT_NAME_MAX,
  MAX_ACTIVE_ACCOUNTS,
  MAX_STARTING_BALANCE,
  MIN_STARTING_BALANCE,
  QUOTE_ASSET,
} from './config.ts';
import { appendAccountEvent } from './account-events.ts';
import { latestMarks, valueAccount } from './equity.ts';
import { accountBook, bookBalance, fundAccount } from './ledger.ts';
import { lockOwnedAccount, lockUser } from './locks.ts';

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
  openPositions: number;
  unpricedSymbols: string[];
  createdAt: string;
  archivedAt: string | null;
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

/** Creates an account, funds it from the treasury and records accountOpened + deposit. */
export async function createFundedAccount(
  tx: Tx,
  userId: string,
  input: { name: string; kind: PaperAccountKind; startingBalance: D },
): Promise<string> {
  const account = await tx.paperAccount.create({
    data: {
      userId,
      name: input.name,
      kind: input.kind,
      startingBalance: input.startingBalance,
      walletBalance: input.startingBalance,
    },
    select: { id: true },
  });
  await lockOwnedAccount(tx, userId, account.id);
  const ledgerTxId = await fundAccount(
    tx,
    account.id,
    'deposit',
    input.startingBalance,
    'starting balance',
  );
  await appendAccountEvent(tx, account.id, 'accountOpened', {
    name: input.name,
    kind: input.kind,
    asset: QUOTE_ASSET,
    startingBalance: input.startingBalance.toFixed(),
  });
  await appendAccountEvent(tx, account.id, 'deposit', {
    amount: input.startingBalance.toFixed(),
    walletBalance: input.startingBalance.toFixed(),
    ledgerTxId,
  });
  return account.id;
}

export async function openAccount(
  db: Db,
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
  return getAccount(db, userId, id);
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
  positions: {
    select: {
      symbol: true,
      quantity: true,
      entryPrice: true,
      isolatedWallet: true,
      marginMode: true,
      leverage: true,
    },
  },
} as const satisfies Prisma.PaperAccountSelect;

type AccountRow = Prisma.PaperAccountGetPayload<{ select: typeof summarySelect }>;

async function summarise(db: Db, rows: AccountRow[]): Promise<AccountSummary[]> {
  const marks = await latestMarks(
    db,
    rows.flatMap((r) => r.positions.map((p) => p.symbol)),
  );
  return rows.map((r) => {
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
  userId: string,
  opts: { includeArchived?: boolean } = {},
): Promise<AccountSummary[]> {
  const rows = await db.paperAccount.findMany({
    where: { userId, ...(opts.includeArchived ? {} : { status: 'ACTIVE' }) },
    select: summarySelect,
    orderBy: [{ status: 'asc' }, { kind: 'asc' }, { createdAt: 'asc' }],
  });
  return summarise(db, rows);
}

export async function getAccount(
  db: Db,
  userId: string,
  accountId: string,
): Promise<AccountSummary> {
  const row = await db.paperAccount.findFirst({
    where: { id: accountId, userId },
    select: summarySelect,
  });
  if (!row) throw notFound();
  const [summary] = await summarise(db, [row]);
  return summary!;
}

/** Throws NOT_FOUND unless the account exists and belongs to the user (no hint which). */
export async function requireOwnedAccount(
  db: Db,
  userId: string,
  accountId: string,
): Promise<{ id: string; status: 'ACTIVE' | 'ARCHIVED' }> {
  const account = await db.paperAccount.findFirst({
    where: { id: accountId, userId },
    select: { id: true, status: true },
  });
  if (!account) throw notFound();
  return account;
}

async function lockedAccount(tx: Tx, userId: string, accountId: string) {
  if (!(await lockOwnedAccount(tx, userId, accountId))) throw notFound();
  return tx.paperAccount.findUniqueOrThrow({ where: { id: accountId } });
}

/**
 * Resets an account to its starting balance: closes its positions (discarding their PnL), clears
 * its per-symbol settings, and posts the difference between the account's ledger balance and the
 * starting balance against the treasury, so the account's book equals the starting balance again.
 */
export async function resetAccount(
  db: Db,
  userId: string,
  accountId: string,
): Promise<AccountSummary> {
  await db.$transaction(async (tx) => {
    const account = await lockedAccount(tx, userId, accountId);
    if (account.status !== 'ACTIVE') {
      throw new AppError(
        'PRECONDITION',
        'This account is archived; restore it before resetting it.',
      );
    }
    const positions = await tx.position.findMany({ where: { accountId } });
    const marks = await latestMarks(
      tx,
      positions.map((p) => p.symbol),
    );
    await tx.position.deleteMany({ where: { accountId } });
    const settings = await tx.accountSymbolSetting.deleteMany({ where: { accountId } });

    const book = await bookBalance(tx, accountBook(accountId));
    const adjustment = account.startingBalance.minus(book);
    const ledgerTxId = adjustment.isZero()
      ? null
      : await fundAccount(tx, accountId, 'reset', adjustment, 'reset to starting balance');
    await tx.paperAccount.update({
      where: { id: accountId },
      data: { walletBalance: account.startingBalance, version: { increment: 1 } },
    });
    await appendAccountEvent(tx, accountId, 'accountReset', {
      previousWalletBalance: account.walletBalance.toFixed(),
      walletBalance: account.startingBalance.toFixed(),
      adjustment: adjustment.toFixed(),
      ledgerTxId,
      closedPositions: positions.map((p) => ({
        symbol: p.symbol,
        quantity: p.quantity.toFixed(),
        entryPrice: p.entryPrice.toFixed(),
        markPrice: marks.get(p.symbol)?.toFixed() ?? null,
      })),
      clearedSettings: settings.count,
    });
  });
  return getAccount(db, userId, accountId);
}

/**
 * Archives an extra account. The personal account cannot be archived (reset it instead), nor can
 * a competition account (its competition manages it), nor an account with open positions. An
 * archived account keeps its balance and history and can be restored.
 */
export async function archiveAccount(
  db: Db,
  userId: string,
  accountId: string,
): Promise<AccountSummary> {
  await db.$transaction(async (tx) => {
    const account = await lockedAccount(tx, userId, accountId);
    if (account.status === 'ARCHIVED')
      throw new AppError('PRECONDITION', 'This account is already archived.');
    if (account.kind === 'PERSONAL') {
      throw new AppError(
        'PRECONDITION',
        'Your personal account cannot be archived; reset it instead.',
      );
    }
    if (account.kind === 'COMPETITION') {
      throw new AppError(
        'PRECONDITION',
        'Competition accounts are archived when their competition ends.',
      );
    }
    const open = await tx.position.count({ where: { accountId } });
    if (open > 0) {
      throw new AppError(
        'PRECONDITION',
        'Close its positions (or reset the account) before archiving it.',
      );
    }
    await tx.paperAccount.update({
      where: { id: accountId },
      data: { status: 'ARCHIVED', archivedAt: new Date(), version: { increment: 1 } },
    });
    await appendAccountEvent(tx, accountId, 'accountArchived', {});
  });
  return getAccount(db, userId, accountId);
}

/** Makes an archived account active again, within the active-account limit and name rule. */
export async function restoreAccount(
  db: Db,
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
  return getAccount(db, userId, accountId);
}

export async function renameAccount(
  db: Db,
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
  return getAccount(db, userId, accountId);
}

export interface AccountEventView {
  seq: number;
  type: string;
  payload: Prisma.JsonValue;
  createdAt: string;
}

/** Newest first; `cursor` (a sequence number, exclusive) pages to older events. */
export async function listAccountEvents(
  db: Db,
  userId: string,
  accountId: string,
  opts: { limit: number; cursor?: number | null | undefined },
): Promise<{ events: AccountEventView[]; nextCursor: number | null }> {
  await requireOwnedAccount(db, userId, accountId);
  const rows = await db.accountEvent.findMany({
    where: { accountId, ...(opts.cursor ? { seq: { lt: opts.cursor } } : {}) },
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
