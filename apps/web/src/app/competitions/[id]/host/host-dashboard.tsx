'use client';
// The host's dashboard: the join code to read out, every participant with equity, margin ratio,
// leverage in use and open risk (sortable), a read-only view of any student's account, market
// events on the competition's own market with a note the class sees, announcements, the caps
// (changed with an audit trail and a notice), reset / remove, end early, co-hosts, CSV exports.
import type { Board, BoardRow, CompetitionView } from '@lab/services';
import { useMutation, useQuery, useQueryClient, useSuspenseQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useEffect, useId, useState, type FormEvent, type ReactNode } from 'react';
import { Dialog } from '@/components/dialog';
import { Field, FormAlert } from '@/components/form';
import { formatAmount } from '@/lib/format';
import { useTRPC } from '@/trpc/react';
import { FillsTable } from '../competition-view';
import { errorText, formatFraction, formatRatio, formatTime, MODES_LABEL } from '../../format';
import {
  Announcements,
  CopyButton,
  Countdown,
  LeaderboardTable,
  Signed,
  SortHeader,
  StateBadge,
  useSorted,
} from '../../ui';

type SortKey =
  | 'displayName'
  | 'status'
  | 'equity'
  | 'return'
  | 'marginRatio'
  | 'leverage'
  | 'openRisk'
  | 'trades'
  | 'liquidations'
  | 'rank';

const COLUMNS: Array<{ key: SortKey; label: string; numeric: boolean }> = [
  { key: 'rank', label: 'Rank', numeric: true },
  { key: 'displayName', label: 'Participant', numeric: false },
  { key: 'status', label: 'Status', numeric: false },
  { key: 'equity', label: 'Equity', numeric: true },
  { key: 'return', label: 'Return', numeric: true },
  { key: 'marginRatio', label: 'Margin ratio', numeric: true },
  { key: 'leverage', label: 'Leverage', numeric: true },
  { key: 'openRisk', label: 'Open risk', numeric: true },
  { key: 'trades', label: 'Trades', numeric: true },
  { key: 'liquidations', label: 'Liquidations', numeric: true },
];

const value = (r: BoardRow, k: SortKey): string | number | null =>
  k === 'rank'
    ? (r.rank ?? Number.MAX_SAFE_INTEGER)
    : k === 'marginRatio'
      ? (r.marginRatio ?? '1e9')
      : r[k];

