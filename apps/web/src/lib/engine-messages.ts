// What an engine code means for the trader, in words, with the numbers that apply (the engine's
// own messages are constant per code; these say what to change).
import type { ErrorCode, Instrument } from '@lab/margin-engine';

export interface MessageContext {
  instrument: Instrument;
  baseAsset: string;
  leverage?: number;
}

export function describeEngineCode(code: string, ctx: MessageContext): string {
  return engineSentence(code, ctx) ?? 'The engine refused this order.';
}

/**
 * What a refused request says to the trader: the engine's code in words with the numbers that
 * apply, else the server's own message (a competition's rule names itself; the server sends only
 * known, safe messages).
 */
export function describeRefusal(
  error: { message: string; data?: { reason?: string | null } | null },
  ctx: MessageContext | null,
): string {
  const reason = error.data?.reason;
  return (reason && ctx ? engineSentence(reason, ctx) : null) ?? error.message;
}

function engineSentence(code: string, ctx: MessageContext): string | null {
  const i = ctx.instrument;
  const lot = `${i.lotSize.toFixed()} ${ctx.baseAsset}`;
  const tick = `${i.tickSize.toFixed()} USDT`;
  switch (code as ErrorCode) {
    case 'QUANTITY_NOT_ON_STEP':
      return `The quantity must be a whole number of lots of ${lot}.`;
    case 'INVALID_QUANTITY':
      return 'Enter a quantity above zero.';
    case 'PRICE_NOT_ON_TICK':
      return `The limit price must be a multiple of the tick, ${tick}.`;
    case 'STOP_PRICE_NOT_ON_TICK':
      return `The price must be a multiple of the tick, ${tick}.`;
    case 'PRICE_REQUIRED':
      return 'Enter a limit price.';
    case 'STOP_PRICE_REQUIRED':
      return 'Enter a trigger price.';
    case 'INVALID_PRICE':
      return 'Enter a price above zero.';
    case 'STOP_WOULD_TRIGGER_IMMEDIATELY':
      return 'The price has already reached this trigger: it would fire at once. Move it past the current price.';
    case 'MIN_NOTIONAL':
      return `The order must be worth at least ${i.minNotional.toFixed()} USDT.`;
    case 'MAX_NOTIONAL':
      return 'The position would exceed the largest size this market allows.';
    case 'LEVERAGE_TOO_HIGH':
      return `${ctx.leverage ?? 'This'}× is above the maximum leverage for a position of this size: lower the leverage or the size (see the leverage tiers).`;
    case 'REDUCE_ONLY_WOULD_INCREASE':
      return 'Reduce-only: there is no opposite position for this order to reduce.';
    case 'INSUFFICIENT_MARGIN':
      return 'Not enough available balance for the margin and fee of this order.';
    case 'POST_ONLY_WOULD_TAKE':
      return 'Post-only: at this price the order would trade at once. Move the price away from the market or untick post-only.';
    case 'FOK_NOT_FILLED':
      return 'Fill-or-kill: the book cannot fill all of it at once at this price.';
    case 'IOC_NOT_FILLED':
      return 'Immediate-or-cancel: nothing could fill at once at this price.';
    case 'BOOK_DEPTH_EXHAUSTED':
      return 'The book is not deep enough to fill all of it now.';
    case 'NO_MARK_PRICE':
      return 'Waiting for the first mark price of this market.';
    case 'DUPLICATE_CLIENT_ORDER_ID':
      return 'An open order already uses this id.';
    case 'NO_POSITION_TO_CLOSE':
      return 'There is no position to close.';
    case 'MARGIN_MODE_CHANGE_WITH_POSITION':
      return 'Close the position on this market before changing its margin mode.';
    case 'MARGIN_MODE_CHANGE_WITH_OPEN_ORDERS':
      return 'Cancel the open orders on this market before changing its margin mode.';
    case 'MARGIN_REMOVAL_TOO_LARGE':
      return 'That is more than can be removed: the position would be left with less than it needs.';
    case 'INVALID_AMOUNT':
      return 'Enter an amount above zero with at most 8 decimals.';
    default:
      return null;
  }
}

/** Which form field an engine code (refused by the preview or the server) belongs to. */
export function fieldOfCode(code: string, field: string | null | undefined): string {
  switch (code as ErrorCode) {
    case 'INSUFFICIENT_MARGIN':
    case 'MIN_NOTIONAL':
    case 'MAX_NOTIONAL':
    case 'BOOK_DEPTH_EXHAUSTED':
      return 'amount';
    case 'POST_ONLY_WOULD_TAKE':
      return 'postOnly';
    case 'FOK_NOT_FILLED':
    case 'IOC_NOT_FILLED':
      return 'timeInForce';
    case 'LEVERAGE_TOO_HIGH':
      return 'leverage';
    default:
      return field === 'quantity' ? 'amount' : (field ?? 'form');
  }
}
