import type { SimState } from '@lab/market-data';
import type pg from 'pg';

const FUNDING_MS = 8 * 60 * 60 * 1000;

export async function loadSimState(pool: pg.Pool, name: string): Promise<SimState | null> {
  const r = await pool.query<{ state: SimState }>(
    'SELECT state FROM market_source_states WHERE name = $1',
    [name],
  );
  return r.rows[0]?.state ?? null;
}

export async function saveSimState(pool: pg.Pool, name: string, state: SimState): Promise<void> {
  await pool.query(
    `INSERT INTO market_source_states (name, state, updated_at) VALUES ($1, $2, now())
     ON CONFLICT (name) DO UPDATE SET state = EXCLUDED.state, updated_at = EXCLUDED.updated_at`,
    [name, JSON.stringify(state)],
  );
}

/**
 * Moves a saved market forward in time without simulating the interval: prices continue from where
 * they stopped, only the clock jumps. Shifts by whole funding intervals so that funding times stay
 * on their 8-hour boundaries.
 */
export function shiftSimState(state: SimState, byMs: number): SimState {
  const shift = Math.floor(byMs / FUNDING_MS) * FUNDING_MS;
  if (shift <= 0) return state;
  return {
    ...state,
    time: state.time + shift,
    nextMarkTime: state.nextMarkTime + shift,
    nextBookTime: state.nextBookTime + shift,
    fundingPeriodStart: state.fundingPeriodStart + shift,
    nextFundingTime: state.nextFundingTime + shift,
    events: state.events.map((e) => ({ ...e, at: e.at + shift })),
  };
}
