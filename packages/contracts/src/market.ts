// Market data as every source, the worker, the web servers and the browser exchange it. Prices and
// sizes are decimal strings (exact); times are epoch milliseconds.
import { z } from 'zod';
import { marketStatusSchema } from './roles.ts';

const dec = z.string();
const level = z.tuple([dec, dec]);

/** One executed trade on the market (or a simulated one); `side` is the aggressor's. */
export const tradeTickSchema = z.object({
  kind: z.literal('trade'),
  symbol: z.string(),
  time: z.number(),
  price: dec,
  quantity: dec,
  side: z.enum(['buy', 'sell']),
});

/** Mark, index and funding state of a perpetual; fundingRate applies at nextFundingTime. */
export const markTickSchema = z.object({
  kind: z.literal('mark'),
  symbol: z.string(),
  time: z.number(),
  markPrice: dec,
  indexPrice: dec,
  fundingRate: dec,
  nextFundingTime: z.number(),
});

/** Top of book plus optional depth levels, best first. */
export const bookTickSchema = z.object({
  kind: z.literal('book'),
  symbol: z.string(),
  time: z.number(),
  bids: z.array(level),
  asks: z.array(level),
});

/** Health of a market's feed. A market that is not live is never traded or filled on. */
export const statusTickSchema = z.object({
  kind: z.literal('status'),
  symbol: z.string(),
  time: z.number(),
  status: marketStatusSchema,
  reason: z.string().optional(),
});

export const marketTickSchema = z.discriminatedUnion('kind', [
  tradeTickSchema,
  markTickSchema,
  bookTickSchema,
  statusTickSchema,
]);

export type TradeTick = z.infer<typeof tradeTickSchema>;
export type MarkTick = z.infer<typeof markTickSchema>;
export type BookTick = z.infer<typeof bookTickSchema>;
export type StatusTick = z.infer<typeof statusTickSchema>;
export type MarketTick = z.infer<typeof marketTickSchema>;
export type TickKind = MarketTick['kind'];
export const TICK_KINDS = [
  'trade',
  'mark',
  'book',
  'status',
] as const satisfies readonly TickKind[];
