// The arithmetic of a competition's standings, in exact decimals, pure (no I/O).
//
// Every participant starts with the competition's starting balance S. The worker takes an equity
// snapshot of every participant at a fixed interval (snapshotSeconds); a reset refills the account
// (less any penalty), and the money a reset moves is a flow, not a gain. So each snapshot i gives
// an adjusted equity A_i = E_i - F_i (equity minus the resets' cumulated net deposits F_i): what
// the account would hold had no reset refilled it.
//
// - Return = (E - S) / S, with E the equity now (live) or at the end. A reset counts only through
//   what it leaves in the account: refilled to S less the penalties withheld, the return is minus
//   those penalties plus what was made after.
// - Maximum drawdown = max over i of (P_i - A_i) / P_i, where P_i = max(A_0..A_i), the peak so
//   far; the live adjusted equity counts as a last point. Because A leaves resets out, a student
//   liquidated and reset still shows the drawdown of the liquidation (it can exceed 100% when the
//   refilled account then loses too).
// - Sharpe ratio = mean(d) / sd(d) over the changes d_i = A_i - A_{i-1} between consecutive
//   snapshots (sd: sample standard deviation, n - 1). The return of an interval is d_i / S, and S
//   cancels in the ratio. Risk-free rate 0 (paper money earns nothing). It is NOT annualized: it is
//   the Sharpe ratio per snapshot interval. A 50-minute lesson has no year to scale to (the
//   square-root-of-time factor would multiply every figure by the same constant, sqrt(intervals
//   per year), changing no rank), and every participant of a competition is measured on the same
//   interval. Undefined (null) with fewer than two changes or when equity never moved.
// - Risk-adjusted score = return - maximum drawdown ("what you made, less the deepest fall you
//   took on the way"). Chosen over the Sharpe ratio, which is undefined for a student who did not
//   trade, needs many intervals to mean anything in a lesson, and ranks a volatile loser above a
//   steady one (a negative mean divided by a larger deviation is less negative); and over return /
//   drawdown (Calmar), which divides by zero for a student who never fell and also inverts for
//   losses. The score is defined for everyone from the first snapshot, falls with every extra
//   point of drawdown and rises with every point of return, and punishes exactly what reckless
//   leverage does: a deep fall on the way, even when the end is good.
//
// The stored running figures (RunningStats, on each participant row) are folded one snapshot at a
// time, so the leaderboard reads one row per student; statsOf(series) folds a whole series and is
// what the tests check against hand-computed figures.
import { Decimal } from '@lab/margin-engine';

export interface RunningStats {
  /** Snapshots folded in. */
  count: number;
  /** A of the last snapshot (null before the first). */
  lastAdjusted: Decimal | null;
  /** Highest A so far (null before the first). */
  peak: Decimal | null;
  /** Largest (peak - A) / peak so far, a fraction (0.25 = 25%). */
  maxDrawdown: Decimal;
  /** Sum of the changes d_i. */
  sumChanges: Decimal;
  /** Sum of the squared changes d_i^2, rounded to 18 places (what numeric(38,18) stores). */
  sumSqChanges: Decimal;
}

export const EMPTY_STATS: RunningStats = Object.freeze({
  count: 0,
  lastAdjusted: null,
  peak: null,
  maxDrawdown: new Decimal(0),
  sumChanges: new Decimal(0),
  sumSqChanges: new Decimal(0),
});

/** Fractions are kept to 18 places (numeric(38,18)). */
const DP = 18;
const frac = (d: Decimal) => d.toDecimalPlaces(DP, Decimal.ROUND_HALF_EVEN);

/** Drawdown of `a` from `peak` (0 at or above the peak). */
function drawdownFrom(peak: Decimal, a: Decimal): Decimal {
  if (a.gte(peak) || peak.lte(0)) return new Decimal(0);
  return frac(peak.minus(a).div(peak));
}

