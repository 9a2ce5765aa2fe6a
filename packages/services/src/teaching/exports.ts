// The teaching CSVs for the hosts: the class report (one row per student, with the benchmark
// and the counterfactual) and every order of the class with its trade note and who placed it.
// Same quoting as the competition's other exports (free text neutralised against formulas).
import type { Db } from '@lab/db';
import { requireHost, type Viewer } from '../competitions/access.ts';
import { csv, type CsvFile } from '../competitions/exports.ts';
import type { VenuePrices } from '../trading/prices.ts';
import { getClassReport } from './report.ts';

const { line, text, slug } = csv;

async function nameOf(db: Db, competitionId: string) {
  const c = await db.competition.findUniqueOrThrow({
    where: { id: competitionId },
    select: { name: true },
  });
  return slug(c.name);
}

const REPORT_HEADER = [
  'rank',
  'name',
  'email',
  'status',
  'team',
  'equity',
  'return',
  'benchmark_return',
  'excess_return',
  'max_drawdown',
  'max_leverage',
  'trades',
  'liquidations',
  'rule_violations',
  'rules_broken',
  'traded_mode',
  'counterfactual_mode',
  'replay_start_equity',
  'recorded_end_equity',
  'replayed_end_equity',
  'counterfactual_end_equity',
  'counterfactual_difference',
  'counterfactual_liquidations',
  'counterfactual_refused_fills',
  'counterfactual_until_reset',
  'counterfactual',
];

export async function exportClassReport(
  db: Db,
  prices: VenuePrices,
  viewer: Viewer,
  competitionId: string,
): Promise<CsvFile> {
  const report = await getClassReport(db, prices, viewer, competitionId);
  const rows = report.students.map((s) => {
    const cf = s.counterfactual;
    return line([
      s.rank,
      text(s.displayName),
      text(s.email),
      s.status,
      s.team ? text(s.team) : '',
      s.equity,
      s.return,
      s.benchmark,
      s.excess,
      s.maxDrawdown,
      s.maxLeverage,
      s.trades,
      s.liquidations,
      s.violations,
      s.rulesBroken.join(' '),
      cf?.usedMode ?? '',
      cf?.mode ?? '',
      cf?.startEquity ?? '',
      cf?.recordedEquity ?? '',
      cf?.asTraded.equityEnd ?? '',
      cf?.other.equityEnd ?? '',
      cf?.difference ?? '',
      cf ? cf.other.liquidations.length : '',
      cf ? cf.other.refused.length : '',
      cf ? (cf.untilReset ? 'yes' : 'no') : '',
      cf ? text(cf.sentence) : '',
    ]);
  });
  return {
    filename: `${await nameOf(db, competitionId)}-class-report.csv`,
    csv: [line(REPORT_HEADER), ...rows].join('\r\n') + '\r\n',
    rows: rows.length,
  };
}

/** Every order of every participant, oldest first, with its note and who placed it. */
export async function exportOrders(
  db: Db,
  viewer: Viewer,
  competitionId: string,
): Promise<CsvFile> {
  await requireHost(db, viewer, competitionId);
  const participants = await db.competitionParticipant.findMany({
    where: { competitionId },
    include: { user: { select: { displayName: true, email: true } } },
  });
  const who = new Map(
    participants.map((p) => [p.accountId, { name: p.user.displayName, email: p.user.email }]),
  );
  const out: string[] = [];
  let after = -1n;
  for (;;) {
    const page = await db.order.findMany({
      where: { accountId: { in: [...who.keys()] }, orderNo: { gt: after } },
      include: { note: { include: { author: { select: { displayName: true } } } } },
      orderBy: { orderNo: 'asc' },
      take: 5000,
    });
    for (const o of page) {
      const w = who.get(o.accountId)!;
      out.push(
        line([
          o.createdAt.toISOString(),
          o.id,
          text(w.name),
          text(w.email),
          o.symbol,
          o.side,
          o.type,
          o.quantity.toFixed(),
          o.price?.toFixed() ?? '',
          o.stopPrice?.toFixed() ?? '',
          o.reduceOnly || o.closePosition ? 'yes' : 'no',
          o.status,
          o.filledQuantity.toFixed(),
          o.averagePrice?.toFixed() ?? '',
          o.note?.author ? text(o.note.author.displayName) : '',
          o.note?.note ? text(o.note.note) : '',
        ]),
      );
    }
    if (page.length < 5000) break;
    after = page.at(-1)!.orderNo;
  }
  const header = [
    'time',
    'order_id',
    'name',
    'email',
    'symbol',
    'side',
    'type',
    'quantity',
    'price',
    'stop_price',
    'reduces_only',
    'status',
    'filled_quantity',
    'average_price',
    'placed_by',
    'note',
  ];
  return {
    filename: `${await nameOf(db, competitionId)}-orders.csv`,
    csv: [line(header), ...out].join('\r\n') + '\r\n',
    rows: out.length,
  };
}
