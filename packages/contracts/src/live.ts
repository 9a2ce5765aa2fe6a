// Payloads of the live streams (server-sent events) the web servers send to browsers.
import { z } from 'zod';
import { marketTickSchema } from './market.ts';
import { symbol } from './input.ts';

/** Query of the market stream: the symbols a page shows (at most 50; none: every symbol). */
export const marketStreamQuery = z.object({
  symbols: z.array(symbol).max(50, 'at most 50 symbols').optional(),
  /** Which kinds of ticks the page shows (default: all). Book ticks are the heavy ones. */
  kinds: z
    .array(z.enum(['trade', 'mark', 'book', 'status']))
    .max(4)
    .optional(),
});
export type MarketStreamQuery = z.infer<typeof marketStreamQuery>;

/** One event of the market stream: first a snapshot of the latest state, then live batches. */
export const marketStreamEvent = z.object({
  snapshot: z.boolean(),
  /** Publisher's clock of the oldest batch in the event (latency is never understated). */
  publishedAt: z.number(),
  ticks: z.array(marketTickSchema),
});
export type MarketStreamEvent = z.infer<typeof marketStreamEvent>;
