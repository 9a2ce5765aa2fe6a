// The class report of a finished competition: how the class spread (returns, drawdowns, the
// leverage used, liquidations), each student beside the benchmark, the rules most often broken,
// and for each student the counterfactual of their own orders under the other margin mode,
// replayed through the margin engine (@lab/margin-engine's replayUnder, the same replay the
// liquidation page runs in the browser): "in isolated margin you would have kept 6,210 USDT of
// the 10,000 you lost".
//
// The counterfactual takes the student's stored events from their first fill to the end (or to
// their first reset: a reset refills the account, and replaying the refill under another mode
// would mean nothing), every fill at its price, fee rate and the mark stored with it, funding as
// paid, and the venue's minute candles (their extremes, then their close) for the prices between;
// what is still open at the end is closed at the mark, as the end of the competition closed the
// student's own account.
// The same replay in the mode the student used is reported beside it: the difference between the
// two is the effect of the mode alone, and the gap between that replay and the record shows how
// close the method comes. Computed once, after the standings are frozen, and stored.
import type { Prisma } from '@lab/db';
import { type Db } from '@lab/db';
import {
  candlePath,
  Decimal,
  engineEvents,
  replayUnder,
  tradingWindow,
  type Candle,
  type Catalogue,
  type MarginMode,
  type Outcome,
  type SeqEvent,
} from '@lab/margin-engine';
import { requireHost, type Viewer } from '../competitions/access.ts';
import { competitionBoard, type BoardRow } from '../competitions/board.ts';
import { effectiveState } from '../competitions/rules.ts';
import { AppError } from '../errors.ts';
import type { VenuePrices } from '../trading/prices.ts';
import { benchmarkCache, benchmarkReturn, type Benchmark } from './benchmark.ts';
import { catalogueOf, evaluateCompliance, loadStreams } from './compliance.ts';
import { addedRisk, historySteps, leverageOf } from './rules/history.ts';
import { RULE_KINDS } from './rules/registry.ts';
import { teachingSettingsOf } from './settings.ts';

type Tx = Prisma.TransactionClient;

export interface Distribution {
  count: number;
  min: string;
  p25: string;
  median: string;
  p75: string;
  max: string;
  mean: string;
  histogram: Array<{ from: string; to: string; count: number }>;
}

export interface Counterfactual {
  /** The mode the student traded in (by their fills that added risk), and the other one replayed. */
  usedMode: MarginMode | 'mixed';
  mode: MarginMode;
  from: number;
  to: number;
  /** The replay stops at the first reset (see the top of this file). */
  untilReset: boolean;
  /** Equity when the replay starts (the account before its first fill). */
  startEquity: string;
  /** Equity at the end as recorded (null when the replay stops at a reset). */
  recordedEquity: string | null;
  /** The same replay in the mode used: the method's own figure for what happened. */
  asTraded: Outcome;
  /** Under the other mode. */
  other: Outcome;
  /** other.equityEnd - asTraded.equityEnd: what the mode alone changes. */
  difference: string;
  sentence: string;
}

export interface StudentReport {
  participantId: string;
  displayName: string;
  email: string;
  status: 'ACTIVE' | 'OUT' | 'REMOVED';
  team: string | null;
  rank: number | null;
  equity: string;
  return: string;
  benchmark: string | null;
  /** Return minus the benchmark's. */
  excess: string | null;
  maxDrawdown: string;
  /** The highest leverage setting under which a position was opened or enlarged (0: none). */
  maxLeverage: number;
  trades: number;
  liquidations: number;
  violations: number;
  rulesBroken: string[];
  counterfactual: Counterfactual | null;
}

export interface ClassReport {
  competitionId: string;
  name: string;
  computedAt: number;
  startsAt: number;
  endsAt: number;
  startingBalance: string;
  benchmark: Benchmark | null;
  students: StudentReport[];
  distributions: {
    return: Distribution;
    maxDrawdown: Distribution;
    maxLeverage: Distribution;
    liquidations: Distribution;
  };
  mostBroken: Array<{ kind: string; title: string; violations: number; students: number }>;
  counterfactuals: { computed: number; better: number; worse: number };
}

