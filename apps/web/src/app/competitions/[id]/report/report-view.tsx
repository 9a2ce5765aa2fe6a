'use client';
// The class report: how the class spread (returns, drawdowns, leverage used, liquidations), the
// rules most often broken, and each student beside the benchmark with the counterfactual of
// their own orders under the other margin mode, replayed through the margin engine.
import type { ClassReport, Distribution } from '@lab/services';
import { useQuery, useSuspenseQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { FormAlert } from '@/components/form';
import { formatAmount } from '@/lib/format';
import { useTRPC } from '@/trpc/react';
import { errorText, formatFraction, formatWhen } from '../../format';
import { Signed } from '../../ui';

export function ReportView({ competitionId }: { competitionId: string }) {
  const trpc = useTRPC();
  const { data: c } = useSuspenseQuery(trpc.competition.get.queryOptions({ competitionId }));
  const report = useQuery({
    ...trpc.teaching.classReport.queryOptions({ competitionId, recompute: false }),
    // the worker computes it right after the freeze: ask again until it is there
    retry: (n, e) => n < 20 && /being computed/.test(errorText(e)),
    retryDelay: 2000,
  });
  return (
    <div className="space-y-8">
      <header className="space-y-2">
        <nav aria-label="Breadcrumb" className="text-sm text-muted">
          <Link href={`/competitions/${c.id}`} className="hover:text-text">
            ← {c.name}
          </Link>
          <span aria-hidden> · </span>
          <Link href={`/competitions/${c.id}/teaching`} className="hover:text-text">
            Teaching
          </Link>
        </nav>
        <h1 className="text-2xl font-semibold">Class report: {c.name}</h1>
        {report.data ? (
          <p className="text-sm text-muted">
            {formatWhen(report.data.startsAt)} to {formatWhen(report.data.endsAt)} ·{' '}
            {report.data.students.length} student{report.data.students.length === 1 ? '' : 's'} ·
            starting balance {formatAmount(report.data.startingBalance)} USDT ·{' '}
            <a
              href={`/competitions/${c.id}/teaching/export/class-report`}
              download
              className="underline hover:text-text"
            >
              Download the report (CSV)
            </a>
          </p>
        ) : null}
      </header>
      {report.error ? <FormAlert>{errorText(report.error)}</FormAlert> : null}
      {report.isPending ? <p className="text-sm text-muted">Computing the report…</p> : null}
      {report.data ? <Report r={report.data} /> : null}
    </div>
  );
}

function Report({ r }: { r: ClassReport }) {
  const ranked = r.students.filter((s) => s.status !== 'REMOVED');
  return (
    <>
      <section aria-labelledby="summary-title" className="space-y-3">
        <h2 id="summary-title" className="text-lg font-semibold">
          The class
        </h2>
        <dl className="grid gap-3 sm:grid-cols-2 lg:grid-cols-5">
          <Card label="Median return" value={<Frac v={r.distributions.return.median} />} />
          <Card
            label={r.benchmark ? `${r.benchmark.symbol} buy and hold` : 'Benchmark'}
            value={r.benchmark ? <Frac v={r.benchmark.return} /> : 'none chosen'}
          />
          <Card
            label="Beat the benchmark"
            value={
              r.benchmark
                ? `${ranked.filter((s) => s.excess !== null && Number(s.excess) > 0).length} of ${ranked.length}`
                : '—'
            }
          />
          <Card
            label="Liquidated at least once"
            value={`${ranked.filter((s) => s.liquidations > 0).length} of ${ranked.length}`}
          />
          <Card
            label="Better off in the other margin mode"
            value={`${r.counterfactuals.better} of ${r.counterfactuals.computed}`}
          />
        </dl>
        <div className="grid gap-4 lg:grid-cols-2">
          <Histogram title="Returns" d={r.distributions.return} fmt={(v) => formatFraction(v)} />
          <Histogram
            title="Maximum drawdowns"
            d={r.distributions.maxDrawdown}
            fmt={(v) => formatFraction(v).replace('+', '')}
          />
          <Histogram
            title="Highest leverage used"
            d={r.distributions.maxLeverage}
            fmt={(v) => `${v}×`}
          />
          <Histogram
            title="Liquidations per student"
            d={r.distributions.liquidations}
            fmt={(v) => v}
          />
        </div>
      </section>

      <section aria-labelledby="broken-title" className="space-y-2">
        <h2 id="broken-title" className="text-lg font-semibold">
          Rules most often broken
        </h2>
        {r.mostBroken.length ? (
          <ol className="list-decimal space-y-1 pl-6 text-sm">
            {r.mostBroken.map((b) => (
              <li key={b.kind}>
                <strong>{b.title}</strong>:{' '}
                {b.violations
                  ? `broken by ${b.students} student${b.students === 1 ? '' : 's'}, ${b.violations} time${b.violations === 1 ? '' : 's'}`
                  : 'kept by everyone'}
              </li>
            ))}
          </ol>
        ) : (
          <p className="text-sm text-muted">No risk rules were assigned.</p>
        )}
      </section>

      <section aria-labelledby="students-title" className="space-y-3">
        <h2 id="students-title" className="text-lg font-semibold">
          Each student, and the other margin mode
        </h2>
        <p className="max-w-4xl text-sm text-muted">
          The counterfactual takes each student’s own fills (their prices, fee rates and the marks
          stored with them), funding as paid, and the market’s minute candles in between, and
          replays them through the margin engine with every traded market in the other margin mode,
          until the end (or the first reset). The same replay in the mode they used stands beside
          it: the difference is the effect of the mode alone.
        </p>
        <div className="relative overflow-x-auto rounded-lg border border-line bg-panel">
          <table className="w-full min-w-[980px] text-sm">
            <caption className="sr-only">Each student’s figures and counterfactual</caption>
            <thead className="border-b border-line text-xs uppercase tracking-wide text-muted">
              <tr>
                <th scope="col" className="px-3 py-2 text-right font-medium">
                  Rank
                </th>
                <th scope="col" className="px-3 py-2 text-left font-medium">
                  Student
                </th>
                <th scope="col" className="px-3 py-2 text-right font-medium">
                  Return
                </th>
                {r.benchmark ? (
                  <th scope="col" className="px-3 py-2 text-right font-medium">
                    vs buy & hold
                  </th>
                ) : null}
                <th scope="col" className="px-3 py-2 text-right font-medium">
                  Max drawdown
                </th>
                <th scope="col" className="px-3 py-2 text-right font-medium">
                  Leverage
                </th>
                <th scope="col" className="px-3 py-2 text-right font-medium">
                  Liquidations
                </th>
                <th scope="col" className="px-3 py-2 text-right font-medium">
                  Rules broken
                </th>
                <th scope="col" className="px-3 py-2 text-left font-medium">
                  Under the other mode
                </th>
              </tr>
            </thead>
            <tbody>
              {r.students.map((s) => (
                <tr
                  key={s.participantId}
                  className="border-b border-line/60 align-top last:border-0"
                >
                  <td className="num px-3 py-2">{s.rank ?? '—'}</td>
                  <th scope="row" className="px-3 py-2 text-left font-medium">
                    {s.displayName}
                    {s.team ? <span className="block text-xs text-muted">{s.team}</span> : null}
                  </th>
                  <td className="num px-3 py-2">
                    <Frac v={s.return} />
                  </td>
                  {r.benchmark ? (
                    <td className="num px-3 py-2">
                      {s.excess === null ? '—' : <Frac v={s.excess} />}
                    </td>
                  ) : null}
                  <td className="num px-3 py-2">
                    {formatFraction(s.maxDrawdown).replace('+', '')}
                  </td>
                  <td className="num px-3 py-2">{s.maxLeverage ? `${s.maxLeverage}×` : '—'}</td>
                  <td className={`num px-3 py-2 ${s.liquidations ? 'text-down' : ''}`}>
                    {s.liquidations}
                  </td>
                  <td className="num px-3 py-2">{s.violations}</td>
                  <td className="max-w-md px-3 py-2">
                    {s.counterfactual ? (
                      <>
                        <p>{s.counterfactual.sentence}</p>
                        <p className="mt-1 text-xs text-muted">
                          Replayed in {s.counterfactual.usedMode}:{' '}
                          {formatAmount(s.counterfactual.asTraded.equityEnd)} USDT; in{' '}
                          {s.counterfactual.mode}: {formatAmount(s.counterfactual.other.equityEnd)}{' '}
                          USDT
                          {s.counterfactual.other.liquidations.length
                            ? `, ${s.counterfactual.other.liquidations.length} liquidation${s.counterfactual.other.liquidations.length === 1 ? '' : 's'}`
                            : ', no liquidation'}
                          {s.counterfactual.untilReset ? ' (until their first reset)' : ''}.
                        </p>
                      </>
                    ) : (
                      <span className="text-muted">No trades.</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </>
  );
}

function Frac({ v }: { v: string }) {
  return <Signed value={v}>{formatFraction(v)}</Signed>;
}

function Card({ label, value }: { label: string; value: React.ReactNode }) {
  return (
    <div className="rounded-lg border border-line bg-panel px-4 py-3">
      <dt className="text-xs uppercase tracking-wider text-muted">{label}</dt>
      <dd className="num mt-1 text-lg font-medium">{value}</dd>
    </div>
  );
}

/** Bars of the histogram, and its figures in a table (screen readers read the table). */
function Histogram({
  title,
  d,
  fmt,
}: {
  title: string;
  d: Distribution;
  fmt: (v: string) => string;
}) {
  const top = Math.max(1, ...d.histogram.map((h) => h.count));
  return (
    <figure className="relative rounded-lg border border-line bg-panel p-4">
      <figcaption className="text-sm font-medium">{title}</figcaption>
      <p className="mt-1 text-xs text-muted">
        min {fmt(d.min)} · quartiles {fmt(d.p25)} / {fmt(d.median)} / {fmt(d.p75)} · max{' '}
        {fmt(d.max)}
      </p>
      <div aria-hidden className="mt-3 flex h-24 items-end gap-1">
        {d.histogram.map((h, i) => (
          <div key={i} className="flex flex-1 flex-col items-center justify-end">
            <span className="text-[10px] text-muted">{h.count || ''}</span>
            <div
              className="w-full rounded-t bg-accent/70"
              style={{ height: `${(h.count / top) * 72}px` }}
            />
          </div>
        ))}
      </div>
      <table className="sr-only">
        <caption>{title}: students per range</caption>
        <tbody>
          {d.histogram.map((h, i) => (
            <tr key={i}>
              <th scope="row">
                {fmt(h.from)} to {fmt(h.to)}
              </th>
              <td>{h.count}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
