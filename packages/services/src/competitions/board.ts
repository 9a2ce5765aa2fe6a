// The live figures of every participant of a competition, computed once and read by both the
// leaderboard (every student's screen) and the host's dashboard: equity, margin ratio, leverage in
// use and open risk from the engine at the venue's latest marks (figuresOf, with each account's
// own catalogue), return / drawdown / Sharpe / score from the running standings (standings.ts),
// and the counts of trades and liquidations. A class polls it every few seconds, so one process
// computes it at most once per BOARD_TTL_MS per competition and every caller shares the result
// (filtered per viewer afterwards: students see only the leaderboard figures).
import { Prisma, type Db } from '@lab/db';
import { Decimal } from '@lab/margin-engine';
import { loadAccountStates, marketFor } from '../engine-state.ts';
import { figuresOf, worstCompartment } from '../trading/figures.ts';
import type { VenuePrices } from '../trading/prices.ts';
import { effectiveState, type CompetitionState } from './rules.ts';
import { statsFromColumns } from './snapshots.ts';
import {
  adjustedEquity,
  maxDrawdownWith,
  rankRows,
  returnOf,
  riskAdjustedScore,
  sharpeOf,
  type Ranking,
} from './standings.ts';

export const BOARD_TTL_MS = 1000;

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

const cache = new Map<string, { expires: number; board: Promise<Board> }>();
const MAX_CACHED = 500;

/** The board of the competition, shared for BOARD_TTL_MS by every caller in this process. */
export function competitionBoard(
  db: Db,
  prices: VenuePrices,
  competitionId: string,
): Promise<Board> {
  const now = Date.now();
  const hit = cache.get(competitionId);
  if (hit && hit.expires > now) return hit.board;
  if (cache.size >= MAX_CACHED)
    for (const [k, v] of cache) if (v.expires <= now || cache.size >= MAX_CACHED) cache.delete(k);
  const board = computeBoard(db, prices, competitionId);
  cache.set(competitionId, { expires: now + BOARD_TTL_MS, board });
  board.catch(() => cache.delete(competitionId));
  return board;
}

/** Forget the cached board (after a host changed something the next read must show). */
export const invalidateBoard = (competitionId: string) => void cache.delete(competitionId);

const ratio = (d: Decimal) => d.toDecimalPlaces(8, Decimal.ROUND_HALF_EVEN).toFixed();

export async function computeBoard(
  db: Db,
  prices: VenuePrices,
  competitionId: string,
): Promise<Board> {
  const c = await db.competition.findUniqueOrThrow({ where: { id: competitionId } });
  const participants = await db.competitionParticipant.findMany({
    where: { competitionId },
    include: { user: { select: { displayName: true, email: true } } },
    orderBy: { joinedAt: 'asc' },
  });
  const accountIds = participants.map((p) => p.accountId);
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
    const loaded = states.get(p.accountId);
    const stats = statsFromColumns(p);
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
      const f = figuresOf(loaded.engine, m.market);
      equity = new Decimal(f.account.marginBalance);
      wallet = new Decimal(f.account.walletBalance);
      upnl = new Decimal(f.account.unrealizedPnl);
      marginRatio = worstCompartment(f).marginRatio;
      for (const pos of f.positions) gross = gross.plus(new Decimal(pos.notional).abs());
      positions = f.positions.length;
      openOrders = Object.keys(loaded.engine.orders).length;
    }
    const flows = new Decimal(p.resetFlows.toFixed());
    const ret = returnOf(equity, S);
    const dd = maxDrawdownWith(stats, loaded ? adjustedEquity(equity, flows) : null);
    const sharpe = sharpeOf(stats);
    const counted = byAccount.get(p.accountId);
    return {
      participantId: p.id,
      userId: p.userId,
      displayName: p.user.displayName,
      email: p.user.email,
      accountId: p.accountId,
      status: p.status,
      joinedAt: p.joinedAt.getTime(),
      resets: p.resets,
      penaltyWithheld: p.penaltyWithheld.toFixed(),
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
