'use client';
// Pieces shared by the competition pages: the state badge, the countdown, signed figures (green
// and red with an arrow as the second cue), the sortable leaderboard, the announcements, the
// rules, and an equity curve (SVG, with its figures in a table for screen readers).
import type { AnnouncementView, CompetitionView, Leaderboard } from '@lab/services';
import { useEffect, useMemo, useState, useSyncExternalStore, type ReactNode } from 'react';
import { formatAmount } from '@/lib/format';
import {
  AFTER_LIQUIDATION_LABEL,
  formatDuration,
  formatFraction,
  formatRate,
  formatRatio,
  formatSignedRatio,
  formatTime,
  formatWhen,
  MODES_LABEL,
  STATE_LABEL,
} from './format';

export type State = CompetitionView['state'];

const STATE_TONE: Record<State, string> = {
  DRAFT: 'border-line text-muted',
  SCHEDULED: 'border-accent/50 text-accent',
  RUNNING: 'border-up/50 text-up',
  FINISHED: 'border-line text-text',
  ARCHIVED: 'border-line text-muted',
};

export function StateBadge({ state }: { state: State }) {
  return (
    <span
      className={`inline-flex items-center gap-1.5 rounded border px-2 py-0.5 text-xs font-medium uppercase tracking-wide ${STATE_TONE[state]}`}
    >
      <span aria-hidden>{state === 'RUNNING' ? '●' : state === 'SCHEDULED' ? '◷' : '■'}</span>
      {STATE_LABEL[state]}
    </span>
  );
}

/** -1, 0 or 1 of a decimal string, without parsing it. */
export function signOfDecimal(v: string): -1 | 0 | 1 {
  const s = v.trim();
  if (/^-?0*(\.0*)?$/.test(s)) return 0;
  return s.startsWith('-') ? -1 : 1;
}

/** A figure in green (up) or red (down), with ▲/▼ so colour is not the only cue. */
export function Signed({ value, children }: { value: string; children: ReactNode }) {
  const s = signOfDecimal(value);
  return (
    <span className={s > 0 ? 'text-up' : s < 0 ? 'text-down' : ''}>
      {s !== 0 ? (
        <span aria-hidden className="mr-1 text-[10px]">
          {s > 0 ? '▲' : '▼'}
        </span>
      ) : null}
      {children}
    </span>
  );
}

// one shared 1 s clock for every countdown of the page
const listeners = new Set<() => void>();
let timer: ReturnType<typeof setInterval> | undefined;
let tick = 0;
function subscribe(l: () => void) {
  listeners.add(l);
  timer ??= setInterval(() => {
    tick = Date.now();
    for (const x of listeners) x();
  }, 1000);
  return () => {
    listeners.delete(l);
    if (!listeners.size && timer) {
      clearInterval(timer);
      timer = undefined;
    }
  };
}

/** The server's now, ticking every second (offset measured when the answer arrived). */
export function useServerNow(serverTime: number): number {
  const [offset] = useState(() => serverTime - Date.now());
  const now = useSyncExternalStore(
    subscribe,
    () => tick || Date.now(),
    () => serverTime,
  );
  return now + offset;
}

export function Countdown({
  c,
}: {
  c: Pick<CompetitionView, 'state' | 'startsAt' | 'endsAt' | 'endedAt' | 'serverTime'>;
}) {
  const now = useServerNow(c.serverTime);
  const label =
    c.state === 'DRAFT'
      ? `Draft: opens ${formatWhen(c.startsAt)} once published`
      : now < c.startsAt && c.state === 'SCHEDULED'
        ? `Starts in ${formatDuration(c.startsAt - now)}`
        : now < c.endsAt && (c.state === 'RUNNING' || c.state === 'SCHEDULED')
          ? `Ends in ${formatDuration(c.endsAt - now)}`
          : `Ended ${formatWhen(c.endedAt ?? c.endsAt)}`;
  return (
    <p className="font-mono text-sm tabular-nums" aria-live="off" suppressHydrationWarning>
      {label}
    </p>
  );
}

type SortKey =
  | 'rank'
  | 'displayName'
  | 'equity'
  | 'return'
  | 'benchmark'
  | 'maxDrawdown'
  | 'sharpe'
  | 'score'
  | 'trades'
  | 'liquidations';

const COLUMNS: Array<{ key: SortKey; label: string; numeric: boolean }> = [
  { key: 'rank', label: 'Rank', numeric: true },
  { key: 'displayName', label: 'Trader', numeric: false },
  { key: 'equity', label: 'Equity (USDT)', numeric: true },
  { key: 'return', label: 'Return', numeric: true },
  { key: 'maxDrawdown', label: 'Max drawdown', numeric: true },
  { key: 'sharpe', label: 'Sharpe', numeric: true },
  { key: 'score', label: 'Score', numeric: true },
  { key: 'trades', label: 'Trades', numeric: true },
  { key: 'liquidations', label: 'Liquidations', numeric: true },
];

