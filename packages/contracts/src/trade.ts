// Trading inputs shared by the API and the trading screen: the browser checks an order with the
// same schema before sending it, so a malformed entry is shown at its field and never sent.
// Every rule that depends on the instrument, the account or the market is the margin engine's.
import { z } from 'zod';
import { clientOrderId, positiveDecimal, symbol, text } from './input.ts';

export const ORDER_TYPES = [
  'market',
  'limit',
  'stopMarket',
  'stopLimit',
  'takeProfitMarket',
  'takeProfitLimit',
] as const;
export type OrderTypeName = (typeof ORDER_TYPES)[number];

export const TIME_IN_FORCE = ['GTC', 'IOC', 'FOK', 'GTX'] as const;

const side = z.enum(['buy', 'sell'], { error: 'side must be buy or sell' });
const trigger = z.object({ stopPrice: positiveDecimal('stopPrice') });

/** An order: the engine checks every rule that depends on the account and the market. */
export const orderInput = z.object({
  symbol,
  side,
  type: z.enum(ORDER_TYPES, { error: `type must be one of ${ORDER_TYPES.join(', ')}` }),
  quantity: positiveDecimal('quantity').optional(),
  price: positiveDecimal('price').optional(),
  stopPrice: positiveDecimal('stopPrice').optional(),
  /** Limit orders only. GTX is post-only (refused rather than taking liquidity). */
  timeInForce: z
    .enum(TIME_IN_FORCE, { error: 'timeInForce must be GTC, IOC, FOK or GTX' })
    .optional(),
  reduceOnly: z.boolean().optional(),
  closePosition: z.boolean().optional(),
  /** What stop and take-profit triggers watch: the mark (default) or the last trade price. */
  workingType: z.enum(['mark', 'last'], { error: 'workingType must be mark or last' }).optional(),
  /** A retry with the same id returns the order placed first. */
  clientOrderId: clientOrderId.optional(),
  takeProfit: trigger.optional(),
  stopLoss: trigger.optional(),
  /** Why the trader places it (a trade note); a competition may require one. */
  note: text('note', { max: 500, min: 0 }).optional(),
});
export type OrderInput = z.infer<typeof orderInput>;
