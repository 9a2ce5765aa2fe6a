// The worker: one long-running process for market data (and, as trading arrives, resting orders,
// funding and liquidations). Started by `npm start`; stops cleanly on SIGTERM/SIGINT.
import { createDb } from '@lab/db';
import { PgNotifyPublisher, type SimulatorSource } from '@lab/market-data';
import pg from 'pg';
import { readEnv } from './env.ts';
import { listenForCommands } from './market/commands.ts';
import { syncInstruments } from './market/instruments.ts';
import { MarketDataService } from './market/market-data-service.ts';
import { startSimulator } from './market/simulator-runner.ts';
import { assignMarkets, createExternalSources } from './market/sources.ts';

const log = (msg: string) => console.log(`${new Date().toISOString()} ${msg}`);

async function main() {
  const env = readEnv();
  const db = createDb(env.DATABASE_URL, { max: 2 });
  const pool = new pg.Pool({ connectionString: env.DATABASE_URL, max: 4 });
  pool.on('error', (e) => log(`database pool error: ${e.message}`));
  const publisher = new PgNotifyPublisher(env.DATABASE_URL);

  const symbols = await syncInstruments(db, 'catalogue');
  const markets = assignMarkets(env.LAB_MARKETS, symbols);
  for (const m of markets) {
    await db.instrument.update({ where: { symbol: m.symbol }, data: { source: m.kind } });
  }

  const stops: Array<() => Promise<void>> = [];
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
      new MarketDataService({ pool, publisher, log }),
    );
    simulator = sim.source;
    stops.push(sim.stop);
  }
  for (const source of createExternalSources(env, markets, log)) {
    const service = new MarketDataService({ pool, publisher, log });
    await service.resumeCandles(source.symbols, Date.now()); // continue the candles in progress
    await service.start(source);
    stops.push(() => service.stop());
  }
  stops.push(await listenForCommands(env.DATABASE_URL, simulator, log));
  log(`market data running: ${markets.map((m) => `${m.symbol}=${m.kind}`).join(' ')}`);

  let stopping = false;
  const shutdown = async (sig: string) => {
    if (stopping) return;
    stopping = true;
    log(`${sig}: stopping`);
    for (const stop of stops.reverse())
      await stop().catch((e: Error) => log(`stop failed: ${e.message}`));
    await publisher.close();
    await pool.end();
    await db.$disconnect();
    process.exit(0);
  };
  if (process.env.LAB_SUPERVISED === '1') {
    process.stdin.on('end', () => void shutdown('launcher gone'));
    process.stdin.resume();
  }
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((e: unknown) => {
  console.error(`worker cannot start: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
