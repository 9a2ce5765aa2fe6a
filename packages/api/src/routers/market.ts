// Market data reads (live prices stream from /api/stream/market, not through tRPC) and market
// events on the main market.
import { epochMs, int, MAIN_VENUE, scenarioEventSchema, symbol, venueId } from '@lab/contracts';
import { CANDLE_INTERVALS } from '@lab/market-data';
import { z } from 'zod';
import { adminProcedure, publicProcedure, router } from '../trpc.ts';
import {
  getCandles,
  getTicker,
  listInstruments,
  listTickers,
  sendScenarioEvent,
} from '@lab/services';

const onVenue = z.object({ venue: venueId.optional() }).optional();

export const marketRouter = router({
  /** The markets with their tickers on a venue (default: the main market; a competition's own). */
  instruments: publicProcedure
    .input(onVenue)
    .query(({ ctx, input }) => listInstruments(ctx.db, input?.venue ?? MAIN_VENUE)),
  tickers: publicProcedure
    .input(onVenue)
    .query(({ ctx, input }) => listTickers(ctx.db, input?.venue ?? MAIN_VENUE)),
  ticker: publicProcedure
    .input(z.object({ symbol, venue: venueId.optional() }))
    .query(({ ctx, input }) => getTicker(ctx.db, input.symbol, input.venue ?? MAIN_VENUE)),
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
        /** A competition's own market (default: the main market). Candles are public. */
        venue: venueId.optional(),
      }),
    )
    .query(({ ctx, input }) => getCandles(ctx.db, input)),

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
