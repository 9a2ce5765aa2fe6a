// One competition's own market, run by the worker while the competition is scheduled or running:
// a simulator with the venue's seed and speed (ticks per second; funding every N minutes), a
// market data service publishing its ticks with the venue's id (candles, tickers, the web
// servers' feeds), and a trading loop (VenueRunner: stops, resting limits, funding, liquidations)
// on exactly those ticks, kept current by the account-change channel like the main venue's.
// Nothing here touches another venue: its ticks go to its own runner and carry its own venue id.
import type { MarketTick } from '@lab/contracts';
import type { Db } from '@lab/db';
import {
  DEFAULT_FUNDING,
  DEFAULT_INSTRUMENTS,
  type SimulatorSource,
  type TickPublisher,
} from '@lab/market-data';
import type { Transactor } from '@lab/services';
import type pg from 'pg';
import { MarketDataService } from '../market/market-data-service.ts';
import { startSimulator } from '../market/simulator-runner.ts';
import { listenForAccountChanges } from '../trading/account-sync.ts';
import { VenueRunner } from '../trading/venue-runner.ts';
import { LagMeter } from './lag-meter.ts';

export interface VenueServices {
  databaseUrl: string;
  /** Market data persistence (candles, tickers, simulator state). */
  pool: pg.Pool;
  publisher: TickPublisher;
  /** The trading loop's Prisma client (reads) and transactor (the batch path). */
  tradingDb: Db;
  transactor?: Transactor;
  log: (msg: string) => void;
  batchSize?: number;
  concurrency?: number;
  /** Hours of market history simulated when the venue first starts (charts open with candles). */
  backfillHours: number;
}

export interface VenueSettings {
  id: string;
  seed: string | null;
  ticksPerSecond: number | null;
  fundingIntervalMinutes: number | null;
  symbols: string[];
}

/** The platform's default simulator speed, when a venue does not set its own. */
export const DEFAULT_TICKS_PER_SECOND = 4;

export class CompetitionVenue {
  readonly id: string;
  private runner: VenueRunner | null = null;
  private sim: { source: SimulatorSource; stop: () => Promise<void> } | null = null;
  private stopListening: (() => Promise<void>) | null = null;
  readonly lag = new LagMeter();
  /** Ticks the simulator produced (live, published) and ticks the trading loop has processed. */
  readonly counts = { produced: 0, processed: 0 };

  constructor(
    private readonly services: VenueServices,
    readonly settings: VenueSettings,
    /** Every live batch of the venue, in order (the venue manager's prices). */
    private readonly onBatch: (venue: string, ticks: readonly MarketTick[]) => void,
  ) {
    this.id = settings.id;
  }

  get simulator(): SimulatorSource | undefined {
    return this.sim?.source;
  }

  get trading(): VenueRunner | null {
    return this.runner;
  }

  async start(): Promise<void> {
    const s = this.services;
    const runner = new VenueRunner({
      db: s.tradingDb,
      ...(s.transactor ? { transactor: s.transactor } : {}),
      venue: this.id,
      log: s.log,
      ...(s.batchSize ? { batchSize: s.batchSize } : {}),
      ...(s.concurrency ? { concurrency: s.concurrency } : {}),
    });
    this.runner = runner;
    this.stopListening = await listenForAccountChanges(s.databaseUrl, [runner], s.log);
    await runner.start();
    const service = new MarketDataService({
      pool: s.pool,
      venue: this.id,
      publisher: s.publisher,
      log: s.log,
    });
    service.onTicks((batch) => {
      this.counts.produced += batch.length;
      const arrived = performance.now();
      runner.onTicks(batch);
      this.onBatch(this.id, batch);
      // the batch is processed once the loop is idle again with it taken
      void runner.whenIdle().then(() => {
        this.counts.processed += batch.length;
        this.lag.record(performance.now() - arrived);
      });
    });
    const symbols = this.settings.symbols.length
      ? this.settings.symbols
      : DEFAULT_INSTRUMENTS.map((i) => i.symbol);
    const minutes = this.settings.fundingIntervalMinutes;
    this.sim = await startSimulator(
      {
        pool: s.pool,
        stateName: `simulator:${this.id}`,
        ...(minutes
          ? { market: { funding: { ...DEFAULT_FUNDING, intervalMs: minutes * 60_000 } } }
          : {}),
        seed: this.settings.seed ?? this.id,
        ticksPerSecond: this.settings.ticksPerSecond ?? DEFAULT_TICKS_PER_SECOND,
        backfillHours: s.backfillHours,
        symbols,
        log: s.log,
      },
      service,
    );
    s.log(
      `competition venue ${this.id}: running ${symbols.join(' ')} at ${this.settings.ticksPerSecond ?? DEFAULT_TICKS_PER_SECOND} ticks/s, funding every ${minutes ? `${minutes} min` : '8 h'}`,
    );
  }

  /** Stops the market first (its last ticks still reach the loop), then the trading loop. */
  async stop(): Promise<void> {
    await this.sim?.stop().catch((e: Error) => this.services.log(`venue ${this.id}: ${e.message}`));
    this.sim = null;
    await this.runner?.whenIdle();
    await this.runner?.stop();
    await this.stopListening?.();
    this.stopListening = null;
  }
}
