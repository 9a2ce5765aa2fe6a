'use client';
// What the order would do, from the server's engine (trade.previewOrder): its cost, fee, the
// position's liquidation price and margin ratio after it, and the stress table (the mark 5, 10
// and 20% against the resulting position). An order that rests (a limit below the market, a
// stop) changes no position yet: its figures once filled are the engine's in the browser.
// Until the figures come, the rows and the table they will fill are there with dashes, so that
// the form does not grow under the trader's pointer (the button below it would move away).
import type { AppRouter } from '@lab/api';
import { STRESS_MOVES } from '@lab/margin-engine';
import type { inferRouterOutputs } from '@trpc/server';
import type { FillEstimate } from '@/lib/engine-mirror';
import { formatPrice, formatQuantity } from '@/lib/market-format';
import { ratioPercent, usdt } from '@/lib/trade-format';

type Preview = inferRouterOutputs<AppRouter>['trade']['previewOrder'];

export function OrderPreviewPanel({
  preview,
  estimate,
  loading,
  side,
  tickSize,
  lotSize,
  baseAsset,
  marginMode,
  fillsNowExpected,
}: {
  preview: Preview | null;
  /** A resting order as if it filled at its price (the engine in the browser). */
  estimate: FillEstimate | null;
  loading: boolean;
  side: 'buy' | 'sell';
  tickSize: string;
  lotSize: string;
  baseAsset: string;
  marginMode: 'cross' | 'isolated';
  /** A market order: before its figures come, the rows of a fill are held for them. */
  fillsNowExpected: boolean;
}) {
  const p = preview;
  const fillsNow = !!p && p.filledQuantity !== '0';
  const rests = !!p && !fillsNow;
  const after = rests && estimate ? estimate : null;
  const qty = p ? p.positionQuantity.replace(/^-/, '') : null;
  const short = !!p && p.positionQuantity.startsWith('-');
  // the engine's stress: down for a long, up for a short; a flat result: against the order
  const down = after ? side === 'buy' : p && qty !== '0' ? !short : side === 'buy';
  const liq = after ? after.liquidationPrice : p?.liquidationPrice;
  const ratio = after ? after.marginRatio : p?.marginRatio;
  const stress = after ? after.stress : fillsNow ? (p?.stress ?? []) : [];
  const when = rests ? 'when filled' : 'after';
  const placeholder = !p && fillsNowExpected;
  // the table's rows: the figures, or before them the moves they will fill
  const rows = placeholder
    ? STRESS_MOVES.map((movePercent) => ({ movePercent, point: null }))
    : stress.map((point) => ({ movePercent: point.movePercent, point }));
  return (
    <section
      aria-label="Order preview"
      aria-busy={loading || undefined}
      className="rounded border border-line bg-bg px-2.5 py-2 text-xs"
    >
      <dl className="grid grid-cols-[1fr_auto] gap-x-3 gap-y-1">
        <dt className="text-muted">Cost</dt>
        <dd className="num">{p ? `${usdt(p.cost)} USDT` : '—'}</dd>
        <dt className="text-muted">Fee{rests ? ' when filled' : ''}</dt>
        <dd className="num">
          {p ? `${usdt(after ? after.fee : p.fee)} USDT` : '—'}
          {rests && !after ? ' (maker, if it fills)' : ''}
        </dd>
        {(fillsNow && p?.averagePrice) || placeholder ? (
          <>
            <dt className="text-muted">Fills now at</dt>
            <dd className="num">{p?.averagePrice ? formatPrice(p.averagePrice, tickSize) : '—'}</dd>
          </>
        ) : null}
        {fillsNow || placeholder ? (
          <>
            <dt className="text-muted">Position after</dt>
            <dd className="num">
              {!p
                ? '—'
                : qty === '0'
                  ? 'closed'
                  : `${formatQuantity(qty, lotSize)} ${baseAsset} ${short ? 'short' : 'long'}`}
            </dd>
          </>
        ) : null}
        <dt className="text-muted">Liq. price {when}</dt>
        <dd className="num text-accent">{p ? (liq ? formatPrice(liq, tickSize) : 'none') : '—'}</dd>
        <dt className="text-muted">
          Margin ratio {when} <span className="text-[10px]">({marginMode})</span>
        </dt>
        <dd className="num">{p ? ratioPercent(ratio) : '—'}</dd>
      </dl>
      {rows.length ? (
        <table className="mt-2 w-full border-collapse">
          <caption className="pb-1 text-left text-muted">
            If the mark then moves against the position
          </caption>
          <thead>
            <tr className="text-[11px] text-muted">
              <th scope="col" className="text-left font-normal">
                Move
              </th>
              <th scope="col" className="text-right font-normal">
                Mark
              </th>
              <th scope="col" className="text-right font-normal">
                Margin ratio
              </th>
              <th scope="col" className="text-right font-normal">
                Outcome
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map(({ movePercent, point: x }) => (
              <tr key={movePercent} className={x ? undefined : 'text-muted'}>
                <th scope="row" className="num text-left font-normal">
                  {down ? '▼ −' : '▲ +'}
                  {movePercent}%
                </th>
                <td className="num">{x ? formatPrice(x.markPrice, tickSize) : '—'}</td>
                <td className="num">{x ? ratioPercent(x.marginRatio) : '—'}</td>
                <td
                  className={`text-right ${x?.liquidated ? 'font-semibold text-down' : 'text-muted'}`}
                >
                  {x ? (x.liquidated ? '✕ Liquidated' : '✓ Survives') : '—'}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {after ? (
        <p className="mt-1.5 text-[11px] leading-snug text-muted">
          The order rests until the price reaches {formatPrice(after.price, tickSize)}; the figures
          when filled are the engine&apos;s, worked out in your browser on your account as shown.
        </p>
      ) : null}
      {loading && !p ? <p className="mt-1 text-muted">Working out the preview…</p> : null}
    </section>
  );
}
