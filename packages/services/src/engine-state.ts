// The bridge between stored rows and the margin engine: services load rows, turn them into the
// engine's Account with these functions, let the engine compute, and persist what it returns
// (trading/persist.ts). Margin math lives only in @lab/margin-engine.
import type { Prisma } from '@lab/db';
import {
  CATALOGUE,
  Decimal,
  emptyAccount,
  type Account,
  type MarginMode,
  type Market,
  type Order,
  type OrderStatus,
  type OrderType,
  type Side,
  type TimeInForce,
  type WorkingType,
} from '@lab/margin-engine';

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
}

/**
 * Loads an account's whole engine state (wallet, settings, positions, open orders). The caller
 * holds the account's row lock, so nothing changes it meanwhile.
 */
export async function loadAccountState(tx: Tx, accountId: string): Promise<LoadedAccount | null> {
  const row = await tx.paperAccount.findUnique({
    where: { id: accountId },
    select: {
      id: true,
      userId: true,
      venueId: true,
      status: true,
      kind: true,
      startingBalance: true,
      walletBalance: true,
      nextOrderSeq: true,
      lastEventSeq: true,
      version: true,
      settings: { select: settingSelect },
      positions: { select: positionSelect },
      orders: { where: { status: { in: [...OPEN_STATUSES] } }, select: openOrderSelect },
    },
  });
  if (!row) return null;
  return {
    id: row.id,
    userId: row.userId,
    venueId: row.venueId,
    status: row.status,
    kind: row.kind,
    startingBalance: row.startingBalance,
    lastEventSeq: row.lastEventSeq,
    version: row.version,
    engine: toEngineAccount(row),
  };
}

/**
 * The engine's market from the latest marks (and last trade prices). A position whose symbol has
 * no mark yet is valued at its entry price (no unrealized PnL) and reported as unpriced.
 */
export function marketFor(
  account: Account,
  marks: ReadonlyMap<string, Num>,
  lastPrices?: ReadonlyMap<string, Num>,
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
  return { market: { instruments: CATALOGUE, marks: out, lastPrices: last }, unpriced };
}
