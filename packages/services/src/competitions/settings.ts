// The settings of a competition, checked before anything is stored: every refusal names the field
// and the rule. The tRPC layer has already bounded the types (zod); the rules that depend on each
// other (the window, the leverage cap against the markets, the penalty against the liquidation
// rule, the number of snapshots) are checked here.
import { Prisma } from '@lab/db';
import { CATALOGUE, Decimal } from '@lab/margin-engine';
import { AppError } from '../errors.ts';
import { checkStartingBalance } from '../paper-accounts.ts';

export type MarginModes = 'CROSS_ONLY' | 'ISOLATED_ONLY' | 'BOTH';
export type AfterLiquidation = 'OUT' | 'RESET_WITH_PENALTY' | 'CONTINUE';

/** The platform's main market, or a simulated market of the competition's own. */
export type MarketChoice =
  | { kind: 'main' }
  | {
      kind: 'own';
      /** Simulator seed: the same seed gives the same market. Random when not given. */
      seed?: string | undefined;
      /** Simulator steps per second (the platform's default is 4). */
      ticksPerSecond: number;
      /** Funding every this many minutes; null: every 8 hours, like the main market. */
      fundingIntervalMinutes: number | null;
    };

export interface CompetitionSettings {
  name: string;
  description: string;
  startsAt: number;
  endsAt: number;
  startingBalance: string;
  symbols: string[];
  maxLeverage: number;
  marginModes: MarginModes;
  makerFeeRate: string;
  takerFeeRate: string;
  allowLateJoin: boolean;
  allowResets: boolean;
  afterLiquidation: AfterLiquidation;
  /** Share of the starting balance each penalized reset withholds (0.1 = 10%); null: none. */
  resetPenalty: string | null;
  leaderboard: 'LIVE' | 'HIDDEN_UNTIL_END';
  ranking: 'RETURN' | 'RISK_ADJUSTED';
  snapshotSeconds: number;
  market: MarketChoice;
}

export const LIMITS = {
  minDurationMinutes: 5,
  maxDurationDays: 90,
  /** A start may be this far in the past (a form filled in a minute ago with "now"). */
  startSlackMs: 5 * 60_000,
  maxFeeRate: '0.01',
  maxPenalty: '0.9',
  minSnapshotSeconds: 5,
  maxSnapshotSeconds: 3600,
  /** Snapshots per participant over the whole window (500 students x 5,000 = 2.5 M rows). */
  maxSnapshots: 5000,
  maxTicksPerSecond: 20,
  maxFundingIntervalMinutes: 480,
} as const;

const invalid = (field: string, message: string) => new AppError('VALIDATION', message, { field });

function rate(field: string, label: string, raw: string): Prisma.Decimal {
  const v = new Prisma.Decimal(raw);
  if (v.isNegative() || v.gt(LIMITS.maxFeeRate))
    throw invalid(field, `The ${label} is between 0 and 0.01 (1%).`);
  if (v.decimalPlaces() > 6) throw invalid(field, `The ${label} has at most 6 decimal places.`);
  return v;
}

/**
 * Checks the settings at `now`. With `started`, the window's start is not checked against now (a
 * running competition keeps its start).
 */
