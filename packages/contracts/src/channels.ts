// PostgreSQL LISTEN/NOTIFY channels between the processes of the platform, and the commands sent
// on them. One definition each: producers and consumers import these names.
import { z } from 'zod';
import { symbol } from './input.ts';
import { MAIN_VENUE, venueId } from './roles.ts';

export const CHANNELS = {
  /** Worker -> web servers: batches of market ticks (see @lab/market-data's bus). */
  marketTicks: 'lab_market_ticks',
  /** API -> worker: market commands (scenario events). */
  marketCommands: 'lab_market_commands',
  /** Whoever commits a change to an account -> web servers and worker: which account changed. */
  accountChanges: 'lab_account_changes',
} as const;

const durationMs = z
  .number({ error: 'durationMs must be a number' })
  .int('durationMs must be a whole number')
  .min(1000, 'durationMs must be at least 1000')
  .max(3_600_000, 'durationMs must be at most one hour');

/**
 * A market event an admin (main market) or a host (a competition's own market) triggers. `symbol`
 * alone moves that market; `propagate` (default true) lets the others follow by their correlation,
 * as a crash of BTC drags the market.
 */
export const scenarioEventSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.enum(['crash', 'rally']),
    percent: z
      .number({ error: 'percent must be a number' })
      .gt(0, 'percent must be above 0')
      .max(90, 'percent must be at most 90'),
    durationMs,
    symbol: symbol.optional(),
    propagate: z.boolean().optional(),
  }),
  z.object({
    type: z.literal('volSpike'),
    multiplier: z
      .number({ error: 'multiplier must be a number' })
      .gt(1, 'multiplier must be above 1')
      .max(20, 'multiplier must be at most 20'),
    durationMs,
    symbol: symbol.optional(),
  }),
  z.object({
    type: z.literal('liquidityDrought'),
    spreadMultiplier: z
      .number({ error: 'spreadMultiplier must be a number' })
      .gt(1, 'spreadMultiplier must be above 1')
      .max(50, 'spreadMultiplier must be at most 50'),
    depthMultiplier: z
      .number({ error: 'depthMultiplier must be a number' })
      .gt(0, 'depthMultiplier must be above 0')
      .lt(1, 'depthMultiplier must be below 1'),
    durationMs,
    symbol: symbol.optional(),
  }),
]);
export type ScenarioEventInput = z.infer<typeof scenarioEventSchema>;

export const marketCommandSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('scenario'),
    venue: venueId.default(MAIN_VENUE),
    event: scenarioEventSchema,
  }),
]);
export type MarketCommand = z.infer<typeof marketCommandSchema>;

/** Payload of CHANNELS.accountChanges: the account, its venue and its version after the commit. */
export const accountChangeSchema = z.object({
  accountId: z.string(),
  venue: z.string(),
  version: z.number().int(),
});
export type AccountChange = z.infer<typeof accountChangeSchema>;
