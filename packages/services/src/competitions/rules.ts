// The rules a competition puts on its participants' accounts, enforced where every trading
// operation passes (trading/orders.ts), with messages that name the rule: trading only while the
// competition runs, only its markets, at most its leverage, only its margin modes. Its fee rates
// and leverage cap also reach the engine itself, through the account's catalogue, so the engine's
// own checks and fees agree with the rules.
import { CATALOGUE, Decimal, type Catalogue, type Instrument } from '@lab/margin-engine';
import { AppError } from '../errors.ts';

export interface CompetitionRules {
  competitionId: string;
  name: string;
  state: 'DRAFT' | 'SCHEDULED' | 'RUNNING' | 'FINISHED' | 'ARCHIVED';
  startsAt: number;
  endsAt: number;
  endedAt: number | null;
  symbols: readonly string[];
  maxLeverage: number;
  marginModes: 'CROSS_ONLY' | 'ISOLATED_ONLY' | 'BOTH';
  makerFeeRate: Decimal;
  takerFeeRate: Decimal;
  allowBots: boolean;
  participantStatus: 'ACTIVE' | 'OUT' | 'REMOVED';
  /** Every order that adds risk needs a trade note (teaching settings). */
  notesRequired: boolean;
  /** The participant's team trades another account (a shared team): the name of the team. */
  sharedTeam: string | null;
}

/** What the caller is about to do on a competition account. */
export type CompetitionAction =
  | {
      kind: 'order';
      symbol: string;
      addsRisk: boolean;
      leverage: number;
      marginMode: 'cross' | 'isolated';
      /** The trade note sent with it (teaching). */
      note?: string | undefined;
      /** False for a preview: a note is asked of an order placed, not of one looked at. */
      checkNote?: boolean;
    }
  | { kind: 'leverage'; symbol: string; leverage: number }
  | { kind: 'marginMode'; symbol: string; marginMode: 'cross' | 'isolated' }
  /** Amending or canceling orders, adjusting isolated margin, closing positions. */
  | { kind: 'manage'; symbol?: string };

/** Reasons (AppError.reason) of a competition rule refusing an operation. */
export const COMPETITION_REASONS = {
  notRunning: 'COMPETITION_NOT_RUNNING',
  out: 'COMPETITION_PARTICIPANT_OUT',
  market: 'COMPETITION_MARKET_NOT_ALLOWED',
  leverage: 'COMPETITION_LEVERAGE_CAP',
  marginMode: 'COMPETITION_MARGIN_MODE',
  noteRequired: 'COMPETITION_NOTE_REQUIRED',
  teamAccount: 'COMPETITION_TEAM_ACCOUNT',
} as const;

const when = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';

export type CompetitionState = CompetitionRules['state'];

/**
 * The state a competition is in at `now`, whatever the stored state says: the stored state moves
 * on when the worker gets to it (SCHEDULED -> RUNNING at startsAt, RUNNING -> FINISHED at endsAt),
 * but every read and every rule uses the times, so an order at endsAt + 1 ms is already refused.
 */
export function effectiveState(
  c: { state: CompetitionState; startsAt: number; endsAt: number; endedAt: number | null },
  now: number,
): CompetitionState {
  if (c.state === 'DRAFT' || c.state === 'FINISHED' || c.state === 'ARCHIVED') return c.state;
  if (c.endedAt !== null || now >= c.endsAt) return 'FINISHED';
  return now >= c.startsAt ? 'RUNNING' : 'SCHEDULED';
}

/** True while the competition's trading window is open. */
export function isRunning(r: CompetitionRules, now: number): boolean {
  return effectiveState(r, now) === 'RUNNING';
}

/** The margin modes the competition allows. */
export const allowedModes = (r: CompetitionRules): ReadonlyArray<'cross' | 'isolated'> =>
  r.marginModes === 'CROSS_ONLY'
    ? ['cross']
    : r.marginModes === 'ISOLATED_ONLY'
      ? ['isolated']
      : ['cross', 'isolated'];

/** Why a competition account cannot open a position on `symbol` (null: it can). */
export function marketRuleOf(r: CompetitionRules, symbol: string): string | null {
  return r.symbols.includes(symbol) ? null : notItsMarket(r, symbol);
}

const notItsMarket = (r: CompetitionRules, symbol: string) =>
  `“${r.name}” trades only ${r.symbols.join(', ')}; ${symbol} is not one of its markets.`;

