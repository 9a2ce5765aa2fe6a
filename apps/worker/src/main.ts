// The worker: one long-running process for market data and trading (stops, take-profits, resting
// limits, funding and liquidations). Started by `npm start`; stops cleanly on SIGTERM/SIGINT.
// One worker is active at a time (a PostgreSQL advisory lock, leadership.ts); another process
// started beside it waits as a standby and takes over within seconds when the active one dies.
import { MAIN_VENUE } from '@lab/contracts';
import { createDb, pgTransactor } from '@lab/db';
import { PgNotifyPublisher, type SimulatorSource } from '@lab/market-data';
import pg from 'pg';
import { readEnv, type WorkerEnv } from './env.ts';
import { startHousekeeping } from './housekeeping.ts';
import { runWithLeadership } from './leadership.ts';
import { listenForCommands } from './market/commands.ts';
import { syncInstruments } from './market/instruments.ts';
import { MarketDataService } from './market/market-data-service.ts';
import { startSimulator } from './market/simulator-runner.ts';
import { assignMarkets, createExternalSources } from './market/sources.ts';
import { listenForAccountChanges } from './trading/account-sync.ts';
import { VenueRunner } from './trading/venue-runner.ts';
import { CompetitionManager } from './venues/manager.ts';

const log = (msg: string) => console.log(`${new Date().toISOString()} ${msg}`);

/** Market data and the trading loop of the main venue; returns how to stop them (in order). */
async function startActive(env: WorkerEnv): Promise<() => Promise<void>> {
  const db = createDb(env.DATABASE_URL, { max: 2 });
  const competitionDb = createDb(env.DATABASE_URL, { max: 3 });
  const tradingDb = createDb(env.DATABASE_URL, { max: 2 });
  const pool = new pg.Pool({ connectionString: env.DATABASE_URL, max: 4 });
  pool.on('error', (e) => log(`database pool error: ${e.message}`));
  // the trading loop's batches, one connection each
  const tradingPool = new pg.Pool({
    connectionString: env.DATABASE_URL,
    max: env.LAB_TRADING_CONCURRENCY,
  });
  tradingPool.on('error', (e) => log(`trading pool error: ${e.message}`));
  const publisher = new PgNotifyPublisher(env.DATABASE_URL);
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stops.reverse())
      await stop().catch((e: Error) => log(`stop failed: ${e.message}`));
    await publisher.close();
    await pool.end();
    await tradingPool.end();
    await db.$disconnect();
    await tradingDb.$disconnect();
    await competitionDb.$disconnect();
  };
  try {
    // the trading loop takes the ticks of every market data service of its venue, from the first
    const trading = new VenueRunner({
      db: tradingDb,
      transactor: pgTransactor(tradingPool),
      venue: MAIN_VENUE,
      log,
      batchSize: env.LAB_TRADING_BATCH_SIZE,
      concurrency: env.LAB_TRADING_CONCURRENCY,
    });
    // competitions: their own markets, state changes, snapshots, after-liquidation rules
    const competitions = new CompetitionManager({
      db: competitionDb,
      databaseUrl: env.DATABASE_URL,
      pool,
      publisher,
      tradingDb,
      transactor: pgTransactor(tradingPool),
      log,
      batchSize: env.LAB_TRADING_BATCH_SIZE,
      concurrency: env.LAB_TRADING_CONCURRENCY,
      backfillHours: Math.min(env.LAB_MARKET_BACKFILL_HOURS, 1),
    });
    const newService = () => {
      const service = new MarketDataService({ pool, publisher, log });
      service.onTicks((batch) => {
        trading.onTicks(batch);
        competitions.ingest(MAIN_VENUE, batch);
      });
      return service;
    };
    // changes the API commits while memory is rebuilt are reloaded right after
    stops.push(await listenForAccountChanges(env.DATABASE_URL, [trading], log));
    stops.push(() => trading.stop());

    const symbols = await syncInstruments(db, 'catalogue');
    const markets = assignMarkets(env.LAB_MARKETS, symbols);
    for (const m of markets) {
      await db.instrument.update({ where: { symbol: m.symbol }, data: { source: m.kind } });
    }
    await trading.start();

    const simulated = markets.filter((m) => m.kind === 'simulator').map((m) => m.symbol);
    let simulator: SimulatorSource | null = null;
    if (simulated.length) {
      const sim = await startSimulator(
        {
          pool,
          seed: env.LAB_MARKET_SEED,
          ticksPerSecond: env.LAB_SIM_TICKS_PER_SECOND,
          backfillHours: env.LAB_MARKET_BACKFILL_HOURS,
          symbols: simulated,
          log,
        },
        newService(),
      );
      simulator = sim.source;
      stops.push(sim.stop);
    }
    for (const source of createExternalSources(env, markets, log)) {
      const service = newService();
      await service.resumeCandles(source.symbols, Date.now()); // continue the candles in progress
      await service.start(source);
      stops.push(() => service.stop());
    }
    competitions.start();
    stops.push(() => competitions.stop());
    stops.push(startHousekeeping({ db, log }));
    stops.push(
      await listenForCommands(env.DATABASE_URL, simulator, log, {
        venues: (venue) => competitions.simulatorOf(venue),
      }),
    );
    log(`market data running: ${markets.map((m) => `${m.symbol}=${m.kind}`).join(' ')}`);
    return stopAll;
  } catch (e) {
    await stopAll();
    throw e;
  }
}

function main() {
  const env = readEnv();
  const leadership = runWithLeadership({
    databaseUrl: env.DATABASE_URL,
    name: 'main',
    pollMs: env.LAB_WORKER_LOCK_POLL_MS,
    log,
    onActive: () => startActive(env),
  });

  let stopping = false;
  const shutdown = async (sig: string) => {
    if (stopping) return;
    stopping = true;
    log(`${sig}: stopping`);
    await leadership.stop();
    process.exit(0);
  };
  if (process.env.LAB_SUPERVISED === '1') {
    process.stdin.on('end', () => void shutdown('launcher gone'));
    process.stdin.resume();
  }
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

try {
  main();
} catch (e: unknown) {
  console.error(`worker cannot start: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}