/** Compares decimal strings exactly enough for sorting a table (no money is computed). */
function compareDecimalStrings(a: string | null, b: string | null): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1;
  const na = Number(a);
  const nb = Number(b);
  return na === nb ? 0 : na < nb ? -1 : 1;
}

export function useSorted<T, K extends string>(
  rows: readonly T[],
  initial: { key: K; dir: 'asc' | 'desc' },
  value: (row: T, key: K) => string | number | null,
) {
  const [sort, setSort] = useState(initial);
  const sorted = useMemo(() => {
    const out = [...rows];
    out.sort((x, y) => {
      const a = value(x, sort.key);
      const b = value(y, sort.key);
      const c =
        typeof a === 'number' && typeof b === 'number'
          ? a - b
          : typeof a === 'string' && typeof b === 'string' && !/^-?[\d.]+$/.test(a + b)
            ? a.localeCompare(b)
            : compareDecimalStrings(a === null ? null : String(a), b === null ? null : String(b));
      return sort.dir === 'asc' ? c : -c;
    });
    return out;
  }, [rows, sort, value]);
  const toggle = (key: K) =>
    setSort((s) => ({
      key,
      dir:
        s.key === key && s.dir === 'desc'
          ? 'asc'
          : s.key === key
            ? 'desc'
            : key === ('rank' as K)
              ? 'asc'
              : 'desc',
    }));
  return { sorted, sort, toggle };
}

