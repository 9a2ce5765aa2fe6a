// The live figures of every participant of a competition, computed once and read by both the
// leaderboard (every student's screen) and the host's dashboard: equity, margin ratio, leverage in
// use and open risk from the engine at the venue's latest marks (figuresOf, with each account's
// own catalogue), return / drawdown / Sharpe / score from the running standings (standings.ts),
// and the counts of trades and liquidations. A class polls it every few seconds, so one process
// computes it at most once per BOARD_TTL_MS per competition, in the background while callers get
// the last one, and every caller shares the result (filtered per viewer afterwards: students see
// only the leaderboard figures).
import { Prisma, type Db } from '@lab/db';
import { Decimal } from '@lab/margin-engine';
import { loadAccountStates, marketFor } from '../engine-state.ts';
import type { VenuePrices } from '../trading/prices.ts';
import { boardFiguresOf } from './figures.ts';
import { effectiveState, type CompetitionState } from './rules.ts';
import type { RunningStats } from './standings.ts';
import {
  adjustedEquity,
  maxDrawdownWith,
  rankRows,
  returnOf,
  riskAdjustedScore,
  sharpeOf,
  type Ranking,
} from './standings.ts';

/** A board is recomputed when older than this (ms). */
export const BOARD_TTL_MS = 1000;
/** Older than this, a caller waits for a fresh board instead of getting the last one. */
export const BOARD_MAX_STALE_MS = 5000;

export interface BoardRow {
  participantId: string;
  userId: string;
  displayName: string;
  email: string;
  accountId: string;
  status: 'ACTIVE' | 'OUT' | 'REMOVED';
  joinedAt: number;
  resets: number;
  penaltyWithheld: string;
  /** null for removed participants (not ranked). */
  rank: number | null;
  equity: string;
  walletBalance: string;
  unrealizedPnl: string;
  /** Fractions (0.05 = 5%). */
  return: string;
  maxDrawdown: string;
  sharpe: string | null;
  score: string;
  trades: number;
  liquidations: number;
  /** The margin ratio of the compartment closest to liquidation (1 = liquidation); null: infinite. */
  marginRatio: string | null;
  /** Gross notional at the mark / equity; null when equity is at or below zero with positions. */
  leverage: string | null;
  /** Gross notional of the open positions at the mark (USDT). */
  openRisk: string;
  positions: number;
  openOrders: number;
  /** Symbols held without a mark yet (valued at entry). */
  unpriced: string[];
}

export interface Board {
  competitionId: string;
  state: CompetitionState;
  ranking: Ranking;
  leaderboard: 'LIVE' | 'HIDDEN_UNTIL_END';
  startingBalance: string;
  snapshotSeconds: number;
  computedAt: number;
  rows: BoardRow[];
}

interface Cached {
  /** The last board computed (its computedAt says when). */
  last?: Board;
  /** The computation in progress, if any. */
  next?: Promise<Board>;
}
const cache = new Map<string, Cached>();
const MAX_CACHED = 500;

/**
 * The board of the competition, shared by every caller in this process: computed at most once per
 * BOARD_TTL_MS, and while a newer one is computed callers get the last one (up to
 * BOARD_MAX_STALE_MS old), so no request waits for the computation of a busy competition.
 */
export function competitionBoard(
  db: Db,
  prices: VenuePrices,
  competitionId: string,
): Promise<Board> {
  const now = Date.now();
  let entry = cache.get(competitionId);
  if (!entry) {
    if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value!);
    entry = {};
    cache.set(competitionId, entry);
  }
  const e = entry;
  const age = e.last ? now - e.last.computedAt : Infinity;
  if (age < BOARD_TTL_MS) return Promise.resolve(e.last!);
  if (!e.next) {
    e.next = computeBoard(db, prices, competitionId).then(
      (b) => {
        e.last = b;
        e.next = undefined;
        return b;
      },
      (err: unknown) => {
        e.next = undefined;
        throw err;
      },
    );
  }
  return age < BOARD_MAX_STALE_MS ? Promise.resolve(e.last!) : e.next;
}

/** Forget the cached board (after a host changed something the next read must show). */
export const invalidateBoard = (competitionId: string) => void cache.delete(competitionId);

const ratio = (d: Decimal) => d.toDecimalPlaces(8, Decimal.ROUND_HALF_EVEN).toFixed();

interface ParticipantRow {
  id: string;
  user_id: string;
  account_id: string;
  status: BoardRow['status'];
  joined_at: Date;
  resets: number;
  penalty_withheld: string;
  reset_flows: string;
  snapshot_count: number;
  last_adjusted: string | null;
  peak_adjusted: string | null;
  max_drawdown: string;
  sum_changes: string;
  sum_sq_changes: string;
  display_name: string;
  email: string;
}

const statsOf = (p: ParticipantRow): RunningStats => ({
  count: p.snapshot_count,
  lastAdjusted: p.last_adjusted === null ? null : new Decimal(p.last_adjusted),
  peak: p.peak_adjusted === null ? null : new Decimal(p.peak_adjusted),
  maxDrawdown: new Decimal(p.max_drawdown),
  sumChanges: new Decimal(p.sum_changes),
  sumSqChanges: new Decimal(p.sum_sq_changes),
});

