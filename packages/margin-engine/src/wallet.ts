// adjustWallet: money in from the platform's treasury (or out to it), as a signed deposit event.
import type { Decimal } from './decimal.ts';
import { EngineError } from './errors.ts';
import { applyEvents } from './events.ts';
import {
  allPositionRisks,
  availableBalanceRaw,
  crossFigures,
  crossWalletOf,
  openOrderMargin,
} from './risk.ts';
import type { Account, EngineEvent, EngineResult, Market } from './types.ts';

/**
 * A signed `deposit` of `amount` (positive: in from the treasury; negative: out). INVALID_AMOUNT
 * when it is not finite, zero, has more than 8 decimals, or would take the cross wallet below
 * zero. A withdrawal must also leave what the positions and open orders need: at most the
 * available balance at `market`'s marks (Binance's maximum withdrawable), else
 * INSUFFICIENT_MARGIN; without `market` it is allowed only from an account with no position and
 * no open order (after closeAllAtMark, say).
 */
export function adjustWallet(
  account: Account,
  amount: Decimal,
  now: number,
  market?: Market,
): EngineResult {
  if (!amount.isFinite() || amount.isZero() || amount.decimalPlaces() > 8)
    throw new EngineError('INVALID_AMOUNT', 'amount');
  if (crossWalletOf(account).plus(amount).lt(0)) throw new EngineError('INVALID_AMOUNT', 'amount');
  if (amount.isNeg()) {
    const exposed =
      Object.keys(account.positions).length > 0 || Object.keys(account.orders).length > 0;
    if (exposed) {
      if (!market) throw new EngineError('INSUFFICIENT_MARGIN', 'amount');
      const available = availableBalanceRaw(
        crossFigures(account, allPositionRisks(account, market)),
        openOrderMargin(account, market),
      );
      if (available.plus(amount).lt(0)) throw new EngineError('INSUFFICIENT_MARGIN', 'amount');
    }
  }
  const events: EngineEvent[] = [{ type: 'deposit', accountId: account.id, time: now, amount }];
  return { account: applyEvents(account, events), events };
}
