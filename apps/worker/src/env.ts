// Environment of the worker, read and validated in one place.
import { z } from 'zod';

const schema = z.object({
  DATABASE_URL: z
    .string({ error: 'DATABASE_URL is required (npm start provides it)' })
    .regex(/^postgres(ql)?:\/\//, 'DATABASE_URL must be a postgresql:// URL'),
  /**
   * Per-market price sources, e.g. "BTCUSDT=binance,ETHUSDT=replay:/data/eth-1m.csv".
   * Markets not named run on the simulator.
   */
  LAB_MARKETS: z.string().default(''),
  LAB_MARKET_SEED: z.string().min(1).default('leverage-lab'),
  LAB_SIM_TICKS_PER_SECOND: z.coerce.number().positive().max(50).default(4),
  /** Hours of 1m candles simulated at first start so charts have history. */
  LAB_MARKET_BACKFILL_HOURS: z.coerce.number().min(0).max(168).default(24),
  LAB_MARKET_REPLAY_SPEED: z.coerce.number().positive().default(1),
  /** How often a standby worker tries to take the worker lock (ms). */
  LAB_WORKER_LOCK_POLL_MS: z.coerce.number().int().min(50).max(5000).default(1000),
  /** Accounts per transaction of the trading loop's batch path. */
  LAB_TRADING_BATCH_SIZE: z.coerce.number().int().min(1).max(5000).default(500),
  /** Batches the trading loop commits at once (one connection each). */
  LAB_TRADING_CONCURRENCY: z.coerce.number().int().min(1).max(16).default(2),
  LAB_BINANCE_WS_URL: z.string().url().optional(),
  LAB_BYBIT_WS_URL: z.string().url().optional(),
});

export type WorkerEnv = z.infer<typeof schema>;

export function readEnv(source: NodeJS.ProcessEnv = process.env): WorkerEnv {
  const parsed = schema.safeParse(source);
  if (!parsed.success) {
    throw new Error(
      'invalid worker configuration: ' +
        parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
    );
  }
  return parsed.data;
}
