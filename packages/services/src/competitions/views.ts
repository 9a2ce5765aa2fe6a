// What each side reads: the leaderboard (every participant sees the others' leaderboard figures
// only: name, equity, return, drawdown, Sharpe, score, trades, liquidations, status; never
// positions, orders or accounts), the host's dashboard (every figure of every participant), a
// read-only view of one participant's account for the hosts, the announcements, the audit trail
// and a participant's own equity curve.
import type { Db } from '@lab/db';
import { AppError } from '../errors.ts';
import {
  getTradingSummary,
  listFills,
  listLiquidations,
  listOpenOrders,
  listPositions,
} from '../trading/read-models.ts';
import type { VenuePrices } from '../trading/prices.ts';
import { systemActor } from '../trading/run.ts';
import { accessOf, isHostLike, requireHost, requireParticipant, type Viewer } from './access.ts';
import { competitionBoard, type Board, type BoardRow } from './board.ts';
import { participantOf } from './participants.ts';
import { boardBenchmark } from '../teaching/benchmark.ts';

export interface LeaderboardRow {
  rank: number | null;
  displayName: string;
  status: 'ACTIVE' | 'OUT';
  equity: string;
  return: string;
  maxDrawdown: string;
  sharpe: string | null;
  score: string;
  trades: number;
  liquidations: number;
  /** Buy-and-hold of the benchmark market over the same window (null: no benchmark). */
  benchmark: string | null;
  /** The viewer's own row. */
  isMe: boolean;
}

export interface Leaderboard {
  state: Board['state'];
  ranking: Board['ranking'];
  /** True while a hidden-until-end leaderboard shows a student only their own row. */
  hidden: boolean;
  /** The live board is recomputed at most this often (ms); snapshots every snapshotSeconds. */
  snapshotSeconds: number;
  computedAt: number;
  /** The benchmark the hosts chose (teaching settings): its market and return over the window. */
  benchmark: { symbol: string; return: string; live: boolean } | null;
  rows: LeaderboardRow[];
}

const leaderboardRow = (r: BoardRow, me: string, benchmark: string | null): LeaderboardRow => ({
  rank: r.rank,
  displayName: r.displayName,
  status: r.status === 'OUT' ? 'OUT' : 'ACTIVE',
  equity: r.equity,
  return: r.return,
  maxDrawdown: r.maxDrawdown,
  sharpe: r.sharpe,
  score: r.score,
  trades: r.trades,
  liquidations: r.liquidations,
  benchmark,
  isMe: r.userId === me,
});

export async function getLeaderboard(
  db: Db,
  prices: VenuePrices,
  viewer: Viewer,
  competitionId: string,
): Promise<Leaderboard> {
  const access = await accessOf(db, viewer, competitionId);
  const board = await competitionBoard(db, prices, competitionId);
  const ranked = board.rows.filter((r) => r.status !== 'REMOVED');
  const hidden =
    !isHostLike(access.relation) &&
    board.leaderboard === 'HIDDEN_UNTIL_END' &&
    board.state !== 'FINISHED' &&
    board.state !== 'ARCHIVED';
  const bench = await boardBenchmark(db, prices, competitionId, ranked);
  const rows = (hidden ? ranked.filter((r) => r.userId === viewer.userId) : ranked).map((r) => {
    const row = leaderboardRow(r, viewer.userId, bench?.byParticipant.get(r.participantId) ?? null);
    return hidden ? { ...row, rank: null } : row;
  });
  return {
    state: board.state,
    ranking: board.ranking,
    hidden,
    snapshotSeconds: board.snapshotSeconds,
    computedAt: board.computedAt,
    benchmark: bench
      ? { symbol: bench.window.symbol, return: bench.window.return, live: bench.window.live }
      : null,
    rows,
  };
}

/** Every participant with every figure, for the hosts. */
export async function getDashboard(
  db: Db,
  prices: VenuePrices,
  viewer: Viewer,
  competitionId: string,
): Promise<Board> {
  await requireHost(db, viewer, competitionId);
  return competitionBoard(db, prices, competitionId);
}