const DP = 8;
const r8 = (d: Decimal) => d.toDecimalPlaces(DP, Decimal.ROUND_HALF_EVEN);

/** Quantile by linear interpolation between the sorted values (type 7, as spreadsheets do). */
function quantile(sorted: readonly Decimal[], q: number): Decimal {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo]!;
  return a.plus(sorted[hi]!.minus(a).times(pos - lo));
}

/** The spread of the values, with a histogram of `bins` equal bins from min to max. */
export function distribution(values: readonly Decimal[], bins = 8): Distribution {
  if (!values.length)
    return {
      count: 0,
      min: '0',
      p25: '0',
      median: '0',
      p75: '0',
      max: '0',
      mean: '0',
      histogram: [],
    };
  const sorted = [...values].sort((a, b) => a.cmp(b));
  const min = sorted[0]!;
  const max = sorted.at(-1)!;
  const width = max.minus(min).div(bins);
  const histogram = width.isZero()
    ? [{ from: min.toFixed(), to: max.toFixed(), count: sorted.length }]
    : Array.from({ length: bins }, (_, i) => ({
        from: r8(min.plus(width.times(i))).toFixed(),
        to: r8(i === bins - 1 ? max : min.plus(width.times(i + 1))).toFixed(),
        count: 0,
      }));
  if (!width.isZero())
    for (const v of sorted) {
      const i = Math.min(bins - 1, v.minus(min).div(width).floor().toNumber());
      histogram[i]!.count++;
    }
  return {
    count: sorted.length,
    min: min.toFixed(),
    p25: r8(quantile(sorted, 0.25)).toFixed(),
    median: r8(quantile(sorted, 0.5)).toFixed(),
    p75: r8(quantile(sorted, 0.75)).toFixed(),
    max: max.toFixed(),
    mean: r8(sorted.reduce((s, v) => s.plus(v), new Decimal(0)).div(sorted.length)).toFixed(),
    histogram,
  };
}

const usdt = (d: Decimal) =>
  d
    .abs()
    .toDecimalPlaces(2, Decimal.ROUND_HALF_EVEN)
    .toNumber()
    .toLocaleString('en-US', { minimumFractionDigits: 0, maximumFractionDigits: 2 });

/** "In isolated margin you would have kept 6,210 USDT of the 10,000 you lost." */
export function counterfactualSentence(
  mode: MarginMode,
  startEquity: Decimal,
  actualEquity: Decimal,
  difference: Decimal,
): string {
  const under = `In ${mode} margin`;
  const lost = startEquity.minus(actualEquity);
  if (difference.isZero()) return `${under} the same orders would have ended exactly the same.`;
  if (lost.gt(0)) {
    if (difference.gt(0) && difference.lte(lost))
      return `${under} you would have kept ${usdt(difference)} USDT of the ${usdt(lost)} you lost.`;
    if (difference.gt(lost))
      return `${under} you would have ended ${usdt(difference.minus(lost))} USDT up instead of losing ${usdt(lost)}.`;
    return `${under} you would have lost ${usdt(difference)} USDT more than the ${usdt(lost)} you lost.`;
  }
  const made = lost.negated();
  if (difference.gt(0))
    return `${under} you would have made ${usdt(difference)} USDT more than the ${usdt(made)} you made.`;
  if (difference.negated().lte(made))
    return `${under} you would have made ${usdt(difference)} USDT less than the ${usdt(made)} you made.`;
  return `${under} you would have lost ${usdt(difference.negated().minus(made))} USDT instead of making ${usdt(made)}.`;
}

/** A candle interval (name and ms) that covers the span in at most `max` candles. */
function pathInterval(spanMs: number, max = 1400): { name: string; ms: number } {
  const all = [
    ['1m', 60_000],
    ['5m', 300_000],
    ['15m', 900_000],
    ['1h', 3_600_000],
    ['4h', 14_400_000],
    ['1d', 86_400_000],
  ] as const;
  for (const [name, ms] of all) if (spanMs / ms <= max) return { name, ms };
  return { name: '1d', ms: 86_400_000 };
}