export function HostDashboard({ competitionId }: { competitionId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { data: c } = useSuspenseQuery({
    ...trpc.competition.get.queryOptions({ competitionId }),
    refetchInterval: 10_000,
  });
  const live = c.state === 'RUNNING' || c.state === 'SCHEDULED';
  const board = useSuspenseQuery({
    ...trpc.competition.dashboard.queryOptions({ competitionId }),
    refetchInterval: live ? 3000 : false,
  }).data;
  const leaderboard = useQuery({
    ...trpc.competition.leaderboard.queryOptions({ competitionId }),
    refetchInterval: live ? 3000 : false,
  });
  const news = useSuspenseQuery({
    ...trpc.competition.announcements.queryOptions({ competitionId, limit: 50 }),
    refetchInterval: live ? 5000 : false,
  }).data;
  const [viewing, setViewing] = useState<BoardRow | null>(null);
  const [confirm, setConfirm] = useState<
    null | { kind: 'reset' | 'remove'; row: BoardRow } | { kind: 'end' }
  >(null);
  const [notice, setNotice] = useState<string | null>(null);
  const refresh = () =>
    void queryClient.invalidateQueries({ queryKey: trpc.competition.pathKey() });
  const done = (msg: string) => {
    setConfirm(null);
    setNotice(msg);
    refresh();
  };
  const reset = useMutation(
    trpc.competition.resetParticipant.mutationOptions({
      onSuccess: () => done('The account was reset to the starting balance.'),
    }),
  );
  const remove = useMutation(
    trpc.competition.removeParticipant.mutationOptions({
      onSuccess: () => done('The participant was removed.'),
    }),
  );
  const end = useMutation(
    trpc.competition.endEarly.mutationOptions({
      onSuccess: () => done('The competition ended; the standings are frozen.'),
    }),
  );
  const publish = useMutation(
    trpc.competition.publish.mutationOptions({
      onSuccess: () => done('Published: students can join with the code.'),
    }),
  );
  const archive = useMutation(
    trpc.competition.archive.mutationOptions({ onSuccess: () => done('Archived.') }),
  );
  const [origin, setOrigin] = useState('');
  useEffect(() => setOrigin(window.location.origin), []);
  const joinLink = `${origin}/join/${c.code}`;
  const liquidations = board.rows.reduce((n, r) => n + r.liquidations, 0);

  return (
    <div className="space-y-8">
      <header className="space-y-4">
        <div className="flex flex-wrap items-center gap-3">
          <h1 className="text-2xl font-semibold">{c.name}</h1>
          <StateBadge state={c.state} />
          <span className="text-sm text-muted">Host dashboard</span>
        </div>
        <Countdown c={c} />
        <div className="flex flex-wrap items-center gap-4 rounded-lg border border-line bg-panel p-4">
          <div>
            <p className="text-xs uppercase tracking-wider text-muted">Join code</p>
            <p
              className="font-mono text-3xl font-semibold tracking-[0.3em]"
              aria-label={`Join code ${c.code.split('').join(' ')}`}
            >
              {c.code}
            </p>
          </div>
          <div className="min-w-0 space-y-1 text-sm">
            <p className="truncate text-muted">
              Link: <span className="font-mono text-text">{joinLink || `/join/${c.code}`}</span>
            </p>
            <div className="flex gap-2">
              <CopyButton text={c.code} label="Copy code" />
              <CopyButton text={joinLink} label="Copy link" />
            </div>
          </div>
          <dl className="ml-auto flex gap-6 text-sm">
            <div>
              <dt className="text-muted">Students</dt>
              <dd className="num text-lg">{c.participants}</dd>
            </div>
            <div>
              <dt className="text-muted">Liquidations</dt>
              <dd className="num text-lg">{liquidations}</dd>
            </div>
            <div>
              <dt className="text-muted">Market</dt>
              <dd>{c.market.kind === 'own' ? 'Its own' : 'Main'}</dd>
            </div>
          </dl>
        </div>
        <div className="flex flex-wrap gap-2">
          <Link
            href={`/competitions/${c.id}`}
            className="rounded border border-line px-3 py-1.5 text-sm hover:bg-panel-2"
          >
            Student page
          </Link>
          <Link
            href={`/competitions/${c.id}/teaching`}
            className="rounded border border-line px-3 py-1.5 text-sm hover:bg-panel-2"
          >
            Teaching: rules, notes, teams
          </Link>
          {c.state === 'DRAFT' ? (
            <button
              type="button"
              onClick={() => publish.mutate({ competitionId })}
              className="rounded bg-accent px-3 py-1.5 text-sm font-semibold text-on-accent"
            >
              Publish
            </button>
          ) : null}
          {live && c.state !== 'DRAFT' ? (
            <button
              type="button"
              onClick={() => setConfirm({ kind: 'end' })}
              className="rounded border border-down/60 px-3 py-1.5 text-sm text-down hover:bg-down/10"
            >
              End early
            </button>
          ) : null}
          {c.state === 'FINISHED' || c.state === 'DRAFT' ? (
            <button
              type="button"
              onClick={() => archive.mutate({ competitionId })}
              className="rounded border border-line px-3 py-1.5 text-sm hover:bg-panel-2"
            >
              Archive
            </button>
          ) : null}
          <a
            href={`/competitions/${c.id}/export/standings`}
            download
            className="rounded border border-line px-3 py-1.5 text-sm hover:bg-panel-2"
          >
            Export standings (CSV)
          </a>
          <a
            href={`/competitions/${c.id}/export/trades`}
            download
            className="rounded border border-line px-3 py-1.5 text-sm hover:bg-panel-2"
          >
            Export every trade (CSV)
          </a>
        </div>
        {notice ? (
          <p
            role="status"
            className="rounded border border-up/40 bg-up/10 px-3 py-2 text-sm text-up"
          >
            {notice}
          </p>
        ) : null}
        {[publish.error, archive.error].map((e, i) =>
          e ? <FormAlert key={i}>{errorText(e)}</FormAlert> : null,
        )}
      </header>

      <ParticipantsTable
        board={board}
        onView={setViewing}
        onReset={(row) => setConfirm({ kind: 'reset', row })}
        onRemove={(row) => setConfirm({ kind: 'remove', row })}
        live={live}
      />

      {viewing ? (
        <ParticipantView
          competitionId={competitionId}
          row={viewing}
          onClose={() => setViewing(null)}
        />
      ) : null}

      <section aria-labelledby="lb-title" className="space-y-3">
        <h2 id="lb-title" className="text-lg font-semibold">
          Leaderboard as the students see it
        </h2>
        {leaderboard.data ? (
          <LeaderboardTable board={leaderboard.data} caption="Leaderboard" />
        ) : null}
      </section>

      <div className="grid gap-8 lg:grid-cols-2">
        <div className="space-y-8">
          {c.market.kind === 'own' && c.state === 'RUNNING' ? (
            <MarketEventForm competitionId={competitionId} symbols={c.symbols} onDone={refresh} />
          ) : null}
          <AnnounceForm
            competitionId={competitionId}
            onDone={refresh}
            disabled={c.state === 'ARCHIVED'}
          />
          <section aria-labelledby="ann-title" className="space-y-3">
            <h2 id="ann-title" className="text-lg font-semibold">
              Announcements
            </h2>
            <Announcements items={news} />
          </section>
        </div>
        <div className="space-y-8">
          {live ? (
            <CapsForm
              key={`${c.maxLeverage}-${c.symbols.join()}-${c.marginModes}-${c.allowLateJoin}-${c.allowResets}`}
              c={c}
              onDone={refresh}
            />
          ) : null}
          <AuditTrail competitionId={competitionId} />
          <Cohosts c={c} onDone={refresh} />
        </div>
      </div>

      <Dialog
        open={confirm !== null}
        onClose={() => setConfirm(null)}
        title={
          confirm?.kind === 'end'
            ? 'End the competition now?'
            : confirm?.kind === 'reset'
              ? `Reset ${confirm.row.displayName}?`
              : confirm
                ? `Remove ${confirm.row.displayName}?`
                : ''
        }
      >
        <p className="text-sm">
          {confirm?.kind === 'end'
            ? 'Trading stops at once: every order is canceled and every position closed at the mark, and the standings are final.'
            : confirm?.kind === 'reset'
              ? 'Their orders are canceled and positions closed at the mark; the account restarts at the full starting balance (penalties cleared; a student who was out comes back).'
              : 'Their orders are canceled and positions closed at the mark; they cannot trade any more and leave the leaderboard.'}
        </p>
        {[reset.error, remove.error, end.error].map((e, i) =>
          e ? (
            <div key={i} className="mt-3">
              <FormAlert>{errorText(e)}</FormAlert>
            </div>
          ) : null,
        )}
        <div className="mt-4 flex justify-end gap-2">
          <button
            type="button"
            onClick={() => setConfirm(null)}
            className="rounded border border-line px-3 py-1.5 text-sm"
          >
            Cancel
          </button>
          <button
            type="button"
            disabled={reset.isPending || remove.isPending || end.isPending}
            onClick={() => {
              if (confirm?.kind === 'end') end.mutate({ competitionId });
              else if (confirm?.kind === 'reset')
                reset.mutate({ competitionId, participantId: confirm.row.participantId });
              else if (confirm?.kind === 'remove')
                remove.mutate({ competitionId, participantId: confirm.row.participantId });
            }}
            className="rounded bg-down px-3 py-1.5 text-sm font-semibold text-on-fill"
          >
            {confirm?.kind === 'end'
              ? 'End now'
              : confirm?.kind === 'reset'
                ? 'Reset account'
                : 'Remove'}
          </button>
        </div>
      </Dialog>
    </div>
  );
}

function ratioCell(r: string | null) {
  if (r === null) return <span className="text-down">∞ (at or past liquidation)</span>;
  const pct = formatFraction(r).replace('+', '');
  const n = Number(r); // only for choosing the warning tone
  return n >= 0.8 ? (
    <span className="text-down">⚠ {pct}</span>
  ) : n >= 0.5 ? (
    <span className="text-accent">{pct}</span>
  ) : (
    pct
  );
}

function ParticipantsTable({
  board,
  onView,
  onReset,
  onRemove,
  live,
}: {
  board: Board;
  onView: (r: BoardRow) => void;
  onReset: (r: BoardRow) => void;
  onRemove: (r: BoardRow) => void;
  live: boolean;
}) {
  const { sorted, sort, toggle } = useSorted<BoardRow, SortKey>(
    board.rows,
    { key: 'rank', dir: 'asc' },
    value,
  );
  return (
    <section aria-labelledby="participants-title" className="space-y-3">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h2 id="participants-title" className="text-lg font-semibold">
          Participants
        </h2>
        <p className="text-xs text-muted" suppressHydrationWarning>
          Updated {formatTime(board.computedAt)}. Margin ratio: of the compartment closest to
          liquidation (100% liquidates). Open risk: notional of open positions at the mark.
        </p>
      </div>
      {board.rows.length === 0 ? (
        <p className="rounded border border-dashed border-line p-6 text-center text-sm text-muted">
          Nobody has joined yet: read the code out to the class.
        </p>
      ) : (
        <div className="overflow-x-auto rounded-lg border border-line bg-panel">
          <table className="w-full min-w-[1080px] text-sm">
            <caption className="sr-only">Participants with their figures</caption>
            <thead className="border-b border-line text-xs text-muted">
              <tr>
                {COLUMNS.map((col) => (
                  <SortHeader
                    key={col.key}
                    k={col.key}
                    label={col.label}
                    numeric={col.numeric}
                    sort={sort}
                    toggle={toggle}
                  />
                ))}
                <th
                  scope="col"
                  className="px-3 py-2 text-right font-medium uppercase tracking-wide"
                >
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {sorted.map((r) => (
                <tr
                  key={r.participantId}
                  className="border-b border-line/60 last:border-0 hover:bg-panel-2/50"
                >
                  <td className="num px-3 py-2">{r.rank ?? '—'}</td>
                  <th scope="row" className="px-3 py-2 text-left font-medium">
                    <div>{r.displayName}</div>
                    <div className="text-xs font-normal text-muted">{r.email}</div>
                  </th>
                  <td className="px-3 py-2 text-xs">
                    {r.status === 'ACTIVE' ? (
                      <span className="text-up">● Active</span>
                    ) : r.status === 'OUT' ? (
                      <span className="text-down">✕ Out</span>
                    ) : (
                      <span className="text-muted">⊘ Removed</span>
                    )}
                  </td>
                  <td className="num px-3 py-2">{formatAmount(r.equity)}</td>
                  <td className="num px-3 py-2">
                    <Signed value={r.return}>{formatFraction(r.return)}</Signed>
                  </td>
                  <td className="num px-3 py-2">{r.positions ? ratioCell(r.marginRatio) : '—'}</td>
                  <td className="num px-3 py-2">
                    {r.leverage === null ? '∞' : `${formatRatio(r.leverage)}×`}
                  </td>
                  <td className="num px-3 py-2">{formatAmount(r.openRisk)}</td>
                  <td className="num px-3 py-2">{r.trades}</td>
                  <td className="num px-3 py-2">
                    {r.liquidations > 0 ? <span className="text-down">{r.liquidations}</span> : 0}
                  </td>
                  <td className="px-3 py-2">
                    <div className="flex justify-end gap-1.5">
                      <SmallButton label={`View ${r.displayName}`} onClick={() => onView(r)}>
                        View
                      </SmallButton>
                      {live && r.status !== 'REMOVED' ? (
                        <>
                          <SmallButton label={`Reset ${r.displayName}`} onClick={() => onReset(r)}>
                            Reset
                          </SmallButton>
                          <SmallButton
                            label={`Remove ${r.displayName}`}
                            onClick={() => onRemove(r)}
                          >
                            Remove
                          </SmallButton>
                        </>
                      ) : null}
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function SmallButton({
  label,
  onClick,
  children,
}: {
  label: string;
  onClick: () => void;
  children: ReactNode;
}) {
  return (
    <button
      type="button"
      aria-label={label}
      onClick={onClick}
      className="rounded border border-line px-2 py-1 text-xs hover:bg-panel-2"
    >
      {children}
    </button>
  );
}

function ParticipantView({
  competitionId,
  row,
  onClose,
}: {
  competitionId: string;
  row: BoardRow;
  onClose: () => void;
}) {
  const trpc = useTRPC();
  const q = useQuery({
    ...trpc.competition.participant.queryOptions({
      competitionId,
      participantId: row.participantId,
    }),
    refetchInterval: 5000,
  });
  const d = q.data;
  return (
    <section
      aria-labelledby="pv-title"
      className="space-y-4 rounded-lg border border-accent/40 bg-panel p-4"
    >
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h2 id="pv-title" className="text-lg font-semibold">
          {row.displayName}: account (read-only)
        </h2>
        <button
          type="button"
          onClick={onClose}
          className="rounded border border-line px-3 py-1 text-sm hover:bg-panel-2"
        >
          Close
        </button>
      </div>
      {q.error ? <FormAlert>{errorText(q.error)}</FormAlert> : null}
      {d ? (
        <>
          <dl className="grid gap-3 text-sm sm:grid-cols-4">
            <Mini label="Wallet" value={formatAmount(d.summary.walletBalance)} />
            <Mini label="Equity" value={formatAmount(d.summary.marginBalance)} />
            <Mini
              label="Unrealized PnL"
              value={
                <Signed value={d.summary.unrealizedPnl}>
                  {formatAmount(d.summary.unrealizedPnl)}
                </Signed>
              }
            />
            <Mini label="Available" value={formatAmount(d.summary.availableBalance)} />
          </dl>
          <SubTable
            caption="Positions"
            empty="No open position."
            head={[
              'Market',
              'Side',
              'Size',
              'Entry',
              'Mark',
              'Liq. price',
              'Margin',
              'Mode',
              'Unrealized PnL',
            ]}
          >
            {d.positions.map((p) => (
              <tr key={p.symbol} className="border-t border-line/60">
                <td className="px-2 py-1.5">{p.symbol}</td>
                <td className={`px-2 py-1.5 ${p.side === 'long' ? 'text-up' : 'text-down'}`}>
                  {p.side === 'long' ? '▲ Long' : '▼ Short'} {p.leverage}×
                </td>
                <td className="num px-2 py-1.5">{p.quantity}</td>
                <td className="num px-2 py-1.5">{p.entryPrice}</td>
                <td className="num px-2 py-1.5">{p.markPrice}</td>
                <td className="num px-2 py-1.5">{p.liquidationPrice ?? '—'}</td>
                <td className="num px-2 py-1.5">{formatAmount(p.margin)}</td>
                <td className="px-2 py-1.5">{p.marginMode}</td>
                <td className="num px-2 py-1.5">
                  <Signed value={p.unrealizedPnl}>{formatAmount(p.unrealizedPnl)}</Signed>
                </td>
              </tr>
            ))}
          </SubTable>
          <SubTable
            caption="Open orders"
            empty="No open order."
            head={['Market', 'Side', 'Type', 'Quantity', 'Price', 'Trigger', 'Status']}
          >
            {d.openOrders.map((o) => (
              <tr key={o.id} className="border-t border-line/60">
                <td className="px-2 py-1.5">{o.symbol}</td>
                <td className={`px-2 py-1.5 ${o.side === 'buy' ? 'text-up' : 'text-down'}`}>
                  {o.side === 'buy' ? '▲ Buy' : '▼ Sell'}
                </td>
                <td className="px-2 py-1.5">{o.type}</td>
                <td className="num px-2 py-1.5">{o.quantity}</td>
                <td className="num px-2 py-1.5">{o.price ?? '—'}</td>
                <td className="num px-2 py-1.5">{o.stopPrice ?? '—'}</td>
                <td className="px-2 py-1.5">{o.status}</td>
              </tr>
            ))}
          </SubTable>
          <div className="space-y-2">
            <h3 className="text-sm font-semibold">Fills</h3>
            <FillsTable fills={d.fills} caption={`Fills of ${row.displayName}`} />
          </div>
          <SubTable
            caption="Liquidations"
            empty="No liquidation."
            head={['Time', 'Mode', 'Market', 'Mark', 'Margin balance', 'Fee']}
          >
            {d.liquidations.map((l) => (
              <tr key={l.id} className="border-t border-line/60">
                <td className="px-2 py-1.5" suppressHydrationWarning>
                  {formatTime(l.time)}
                </td>
                <td className="px-2 py-1.5">{l.mode}</td>
                <td className="px-2 py-1.5">{l.symbol ?? 'cross'}</td>
                <td className="num px-2 py-1.5">{l.markPrice ?? '—'}</td>
                <td className="num px-2 py-1.5">{formatAmount(l.marginBalance)}</td>
                <td className="num px-2 py-1.5">{formatAmount(l.fee)}</td>
              </tr>
            ))}
          </SubTable>
        </>
      ) : (
        <p className="text-sm text-muted">Loading…</p>
      )}
    </section>
  );
}

function Mini({ label, value }: { label: string; value: ReactNode }) {
  return (
    <div className="rounded border border-line px-3 py-2">
      <dt className="text-xs text-muted">{label}</dt>
      <dd className="num mt-0.5">{value}</dd>
    </div>
  );
}

function SubTable({
  caption,
  empty,
  head,
  children,
}: {
  caption: string;
  empty: string;
  head: string[];
  children: ReactNode[];
}) {
  return (
    <div className="space-y-2">
      <h3 className="text-sm font-semibold">{caption}</h3>
      {children.length === 0 ? (
        <p className="text-sm text-muted">{empty}</p>
      ) : (
        <div className="overflow-x-auto">
          <table className="w-full min-w-[560px] text-sm">
            <caption className="sr-only">{caption}</caption>
            <thead className="text-xs uppercase tracking-wide text-muted">
              <tr>
                {head.map((h, i) => (
                  <th
                    key={h}
                    scope="col"
                    className={`px-2 py-1 font-medium ${i === 0 || ['Side', 'Type', 'Mode', 'Status', 'Time', 'Market'].includes(h) ? 'text-left' : 'text-right'}`}
                  >
                    {h}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>{children}</tbody>
          </table>
        </div>
      )}
    </div>
  );
}

function MarketEventForm({
  competitionId,
  symbols,
  onDone,
}: {
  competitionId: string;
  symbols: string[];
  onDone: () => void;
}) {
  const trpc = useTRPC();
  const id = useId();
  const [type, setType] = useState<'crash' | 'rally' | 'volSpike' | 'liquidityDrought'>('crash');
  const [symbol, setSymbol] = useState('');
  const [size, setSize] = useState('20');
  const [seconds, setSeconds] = useState('30');
  const [note, setNote] = useState('');
  const [sent, setSent] = useState<string | null>(null);
  const trigger = useMutation(
    trpc.competition.marketEvent.mutationOptions({
      onSuccess: () => {
        setSent(
          `${type === 'crash' ? 'Crash' : type === 'rally' ? 'Rally' : type === 'volSpike' ? 'Volatility spike' : 'Liquidity drought'} triggered; the class sees your note.`,
        );
        setNote('');
        onDone();
      },
    }),
  );
  const n = Number(size);
  const durationMs = Math.round(Number(seconds) * 1000);
  const event =
    type === 'crash' || type === 'rally'
      ? { type, percent: n, durationMs, ...(symbol ? { symbol } : {}) }
      : type === 'volSpike'
        ? { type, multiplier: n, durationMs, ...(symbol ? { symbol } : {}) }
        : {
            type,
            spreadMultiplier: n,
            depthMultiplier: 0.2,
            durationMs,
            ...(symbol ? { symbol } : {}),
          };
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    setSent(null);
    trigger.mutate({ competitionId, event, note });
  };
  const sizeLabel =
    type === 'crash'
      ? 'Fall (%)'
      : type === 'rally'
        ? 'Rise (%)'
        : type === 'volSpike'
          ? 'Volatility ×'
          : 'Spreads ×';
  return (
    <form
      onSubmit={onSubmit}
      aria-labelledby={`${id}-title`}
      className="space-y-3 rounded-lg border border-line bg-panel p-4"
    >
      <h2 id={`${id}-title`} className="text-lg font-semibold">
        Market event
      </h2>
      <p className="text-xs text-muted">
        On this competition’s own market only: no other class and no personal account is touched.
      </p>
      <div className="grid gap-3 sm:grid-cols-2">
        <div>
          <label htmlFor={`${id}-type`} className="mb-1.5 block text-sm font-medium">
            Event
          </label>
          <select
            id={`${id}-type`}
            value={type}
            onChange={(e) => {
              const t = e.target.value as typeof type;
              setType(t);
              setSize(t === 'crash' || t === 'rally' ? '20' : t === 'volSpike' ? '4' : '5');
            }}
            className="w-full rounded border border-line bg-bg px-3 py-2 text-sm"
          >
            <option value="crash">Crash</option>
            <option value="rally">Rally</option>
            <option value="volSpike">Volatility spike</option>
            <option value="liquidityDrought">Liquidity drought</option>
          </select>
        </div>
        <div>
          <label htmlFor={`${id}-symbol`} className="mb-1.5 block text-sm font-medium">
            Market
          </label>
          <select
            id={`${id}-symbol`}
            value={symbol}
            onChange={(e) => setSymbol(e.target.value)}
            className="w-full rounded border border-line bg-bg px-3 py-2 text-sm"
          >
            <option value="">Every market</option>
            {symbols.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </div>
        <Field
          label={sizeLabel}
          inputMode="decimal"
          value={size}
          onChange={(e) => setSize(e.target.value)}
        />
        <Field
          label="Over (seconds)"
          inputMode="numeric"
          value={seconds}
          onChange={(e) => setSeconds(e.target.value)}
          hint="1 to 3,600."
        />
      </div>
      <div>
        <label htmlFor={`${id}-note`} className="mb-1.5 block text-sm font-medium">
          Note the students see
        </label>
        <textarea
          id={`${id}-note`}
          value={note}
          maxLength={500}
          rows={2}
          onChange={(e) => setNote(e.target.value)}
          className="w-full rounded border border-line bg-bg px-3 py-2 text-sm"
          placeholder="e.g. An exchange has halted withdrawals: watch your margin ratio."
        />
      </div>
      {trigger.error ? <FormAlert>{errorText(trigger.error)}</FormAlert> : null}
      {sent ? (
        <p role="status" className="text-sm text-up">
          {sent}
        </p>
      ) : null}
      <button
        type="submit"
        disabled={trigger.isPending}
        className="rounded bg-down px-4 py-2 text-sm font-semibold text-on-fill disabled:opacity-60"
      >
        {trigger.isPending ? 'Triggering…' : 'Trigger the event'}
      </button>
    </form>
  );
}

function AnnounceForm({
  competitionId,
  onDone,
  disabled,
}: {
  competitionId: string;
  onDone: () => void;
  disabled: boolean;
}) {
  const trpc = useTRPC();
  const id = useId();
  const [text, setText] = useState('');
  const post = useMutation(
    trpc.competition.announce.mutationOptions({
      onSuccess: () => {
        setText('');
        onDone();
      },
    }),
  );
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        post.mutate({ competitionId, text });
      }}
      aria-labelledby={`${id}-title`}
      className="space-y-3 rounded-lg border border-line bg-panel p-4"
    >
      <h2 id={`${id}-title`} className="text-lg font-semibold">
        Announce to the class
      </h2>
      <label htmlFor={`${id}-text`} className="sr-only">
        Message to the class
      </label>
      <textarea
        id={`${id}-text`}
        value={text}
        maxLength={2000}
        rows={3}
        onChange={(e) => setText(e.target.value)}
        className="w-full rounded border border-line bg-bg px-3 py-2 text-sm"
        placeholder="Message to the class"
      />
      {post.error ? <FormAlert>{errorText(post.error)}</FormAlert> : null}
      <button
        type="submit"
        disabled={post.isPending || disabled}
        className="rounded bg-accent px-4 py-2 text-sm font-semibold text-on-accent disabled:opacity-60"
      >
        Post announcement
      </button>
    </form>
  );
}

type Comp = CompetitionView;

function CapsForm({ c, onDone }: { c: Comp; onDone: () => void }) {
  const trpc = useTRPC();
  const id = useId();
  const [maxLeverage, setMaxLeverage] = useState(String(c.maxLeverage));
  const [symbols, setSymbols] = useState(c.symbols);
  const [modes, setModes] = useState(c.marginModes);
  const [lateJoin, setLateJoin] = useState(c.allowLateJoin);
  const [resets, setResets] = useState(c.allowResets);
  const [sent, setSent] = useState<string | null>(null);
  const change = useMutation(
    trpc.competition.changeRules.mutationOptions({
      onSuccess: (r) => {
        setSent(r.changed.length ? 'Changed; the class was told.' : 'Nothing changed.');
        onDone();
      },
    }),
  );
  const offered = c.market.symbols;
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        setSent(null);
        change.mutate({
          competitionId: c.id,
          maxLeverage: Number(maxLeverage),
          symbols,
          marginModes: modes,
          allowLateJoin: lateJoin,
          allowResets: resets,
        });
      }}
      aria-labelledby={`${id}-title`}
      className="space-y-3 rounded-lg border border-line bg-panel p-4"
    >
      <h2 id={`${id}-title`} className="text-lg font-semibold">
        Caps
      </h2>
      <p className="text-xs text-muted">
        Positions already open stay; adding to them follows the new caps. Every change is recorded
        and announced.
      </p>
      <Field
        label="Maximum leverage"
        inputMode="numeric"
        value={maxLeverage}
        onChange={(e) => setMaxLeverage(e.target.value)}
      />
      <fieldset>
        <legend className="mb-1.5 text-sm font-medium">Allowed markets</legend>
        <div className="flex flex-wrap gap-2">
          {offered.map((s) => (
            <label
              key={s}
              className="flex items-center gap-2 rounded border border-line px-2 py-1 text-sm"
            >
              <input
                type="checkbox"
                checked={symbols.includes(s)}
                onChange={(e) =>
                  setSymbols(e.target.checked ? [...symbols, s] : symbols.filter((x) => x !== s))
                }
              />
              {s}
            </label>
          ))}
        </div>
      </fieldset>
      <fieldset>
        <legend className="mb-1.5 text-sm font-medium">Margin modes</legend>
        {(['BOTH', 'CROSS_ONLY', 'ISOLATED_ONLY'] as const).map((m) => (
          <label key={m} className="mr-4 inline-flex items-center gap-2 text-sm">
            <input
              type="radio"
              name={`${id}-modes`}
              checked={modes === m}
              onChange={() => setModes(m)}
            />
            {MODES_LABEL[m]}
          </label>
        ))}
      </fieldset>
      <label className="flex items-center gap-2 text-sm">
        <input type="checkbox" checked={lateJoin} onChange={(e) => setLateJoin(e.target.checked)} />{' '}
        Late joining allowed
      </label>
      <label className="flex items-center gap-2 text-sm">
        <input type="checkbox" checked={resets} onChange={(e) => setResets(e.target.checked)} />{' '}
        Account resets allowed
      </label>
      {change.error ? <FormAlert>{errorText(change.error)}</FormAlert> : null}
      {sent ? (
        <p role="status" className="text-sm text-up">
          {sent}
        </p>
      ) : null}
      <button
        type="submit"
        disabled={change.isPending}
        className="rounded bg-accent px-4 py-2 text-sm font-semibold text-on-accent disabled:opacity-60"
      >
        Apply the caps
      </button>
    </form>
  );
}

function AuditTrail({ competitionId }: { competitionId: string }) {
  const trpc = useTRPC();
  const q = useQuery({
    ...trpc.competition.changes.queryOptions({ competitionId, limit: 50 }),
    refetchInterval: 10_000,
  });
  return (
    <section aria-labelledby="audit-title" className="space-y-2">
      <h2 id="audit-title" className="text-lg font-semibold">
        Audit trail
      </h2>
      {q.data?.length ? (
        <ol className="space-y-1 text-sm">
          {q.data.map((ch) => (
            <li key={ch.id} className="rounded border border-line bg-panel px-3 py-1.5">
              <span className="text-muted" suppressHydrationWarning>
                {formatTime(ch.at)}
              </span>{' '}
              · {ch.actor} changed <strong>{ch.field}</strong>:{' '}
              <code className="text-xs">{JSON.stringify(ch.before)}</code> →{' '}
              <code className="text-xs">{JSON.stringify(ch.after)}</code>
            </li>
          ))}
        </ol>
      ) : (
        <p className="text-sm text-muted">No change yet.</p>
      )}
    </section>
  );
}

function Cohosts({ c, onDone }: { c: Comp; onDone: () => void }) {
  const trpc = useTRPC();
  const [email, setEmail] = useState('');
  const add = useMutation(
    trpc.competition.addCohost.mutationOptions({
      onSuccess: () => {
        setEmail('');
        onDone();
      },
    }),
  );
  const remove = useMutation(trpc.competition.removeCohost.mutationOptions({ onSuccess: onDone }));
  const owner = c.relation === 'host' || c.relation === 'admin';
  return (
    <section aria-labelledby="hosts-title" className="space-y-2">
      <h2 id="hosts-title" className="text-lg font-semibold">
        Hosts
      </h2>
      <ul className="space-y-1 text-sm">
        {c.hosts.map((h) => (
          <li
            key={h.userId}
            className="flex items-center justify-between rounded border border-line bg-panel px-3 py-1.5"
          >
            <span>
              {h.displayName}{' '}
              <span className="text-xs text-muted">{h.role === 'HOST' ? 'host' : 'co-host'}</span>
            </span>
            {owner && h.role === 'COHOST' ? (
              <button
                type="button"
                onClick={() => remove.mutate({ competitionId: c.id, userId: h.userId })}
                className="text-xs text-muted hover:text-text"
                aria-label={`Remove co-host ${h.displayName}`}
              >
                Remove
              </button>
            ) : null}
          </li>
        ))}
      </ul>
      {owner ? (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            add.mutate({ competitionId: c.id, email });
          }}
          className="flex flex-wrap items-end gap-2"
        >
          <Field
            label="Add a co-host (their email)"
            type="email"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            className="flex-1"
            error={add.error ? errorText(add.error) : undefined}
          />
          <button
            type="submit"
            className="mb-[2px] rounded border border-line px-3 py-2 text-sm hover:bg-panel-2"
          >
            Add
          </button>
        </form>
      ) : null}
    </section>
  );
}
