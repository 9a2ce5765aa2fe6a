// Which ledger lines an engine event moves: every line on the account's book has its counter-entry
// on a house book, so each event's lines sum to zero. The account book's balance is the engine's
// wallet balance; the house books are the counterparties (see LedgerEntry in schema.prisma).
import type { Decimal, EngineEvent } from '@lab/margin-engine';

export const HOUSE = {
  treasury: 'house:treasury',
  trading: 'house:trading',
  fees: 'house:fees',
  funding: 'house:funding',
  insurance: 'house:insurance',
} as const;
export const HOUSE_BOOKS: readonly string[] = Object.values(HOUSE);
/** An account's book is this and the account's id (also written by SQL: trading/persist.ts). */
export const ACCOUNT_BOOK_PREFIX = 'account:';
export const accountBook = (accountId: string) => `${ACCOUNT_BOOK_PREFIX}${accountId}`;

/**
 * A movement of `amount` into the account's book from the `house` book (negative: out of the
 * account): two ledger lines, the amount on the account's book and its negation on the house's,
 * so every movement, and every transaction of movements, sums to zero by construction.
 */
export interface LedgerMovement {
  house: string;
  kind: string;
  amount: Decimal;
}

const move = (out: LedgerMovement[], house: string, kind: string, amount: Decimal): void => {
  if (!amount.isZero()) out.push({ house, kind, amount });
};

/** The ledger movements of one engine event (none for events that move no money). */
export function ledgerMovementsFor(ev: EngineEvent): LedgerMovement[] {
  const out: LedgerMovement[] = [];
  switch (ev.type) {
    case 'accountOpened':
      move(out, HOUSE.treasury, 'deposit', ev.walletBalance);
      break;
    case 'deposit':
      move(out, HOUSE.treasury, ev.amount.isNeg() ? 'withdrawal' : 'deposit', ev.amount);
      break;
    case 'fill':
      move(out, HOUSE.trading, 'realizedPnl', ev.realizedPnl);
      move(out, HOUSE.fees, 'fee', ev.fee.negated());
      // a loss beyond the wallet that no position is left to carry (see the engine's README)
      move(out, HOUSE.insurance, 'shortfall', ev.shortfall);
      break;
    case 'fundingPaid':
      move(out, HOUSE.funding, 'funding', ev.amount);
      break;
    case 'liquidation':
      move(out, HOUSE.trading, 'realizedPnl', ev.realizedPnl);
      move(out, HOUSE.insurance, 'liquidationFee', ev.fee.negated());
      move(out, HOUSE.insurance, 'shortfall', ev.shortfall);
      break;
    default:
      break;
  }
  return out;
}
