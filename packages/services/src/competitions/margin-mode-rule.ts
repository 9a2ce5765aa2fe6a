// A class switched to one margin mode: every participant's markets of the competition that hold
// no position and no open order switch to that mode at once, as joining an isolated-only class
// sets them, so that a student's next order is not refused for a mode they never chose. A market
// with a position or an order keeps its mode (the engine refuses the change then, as an exchange
// does); the rule still refuses adding to it, and the student switches it once it is flat.
import type { Db } from '@lab/db';
import { setMarginMode, settingsOf, type EngineEvent, type EngineResult } from '@lab/margin-engine';
import type { LoadedAccount } from '../engine-state.ts';
import { runOnAccounts, type Step } from '../trading/run.ts';
import { participantAccountBatches } from './participant-accounts.ts';

/** The mode's switch on one account's free markets among `symbols` (null: nothing to switch). */
export function marginModeSwitch(
  loaded: LoadedAccount,
  symbols: readonly string[],
  mode: 'cross' | 'isolated',
  now: number,
): EngineResult | null {
  const market = { instruments: loaded.catalogue, marks: {} };
  let account = loaded.engine;
  const events: EngineEvent[] = [];
  for (const symbol of [...symbols].sort()) {
    const instrument = loaded.catalogue[symbol];
    if (!instrument || settingsOf(account, symbol, instrument).marginMode === mode) continue;
    if (account.positions[symbol]) continue;
    if (Object.values(account.orders).some((o) => o.symbol === symbol)) continue;
    const r = setMarginMode(account, market, symbol, mode, now);
    account = r.account;
    events.push(...r.events);
  }
  return events.length ? { account, events } : null;
}

/**
 * Switches the free markets of every participant of the competition to the one mode it now
 * allows, through the batch path (each account locked, the switch persisted as engine events).
 * Returns how many accounts changed.
 */
export async function applyMarginModeRule(
  db: Db,
  competitionId: string,
  modes: 'CROSS_ONLY' | 'ISOLATED_ONLY',
  symbols: readonly string[],
  now: number = Date.now(),
): Promise<number> {
  const mode = modes === 'ISOLATED_ONLY' ? 'isolated' : 'cross';
  let changed = 0;
  for (const batch of await participantAccountBatches(db, competitionId, { withRemoved: false })) {
    const out = await runOnAccounts(db, batch, (loaded) => {
      const steps = new Map<string, Step<null>>();
      for (const l of loaded) {
        const result = marginModeSwitch(l, symbols, mode, now);
        if (result) steps.set(l.id, { result, value: null });
      }
      return steps;
    });
    for (const o of out.values()) if (o.persisted) changed++;
  }
  return changed;
}