/** A column header that sorts its table (a button inside the th, aria-sort on the th). */
export function SortHeader<K extends string>({
  k,
  label,
  numeric,
  sort,
  toggle,
}: {
  k: K;
  label: string;
  numeric: boolean;
  sort: { key: K; dir: 'asc' | 'desc' };
  toggle: (k: K) => void;
}) {
  const active = sort.key === k;
  return (
    <th
      scope="col"
      aria-sort={active ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none'}
      className={`px-3 py-2 font-medium ${numeric ? 'text-right' : 'text-left'}`}
    >
      <button
        type="button"
        onClick={() => toggle(k)}
        className={`inline-flex items-center gap-1 uppercase tracking-wide hover:text-text ${active ? 'text-text' : ''}`}
      >
        {label}
        <span aria-hidden className="text-[10px]">
          {active ? (sort.dir === 'asc' ? '▲' : '▼') : '↕'}
        </span>
      </button>
    </th>
  );
}

type Row = Leaderboard['rows'][number];
const rowValue = (r: Row, k: SortKey): string | number | null =>
  k === 'rank'
    ? (r.rank ?? Number.MAX_SAFE_INTEGER)
    : k === 'trades' || k === 'liquidations'
      ? r[k]
      : r[k];

export function LeaderboardTable({ board, caption }: { board: Leaderboard; caption: string }) {
  const { sorted, sort, toggle } = useSorted<Row, SortKey>(
    board.rows,
    { key: 'rank', dir: 'asc' },
    rowValue,
  );
  // the hosts' benchmark (teaching): buy-and-hold of one market over the same window, beside the return
  const bench = board.benchmark;
  const columns = bench
    ? COLUMNS.flatMap((c) =>
        c.key === 'return'
          ? [c, { key: 'benchmark' as const, label: `${bench.symbol} buy & hold`, numeric: true }]
          : [c],
      )
    : COLUMNS;
  if (board.rows.length === 0)
    return (
      <p className="rounded border border-dashed border-line p-6 text-center text-sm text-muted">
        Nobody has joined yet.
      </p>
    );
  return (
    <div className="overflow-x-auto rounded-lg border border-line bg-panel">
      <table className="w-full min-w-[760px] text-sm">
        <caption className="sr-only">{caption}</caption>
        <thead className="border-b border-line text-xs text-muted">
          <tr>
            {columns.map((c) => (
              <SortHeader
                key={c.key}
                k={c.key}
                label={c.label}
                numeric={c.numeric}
                sort={sort}
                toggle={toggle}
              />
            ))}
            <th scope="col" className="px-3 py-2 text-left font-medium uppercase tracking-wide">
              Status
            </th>
          </tr>
        </thead>
        <tbody>
          {sorted.map((r, i) => (
            <tr
              key={`${r.displayName}-${i}`}
              className={`border-b border-line/60 last:border-0 ${r.isMe ? 'bg-accent/10' : ''}`}
            >
              <td className="num px-3 py-2">{r.rank ?? '—'}</td>
              <th scope="row" className="px-3 py-2 text-left font-medium">
                {r.displayName}
                {r.isMe ? (
                  <span className="ml-2 rounded bg-accent/20 px-1.5 py-0.5 text-[10px] uppercase text-accent">
                    You
                  </span>
                ) : null}
              </th>
              <td className="num px-3 py-2">{formatAmount(r.equity)}</td>
              <td className="num px-3 py-2">
                <Signed value={r.return}>{formatFraction(r.return)}</Signed>
              </td>
              {bench ? (
                <td className="num px-3 py-2">
                  {r.benchmark === null ? (
                    '—'
                  ) : (
                    <Signed value={r.benchmark}>{formatFraction(r.benchmark)}</Signed>
                  )}
                </td>
              ) : null}
              <td className="num px-3 py-2">{formatFraction(r.maxDrawdown).replace('+', '')}</td>
              <td className="num px-3 py-2">
                {r.sharpe === null ? (
                  <span title="Not enough snapshots yet, or no change">—</span>
                ) : (
                  formatSignedRatio(r.sharpe)
                )}
              </td>
              <td className="num px-3 py-2">
                <Signed value={r.score}>{formatFraction(r.score)}</Signed>
              </td>
              <td className="num px-3 py-2">{r.trades}</td>
              <td className="num px-3 py-2">
                {r.liquidations > 0 ? <span className="text-down">{r.liquidations}</span> : 0}
              </td>
              <td className="px-3 py-2 text-xs">
                {r.status === 'OUT' ? (
                  <span className="text-down">✕ Out</span>
                ) : (
                  <span className="text-muted">Active</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

const KIND_LABEL = {
  ANNOUNCEMENT: 'Announcement',
  MARKET_EVENT: 'Market event',
  RULE_CHANGE: 'Rule change',
} as const;

export function Announcements({ items }: { items: AnnouncementView[] }) {
  if (items.length === 0) return <p className="text-sm text-muted">No announcements yet.</p>;
  return (
    <ol className="space-y-2" aria-label="Announcements, newest first">
      {items.map((a) => (
        <li key={a.id} className="rounded border border-line bg-panel px-3 py-2 text-sm">
          <div className="mb-1 flex flex-wrap items-center gap-2 text-xs text-muted">
            <span
              className={`rounded px-1.5 py-0.5 font-medium uppercase tracking-wide ${a.kind === 'MARKET_EVENT' ? 'bg-down/15 text-down' : a.kind === 'RULE_CHANGE' ? 'bg-accent/15 text-accent' : 'bg-panel-2'}`}
            >
              {KIND_LABEL[a.kind]}
            </span>
            <span>{a.author}</span>
            <time dateTime={new Date(a.createdAt).toISOString()} suppressHydrationWarning>
              {formatTime(a.createdAt)}
            </time>
          </div>
          <p className="whitespace-pre-wrap">{a.text}</p>
        </li>
      ))}
    </ol>
  );
}

export function RulesList({ c }: { c: CompetitionView }) {
  const rows: Array<[string, ReactNode]> = [
    ['Window', `${formatWhen(c.startsAt)} → ${formatWhen(c.endsAt)}`],
    ['Starting balance', `${formatAmount(c.startingBalance)} USDT`],
    ['Markets', c.symbols.join(', ')],
    ['Maximum leverage', `${c.maxLeverage}×`],
    ['Margin modes', MODES_LABEL[c.marginModes]],
    ['Fees', `maker ${formatRate(c.makerFeeRate)}, taker ${formatRate(c.takerFeeRate)}`],
    [
      'After a liquidation',
      c.afterLiquidation === 'RESET_WITH_PENALTY'
        ? `${AFTER_LIQUIDATION_LABEL.RESET_WITH_PENALTY} of ${formatRate(c.resetPenalty ?? '0')} of the starting balance each time`
        : AFTER_LIQUIDATION_LABEL[c.afterLiquidation],
    ],
    [
      'Account resets',
      c.allowResets
        ? `Allowed${c.resetPenalty ? `, each withholds ${formatRate(c.resetPenalty)} of the starting balance` : ''}`
        : 'Not allowed',
    ],
    ['Late joining', c.allowLateJoin ? 'Allowed' : 'Not after the start'],
    ['Leaderboard', c.leaderboard === 'LIVE' ? 'Live' : 'Hidden until the end'],
    [
      'Ranking',
      c.ranking === 'RETURN' ? 'By return' : 'By risk-adjusted score (return − maximum drawdown)',
    ],
    [
      'Market',
      c.market.kind === 'main'
        ? 'The platform’s main market'
        : `Its own simulated market${c.market.ticksPerSecond ? `, ${c.market.ticksPerSecond} ticks/s` : ''}${c.market.fundingIntervalMinutes ? `, funding every ${c.market.fundingIntervalMinutes} min` : ', funding every 8 h'}`,
    ],
    ['Equity snapshots', `every ${c.snapshotSeconds} s`],
  ];
  return (
    <dl className="grid gap-x-6 gap-y-2 text-sm sm:grid-cols-[max-content_1fr]">
      {rows.map(([k, v]) => (
        <div key={k} className="contents">
          <dt className="text-muted">{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

/** The equity curve: a line over the snapshots, the starting balance as a dashed line. */
export function EquityCurve({
  points,
  startingBalance,
}: {
  points: Array<{ at: number; equity: string; return: string }>;
  startingBalance: string;
}) {
  const [show, setShow] = useState(false);
  useEffect(() => setShow(true), []);
  if (points.length < 2)
    return (
      <p className="text-sm text-muted">Your equity curve appears after the first snapshots.</p>
    );
  const W = 640;
  const H = 180;
  const xs = points.map((p) => p.at);
  const ys = points.map((p) => Number(p.equity)); // drawing only: the figures shown are the strings
  const s = Number(startingBalance);
  const minY = Math.min(...ys, s);
  const maxY = Math.max(...ys, s);
  const x = (t: number) => ((t - xs[0]!) / Math.max(1, xs.at(-1)! - xs[0]!)) * (W - 8) + 4;
  const y = (v: number) => H - 6 - ((v - minY) / Math.max(1e-9, maxY - minY)) * (H - 12);
  const d = points
    .map((p, i) => `${i ? 'L' : 'M'}${x(p.at).toFixed(1)},${y(Number(p.equity)).toFixed(1)}`)
    .join(' ');
  const last = points.at(-1)!;
  return (
    <figure className="space-y-2">
      <svg
        viewBox={`0 0 ${W} ${H}`}
        preserveAspectRatio="none"
        className="h-44 w-full rounded border border-line bg-bg"
        role="img"
        aria-label={`Equity curve: ${points.length} snapshots, last ${formatAmount(last.equity)} USDT (${formatFraction(last.return)})`}
      >
        <line
          x1={0}
          x2={W}
          y1={y(s)}
          y2={y(s)}
          stroke="currentColor"
          className="text-muted"
          strokeDasharray="4 4"
          strokeWidth={1}
          vectorEffect="non-scaling-stroke"
        />
        {show ? (
          <path
            d={d}
            fill="none"
            stroke="currentColor"
            className={signOfDecimal(last.return) < 0 ? 'text-down' : 'text-up'}
            strokeWidth={2}
            vectorEffect="non-scaling-stroke"
          />
        ) : null}
      </svg>
      <figcaption className="text-xs text-muted">
        Dashed: the starting balance. One point per equity snapshot.
      </figcaption>
      <details className="text-sm">
        <summary className="cursor-pointer text-muted">Snapshots as a table</summary>
        <div className="mt-2 max-h-64 overflow-y-auto">
          <table className="w-full text-sm">
            <caption className="sr-only">Equity snapshots</caption>
            <thead className="text-xs text-muted">
              <tr>
                <th scope="col" className="px-2 py-1 text-left">
                  Time
                </th>
                <th scope="col" className="px-2 py-1 text-right">
                  Equity
                </th>
                <th scope="col" className="px-2 py-1 text-right">
                  Return
                </th>
              </tr>
            </thead>
            <tbody>
              {points.map((p) => (
                <tr key={p.at} className="border-t border-line/60">
                  <td className="px-2 py-1" suppressHydrationWarning>
                    {formatTime(p.at)}
                  </td>
                  <td className="num px-2 py-1">{formatAmount(p.equity)}</td>
                  <td className="num px-2 py-1">
                    <Signed value={p.return}>{formatFraction(p.return)}</Signed>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}

/** A button that copies text, saying so for screen readers too. */
export function CopyButton({ text, label }: { text: string; label: string }) {
  const [done, setDone] = useState(false);
  return (
    <button
      type="button"
      onClick={() => {
        void navigator.clipboard?.writeText(text).then(() => {
          setDone(true);
          setTimeout(() => setDone(false), 1500);
        });
      }}
      className="rounded border border-line px-2 py-1 text-xs hover:bg-panel-2"
    >
      {done ? 'Copied' : label}
      <span className="sr-only" role="status">
        {done ? 'Copied to the clipboard' : ''}
      </span>
    </button>
  );
}

export { formatRatio };
