// Payloads of the live streams (server-sent events) the web servers send to browsers.
import { z } from 'zod';
import { marketTickSchema } from './market.ts';
import { figuresSchema } from './figures.ts';
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

/** A margin ratio at or above this raises a margin-call warning on the account stream. */
export const MARGIN_CALL_RATIO = 0.8;

/** A liquidation of an account, as its stream tells it. */
export const liquidationNotice = z.object({
  mode: z.enum(['cross', 'isolated']),
  /** Isolated: the position's symbol; cross: the symbol whose tick triggered it, if one. */
  symbol: z.string().nullable(),
  markPrice: z.string().nullable(),
  /** The seq of its `liquidationTriggered` event: a notice seen twice is one liquidation. */
  eventSeq: z.number(),
  /** When it happened (ms). */
  at: z.number(),
});
export type LiquidationNotice = z.infer<typeof liquidationNotice>;

/** Events of an account's private stream. Engine events are the engine's own JSON (eventToJson). */
export const accountStreamEvent = z.discriminatedUnion('type', [
  /** The account as it is now (first event, and after a resync). */
  z.object({
    type: z.literal('snapshot'),
    accountId: z.string(),
    version: z.number(),
    lastEventSeq: z.number(),
    figures: figuresSchema,
    /**
     * Liquidations the client missed while it was away or behind (after the last event id it
     * received), oldest first; none on a first connection.
     */
    liquidations: z.array(liquidationNotice),
    at: z.number(),
  }),
  /** The account changed (orders, fills, funding, liquidation...): its new figures and events. */
  z.object({
    type: z.literal('update'),
    accountId: z.string(),
    version: z.number(),
    lastEventSeq: z.number(),
    figures: figuresSchema,
    events: z.array(z.record(z.string(), z.unknown())),
    at: z.number(),
  }),
  /** Marks moved: the figures at the new marks. */
  z.object({
    type: z.literal('figures'),
    accountId: z.string(),
    figures: figuresSchema,
    /** Publish time of the market batch that moved them. */
    publishedAt: z.number(),
    at: z.number(),
  }),
  /** The margin ratio of a compartment (cross, or an isolated position) reached the warning level. */
  z.object({
    type: z.literal('marginCall'),
    accountId: z.string(),
    /** 'cross', or the symbol of an isolated position. */
    compartment: z.string(),
    marginRatio: z.string().nullable(),
    at: z.number(),
  }),
  /** A liquidation happened (its engine events are in the update that precedes this). */
  z.object({ type: z.literal('liquidation'), accountId: z.string(), ...liquidationNotice.shape }),
]);
export type AccountStreamEvent = z.infer<typeof accountStreamEvent>;