/** One participant's account as the hosts see it, read-only: summary, positions, orders, fills, liquidations. */
export async function getParticipantDetail(
  db: Db,
  prices: VenuePrices,
  viewer: Viewer,
  competitionId: string,
  participantId: string,
) {
  await requireHost(db, viewer, competitionId);
  const p = await participantOf(db, competitionId, participantId);
  const user = await db.user.findUniqueOrThrow({
    where: { id: p.userId },
    select: { displayName: true, email: true },
  });
  const reader = systemActor('competition:host-view');
  const [summary, positions, openOrders, fills, liquidations] = await Promise.all([
    getTradingSummary(db, prices, reader, p.accountId),
    listPositions(db, prices, reader, p.accountId),
    listOpenOrders(db, reader, p.accountId, { limit: 100 }),
    listFills(db, reader, p.accountId, { limit: 100 }),
    listLiquidations(db, reader, p.accountId, { limit: 50 }),
  ]);
  return {
    participant: { id: p.id, status: p.status, resets: p.resets, ...user },
    summary,
    positions,
    openOrders: openOrders.items,
    fills: fills.items,
    liquidations: liquidations.items,
  };
}

export interface AnnouncementView {
  id: string;
  kind: 'ANNOUNCEMENT' | 'MARKET_EVENT' | 'RULE_CHANGE';
  text: string;
  author: string;
  createdAt: number;
}

/** The hosts' messages to the class, newest first. */
export async function listAnnouncements(
  db: Db,
  viewer: Viewer,
  competitionId: string,
  opts: { limit: number },
): Promise<AnnouncementView[]> {
  await accessOf(db, viewer, competitionId);
  const rows = await db.competitionAnnouncement.findMany({
    where: { competitionId },
    orderBy: { id: 'desc' },
    take: opts.limit,
  });
  const authors = await db.user.findMany({
    where: { id: { in: [...new Set(rows.map((r) => r.authorId))] } },
    select: { id: true, displayName: true },
  });
  const names = new Map(authors.map((a) => [a.id, a.displayName]));
  return rows.map((r) => ({
    id: r.id.toString(),
    kind: r.kind,
    text: r.text,
    author: names.get(r.authorId) ?? 'A host',
    createdAt: r.createdAt.getTime(),
  }));
}

/** The audit trail: what the hosts changed, newest first. */
export async function listChanges(
  db: Db,
  viewer: Viewer,
  competitionId: string,
  opts: { limit: number },
) {
  await requireHost(db, viewer, competitionId);
  const rows = await db.competitionChange.findMany({
    where: { competitionId },
    orderBy: { id: 'desc' },
    take: opts.limit,
  });
  const actors = await db.user.findMany({
    where: { id: { in: [...new Set(rows.map((r) => r.actorId))] } },
    select: { id: true, displayName: true },
  });
  const names = new Map(actors.map((a) => [a.id, a.displayName]));
  return rows.map((r) => ({
    id: r.id.toString(),
    field: r.field,
    before: r.before,
    after: r.after,
    actor: names.get(r.actorId) ?? 'unknown',
    at: r.at.getTime(),
  }));
}

/** The participant's own equity snapshots, oldest first, with the return of each. */
export async function myEquityCurve(db: Db, viewer: Viewer, competitionId: string) {
  const { participant } = await requireParticipant(db, viewer, competitionId);
  const c = await db.competition.findUniqueOrThrow({
    where: { id: competitionId },
    select: { startingBalance: true },
  });
  const rows = await db.equitySnapshot.findMany({
    where: { accountId: participant.accountId },
    orderBy: { at: 'asc' },
    take: 10_000,
  });
  if (c.startingBalance.lte(0)) throw new AppError('PRECONDITION', 'No starting balance.');
  return {
    startingBalance: c.startingBalance.toFixed(),
    points: rows.map((r) => ({
      at: r.at.getTime(),
      equity: r.equity.toFixed(),
      walletBalance: r.walletBalance.toFixed(),
      return: r.equity.minus(c.startingBalance).div(c.startingBalance).toDecimalPlaces(8).toFixed(),
    })),
  };
}