/** The engine events up to the first reset (the reset's own closes and refill left out). */
export function untilFirstReset(
  rows: ReadonlyArray<{ seq: number; type: string; payload: unknown }>,
): { events: SeqEvent[]; reset: boolean } {
  const r = rows.findIndex((x) => x.type === 'accountReset');
  if (r < 0) return { events: engineEvents(rows), reset: false };
  const before = engineEvents(rows.slice(0, r));
  // the reset's engine events precede its summary and share its time
  const resetTime = before.at(-1)?.ev.time;
  const cut = resetTime === undefined ? 0 : before.findIndex((e) => e.ev.time >= resetTime);
  return { events: before.slice(0, cut < 0 ? before.length : cut), reset: true };
}

/** The mode the fills that added risk were made in. */
function usedModeOf(events: readonly SeqEvent[], accountId: string): MarginMode | 'mixed' | null {
  const modes = new Set<MarginMode>();
  for (const s of historySteps(accountId, events))
    if (s.ev.type === 'positionChanged' && addedRisk(s.before, s.after, s.ev.symbol))
      modes.add(s.after.settings[s.ev.symbol]?.marginMode ?? 'cross');
  if (!modes.size) return null;
  return modes.size > 1 ? 'mixed' : [...modes][0]!;
}

/** The mode more of the risk-adding fills used, for a student who used both. */
function predominant(events: readonly SeqEvent[], accountId: string): MarginMode {
  let cross = 0;
  let isolated = 0;
  for (const s of historySteps(accountId, events))
    if (s.ev.type === 'positionChanged' && addedRisk(s.before, s.after, s.ev.symbol)) {
      if ((s.after.settings[s.ev.symbol]?.marginMode ?? 'cross') === 'isolated') isolated++;
      else cross++;
    }
  return isolated > cross ? 'isolated' : 'cross';
}

/**
 * The counterfactual of one account's history (see the top of this file); null when it never
 * traded. `candles` is read for the traded symbols over the window.
 */
export async function accountCounterfactual(
  db: Db | Tx,
  o: {
    accountId: string;
    venueId: string;
    rows: ReadonlyArray<{ seq: number; type: string; payload: unknown }>;
    instruments: Catalogue;
    endAt: number;
    recordedEquity: Decimal | null;
  },
): Promise<Counterfactual | null> {
  const { events, reset } = untilFirstReset(o.rows);
  const used = usedModeOf(events, o.accountId);
  if (!used) return null;
  const mode: MarginMode =
    used === 'mixed'
      ? predominant(events, o.accountId) === 'cross'
        ? 'isolated'
        : 'cross'
      : used === 'cross'
        ? 'isolated'
        : 'cross';
  const last = events.at(-1)!.ev.time;
  const window = tradingWindow(events, reset ? last : Math.max(o.endAt, last));
  const interval = pathInterval(window.end - window.start + 60_000);
  const candleRows = await db.candle.findMany({
    where: {
      venueId: o.venueId,
      symbol: { in: [...window.symbols] },
      interval: interval.name,
      openTime: { gte: new Date(window.start - 2 * interval.ms), lte: new Date(window.end) },
    },
    orderBy: { openTime: 'asc' },
  });
  const candles: Record<string, Candle[]> = {};
  for (const c of candleRows)
    (candles[c.symbol] ??= []).push({
      openTime: c.openTime.getTime(),
      open: c.open.toFixed(),
      high: c.high.toFixed(),
      low: c.low.toFixed(),
      close: c.close.toFixed(),
    });
  const fills = await db.fill.findMany({
    where: { accountId: o.accountId, orderId: { not: null } },
    select: { eventSeq: true, markPrice: true },
  });
  const fillMarks = new Map(fills.map((f) => [f.eventSeq, new Decimal(f.markPrice.toFixed())]));
  const path = candlePath(candles, interval.ms, window.start, window.end, window.symbols);
  const asTraded = replayUnder(
    o.accountId,
    events,
    { ...window, symbols: [] },
    'cross',
    o.instruments,
    path,
    { fillMarks, closeAtEnd: !reset },
  );
  const other = replayUnder(o.accountId, events, window, mode, o.instruments, path, {
    fillMarks,
    closeAtEnd: !reset,
  });
  const difference = new Decimal(other.equityEnd).minus(asTraded.equityEnd);
  const start = new Decimal(asTraded.equityStart);
  const actual = !reset && o.recordedEquity ? o.recordedEquity : new Decimal(asTraded.equityEnd);
  return {
    usedMode: used,
    mode,
    from: window.start,
    to: window.end,
    untilReset: reset,
    startEquity: start.toFixed(),
    recordedEquity: reset || !o.recordedEquity ? null : o.recordedEquity.toFixed(),
    asTraded: { ...asTraded, mode: used === 'mixed' ? predominant(events, o.accountId) : used },
    other,
    difference: difference.toFixed(),
    sentence: counterfactualSentence(mode, start, actual, difference),
  };
}

