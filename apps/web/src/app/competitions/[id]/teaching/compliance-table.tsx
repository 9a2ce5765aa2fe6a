'use client';
// Each student's compliance for the hosts: a row per student with the status of every rule, and
// on demand the violations (when, the rule, what happened, the order behind it and its note) and
// the student's orders with their notes and who placed them.
import type { ComplianceReport, RuleStatus } from '@lab/services';
import { useQuery } from '@tanstack/react-query';
import { Fragment, useState } from 'react';
import { useTRPC } from '@/trpc/react';
import { formatTime } from '../../format';

const STATUS: Record<RuleStatus, { icon: string; label: string; tone: string }> = {
  ok: { icon: '✓', label: 'Kept', tone: 'text-up' },
  pending: { icon: '…', label: 'Pending', tone: 'text-muted' },
  violated: { icon: '✕', label: 'Broken', tone: 'text-down' },
};

export function RuleStatusBadge({ status }: { status: RuleStatus }) {
  const s = STATUS[status];
  return (
    <span className={`inline-flex items-center gap-1 text-xs font-medium ${s.tone}`}>
      <span aria-hidden>{s.icon}</span>
      {s.label}
    </span>
  );
}

export function ComplianceTable({
  competitionId,
  report,
}: {
  competitionId: string;
  report: ComplianceReport;
}) {
  const [open, setOpen] = useState<string | null>(null);
  const rules = report.participants[0]?.rules ?? [];
  if (!rules.length)
    return <p className="text-sm text-muted">No risk rules were assigned to this competition.</p>;
  if (!report.participants.length) return <p className="text-sm text-muted">Nobody has joined.</p>;
  return (
    <div className="space-y-4">
      {report.mostBroken.some((r) => r.violations > 0) ? (
        <p className="text-sm">
          Most broken:{' '}
          {report.mostBroken
            .filter((r) => r.violations > 0)
            .map(
              (r) =>
                `${r.title} (${r.students} student${r.students === 1 ? '' : 's'}, ${r.violations} time${r.violations === 1 ? '' : 's'})`,
            )
            .join('; ')}
          .
        </p>
      ) : null}
      <div className="relative overflow-x-auto rounded-lg border border-line bg-panel">
        <table className="w-full min-w-[720px] text-sm">
          <caption className="sr-only">Compliance of every student with each rule</caption>
          <thead className="border-b border-line text-xs uppercase tracking-wide text-muted">
            <tr>
              <th scope="col" className="px-3 py-2 text-left font-medium">
                Student
              </th>
              {rules.map((r) => (
                <th key={r.id} scope="col" className="px-3 py-2 text-left font-medium">
                  {r.title}
                </th>
              ))}
              <th scope="col" className="px-3 py-2 text-right font-medium">
                Violations
              </th>
              <th scope="col" className="px-3 py-2">
                <span className="sr-only">Details</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {report.participants.map((p) => (
              <Fragment key={p.participantId}>
                <tr className="border-b border-line/60">
                  <th scope="row" className="px-3 py-2 text-left font-medium">
                    {p.displayName}
                    {p.status !== 'ACTIVE' ? (
                      <span className="ml-2 text-xs text-muted">({p.status.toLowerCase()})</span>
                    ) : null}
                  </th>
                  {p.rules.map((r) => (
                    <td key={r.id} className="px-3 py-2">
                      <RuleStatusBadge status={r.status} />
                      <span className="block text-xs text-muted">{r.progress}</span>
                    </td>
                  ))}
                  <td className={`num px-3 py-2 ${p.violations ? 'text-down' : ''}`}>
                    {p.violations}
                  </td>
                  <td className="px-3 py-2 text-right">
                    <button
                      type="button"
                      aria-expanded={open === p.participantId}
                      onClick={() => setOpen(open === p.participantId ? null : p.participantId)}
                      className="rounded border border-line px-2 py-1 text-xs hover:bg-panel-2"
                    >
                      {open === p.participantId ? 'Hide' : 'Details'}
                      <span className="sr-only"> of {p.displayName}</span>
                    </button>
                  </td>
                </tr>
                {open === p.participantId ? (
                  <tr className="border-b border-line/60 bg-bg">
                    <td colSpan={rules.length + 3} className="px-3 py-3">
                      <StudentDetail competitionId={competitionId} participant={p} />
                    </td>
                  </tr>
                ) : null}
              </Fragment>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

type Participant = ComplianceReport['participants'][number];

function StudentDetail({
  competitionId,
  participant,
}: {
  competitionId: string;
  participant: Participant;
}) {
  const trpc = useTRPC();
  const orders = useQuery(
    trpc.teaching.participantOrders.queryOptions({
      competitionId,
      participantId: participant.participantId,
      limit: 50,
    }),
  );
  const violations = participant.rules
    .flatMap((r) => r.violations.map((v) => ({ ...v, title: r.title })))
    .sort((a, b) => a.at - b.at);
  return (
    <div className="grid gap-4 lg:grid-cols-2">
      <div>
        <h3 className="mb-2 text-sm font-medium">Violations of {participant.displayName}</h3>
        {violations.length ? (
          <ol className="space-y-2 text-sm">
            {violations.map((v) => (
              <li key={v.id} className="rounded border border-down/30 bg-down/5 px-3 py-2">
                <p className="text-xs text-muted">
                  <time dateTime={new Date(v.at).toISOString()} suppressHydrationWarning>
                    {formatTime(v.at)}
                  </time>{' '}
                  · {v.title}
                  {v.orderId ? (
                    <>
                      {' '}
                      · order <span className="font-mono">{v.orderId.slice(-12)}</span>
                    </>
                  ) : null}
                </p>
                <p>{v.message}</p>
                {v.note ? (
                  <p className="mt-1 text-xs italic text-muted">Their note: “{v.note}”</p>
                ) : null}
              </li>
            ))}
          </ol>
        ) : (
          <p className="text-sm text-muted">None.</p>
        )}
      </div>
      <div>
        <h3 className="mb-2 text-sm font-medium">Orders and notes</h3>
        {orders.data?.items.length ? (
          <table className="w-full text-xs">
            <caption className="sr-only">
              Orders of {participant.displayName} with their notes
            </caption>
            <thead className="text-muted">
              <tr>
                <th scope="col" className="py-1 text-left font-medium">
                  Time
                </th>
                <th scope="col" className="py-1 text-left font-medium">
                  Order
                </th>
                <th scope="col" className="py-1 text-left font-medium">
                  Placed by
                </th>
                <th scope="col" className="py-1 text-left font-medium">
                  Note
                </th>
              </tr>
            </thead>
            <tbody>
              {orders.data.items.map((o) => (
                <tr key={o.id} className="border-t border-line/60 align-top">
                  <td className="py-1 pr-2" suppressHydrationWarning>
                    {formatTime(o.createdAt)}
                  </td>
                  <td className="py-1 pr-2">
                    {o.side === 'buy' ? '▲ Buy' : '▼ Sell'} {o.quantity} {o.symbol} {o.type}
                    <span className="block text-muted">{o.status}</span>
                  </td>
                  <td className="py-1 pr-2">{o.placedBy ?? 'the platform'}</td>
                  <td className="py-1">{o.note ?? <span className="text-muted">—</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p className="text-sm text-muted">{orders.isPending ? 'Loading…' : 'No orders.'}</p>
        )}
      </div>
    </div>
  );
}
