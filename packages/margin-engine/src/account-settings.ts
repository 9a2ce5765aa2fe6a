// Leverage, margin mode, isolated margin adjustments and cancels. These throw EngineError.
import { type Decimal, ZERO, min } from './decimal.ts';
import { attachedCancels } from './attached.ts';
import { EngineError } from './errors.ts';
import { tierFor } from './instruments.ts';
import { applyEvents } from './events.ts';
import {
  allPositionRisks,
  availableBalanceRaw,
  crossFigures,
  exposureNotional,
  instrumentOf,
  openOrderMargin,
  settingsOf,
} from './risk.ts';
import type { Account, EngineEvent, EngineResult, MarginMode, Market } from './types.ts';

const result = (account: Account, events: EngineEvent[]): EngineResult => ({
  account: applyEvents(account, events),
  events,
});

function available(acc: Account, market: Market): Decimal {
  return availableBalanceRaw(
    crossFigures(acc, allPositionRisks(acc, market)),
    openOrderMargin(acc, market),
  );
}

export function setLeverage(
  account: Account,
  market: Market,
  symbol: string,
  leverage: number,
  now: number,
): EngineResult {
  const instrument = instrumentOf(market, symbol);
  if (!Number.isInteger(leverage) || leverage < 1)
    throw new EngineError('INVALID_LEVERAGE', 'leverage');
  if (leverage > instrument.maxLeverage) throw new EngineError('LEVERAGE_TOO_HIGH', 'leverage');
  const old = settingsOf(account, symbol, instrument).leverage;
  const ev: EngineEvent = {
    type: 'leverageChanged',
    accountId: account.id,
    time: now,
    symbol,
    leverage,
  };
  const next = applyEvents(account, [ev]);
  if (leverage > tierFor(instrument, exposureNotional(account, market, symbol)).maxLeverage)
    throw new EngineError('LEVERAGE_TOO_HIGH', 'leverage');
  const pos = account.positions[symbol];
  if (pos) {
    const r = allPositionRisks(next, market).find((x) => x.symbol === symbol)!;
    if (
      leverage < old &&
      r.marginMode === 'isolated' &&
      r.isolatedWallet.plus(min(ZERO, r.unrealizedPnl)).lt(r.initialMargin)
    )
      throw new EngineError('INSUFFICIENT_MARGIN', 'leverage');
  }
  if (leverage < old && available(next, market).lt(0))
    throw new EngineError('INSUFFICIENT_MARGIN', 'leverage');
  return { account: next, events: [ev] };
}

export function setMarginMode(
  account: Account,
  market: Market,
  symbol: string,
  mode: MarginMode,
  now: number,
): EngineResult {
  const instrument = instrumentOf(market, symbol);
  if (mode !== 'cross' && mode !== 'isolated') throw new EngineError('INVALID_MARGIN_MODE', 'mode');
  if (account.positions[symbol])
    throw new EngineError('MARGIN_MODE_CHANGE_WITH_POSITION', 'symbol');
  if (Object.values(account.orders).some((o) => o.symbol === symbol))
    throw new EngineError('MARGIN_MODE_CHANGE_WITH_OPEN_ORDERS', 'symbol');
  if (settingsOf(account, symbol).marginMode === mode) return { account, events: [] };
  const { leverage } = settingsOf(account, symbol, instrument);
  return result(account, [
    { type: 'marginModeChanged', accountId: account.id, time: now, symbol, mode, leverage },
  ]);
}

/**
 * Add (amount > 0) or remove (amount < 0) isolated margin. Adding needs that much available
 * balance (and cross wallet); at most min(isolated wallet - maintenance, isolated wallet +
 * unrealized PnL - initial margin at the mark) can be removed, so profit counts (Binance).
 */
export function adjustIsolatedMargin(
  account: Account,
  market: Market,
  symbol: string,
  amount: Decimal,
  now: number,
): EngineResult {
  instrumentOf(market, symbol);
  const pos = account.positions[symbol];
  if (!pos || settingsOf(account, symbol).marginMode !== 'isolated')
    throw new EngineError('NO_ISOLATED_POSITION', 'symbol');
  if (!amount.isFinite() || amount.isZero() || amount.decimalPlaces() > 8)
    throw new EngineError('INVALID_AMOUNT', 'amount');
  const ev: EngineEvent = {
    type: 'isolatedMarginAdjusted',
    accountId: account.id,
    time: now,
    symbol,
    amount,
    isolatedWallet: pos.isolatedWallet.plus(amount),
  };
  if (amount.gt(0)) {
    const cross = crossFigures(account, allPositionRisks(account, market));
    // needs the available balance and real money in the cross wallet (not only unrealized profit)
    if (available(account, market).lt(amount) || cross.crossWallet.lt(amount))
      throw new EngineError('INSUFFICIENT_MARGIN', 'amount');
    return result(account, [ev]);
  }
  // Binance's maximum: min(isolated wallet - maintenance, isolated wallet + uPnL - initial margin
  // at the mark), i.e. what is left must cover maintenance, and with the PnL the initial margin
  const next = applyEvents(account, [ev]);
  const r = allPositionRisks(next, market).find((x) => x.symbol === symbol)!;
  if (
    r.isolatedWallet.lt(r.maintenanceMargin) ||
    r.isolatedWallet.plus(r.unrealizedPnl).lt(r.initialMargin)
  )
    throw new EngineError('MARGIN_REMOVAL_TOO_LARGE', 'amount');
  return { account: next, events: [ev] };
}

export interface CancelRequest {
  orderId?: string;
  clientOrderId?: string;
}

export function cancelOrder(account: Account, req: CancelRequest, now: number): EngineResult {
  const o = Object.values(account.orders).find(
    (x) =>
      (req.orderId !== undefined && x.id === req.orderId) ||
      (req.clientOrderId !== undefined && x.clientOrderId === req.clientOrderId),
  );
  if (!o)
    throw new EngineError(
      'ORDER_NOT_FOUND',
      req.orderId !== undefined ? 'orderId' : 'clientOrderId',
    );
  return result(account, [
    {
      type: 'orderCanceled',
      accountId: account.id,
      time: now,
      orderId: o.id,
      symbol: o.symbol,
      reason: 'user',
    },
    ...attachedCancels(account, o, now, 'entry canceled'),
  ]);
}