function maxLeverageUsed(
  accountId: string,
  events: readonly SeqEvent[],
  instruments: Catalogue,
): number {
  let max = 0;
  for (const s of historySteps(accountId, events))
    if (s.ev.type === 'positionChanged' && addedRisk(s.before, s.after, s.ev.symbol))
      max = Math.max(max, leverageOf({ instruments }, s.after, s.ev.symbol));
  return max;
}

/** Computes the class report of a frozen competition and stores it. */
export async function buildClassReport(
  db: Db,
  prices: VenuePrices,
  competitionId: string,
): Promise<ClassReport> {
  const c = await db.competition.findUniqueOrThrow({ where: { id: competitionId } });
  if (!c.finalizedAt)
    throw new AppError(
      'PRECONDITION',
      'The class report is ready once the competition has ended and its standings are frozen.',
      { reason: 'COMPETITION_NOT_FINAL' },
    );
  const endAt = (c.endedAt ?? c.endsAt).getTime();
  const startAt = c.startsAt.getTime();
  await evaluateCompliance(db, competitionId);
  const [board, settings, participants, teams] = await Promise.all([
    competitionBoard(db, prices, competitionId),
    teachingSettingsOf(db, competitionId),
    db.competitionParticipant.findMany({ where: { competitionId } }),
    db.competitionTeamMember.findMany({
      where: { team: { competitionId } },
      include: { team: { select: { name: true } } },
    }),
  ]);
  const compliance = await complianceOf(db, competitionId);
  const instruments = catalogueOf(c);
  const teamOf = new Map(teams.map((t) => [t.participantId, t.team.name]));
  const rowOf = new Map<string, BoardRow>(board.rows.map((r) => [r.participantId, r]));
  const bench = settings.benchmarkSymbol
    ? benchmarkCache(db, prices, c.venueId, settings.benchmarkSymbol, endAt)
    : null;
  const students: StudentReport[] = [];
  for (let i = 0; i < participants.length; i += 50) {
    const batch = participants.slice(i, i + 50);
    const streams = await loadStreams(
      db,
      batch.map((p) => p.accountId),
    );
    for (const p of batch) {
      const row = rowOf.get(p.id);
      if (!row) continue;
      const rows = streams.get(p.accountId)?.rows ?? [];
      const events = engineEvents(rows);
      const b = bench ? await bench(Math.max(startAt, p.joinedAt.getTime())) : null;
      const comp = compliance.get(p.id);
      students.push({
        participantId: p.id,
        displayName: row.displayName,
        email: row.email,
        status: row.status,
        team: teamOf.get(p.id) ?? null,
        rank: row.rank,
        equity: row.equity,
        return: row.return,
        benchmark: b?.return ?? null,
        excess: b ? new Decimal(row.return).minus(b.return).toFixed() : null,
        maxDrawdown: row.maxDrawdown,
        maxLeverage: maxLeverageUsed(p.accountId, events, instruments),
        trades: row.trades,
        liquidations: row.liquidations,
        violations: comp?.violations ?? 0,
        rulesBroken: comp?.broken ?? [],
        counterfactual: await accountCounterfactual(db, {
          accountId: p.accountId,
          venueId: c.venueId,
          rows,
          instruments,
          endAt,
          recordedEquity: new Decimal(row.equity),
        }),
      });
    }
  }
  students.sort((a, b) => (a.rank ?? Infinity) - (b.rank ?? Infinity));
  const ranked = students.filter((s) => s.status !== 'REMOVED');
  const cfs = ranked.flatMap((s) => (s.counterfactual ? [s.counterfactual] : []));
  const report: ClassReport = {
    competitionId,
    name: c.name,
    computedAt: Date.now(),
    startsAt: startAt,
    endsAt: endAt,
    startingBalance: c.startingBalance.toFixed(),
    benchmark: settings.benchmarkSymbol
      ? await benchmarkReturn(db, prices, c.venueId, settings.benchmarkSymbol, startAt, endAt)
      : null,
    students,
    distributions: {
      return: distribution(ranked.map((s) => new Decimal(s.return))),
      maxDrawdown: distribution(ranked.map((s) => new Decimal(s.maxDrawdown))),
      maxLeverage: distribution(ranked.map((s) => new Decimal(s.maxLeverage))),
      liquidations: distribution(ranked.map((s) => new Decimal(s.liquidations))),
    },
    mostBroken: [...compliance.values()][0]?.mostBroken ?? [],
    counterfactuals: {
      computed: cfs.length,
      better: cfs.filter((x) => new Decimal(x.difference).gt(0)).length,
      worse: cfs.filter((x) => new Decimal(x.difference).lt(0)).length,
    },
  };
  await db.competitionReport.upsert({
    where: { competitionId },
    create: {
      competitionId,
      computedAt: new Date(report.computedAt),
      data: report as unknown as Prisma.InputJsonObject,
    },
    update: {
      computedAt: new Date(report.computedAt),
      data: report as unknown as Prisma.InputJsonObject,
    },
  });
  return report;
}