/** Throws a PRECONDITION AppError naming the rule the action breaks. */
export function enforceCompetitionRules(
  r: CompetitionRules,
  action: CompetitionAction,
  now: number,
): void {
  const refuse = (reason: string, message: string, field?: string): never => {
    throw new AppError('PRECONDITION', message, { reason, ...(field ? { field } : {}) });
  };
  if (r.participantStatus !== 'ACTIVE')
    refuse(
      COMPETITION_REASONS.out,
      r.participantStatus === 'OUT'
        ? `You are out of “${r.name}”: your account was liquidated, and this competition takes liquidated accounts out.`
        : `A host removed you from “${r.name}”; this account can no longer trade.`,
    );
  if (r.sharedTeam !== null)
    refuse(
      COMPETITION_REASONS.teamAccount,
      `In “${r.name}” you trade your team “${r.sharedTeam}”’s shared account, not this one.`,
    );
  if (!isRunning(r, now)) {
    const message =
      r.state === 'DRAFT'
        ? `“${r.name}” is not open yet: its hosts are still preparing it.`
        : now < r.startsAt && r.state !== 'FINISHED' && r.state !== 'ARCHIVED'
          ? `Trading in “${r.name}” opens at ${when(r.startsAt)}.`
          : `“${r.name}” ended at ${when(r.endedAt ?? r.endsAt)}; its standings are final.`;
    refuse(COMPETITION_REASONS.notRunning, message);
  }
  if (action.kind === 'manage') return;
  if (!r.symbols.includes(action.symbol) && (action.kind !== 'order' || action.addsRisk))
    refuse(COMPETITION_REASONS.market, notItsMarket(r, action.symbol), 'symbol');
  const cap = r.maxLeverage;
  if (action.kind === 'leverage' && action.leverage > cap)
    refuse(
      COMPETITION_REASONS.leverage,
      `“${r.name}” allows at most ${cap}× leverage.`,
      'leverage',
    );
  if (action.kind === 'order' && action.addsRisk && action.leverage > cap)
    refuse(
      COMPETITION_REASONS.leverage,
      `“${r.name}” allows at most ${cap}× leverage; set ${action.symbol} to ${cap}× or less before adding to the position.`,
      'leverage',
    );
  if (
    action.kind === 'order' &&
    action.addsRisk &&
    r.notesRequired &&
    action.checkNote !== false &&
    !action.note?.trim()
  )
    refuse(
      COMPETITION_REASONS.noteRequired,
      `“${r.name}” asks for a trade note on every order that opens or adds to a position: say in a sentence why you are placing it.`,
      'note',
    );
  const modes = allowedModes(r);
  const mode = action.kind === 'leverage' ? undefined : action.marginMode;
  if (mode && !modes.includes(mode) && (action.kind !== 'order' || action.addsRisk))
    refuse(
      COMPETITION_REASONS.marginMode,
      `“${r.name}” allows ${modes.length === 1 ? `only ${modes[0]} margin` : 'cross and isolated margin'}.`,
      'marginMode',
    );
}

/**
 * The engine's catalogue for a competition account: every instrument (positions in a market the
 * hosts later removed stay valued), with the competition's fee rates and its leverage cap on the
 * instrument and on every risk tier, so the engine charges and checks what the rules say.
 */
export function competitionCatalogue(
  r: Pick<CompetitionRules, 'makerFeeRate' | 'takerFeeRate' | 'maxLeverage'>,
): Catalogue {
  const out: Record<string, Instrument> = {};
  for (const [symbol, inst] of Object.entries(CATALOGUE)) {
    out[symbol] = {
      ...inst,
      makerFeeRate: r.makerFeeRate,
      takerFeeRate: r.takerFeeRate,
      maxLeverage: Math.min(inst.maxLeverage, r.maxLeverage),
      riskTiers: inst.riskTiers.map((t) => ({
        ...t,
        maxLeverage: Math.min(t.maxLeverage, r.maxLeverage),
      })),
    };
  }
  return Object.freeze(out);
}

/** Rules of a stored competition row joined with the participant's status. */
export function rulesOf(row: {
  competition_id: string;
  name: string;
  state: CompetitionRules['state'];
  starts_at: Date;
  ends_at: Date;
  ended_at: Date | null;
  symbols: string[];
  max_leverage: number;
  margin_modes: CompetitionRules['marginModes'];
  maker_fee_rate: string;
  taker_fee_rate: string;
  allow_bots: boolean;
  participant_status: CompetitionRules['participantStatus'];
  notes_required?: boolean | null;
  shared_team?: string | null;
}): CompetitionRules {
  return {
    competitionId: row.competition_id,
    name: row.name,
    state: row.state,
    startsAt: row.starts_at.getTime(),
    endsAt: row.ends_at.getTime(),
    endedAt: row.ended_at?.getTime() ?? null,
    symbols: row.symbols,
    maxLeverage: row.max_leverage,
    marginModes: row.margin_modes,
    makerFeeRate: new Decimal(row.maker_fee_rate),
    takerFeeRate: new Decimal(row.taker_fee_rate),
    allowBots: row.allow_bots,
    participantStatus: row.participant_status,
    notesRequired: row.notes_required ?? false,
    sharedTeam: row.shared_team ?? null,
  };
}
