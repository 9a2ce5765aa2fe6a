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
export const accountBook = (accountId: string) => `account:${accountId}`;

export interface LedgerLine {
  book: string;
  kind: string;
  amount: Decimal;
  memo?: string;
}

/** A movement of `amount` into the account from `house` (negative: out of the account). */
function pair(accountId: string, house: string, kind: string, amount: Decimal): LedgerLine[] {
  if (amount.isZero()) return [];
  return [
    { book: accountBook(accountId), kind, amount },
    { book: house, kind, amount: amount.negated() },
  ];
}

/** The balanced ledger lines of one engine event (none for events that move no money). */
export function ledgerLinesFor(accountId: string, ev: EngineEvent): LedgerLine[] {
  switch (ev.type) {
    case 'accountOpened':
      return pair(accountId, HOUSE.treasury, 'deposit', ev.walletBalance);
    case 'deposit':
      return pair(
        accountId,
        HOUSE.treasury,
        ev.amount.isNeg() ? 'withdrawal' : 'deposit',
        ev.amount,
      );
    case 'fill':
      return [
        ...pair(accountId, HOUSE.trading, 'realizedPnl', ev.realizedPnl),
        ...pair(accountId, HOUSE.fees, 'fee', ev.fee.negated()),
        // a loss beyond the wallet that no position is left to carry (see the engine's README)
        ...pair(accountId, HOUSE.insurance, 'shortfall', ev.shortfall),
      ];
    case 'fundingPaid':
      return pair(accountId, HOUSE.funding, 'funding', ev.amount);
    case 'liquidation':
      return [
        ...pair(accountId, HOUSE.trading, 'realizedPnl', ev.realizedPnl),
        ...pair(accountId, HOUSE.insurance, 'liquidationFee', ev.fee.negated()),
        ...pair(accountId, HOUSE.insurance, 'shortfall', ev.shortfall),
      ];
    default:
      return [];
  }
}