export async function computeBoard(
  db: Db,
  prices: VenuePrices,
  competitionId: string,
): Promise<Board> {
  const c = await db.competition.findUniqueOrThrow({ where: { id: competitionId } });
  const participants = await db.$queryRaw<ParticipantRow[]>`
    SELECT p.id::text AS id, p.user_id::text AS user_id, p.account_id::text AS account_id,
      p.status::text AS status, p.joined_at, p.resets, p.penalty_withheld::text AS penalty_withheld,
      p.reset_flows::text AS reset_flows, p.snapshot_count, p.last_adjusted::text AS last_adjusted,
      p.peak_adjusted::text AS peak_adjusted, p.max_drawdown::text AS max_drawdown,
      p.sum_changes::text AS sum_changes, p.sum_sq_changes::text AS sum_sq_changes,
      u.display_name, u.email
    FROM competition_participants p JOIN users u ON u.id = p.user_id
    WHERE p.competition_id = ${competitionId}::uuid
    ORDER BY p.joined_at, p.id`;
  const accountIds = participants.map((p) => p.account_id);
  const [states, counts, quotes] = await Promise.all([
    db.$transaction((tx) => loadAccountStates(tx, accountIds), {
      isolationLevel: Prisma.TransactionIsolationLevel.RepeatableRead,
    }),
    db.$queryRaw<Array<{ account_id: string; trades: number; liquidations: number }>>`
      SELECT a.id::text AS account_id,
        (SELECT count(*)::int FROM fills f WHERE f.account_id = a.id AND NOT f.is_liquidation) AS trades,
        (SELECT count(*)::int FROM liquidations l WHERE l.account_id = a.id) AS liquidations
      FROM unnest(${accountIds}::uuid[]) AS a(id)`,
    prices.quotes(c.venueId),
  ]);
  const byAccount = new Map(counts.map((r) => [r.account_id, r]));
  const marks = new Map([...quotes].map(([s, q]) => [s, q.markPrice]));
  const last = new Map(
    [...quotes].flatMap(([s, q]) => (q.lastPrice ? [[s, q.lastPrice] as const] : [])),
  );
  const S = new Decimal(c.startingBalance.toFixed());

  const rows = participants.map((p) => {
    const loaded = states.get(p.account_id);
    const stats = statsOf(p);
    let equity = new Decimal(0);
    let wallet = new Decimal(0);
    let upnl = new Decimal(0);
    let marginRatio: string | null = '0';
    let gross = new Decimal(0);
    let unpriced: string[] = [];
    let positions = 0;
    let openOrders = 0;
    if (loaded) {
      const m = marketFor(loaded.engine, marks, last, loaded.catalogue);
      unpriced = m.unpriced;
      const f = boardFiguresOf(loaded.engine, m.market);
      equity = f.equity;
      wallet = f.walletBalance;
      upnl = f.unrealizedPnl;
      marginRatio = f.worstMarginRatio.isFinite() ? ratio(f.worstMarginRatio) : null;
      gross = f.grossNotional;
      positions = f.positions;
      openOrders = Object.keys(loaded.engine.orders).length;
    }
    const flows = new Decimal(p.reset_flows);
    const ret = returnOf(equity, S);
    const dd = maxDrawdownWith(stats, loaded ? adjustedEquity(equity, flows) : null);
    const sharpe = sharpeOf(stats);
    const counted = byAccount.get(p.account_id);
    return {
      participantId: p.id,
      userId: p.user_id,
      displayName: p.display_name,
      email: p.email,
      accountId: p.account_id,
      status: p.status,
      joinedAt: p.joined_at.getTime(),
      resets: p.resets,
      penaltyWithheld: p.penalty_withheld,
      rank: null as number | null,
      equity: equity.toFixed(),
      walletBalance: wallet.toFixed(),
      unrealizedPnl: upnl.toFixed(),
      return: ratio(ret),
      maxDrawdown: ratio(dd),
      sharpe: sharpe?.toFixed() ?? null,
      score: ratio(riskAdjustedScore(ret, dd)),
      trades: counted?.trades ?? 0,
      liquidations: counted?.liquidations ?? 0,
      marginRatio,
      leverage: gross.isZero() ? '0' : equity.lte(0) ? null : ratio(gross.div(equity)),
      openRisk: gross.toFixed(),
      positions,
      openOrders,
      unpriced,
      _rank: { return: ret, maxDrawdown: dd, score: riskAdjustedScore(ret, dd) },
    };
  });
  const ranks = rankRows(
    rows.map((r) => ({ ...r._rank, joinedAt: r.joinedAt, ranked: r.status !== 'REMOVED' })),
    c.ranking,
  );
  const now = Date.now();
  return {
    competitionId,
    state: effectiveState(
      {
        state: c.state,
        startsAt: c.startsAt.getTime(),
        endsAt: c.endsAt.getTime(),
        endedAt: c.endedAt?.getTime() ?? null,
      },
      now,
    ),
    ranking: c.ranking,
    leaderboard: c.leaderboard,
    startingBalance: c.startingBalance.toFixed(),
    snapshotSeconds: c.snapshotSeconds,
    computedAt: now,
    rows: rows
      .map(({ _rank, ...r }, i) => ({ ...r, rank: ranks[i] ?? null }))
      .sort((a, b) => (a.rank ?? Infinity) - (b.rank ?? Infinity)),
  };
}
