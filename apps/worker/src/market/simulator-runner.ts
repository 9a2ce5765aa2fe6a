// Starts the simulator so that the market is continuous across restarts: resume the saved state,
// simulate the time the worker was down (up to the backfill window) so candles have no hole, and
// on a first start simulate the backfill window so charts open with history.
import { SimulatorSource, type MarketParams, type SimState } from '@lab/market-data';
import type pg from 'pg';
import type { MarketDataService } from './market-data-service.ts';
import { lastCandleTime } from './candle-store.ts';
import { loadSimState, saveSimState, shiftSimState } from './simulator-state.ts';

const STATE_NAME = 'simulator';
const HISTORY_TICKS_PER_SECOND = 0.2;

export interface SimulatorRunnerOptions {
  pool: pg.Pool;
  /** Where the market's state is saved (default "simulator": the main market's). */
  stateName?: string;
  /** Overrides of the market parameters (a competition's funding interval). */
  market?: Partial<MarketParams>;
  seed: string;
  ticksPerSecond: number;
  backfillHours: number;
  symbols: readonly string[];
  log: (msg: string) => void;
  now?: () => number;
}

/** A saved market fits when it has the same instruments and is not in the future. */
function canResume(opts: SimulatorRunnerOptions, saved: SimState): boolean {
  return (
    saved.instruments.map((i) => i.symbol).join() === opts.symbols.join() &&
    saved.time <= (opts.now ?? Date.now)()
  );
}

/**
 * The market to continue from: the saved state when it fits (shifted forward in whole funding
 * intervals when the worker was down longer than the backfill window), else a fresh seeded market
 * starting one backfill window ago.
 */
export function createSimulator(
  opts: SimulatorRunnerOptions,
  saved: SimState | null,
  ticksPerSecond: number,
): SimulatorSource {
  const now = (opts.now ?? Date.now)();
  const windowMs = opts.backfillHours * 3600_000;
  const market = { ...opts.market, symbols: opts.symbols };
  if (saved && canResume(opts, saved)) {
    const gap = now - saved.time;
    const resumed = gap > windowMs ? shiftSimState(saved, gap - windowMs) : saved;
    return new SimulatorSource({ resumeFrom: resumed, market, ticksPerSecond, now: opts.now });
  }
  const startTime = Math.floor((now - windowMs) / 60_000) * 60_000;
  return new SimulatorSource({ seed: opts.seed, startTime, market, ticksPerSecond, now: opts.now });
}

/**
 * Catches the market up to now (history at a coarse 5 s step; the simulator still draws trades at
 * the instruments' rates, ~3.5 million a day for the six default instruments, so a 24 h backfill
 * takes several seconds), then runs it live at full rate.
 */
export async function startSimulator(
  opts: SimulatorRunnerOptions,
  service: MarketDataService,
): Promise<{ source: SimulatorSource; stop: () => Promise<void> }> {
  const stateName = opts.stateName ?? STATE_NAME;
  const saved = await loadSimState(opts.pool, stateName);
  const hadCandles = (await lastCandleTime(opts.pool, opts.symbols[0]!, service.venue)) !== null;
  const resumable = hadCandles ? saved : null;
  const history = createSimulator(opts, resumable, HISTORY_TICKS_PER_SECOND);
  // Continuing the saved market: the candles in progress when it stopped continue too (merged,
  // not overwritten). A fresh market replaces whatever candles its window overlaps.
  if (resumable && canResume(opts, resumable))
    await service.resumeCandles(opts.symbols, history.time);
  const now = opts.now ?? Date.now;
  const behindMs = Math.max(0, now() - history.time);
  if (behindMs > 1000) {
    const t0 = performance.now();
    const from = history.time;
    const off = history.onTick((t) => service.recordHistory(t));
    // Simulating a day takes seconds, and the clock moves on meanwhile: go again over what
    // passed during the previous pass until less than one coarse step is left (a few passes).
    for (let pass = 0; pass < 5 && now() - history.time >= history.stepMs; pass++)
      history.advance(now() - history.time);
    off();
    const candles = await service.flush();
    opts.log(
      `simulated ${((history.time - from) / 3600_000).toFixed(2)} h of market history (${candles} candles) in ${Math.round(performance.now() - t0)} ms`,
    );
  }
  // The live market runs on the wall clock: the seconds still missing (the last coarse step, the
  // flush) are simulated at the live rate as soon as it starts, so a trade's time is the time it
  // is published at (recent trades and candles were ~21 s behind when the live market kept the
  // offset the backfill left).
  const source = new SimulatorSource({
    resumeFrom: history.snapshot(),
    market: { ...opts.market, symbols: opts.symbols },
    ticksPerSecond: opts.ticksPerSecond,
    followWallClock: true,
    now: opts.now,
  });
  await service.start(source);
  const saver = setInterval(
    () => void saveSimState(opts.pool, stateName, source.snapshot()).catch(() => {}),
    10_000,
  );
  return {
    source,
    stop: async () => {
      clearInterval(saver);
      await service.stop();
      await saveSimState(opts.pool, stateName, source.snapshot());
    },
  };
}
