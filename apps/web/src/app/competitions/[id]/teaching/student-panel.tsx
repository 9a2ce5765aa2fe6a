'use client';
// What a student sees of the teaching settings on the competition page: the risk rules of the
// assignment with their compliance, live (each violation, when, and what happened), whether a
// trade note is asked for, and their team (a shared account's trade links).
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useTRPC } from '@/trpc/react';
import { formatTime } from '../../format';
import { RuleStatusBadge } from './compliance-table';

export function MyAssignment({
  competitionId,
  live,
  started,
  symbols,
}: {
  competitionId: string;
  live: boolean;
  started: boolean;
  symbols: string[];
}) {
  const trpc = useTRPC();
  const teaching = useQuery(trpc.teaching.get.queryOptions({ competitionId }));
  const mine = useQuery({
    ...trpc.teaching.myCompliance.queryOptions({ competitionId }),
    enabled: started,
    refetchInterval: live ? 5000 : false,
  });
  const teams = useQuery(trpc.teaching.teams.queryOptions({ competitionId }));
  const t = teaching.data;
  if (!t) return null;
  const myTeam = teams.data?.find((x) => x.isMine);
  const rules =
    mine.data?.rules ??
    t.rules.map((r) => ({
      ...r,
      status: 'pending' as const,
      progress: 'from the start',
      violations: [],
    }));
  if (!rules.length && !t.notesRequired && !myTeam) return null;
  return (
    <section aria-labelledby="assignment-title" className="space-y-3">
      <h2 id="assignment-title" className="text-lg font-semibold">
        My assignment
      </h2>
      {t.notesRequired ? (
        <p className="text-sm">
          <span aria-hidden>✎ </span>Every order that opens or adds to a position needs a trade
          note: a sentence on why you place it. Your host reads them.
        </p>
      ) : null}
      {myTeam ? (
        <div className="rounded-lg border border-line bg-panel p-4 text-sm">
          <p>
            Your team: <strong>{myTeam.name}</strong> (
            {myTeam.members.map((m) => m.displayName).join(', ')}).{' '}
            {myTeam.kind === 'SHARED_ACCOUNT'
              ? 'You all trade one account; every order records who placed it.'
              : 'The team is ranked by the average of your returns.'}
          </p>
          {myTeam.kind === 'SHARED_ACCOUNT' && myTeam.accountId && live ? (
            <div className="mt-2 flex flex-wrap gap-2">
              {symbols.map((s) => (
                <Link
                  key={s}
                  href={`/trade/${s}?account=${myTeam.accountId}`}
                  className="rounded bg-accent px-3 py-1.5 text-sm font-semibold text-on-accent hover:brightness-110"
                >
                  Trade {s} for {myTeam.name}
                </Link>
              ))}
            </div>
          ) : null}
        </div>
      ) : null}
      {rules.length ? (
        <ul className="grid gap-3 lg:grid-cols-2">
          {rules.map((r) => (
            <li
              key={r.id}
              className={`rounded-lg border p-4 ${r.status === 'violated' ? 'border-down/50 bg-down/5' : 'border-line bg-panel'}`}
            >
              <div className="flex items-start justify-between gap-3">
                <p className="text-sm font-medium">{r.description}</p>
                <RuleStatusBadge status={r.status} />
              </div>
              <p className="mt-1 text-xs text-muted">
                {started ? r.progress : 'Checked from the start.'}
              </p>
              {r.violations.length ? (
                <ol className="mt-2 space-y-1 text-sm">
                  {r.violations.map((v) => (
                    <li key={v.id}>
                      <time
                        dateTime={new Date(v.at).toISOString()}
                        className="mr-1 font-mono text-xs text-muted"
                        suppressHydrationWarning
                      >
                        {formatTime(v.at)}
                      </time>
                      {v.message}
                    </li>
                  ))}
                </ol>
              ) : null}
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}
