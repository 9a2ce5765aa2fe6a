import type { MarketParams } from '../src/simulator/config.ts';
import { DEFAULT_INSTRUMENTS, DEFAULT_MARKET, type Regime } from '../src/simulator/config.ts';
import {
  compileModel,
  initialState,
  step,
  type Model,
  type SimState,
} from '../src/simulator/model.ts';
import type { MarketTick } from '../src/types.ts';

export const T0 = Date.UTC(2026, 0, 5, 0, 0, 0);

/** Default market with overrides applied to every instrument. */
export function testMarket(
  perInstrument: Partial<MarketParams['instruments'][number]> = {},
  market: Partial<MarketParams> = {},
): MarketParams {
  return {
    ...DEFAULT_MARKET,
    instruments: DEFAULT_INSTRUMENTS.map((i) => ({ ...i, ...perInstrument })),
    ...market,
  };
}

/** A market whose regime never changes (for tests that need a fixed volatility). */
export function fixedRegime(regime: Regime = 'normal'): MarketParams['regimes'] {
  return {
    ...DEFAULT_MARKET.regimes,
    initial: regime,
    meanDurationMs: { calm: 1e15, normal: 1e15, volatile: 1e15 },
  };
}

export function run(
  model: Model,
  state: SimState,
  steps: number,
  dtMs: number,
  onStep?: (prev: SimState, next: SimState, ticks: MarketTick[]) => void,
): SimState {
  let s = state;
  for (let i = 0; i < steps; i++) {
    const r = step(model, s, dtMs);
    onStep?.(s, r.state, r.ticks);
    s = r.state;
  }
  return s;
}

export function setup(
  params: MarketParams,
  seed: string | number = 1,
): { model: Model; state: SimState } {
  const model = compileModel(params);
  return { model, state: initialState(model, seed, T0) };
}

export function std(xs: readonly number[]): number {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
}