/** Each participant's violations and broken rule kinds, and the class's most broken rules. */
async function complianceOf(db: Db, competitionId: string) {
  const rows = await db.ruleViolation.groupBy({
    by: ['participantId', 'kind'],
    where: { competitionId },
    _count: { _all: true },
  });
  const rules = await db.competitionRiskRule.findMany({ where: { competitionId } });
  const removed = new Set(
    (
      await db.competitionParticipant.findMany({
        where: { competitionId, status: 'REMOVED' },
        select: { id: true },
      })
    ).map((p) => p.id),
  );
  const mostBroken = rules
    .map((r) => {
      const mine = rows.filter((x) => x.kind === r.kind && !removed.has(x.participantId));
      return {
        kind: r.kind,
        title: RULE_KINDS.find((k) => k.kind === r.kind)?.title ?? r.kind,
        violations: mine.reduce((s, x) => s + x._count._all, 0),
        students: mine.length,
      };
    })
    .sort((a, b) => b.students - a.students || b.violations - a.violations);
  const out = new Map<
    string,
    { violations: number; broken: string[]; mostBroken: typeof mostBroken }
  >();
  for (const x of rows) {
    const e = out.get(x.participantId) ?? { violations: 0, broken: [], mostBroken };
    e.violations += x._count._all;
    e.broken.push(x.kind);
    out.set(x.participantId, e);
  }
  if (!out.size) out.set('', { violations: 0, broken: [], mostBroken });
  return out;
}

/** The class report (hosts): computed once after the freeze, then read as stored. */
export async function getClassReport(
  db: Db,
  prices: VenuePrices,
  viewer: Viewer,
  competitionId: string,
  opts: { recompute?: boolean } = {},
): Promise<ClassReport> {
  await requireHost(db, viewer, competitionId);
  const c = await db.competition.findUniqueOrThrow({ where: { id: competitionId } });
  const state = effectiveState(
    {
      state: c.state,
      startsAt: c.startsAt.getTime(),
      endsAt: c.endsAt.getTime(),
      endedAt: c.endedAt?.getTime() ?? null,
    },
    Date.now(),
  );
  if ((state !== 'FINISHED' && state !== 'ARCHIVED') || !c.finalizedAt)
    throw new AppError(
      'PRECONDITION',
      state === 'FINISHED'
        ? 'The final standings are still being computed; the class report follows in a moment.'
        : 'The class report is ready once the competition has ended.',
      { reason: 'COMPETITION_NOT_FINAL' },
    );
  if (!opts.recompute) {
    const stored = await db.competitionReport.findUnique({ where: { competitionId } });
    if (stored) return stored.data as unknown as ClassReport;
  }
  return buildClassReport(db, prices, competitionId);
}