export function checkSettings(
  s: CompetitionSettings,
  now: number,
  opts: { started?: boolean } = {},
) {
  if (!opts.started && s.startsAt < now - LIMITS.startSlackMs)
    throw invalid('startsAt', 'The start is in the past; choose now or a later time.');
  const minutes = (s.endsAt - s.startsAt) / 60_000;
  if (minutes < LIMITS.minDurationMinutes)
    throw invalid(
      'endsAt',
      `The end is at least ${LIMITS.minDurationMinutes} minutes after the start.`,
    );
  if (minutes > LIMITS.maxDurationDays * 24 * 60)
    throw invalid('endsAt', `A competition lasts at most ${LIMITS.maxDurationDays} days.`);
  const startingBalance = checkStartingBalance(new Prisma.Decimal(s.startingBalance));

  const symbols = [...new Set(s.symbols)];
  if (symbols.length === 0) throw invalid('symbols', 'Choose at least one market.');
  if (symbols.length !== s.symbols.length) throw invalid('symbols', 'A market is listed twice.');
  for (const sym of symbols)
    if (!CATALOGUE[sym]) throw invalid('symbols', `${sym} is not a market of the platform.`);
  const cap = Math.min(...symbols.map((sym) => CATALOGUE[sym]!.maxLeverage));
  if (s.maxLeverage < 1 || s.maxLeverage > cap)
    throw invalid(
      'maxLeverage',
      `The leverage cap is between 1× and ${cap}× (the most ${symbols.length > 1 ? 'every chosen market' : symbols[0]} allows).`,
    );

  const makerFeeRate = rate('makerFeeRate', 'maker fee rate', s.makerFeeRate);
  const takerFeeRate = rate('takerFeeRate', 'taker fee rate', s.takerFeeRate);

  let resetPenalty: Prisma.Decimal | null = null;
  if (s.resetPenalty !== null) {
    resetPenalty = new Prisma.Decimal(s.resetPenalty);
    if (resetPenalty.isNegative() || resetPenalty.gt(LIMITS.maxPenalty))
      throw invalid(
        'resetPenalty',
        'The reset penalty is a share of the starting balance from 0 to 0.9 (90%).',
      );
    if (resetPenalty.decimalPlaces() > 4)
      throw invalid(
        'resetPenalty',
        'The reset penalty has at most 4 decimal places (0.125 = 12.5%).',
      );
  }
  if (s.afterLiquidation === 'RESET_WITH_PENALTY' && resetPenalty === null)
    throw invalid(
      'resetPenalty',
      'Give the penalty a reset after a liquidation costs (a share of the starting balance, 0 for none).',
    );

  if (
    s.snapshotSeconds < LIMITS.minSnapshotSeconds ||
    s.snapshotSeconds > LIMITS.maxSnapshotSeconds
  )
    throw invalid(
      'snapshotSeconds',
      `Equity snapshots are taken every ${LIMITS.minSnapshotSeconds} to ${LIMITS.maxSnapshotSeconds} seconds.`,
    );
  const snapshots = (s.endsAt - s.startsAt) / 1000 / s.snapshotSeconds;
  if (snapshots > LIMITS.maxSnapshots) {
    const least = Math.ceil((s.endsAt - s.startsAt) / 1000 / LIMITS.maxSnapshots);
    throw invalid(
      'snapshotSeconds',
      `At most ${LIMITS.maxSnapshots} snapshots per student: for this window, take one every ${least} seconds or less often.`,
    );
  }

  if (s.market.kind === 'own') {
    const m = s.market;
    if (m.ticksPerSecond < 1 || m.ticksPerSecond > LIMITS.maxTicksPerSecond)
      throw invalid(
        'ticksPerSecond',
        `The market moves 1 to ${LIMITS.maxTicksPerSecond} ticks per second.`,
      );
    if (
      m.fundingIntervalMinutes !== null &&
      (m.fundingIntervalMinutes < 1 || m.fundingIntervalMinutes > LIMITS.maxFundingIntervalMinutes)
    )
      throw invalid(
        'fundingIntervalMinutes',
        `Funding is paid every 1 to ${LIMITS.maxFundingIntervalMinutes} minutes.`,
      );
  }
  return { startingBalance, symbols, makerFeeRate, takerFeeRate, resetPenalty };
}

/** The penalty of the next penalized reset: penalty share x starting balance, to 8 places. */
export function penaltyAmount(
  penalty: Prisma.Decimal | null,
  startingBalance: Prisma.Decimal,
): Decimal {
  if (!penalty) return new Decimal(0);
  return new Decimal(penalty.times(startingBalance).toFixed()).toDecimalPlaces(
    8,
    Decimal.ROUND_DOWN,
  );
}
