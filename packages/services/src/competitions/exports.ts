// CSV exports: the standings and every trade of a competition (hosts), a student's own trades and
// equity curve. RFC 4180 quoting; text a participant chose (names, emails) that a spreadsheet
// would run as a formula (starting with = + - @ or a tab) is prefixed with an apostrophe (OWASP's
// CSV injection advice). Numbers are exact decimal strings.
import type { Db } from '@lab/db';
import { notesOf } from '../teaching/notes.ts';
import type { VenuePrices } from '../trading/prices.ts';
import { requireHost, requireParticipant, type Viewer } from './access.ts';
import { competitionBoard } from './board.ts';
import { myEquityCurve } from './views.ts';

export interface CsvFile {
  filename: string;
  csv: string;
  rows: number;
}

const quote = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
/** Free text: neutralised against formula injection, then quoted. */
const text = (v: string) => quote(/^[=+\-@\t\r]/.test(v) ? `'${v}` : v);
const line = (cells: ReadonlyArray<string | number | null>) =>
  cells.map((c) => (c === null ? '' : typeof c === 'number' ? String(c) : c)).join(',');

const slug = (name: string) =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 40) || 'competition';

/** The CSV rules above, for the other exports (teaching/exports.ts). */
export const csv = { quote, text, line, slug };

async function nameOf(db: Db, competitionId: string) {
  const c = await db.competition.findUniqueOrThrow({
    where: { id: competitionId },
    select: { name: true },
  });
  return slug(c.name);
}

/** The standings as the dashboard shows them, every participant (removed ones last, unranked). */
export async function exportStandings(
  db: Db,
  prices: VenuePrices,
  viewer: Viewer,
  competitionId: string,
): Promise<CsvFile> {
  await requireHost(db, viewer, competitionId);
  const board = await competitionBoard(db, prices, competitionId);
  const out = [
    line([
      'rank',
      'name',
      'email',
      'status',
      'equity',
      'return',
      'max_drawdown',
      'sharpe',
      'risk_adjusted_score',
      'trades',
      'liquidations',
      'resets',
      'penalty_withheld',
    ]),
  ];
  for (const r of board.rows)
    out.push(
      line([
        r.rank,
        text(r.displayName),
        text(r.email),
        r.status,
        r.equity,
        r.return,
        r.maxDrawdown,
        r.sharpe,
        r.score,
        r.trades,
        r.liquidations,
        r.resets,
        r.penaltyWithheld,
      ]),
    );
  return {
    filename: `${await nameOf(db, competitionId)}-standings.csv`,
    csv: out.join('\r\n') + '\r\n',
    rows: board.rows.length,
  };
}

const TRADE_HEADER = [
  'time',
  'fill_id',
  'symbol',
  'side',
  'quantity',
  'price',
  'mark_price',
  'liquidity',
  'fee',
  'realized_pnl',
  'liquidation',
  'order_id',
  'note',
  'placed_by',
];

/** Fills of the accounts, oldest first, read in pages (a class can make tens of thousands). */
async function tradeLines(
  db: Db,
  accounts: ReadonlyMap<string, { name: string; email: string }> | null,
  accountIds: string[],
): Promise<string[]> {
  const out: string[] = [];
  let after = -1n;
  for (;;) {
    const page = await db.fill.findMany({
      where: { accountId: { in: accountIds }, id: { gt: after } },
      orderBy: { id: 'asc' },
      take: 5000,
    });
    const notes = await notesOf(db, [
      ...new Set(page.flatMap((f) => (f.orderId ? [f.orderId] : []))),
    ]);
    for (const f of page) {
      const n = f.orderId ? notes.get(f.orderId) : undefined;
      const who = accounts?.get(f.accountId);
      out.push(
        line([
          f.time.toISOString(),
          f.id.toString(),
          ...(who ? [text(who.name), text(who.email)] : []),
          f.symbol,
          f.side,
          f.quantity.toFixed(),
          f.price.toFixed(),
          f.markPrice.toFixed(),
          f.liquidity,
          f.fee.toFixed(),
          f.realizedPnl.toFixed(),
          f.isLiquidation ? 'yes' : 'no',
          f.orderId ?? '',
          n?.note ? text(n.note) : '',
          n?.placedBy ? text(n.placedBy) : '',
        ]),
      );
    }
    if (page.length < 5000) break;
    after = page.at(-1)!.id;
  }
  return out;
}

/** Every trade (fill) of every participant, liquidations included, for the hosts. */
export async function exportTrades(
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
  const header = [...TRADE_HEADER];
  header.splice(2, 0, 'name', 'email');
  const lines = await tradeLines(db, who, [...who.keys()]);
  return {
    filename: `${await nameOf(db, competitionId)}-trades.csv`,
    csv: [line(header), ...lines].join('\r\n') + '\r\n',
    rows: lines.length,
  };
}

/** The student's own trades. */
export async function exportMyTrades(
  db: Db,
  viewer: Viewer,
  competitionId: string,
): Promise<CsvFile> {
  const { participant } = await requireParticipant(db, viewer, competitionId);
  const lines = await tradeLines(db, null, [participant.accountId]);
  return {
    filename: `${await nameOf(db, competitionId)}-my-trades.csv`,
    csv: [line(TRADE_HEADER), ...lines].join('\r\n') + '\r\n',
    rows: lines.length,
  };
}

/** The student's own equity curve (the snapshots). */
export async function exportMyEquity(
  db: Db,
  viewer: Viewer,
  competitionId: string,
): Promise<CsvFile> {
  const curve = await myEquityCurve(db, viewer, competitionId);
  const lines = curve.points.map((p) =>
    line([new Date(p.at).toISOString(), p.equity, p.walletBalance, p.return]),
  );
  return {
    filename: `${await nameOf(db, competitionId)}-my-equity.csv`,
    csv: [line(['time', 'equity', 'wallet_balance', 'return']), ...lines].join('\r\n') + '\r\n',
    rows: lines.length,
  };
}
