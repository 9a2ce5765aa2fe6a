import { CANDLE_INTERVALS, type FeedUpdate, type MarketTick } from '@lab/market-data';
import { tracked } from '@trpc/server';
import { z } from 'zod';
import { AppError } from '../errors.ts';
import {
  getCandles,
  getTicker,
  listInstruments,
  listTickers,
  sendScenarioEvent,
} from '../services/market.ts';
import { instructorProcedure, publicProcedure, router } from '../trpc.ts';

const symbol = z
  .string({ error: 'symbol is required' })
  .trim()
  .toUpperCase()
  .regex(/^[A-Z0-9]{2,20}$/, 'symbol must be an instrument symbol like BTCUSDT');
const durationMs = z
  .number()
  .int()
  .min(1000, 'durationMs must be at least 1000')
  .max(3_600_000, 'durationMs must be at most one hour');

/**
 * Input of `market.live`. Exported because the production web server answers the same requests on
 * a fast path (apps/web/src/server/live-fanout.ts) and must validate them exactly as this does.
 */
export const liveInput = z
  .object({ symbols: z.array(symbol).max(50).optional(), lastEventId: z.string().nullish() })
  .optional();

/**
 * The live feed is checked in a middleware, before the stream starts: an error thrown inside the
 * subscription's generator happens while streaming, past the error mapping, and reached the client
 * as INTERNAL_SERVER_ERROR instead of SERVICE_UNAVAILABLE.
 */
const liveProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.feed)
    throw new AppError('UNAVAILABLE', 'Live market data is not available on this server.');
  return next({ ctx: { ...ctx, feed: ctx.feed } });
});

export const marketRouter = router({
  instruments: publicProcedure.query(({ ctx }) => listInstruments(ctx.db)),
  tickers: publicProcedure.query(({ ctx }) => listTickers(ctx.db)),
  ticker: publicProcedure
    .input(z.object({ symbol }))
    .query(({ ctx, input }) => getTicker(ctx.db, input.symbol)),
  candles: publicProcedure
    .input(
      z.object({
        symbol,
        interval: z.enum(CANDLE_INTERVALS, {
          error: `interval must be one of ${CANDLE_INTERVALS.join(', ')}`,
        }),
        from: z.number().int().nonnegative().optional(),
        to: z.number().int().nonnegative().optional(),
        limit: z.number().int().min(1).max(1500, 'limit must be at most 1500').default(500),
      }),
    )
    .query(({ ctx, input }) => getCandles(ctx.db, input)),

  /**
   * Live ticks over server-sent events. Every event carries an id; a client that reconnects with
   * its last id first receives the current state of its symbols (ticks are not kept, the latest
   * state is), then the live stream.
   */
  live: liveProcedure.input(liveInput).subscription(async function* ({ ctx, input, signal }) {
    const feed = ctx.feed;
    const wanted = input?.symbols?.length ? new Set(input.symbols) : null;
    const pick = (ticks: MarketTick[]) =>
      wanted ? ticks.filter((t) => wanted.has(t.symbol)) : ticks;
    const queue: FeedUpdate[] = [];
    let wake: (() => void) | null = null;
    const off = feed.subscribe((u) => {
      queue.push(u);
      if (queue.length > 200) queue.splice(0, queue.length - 200); // a slow client skips, never stalls others
      wake?.();
    });
    // One abort listener for the whole stream (one per wait piled up thousands on a long stream).
    const onAbort = () => wake?.();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const snapshot = pick(feed.snapshot());
      yield tracked(`s${Date.now()}`, { snapshot: true, publishedAt: Date.now(), ticks: snapshot });
      while (!signal?.aborted) {
        if (!queue.length) {
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
          wake = null;
          continue;
        }
        // Everything queued goes out as one event: a client (or a server) that fell behind
        // catches up in one write instead of one per batch, so overload does not snowball.
        const batch = queue.splice(0, queue.length);
        const ticks =
          batch.length === 1 ? pick(batch[0]!.ticks) : batch.flatMap((u) => pick(u.ticks));
        const lastSeq = batch.at(-1)!.seq;
        // publishedAt of the oldest batch in the event: latency measured from it is never understated.
        if (ticks.length)
          yield tracked(String(lastSeq), {
            snapshot: false,
            publishedAt: batch[0]!.publishedAt,
            ticks,
          });
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
      off();
    }
  }),

  /** Instructors trigger a market event that every participant sees at once. */
  triggerScenario: instructorProcedure
    .input(
      z.discriminatedUnion('type', [
        z.object({
          type: z.enum(['crash', 'rally']),
          percent: z.number().gt(0).max(90, 'percent must be at most 90'),
          durationMs,
          symbol: symbol.optional(),
        }),
        z.object({
          type: z.literal('volSpike'),
          multiplier: z.number().gt(1).max(20, 'multiplier must be at most 20'),
          durationMs,
          symbol: symbol.optional(),
        }),
        z.object({
          type: z.literal('liquidityDrought'),
          spreadMultiplier: z.number().gt(1).max(50),
          depthMultiplier: z.number().gt(0).lt(1),
          durationMs,
          symbol: symbol.optional(),
        }),
      ]),
    )
    .mutation(async ({ ctx, input }) => {
      await sendScenarioEvent(ctx.db, input);
      return { sent: true };
    }),
});
