// closeAllAtMark: the platform's account reset / archive. Cancels every order, then closes every
// position at its mark without fee, through system orders the engine creates.
import { ZERO } from './decimal.ts';
import { applyEvents } from './events.ts';
import { fillSlices } from './execution.ts';
import { markOf, settingsOf } from './risk.ts';
import type { Account, EngineEvent, EngineResult, Market } from './types.ts';

/**
 * Cancel every open order (reason `reason`), then close every position at its mark (its entry
 * price when the symbol has no mark) with no fee: per position an orderAccepted of a reduce-only
 * market order `${account.id}-${seq}`, its fill (feeRate 0) and the positionChanged. Isolated
 * positions close first, so their margin is back in the cross wallet before the cross positions
 * close. A loss beyond a wallet is carried by the rule of every fill (README "Losses beyond a
 * wallet"): in the end the insurance fund pays what is below zero. Never throws for a valid
 * account and refuses nothing; afterwards the account has no orders and no positions.
 */
export function closeAllAtMark(
  account: Account,
  market: Market,
  now: number,
  reason: string,
): EngineResult {
  const events: EngineEvent[] = Object.values(account.orders)
    .sort((a, b) => a.seq - b.seq)
    .map((o) => ({
      type: 'orderCanceled',
      accountId: account.id,
      time: now,
      orderId: o.id,
      symbol: o.symbol,
      reason,
    }));
  let acc = applyEvents(account, events);
  const isolatedFirst = (s: string): number =>
    settingsOf(acc, s).marginMode === 'isolated' ? 0 : 1;
  const symbols = Object.keys(acc.positions).sort(
    (a, b) => isolatedFirst(a) - isolatedFirst(b) || (a < b ? -1 : 1),
  );
  for (const symbol of symbols) {
    const pos = acc.positions[symbol]!;
    const seq = acc.nextSeq;
    const id = `${acc.id}-${seq}`;
    const accepted: EngineEvent = {
      type: 'orderAccepted',
      accountId: acc.id,
      time: now,
      order: {
        id,
        clientOrderId: undefined,
        symbol,
        side: pos.quantity.isPos() ? 'sell' : 'buy',
        orderType: 'market',
        quantity: pos.quantity.abs(),
        price: undefined,
        stopPrice: undefined,
        timeInForce: 'GTC',
        reduceOnly: true,
        closePosition: false,
        workingType: 'mark',
        status: 'new',
        seq,
      },
    };
    acc = applyEvents(acc, [accepted]);
    const slice = { price: markOf(market, symbol, pos.entryPrice), quantity: pos.quantity.abs() };
    const step = fillSlices(acc, market, acc.orders[id]!, [slice], 'taker', now, ZERO);
    acc = step.account;
    events.push(accepted, ...step.events);
  }
  return { account: acc, events };
}
