// The bridge between stored rows and the margin engine: services load rows, turn them into the
// engine's Account and Market with these functions, let the engine compute, and persist what it
// returns. Margin math lives only in @lab/margin-engine.
import type { Prisma } from '@lab/db';
import {
  CATALOGUE,
  Decimal,
  emptyAccount,
  type Account,
  type Market,
  type MarginMode,
} from '@lab/margin-engine';

const dec = (d: Prisma.Decimal | string) => new Decimal(d.toString());
const mode = (m: 'CROSS' | 'ISOLATED'): MarginMode => (m === 'CROSS' ? 'cross' : 'isolated');

export interface StoredPosition {
  symbol: string;
  quantity: Prisma.Decimal;
  entryPrice: Prisma.Decimal;
  isolatedWallet: Prisma.Decimal;
  marginMode: 'CROSS' | 'ISOLATED';
  leverage: number;
}

export interface StoredAccount {
  id: string;
  /** All USDT of the account, isolated margin included (the engine's walletBalance). */
  walletBalance: Prisma.Decimal;
  positions: StoredPosition[];
  settings?: Array<{ symbol: string; leverage: number; marginMode: 'CROSS' | 'ISOLATED' }>;
}

export function toEngineAccount(row: StoredAccount): Account {
  const settings: Record<string, Account['settings'][string]> = {};
  for (const s of row.settings ?? [])
    settings[s.symbol] = { leverage: s.leverage, marginMode: mode(s.marginMode) };
  const positions: Record<string, Account['positions'][string]> = {};
  for (const p of row.positions) {
    settings[p.symbol] = { leverage: p.leverage, marginMode: mode(p.marginMode) };
    positions[p.symbol] = {
      symbol: p.symbol,
      quantity: dec(p.quantity),
      entryPrice: dec(p.entryPrice),
      isolatedWallet: dec(p.isolatedWallet),
    };
  }
  return { ...emptyAccount(row.id), walletBalance: dec(row.walletBalance), settings, positions };
}

/**
 * The engine's market for one account from the latest marks. A position whose symbol has no mark
 * yet is valued at its entry price (no unrealized PnL) and reported as unpriced.
 */
export function marketFor(
  account: Account,
  marks: ReadonlyMap<string, Prisma.Decimal>,
): { market: Market; unpriced: string[] } {
  const out: Record<string, Decimal> = {};
  for (const [symbol, price] of marks) out[symbol] = dec(price);
  const unpriced: string[] = [];
  for (const p of Object.values(account.positions)) {
    if (out[p.symbol]) continue;
    out[p.symbol] = p.entryPrice;
    unpriced.push(p.symbol);
  }
  return { market: { instruments: CATALOGUE, marks: out }, unpriced };
}