/** The running figures after one more snapshot whose adjusted equity is `adjusted`. */
export function foldSnapshot(stats: RunningStats, adjusted: Decimal): RunningStats {
  if (stats.lastAdjusted === null || stats.peak === null)
    return { ...EMPTY_STATS, count: 1, lastAdjusted: adjusted, peak: adjusted };
  const d = adjusted.minus(stats.lastAdjusted);
  const peak = Decimal.max(stats.peak, adjusted);
  return {
    count: stats.count + 1,
    lastAdjusted: adjusted,
    peak,
    maxDrawdown: Decimal.max(stats.maxDrawdown, drawdownFrom(peak, adjusted)),
    sumChanges: stats.sumChanges.plus(d),
    sumSqChanges: stats.sumSqChanges.plus(frac(d.times(d))),
  };
}

/** The running figures of a whole series of adjusted equities, oldest first. */
export function statsOf(series: readonly Decimal[]): RunningStats {
  return series.reduce(foldSnapshot, EMPTY_STATS);
}

/** Adjusted equity: equity minus the resets' cumulated net deposits. */
export const adjustedEquity = (equity: Decimal, resetFlows: Decimal): Decimal =>
  equity.minus(resetFlows);

/** (equity - starting) / starting, a fraction. */
export function returnOf(equity: Decimal, startingBalance: Decimal): Decimal {
  if (startingBalance.lte(0)) return new Decimal(0);
  return frac(equity.minus(startingBalance).div(startingBalance));
}

/** The maximum drawdown with the live adjusted equity as a last point. */
export function maxDrawdownWith(stats: RunningStats, adjustedNow: Decimal | null): Decimal {
  if (adjustedNow === null || stats.peak === null) return stats.maxDrawdown;
  const peak = Decimal.max(stats.peak, adjustedNow);
  return Decimal.max(stats.maxDrawdown, drawdownFrom(peak, adjustedNow));
}

/** Sharpe ratio per snapshot interval (see above), to 8 places; null when undefined. */
export function sharpeOf(stats: RunningStats): Decimal | null {
  const k = stats.count - 1; // changes
  if (k < 2) return null;
  const mean = stats.sumChanges.div(k);
  // sample variance from the sums: (sum d^2 - (sum d)^2 / k) / (k - 1)
  const variance = stats.sumSqChanges
    .minus(stats.sumChanges.times(stats.sumChanges).div(k))
    .div(k - 1);
  if (variance.lte(0)) return null;
  return mean.div(variance.sqrt()).toDecimalPlaces(8, Decimal.ROUND_HALF_EVEN);
}

/** Return minus maximum drawdown (see above). */
export const riskAdjustedScore = (ret: Decimal, maxDrawdown: Decimal): Decimal =>
  ret.minus(maxDrawdown);

export type Ranking = 'RETURN' | 'RISK_ADJUSTED';

export interface Rankable {
  return: Decimal;
  maxDrawdown: Decimal;
  score: Decimal;
  /** Tie-break of last resort: who joined first. */
  joinedAt: number;
  /** Removed participants are not ranked. */
  ranked: boolean;
}

/**
 * Order of the leaderboard: by return (ties: smaller drawdown first) or by the risk-adjusted score
 * (ties: higher return first); then by who joined first. Returns the rank (1-based) of each row in
 * the order given; rows that are not ranked get null.
 */
export function rankRows<T extends Rankable>(
  rows: readonly T[],
  ranking: Ranking,
): Array<number | null> {
  const order = rows
    .map((r, i) => ({ r, i }))
    .filter(({ r }) => r.ranked)
    .sort((x, y) => {
      const a = x.r;
      const b = y.r;
      const primary = ranking === 'RETURN' ? b.return.cmp(a.return) : b.score.cmp(a.score);
      if (primary !== 0) return primary;
      const secondary =
        ranking === 'RETURN' ? a.maxDrawdown.cmp(b.maxDrawdown) : b.return.cmp(a.return);
      if (secondary !== 0) return secondary;
      return a.joinedAt - b.joinedAt;
    });
  const ranks: Array<number | null> = rows.map(() => null);
  order.forEach(({ i }, pos) => (ranks[i] = pos + 1));
  return ranks;
}
