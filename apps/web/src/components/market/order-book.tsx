'use client';
import {
  addDecimal,
  formatPrice,
  formatQuantity,
  subtractDecimal,
  toChartNumber,
} from '@/lib/market-format';
import { LivePrice } from './live-price';
import { useLiveSymbol, type Level } from './live-store';

const LEVELS = 10;

function withTotals(levels: Level[]): Array<{ price: string; size: string; total: string }> {
  let total = '0';
  return levels.slice(0, LEVELS).map(([price, size]) => {
    total = addDecimal(total, size) ?? total;
    return { price, size, total };
  });
}

/** Top of the book: asks above (best nearest the middle), the last price, bids below. */
export function OrderBook({
  symbol,
  tickSize,
  lotSize,
  baseAsset,
  quoteAsset,
  onPick,
}: {
  symbol: string;
  tickSize: string;
  lotSize: string;
  baseAsset: string;
  quoteAsset: string;
  /** A price clicked (or chosen by keyboard) in the book: the order form takes it. */
  onPick?: (price: string) => void;
}) {
  const live = useLiveSymbol(symbol);
  const asks = withTotals(live.book?.asks ?? []);
  const bids = withTotals(live.book?.bids ?? []);
  // Depth bars are drawing, not numbers shown: a float ratio is fine here.
  const maxTotal = Math.max(
    toChartNumber(asks.at(-1)?.total ?? '0'),
    toChartNumber(bids.at(-1)?.total ?? '0'),
    1e-12,
  );
  const bestAsk = asks[0]?.price;
  const bestBid = bids[0]?.price;
  const spread = bestAsk && bestBid ? subtractDecimal(bestAsk, bestBid) : null;

  const row = (l: { price: string; size: string; total: string }, side: 'ask' | 'bid') => {
    const pct = Math.min(100, (toChartNumber(l.total) / maxTotal) * 100);
    // light enough that the price keeps 4.5:1 on the bar in both themes
    const color = `color-mix(in srgb, var(--color-${side === 'ask' ? 'down' : 'up'}) 10%, transparent)`;
    return (
      <tr
        key={`${side}${l.price}`}
        style={{ background: `linear-gradient(to left, ${color} ${pct}%, transparent ${pct}%)` }}
      >
        <td className={`num py-px pl-3 text-left ${side === 'ask' ? 'text-down' : 'text-up'}`}>
          {onPick ? (
            <button
              type="button"
              onClick={() => onPick(l.price)}
              // a mouse shortcut; by keyboard the price field and its "Last" button do the same
              tabIndex={-1}
              className="rounded-sm hover:underline"
              aria-label={`Use price ${formatPrice(l.price, tickSize, { group: false })}`}
            >
              {formatPrice(l.price, tickSize, { group: false })}
            </button>
          ) : (
            formatPrice(l.price, tickSize, { group: false })
          )}
        </td>
        <td className="num py-px">{formatQuantity(l.size, lotSize)}</td>
        <td className="num py-px pr-3 text-muted">{formatQuantity(l.total, lotSize)}</td>
      </tr>
    );
  };

  return (
    <section aria-labelledby="book-heading" className="flex min-w-0 flex-col bg-panel">
      <h2 id="book-heading" className="border-b border-line px-3 py-2 text-sm font-medium">
        Order book
      </h2>
      <table className="w-full table-fixed border-collapse text-xs leading-[18px]">
        <caption className="sr-only">
          Order book of {symbol}: ten ask levels, the last price, then ten bid levels, with
          cumulative sizes
        </caption>
        <thead>
          <tr className="text-[11px] text-muted">
            <th scope="col" className="py-1 pl-3 text-left font-normal">
              Price ({quoteAsset})
            </th>
            <th scope="col" className="py-1 text-right font-normal">
              Size ({baseAsset})
            </th>
            <th scope="col" className="py-1 pr-3 text-right font-normal">
              Total ({baseAsset})
            </th>
          </tr>
        </thead>
        <tbody aria-label="Asks">
          {padRows(LEVELS - asks.length, 'ask')}
          {[...asks].reverse().map((l) => row(l, 'ask'))}
        </tbody>
        <tbody aria-label="Last price and spread">
          <tr className="border-y border-line">
            <td colSpan={2} className="py-1.5 pl-3 text-left text-base font-semibold">
              <LivePrice
                value={live.last}
                dir={live.lastDir}
                seq={live.lastSeq}
                tickSize={tickSize}
                group={false}
              />
            </td>
            <td className="num py-1.5 pr-3 text-[11px] text-muted">
              <span className="sr-only">Spread </span>
              {spread ? formatPrice(spread, tickSize, { group: false }) : '—'}
            </td>
          </tr>
        </tbody>
        <tbody aria-label="Bids">
          {bids.map((l) => row(l, 'bid'))}
          {padRows(LEVELS - bids.length, 'bid')}
        </tbody>
      </table>
      {!live.book && <p className="px-3 py-2 text-xs text-muted">Waiting for the book…</p>}
    </section>
  );
}

function padRows(n: number, side: string) {
  return Array.from({ length: Math.max(0, n) }, (_, i) => (
    <tr key={`${side}-pad-${i}`} aria-hidden>
      <td colSpan={3} className="py-px">
        &nbsp;
      </td>
    </tr>
  ));
}
