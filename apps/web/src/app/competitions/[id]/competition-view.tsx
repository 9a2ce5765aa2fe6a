'use client';
// The competition page: its rules, a countdown, the leaderboard (live while it runs, frozen at the
// end), the announcements, and for a participant their standing, the way to the trade page on
// their competition account, their own trades and equity curve with CSV exports.
import type { FillView } from '@lab/services';
import { useMutation, useQuery, useQueryClient, useSuspenseQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import { Dialog } from '@/components/dialog';
import { FormAlert } from '@/components/form';
import { formatAmount } from '@/lib/format';
import { useTRPC } from '@/trpc/react';
import { errorText, formatFraction, formatRate, formatTime } from '../format';
import { MyAssignment } from './teaching/student-panel';
import {
  Announcements,
  Countdown,
  EquityCurve,
  LeaderboardTable,
  RulesList,
  Signed,
  StateBadge,
} from '../ui';

// A class of 500 polls together: the leaderboard every 5 s (the board is recomputed at most once
// a second per server), the rest less often (~0.45 requests/s per student).
const LIVE = (state: string) => state === 'RUNNING' || state === 'SCHEDULED';

export function CompetitionView({ competitionId }: { competitionId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { data: c } = useSuspenseQuery({
    ...trpc.competition.get.queryOptions({ competitionId }),
    refetchInterval: 30_000,
  });
  const live = LIVE(c.state);
  const board = useSuspenseQuery({
    ...trpc.competition.leaderboard.queryOptions({ competitionId }),
    refetchInterval: live ? 5000 : false,
  }).data;
  const news = useSuspenseQuery({
    ...trpc.competition.announcements.queryOptions({ competitionId, limit: 50 }),
    refetchInterval: live ? 10_000 : false,
  }).data;
  const me = c.me;
  const hostLike = c.relation === 'host' || c.relation === 'cohost' || c.relation === 'admin';
  const mine = board.rows.find((r) => r.isMe);
  const [confirmReset, setConfirmReset] = useState(false);
  const reset = useMutation(
    trpc.competition.resetMine.mutationOptions({
      onSuccess: () => {
        setConfirmReset(false);
        void queryClient.invalidateQueries({ queryKey: trpc.competition.pathKey() });
      },
    }),
  );

  return (
    <div className="space-y-8">
      <header className="space-y-3">
        <div className="flex flex-wrap items-center gap-3">
          <h1 className="text-2xl font-semibold">{c.name}</h1>
          <StateBadge state={c.state} />
        </div>
        <Countdown c={c} />
        {c.description ? <p className="max-w-3xl text-sm text-muted">{c.description}</p> : null}
        <div className="flex flex-wrap gap-2">
          {me && me.status === 'ACTIVE' && c.state === 'RUNNING'
            ? c.symbols.map((s) => (
                <Link
                  key={s}
                  href={`/trade/${s}?account=${me.accountId}`}
                  className="rounded bg-accent px-4 py-2 text-sm font-semibold text-on-accent hover:brightness-110"
                >
                  Trade {s}
                </Link>
              ))
            : null}
          {hostLike ? (
            <Link
              href={`/competitions/${c.id}/host`}
              className="rounded border border-line px-4 py-2 text-sm font-medium hover:bg-panel-2"
            >
              Open the host dashboard
            </Link>
          ) : null}
          {hostLike ? (
            <Link
              href={`/competitions/${c.id}/teaching`}
              className="rounded border border-line px-4 py-2 text-sm font-medium hover:bg-panel-2"
            >
              Teaching: rules, notes, teams
            </Link>
          ) : null}
          {hostLike && (c.state === 'FINISHED' || c.state === 'ARCHIVED') ? (
            <Link
              href={`/competitions/${c.id}/report`}
              className="rounded border border-line px-4 py-2 text-sm font-medium hover:bg-panel-2"
            >
              Class report
            </Link>
          ) : null}
        </div>
        {me && c.state === 'SCHEDULED' ? (
          <p role="status" className="text-sm text-muted">
            You are in. Trading opens when the countdown ends; your account holds{' '}
            {formatAmount(c.startingBalance)} USDT.
          </p>
        ) : null}
        {me?.status === 'OUT' ? (
          <FormAlert>
            You are out: your account was liquidated, and this competition takes liquidated accounts
            out.
          </FormAlert>
        ) : null}
        {me?.status === 'REMOVED' ? (
          <FormAlert>A host removed you from this competition.</FormAlert>
        ) : null}
      </header>

      {me ? (
        <section aria-labelledby="standing-title" className="space-y-3">
          <h2 id="standing-title" className="text-lg font-semibold">
            My standing
          </h2>
          <dl className="grid gap-3 sm:grid-cols-4">
            <Figure
              label="Rank"
              value={mine?.rank ?? (board.hidden ? 'hidden until the end' : '—')}
            />
            <Figure label="Equity (USDT)" value={mine ? formatAmount(mine.equity) : '—'} />
            <Figure
              label="Return"
              value={
                mine ? <Signed value={mine.return}>{formatFraction(mine.return)}</Signed> : '—'
              }
            />
            <Figure
              label="Max drawdown"
              value={mine ? formatFraction(mine.maxDrawdown).replace('+', '') : '—'}
            />
          </dl>
          {c.allowResets && c.state === 'RUNNING' && me.status === 'ACTIVE' ? (
            <button
              type="button"
              onClick={() => setConfirmReset(true)}
              className="rounded border border-line px-3 py-1.5 text-sm hover:bg-panel-2"
            >
              Reset my account
            </button>
          ) : null}
        </section>
      ) : null}

      {me ? (
        <MyAssignment
          competitionId={c.id}
          live={c.state === 'RUNNING'}
          started={c.state !== 'DRAFT' && c.state !== 'SCHEDULED'}
          symbols={c.symbols}
        />
      ) : null}

      <section aria-labelledby="board-title" className="space-y-3">
        <div className="flex flex-wrap items-baseline justify-between gap-2">
          <h2 id="board-title" className="text-lg font-semibold">
            Leaderboard
          </h2>
          <p className="text-xs text-muted">
            {c.state === 'FINISHED' || c.state === 'ARCHIVED'
              ? 'Final standings, frozen at the end.'
              : board.hidden
                ? 'Hidden until the end: you see your own row only.'
                : `Live; ranked by ${board.ranking === 'RETURN' ? 'return' : 'risk-adjusted score (return − max drawdown)'}. Sharpe: per ${c.snapshotSeconds} s snapshot, not annualized.`}
          </p>
        </div>
        <LeaderboardTable board={board} caption={`Leaderboard of ${c.name}`} />
      </section>

      <div className="grid gap-8 lg:grid-cols-2">
        <section aria-labelledby="news-title" className="space-y-3">
          <h2 id="news-title" className="text-lg font-semibold">
            Announcements
          </h2>
          <Announcements items={news} />
        </section>
        <section aria-labelledby="rules-title" className="space-y-3">
          <h2 id="rules-title" className="text-lg font-semibold">
            Rules
          </h2>
          <RulesList c={c} />
          <p className="text-xs text-muted">
            The platform enforces every rule: an order outside the window, above {c.maxLeverage}×,
            on another market or in a forbidden margin mode is refused with the rule it breaks.
          </p>
        </section>
      </div>

      {me ? <MyActivity competitionId={c.id} accountId={me.accountId} live={live} /> : null}

      <Dialog open={confirmReset} onClose={() => setConfirmReset(false)} title="Reset my account?">
        <p className="text-sm">
          Every order is canceled and every position closed at the mark; the account restarts with{' '}
          {c.resetPenalty
            ? `the starting balance less ${formatRate(c.resetPenalty)} more withheld`
            : 'the starting balance'}
          . The leaderboard keeps counting the loss in the drawdown.
        </p>
        {reset.error ? (
          <div className="mt-3">
            <FormAlert>{errorText(reset.error)}</FormAlert>
          </div>
        ) : null}
        <div className="mt-4 flex justify-end gap-2">
          <button
            type="button"
            onClick={() => setConfirmReset(false)}
            className="rounded border border-line px-3 py-1.5 text-sm"
          >
            Cancel
          </button>
          <button
            type="button"
            disabled={reset.isPending}
            onClick={() => reset.mutate({ competitionId: c.id })}
            className="rounded bg-down px-3 py-1.5 text-sm font-semibold text-on-fill"
          >
            Reset my account
          </button>
        </div>
      </Dialog>
    </div>
  );
}

function Figure({ label, value }: { label: string; value: React.ReactNode }) {
  return (
    <div className="rounded-lg border border-line bg-panel px-4 py-3">
      <dt className="text-xs uppercase tracking-wider text-muted">{label}</dt>
      <dd className="num mt-1 text-lg font-medium">{value}</dd>
    </div>
  );
}

function MyActivity({
  competitionId,
  accountId,
  live,
}: {
  competitionId: string;
  accountId: string;
  live: boolean;
}) {
  const trpc = useTRPC();
  const curve = useQuery({
    ...trpc.competition.equityCurve.queryOptions({ competitionId }),
    refetchInterval: live ? 30_000 : false,
  });
  const fills = useQuery({
    ...trpc.trade.fills.queryOptions({ accountId, limit: 100 }),
    refetchInterval: live ? 10_000 : false,
  });
  return (
    <section aria-labelledby="mine-title" className="space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h2 id="mine-title" className="text-lg font-semibold">
          My trades and equity
        </h2>
        <div className="flex gap-2 text-sm">
          <a
            href={`/competitions/${competitionId}/export/my-trades`}
            download
            className="rounded border border-line px-3 py-1.5 hover:bg-panel-2"
          >
            Export my trades (CSV)
          </a>
          <a
            href={`/competitions/${competitionId}/export/my-equity`}
            download
            className="rounded border border-line px-3 py-1.5 hover:bg-panel-2"
          >
            Export my equity curve (CSV)
          </a>
        </div>
      </div>
      {curve.data ? (
        <EquityCurve points={curve.data.points} startingBalance={curve.data.startingBalance} />
      ) : null}
      <FillsTable fills={fills.data?.items ?? []} caption="My trades" />
    </section>
  );
}

export function FillsTable({ fills, caption }: { fills: FillView[]; caption: string }) {
  if (fills.length === 0) return <p className="text-sm text-muted">No trades yet.</p>;
  return (
    <div className="overflow-x-auto rounded-lg border border-line bg-panel">
      <table className="w-full min-w-[640px] text-sm">
        <caption className="sr-only">{caption}</caption>
        <thead className="border-b border-line text-xs uppercase tracking-wide text-muted">
          <tr>
            <th scope="col" className="px-3 py-2 text-left font-medium">
              Time
            </th>
            <th scope="col" className="px-3 py-2 text-left font-medium">
              Market
            </th>
            <th scope="col" className="px-3 py-2 text-left font-medium">
              Side
            </th>
            <th scope="col" className="px-3 py-2 text-right font-medium">
              Quantity
            </th>
            <th scope="col" className="px-3 py-2 text-right font-medium">
              Price
            </th>
            <th scope="col" className="px-3 py-2 text-right font-medium">
              Fee
            </th>
            <th scope="col" className="px-3 py-2 text-right font-medium">
              Realized PnL
            </th>
          </tr>
        </thead>
        <tbody>
          {fills.map((f) => (
            <tr key={f.id} className="border-b border-line/60 last:border-0">
              <td className="px-3 py-2" suppressHydrationWarning>
                {formatTime(f.time)}
              </td>
              <td className="px-3 py-2">
                {f.symbol}
                {f.isLiquidation ? (
                  <span className="ml-2 rounded bg-down/15 px-1.5 py-0.5 text-[10px] uppercase text-down">
                    Liquidation
                  </span>
                ) : null}
              </td>
              <td className={`px-3 py-2 ${f.side === 'buy' ? 'text-up' : 'text-down'}`}>
                {f.side === 'buy' ? '▲ Buy' : '▼ Sell'}
              </td>
              <td className="num px-3 py-2">{f.quantity}</td>
              <td className="num px-3 py-2">{f.price}</td>
              <td className="num px-3 py-2">{formatAmount(f.fee)}</td>
              <td className="num px-3 py-2">
                <Signed value={f.realizedPnl}>{formatAmount(f.realizedPnl)}</Signed>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
