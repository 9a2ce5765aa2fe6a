'use client';
import { formatClock, formatPrice, formatQuantity } from '@/lib/market-format';
import { useLiveSymbol } from './live-store';

const ROWS = 26;

/** The tape: latest trades first, coloured by the aggressor's side (also stated for screen readers). */
export function RecentTrades({
  symbol,
  tickSize,
  lotSize,
  baseAsset,
  quoteAsset,
}: {
  symbol: string;
  tickSize: string;
  lotSize: string;
  baseAsset: string;
  quoteAsset: string;
}) {
  const { trades } = useLiveSymbol(symbol);
  return (
    <section aria-labelledby="trades-heading" className="flex min-w-0 flex-col bg-panel">
      <h2 id="trades-heading" className="border-b border-line px-3 py-2 text-sm font-medium">
        Recent trades
      </h2>
      <table className="w-full table-fixed border-collapse text-xs leading-[18px]">
        <caption className="sr-only">Latest trades of {symbol}, newest first</caption>
        <thead>
          <tr className="text-[11px] text-muted">
            <th scope="col" className="py-1 pl-3 text-left font-normal">
              Price ({quoteAsset})
            </th>
            <th scope="col" className="py-1 text-right font-normal">
              Size ({baseAsset})
            </th>
            <th scope="col" className="py-1 pr-3 text-right font-normal">
              Time
            </th>
          </tr>
        </thead>
        <tbody>
          {trades.slice(0, ROWS).map((t, i) => (
            <tr key={`${t.time}-${i}-${t.price}`}>
              <td
                className={`num py-px pl-3 text-left ${t.side === 'buy' ? 'text-up' : 'text-down'}`}
              >
                {formatPrice(t.price, tickSize, { group: false })}
                <span className="sr-only"> {t.side === 'buy' ? 'buy' : 'sell'}</span>
              </td>
              <td className="num py-px">{formatQuantity(t.quantity, lotSize)}</td>
              <td className="num py-px pr-3 text-muted">{formatClock(t.time)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {trades.length === 0 && <p className="px-3 py-2 text-xs text-muted">Waiting for trades…</p>}
    </section>
  );
}
