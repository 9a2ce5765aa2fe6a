// Funding: at each funding time a position pays (or receives) qty x mark x rate through the house.
import { type Decimal, ZERO, money, max } from './decimal.ts';
import { applyEvents } from './events.ts';
import { liquidate } from './liquidation.ts';
import { allPositionRisks, crossFigures, markOf, settingsOf } from './risk.ts';
import type { Account, EngineEvent, EngineResult, Market } from './types.ts';

/**
 * Apply funding rates (per symbol) to the positions held now. A positive rate makes longs pay
 * shorts: amount = -qty x mark x rate (8 dp). A payment is capped at the wallet it comes from
 * (isolated wallet or cross wallet); the uncovered part is recorded and not collected.
 * Liquidation is checked afterwards.
 */
export function applyFunding(
  account: Account,
  market: Market,
  rates: Readonly<Record<string, Decimal>>,
  now: number,
): EngineResult {
  let acc = account;
  const events: EngineEvent[] = [];
  for (const symbol of Object.keys(account.positions).sort()) {
    const rate = rates[symbol];
    const pos = acc.positions[symbol];
    if (!rate || !pos) continue;
    const mark = markOf(market, symbol, pos.entryPrice);
    const due = money(pos.quantity.times(mark).times(rate).neg());
    let amount = due;
    if (due.lt(0)) {
      const from =
        settingsOf(acc, symbol).marginMode === 'isolated'
          ? pos.isolatedWallet
          : crossFigures(acc, allPositionRisks(acc, market)).crossWallet;
      const cap = max(ZERO, from).neg();
      if (amount.lt(cap)) amount = cap;
    }
    const ev: EngineEvent = {
      type: 'fundingPaid',
      accountId: acc.id,
      time: now,
      symbol,
      rate,
      markPrice: mark,
      positionQuantity: pos.quantity,
      amount,
      uncollected: amount.minus(due),
    };
    acc = applyEvents(acc, [ev]);
    events.push(ev);
  }
  const liq = liquidate(acc, market, now);
  return { account: liq.account, events: [...events, ...liq.events] };
}
