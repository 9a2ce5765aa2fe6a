import { CANDLE_INTERVALS, type FeedUpdate, type MarketTick } from '@lab/market-data';
import { tracked } from '@trpc/server';
import { epochMs, int, MAIN_VENUE, scenarioEventSchema, symbol } from '@lab/contracts';
import { z } from 'zod';
import { adminProcedure, publicProcedure, router } from '../trpc.ts';
import {
  AppError,
  getCandles,
  getTicker,
  listInstruments,
  listTickers,
  sendScenarioEvent,
} from '@lab/services';

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
        from: epochMs('from').optional(),
        to: epochMs('to').optional(),
        limit: int('limit', { min: 1, max: 1500 }).default(500),
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

  /**
   * A market event (crash, rally, volatility spike, liquidity drought) on the platform's main
   * market. It moves every user's positions, so it is for admins; hosts get market events on their
   * competition's own market.
   */
  triggerScenario: adminProcedure.input(scenarioEventSchema).mutation(async ({ ctx, input }) => {
    await sendScenarioEvent(ctx.db, MAIN_VENUE, input);
    return { sent: true };
  }),
});
