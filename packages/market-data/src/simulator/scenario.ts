// Scenario events an instructor can schedule or trigger so that the whole class sees the same
// market event. All are deterministic: a move is a deterministic drift added to the log price, so
// a crash of 20% over 60 s lowers the price by 20% (times e^noise of the diffusion meanwhile).

export interface MoveEvent {
  /** "crash": the price falls by `percent`%; "rally": it rises by `percent`%. */
  type: 'crash' | 'rally';
  percent: number;
  durationMs: number;
  /** One symbol, or every instrument when omitted. */
  symbol?: string;
  /**
   * When one symbol moves, the others follow by their regression beta on it
   * (ρ·σ_other/σ_symbol, normal-regime vols), as a crash of BTC drags the market. Default true.
   */
  propagate?: boolean;
}

export interface VolSpikeEvent {
  type: 'volSpike';
  /** Multiplier of the diffusion volatility (and of jump intensity) while active. */
  multiplier: number;
  durationMs: number;
  symbol?: string;
}

export interface LiquidityDroughtEvent {
  type: 'liquidityDrought';
  /** Multiplier of the spread (> 1 widens). */
  spreadMultiplier: number;
  /** Multiplier of book depth (< 1 thins). */
  depthMultiplier: number;
  durationMs: number;
  symbol?: string;
}

export type ScenarioEventSpec = MoveEvent | VolSpikeEvent | LiquidityDroughtEvent;

/** A scenario event with its start time (epoch ms of simulated time). */
export type ScheduledScenarioEvent = ScenarioEventSpec & { at: number; id?: string };

/** An event held in the simulator state. */
export type ScenarioEvent = ScenarioEventSpec & { at: number; id: string };

export function validateScenarioEvent(e: ScenarioEventSpec, symbols: readonly string[]): void {
  const fail = (msg: string): never => {
    throw new Error(`invalid scenario event ${e.type}: ${msg}`);
  };
  if (!(e.durationMs > 0) || !Number.isFinite(e.durationMs)) fail('durationMs must be > 0');
  if (e.symbol !== undefined && !symbols.includes(e.symbol)) fail(`unknown symbol ${e.symbol}`);
  switch (e.type) {
    case 'crash':
      if (!(e.percent > 0 && e.percent < 100)) fail('percent must be in (0, 100)');
      break;
    case 'rally':
      if (!(e.percent > 0 && Number.isFinite(e.percent))) fail('percent must be > 0');
      break;
    case 'volSpike':
      if (!(e.multiplier > 0 && Number.isFinite(e.multiplier))) fail('multiplier must be > 0');
      break;
    case 'liquidityDrought':
      if (!(e.spreadMultiplier >= 1 && Number.isFinite(e.spreadMultiplier)))
        fail('spreadMultiplier must be >= 1');
      if (!(e.depthMultiplier > 0 && e.depthMultiplier <= 1))
        fail('depthMultiplier must be in (0, 1]');
      break;
    default:
      fail('unknown type');
  }
}

/** Milliseconds of [from, to) during which the event is active. */
export function overlapMs(e: { at: number; durationMs: number }, from: number, to: number): number {
  return Math.max(0, Math.min(to, e.at + e.durationMs) - Math.max(from, e.at));
}
