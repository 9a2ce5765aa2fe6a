import { formatDecimal, formatPrice, formatRatePercent, stepDecimals } from '@/lib/market-format';
import type { InstrumentDto, RiskTierSpec } from './types';
import { readSpec } from './types';

const SOURCE_LABEL: Record<string, string> = {
  simulator: 'Simulated (seeded model)',
  binance: 'Binance USD-M futures, live',
  bybit: 'Bybit linear, live',
  replay: 'Historical replay',
};

/** Contract specifications and the maintenance margin tiers, as the margin engine applies them. */
export function InstrumentSpecs({ instrument }: { instrument: InstrumentDto }) {
  const spec = readSpec(instrument.spec);
  const q = instrument.quoteAsset;
  const items: Array<[string, string]> = [
    ['Settlement', `${q}, linear perpetual`],
    ['Tick size', `${spec.tickSize} ${q}`],
    ['Lot size', `${spec.lotSize} ${instrument.baseAsset}`],
    ['Min notional', `${formatDecimal(spec.minNotional, stepDecimals(spec.minNotional))} ${q}`],
    ['Max leverage', spec.maxLeverage ? `${spec.maxLeverage}×` : '—'],
    [
      'Maker / taker fee',
      `${formatRatePercent(spec.makerFeeRate, 3)} / ${formatRatePercent(spec.takerFeeRate, 3)}`,
    ],
    ['Liquidation fee', formatRatePercent(spec.liquidationFeeRate, 2)],
    ['Funding interval', spec.fundingIntervalHours ? `Every ${spec.fundingIntervalHours} h` : '—'],
    ['Price source', SOURCE_LABEL[instrument.source] ?? instrument.source],
  ];
  return (
    <section aria-labelledby="specs-heading" className="bg-panel">
      <h2 id="specs-heading" className="border-b border-line px-4 py-2 text-sm font-medium">
        Contract specifications
      </h2>
      <div className="grid gap-x-8 gap-y-4 p-4 lg:grid-cols-[minmax(240px,320px)_1fr]">
        <dl className="grid grid-cols-[auto_1fr] content-start gap-x-6 gap-y-1.5 text-xs">
          {items.map(([k, v]) => (
            <div key={k} className="contents">
              <dt className="text-muted">{k}</dt>
              <dd className="num">{v}</dd>
            </div>
          ))}
        </dl>
        <div className="relative min-w-0 overflow-x-auto">
          <TierTable
            tiers={spec.riskTiers}
            quoteAsset={q}
            caption="Maintenance margin tiers: the rate of the bracket that contains a position's notional applies"
          />
        </div>
      </div>
    </section>
  );
}

/**
 * The leverage and maintenance brackets: the bracket containing a position's notional sets its
 * maximum leverage and maintenance rate. `current` marks a bracket (the order form's position).
 */
export function TierTable({
  tiers,
  quoteAsset: q,
  caption,
  current,
}: {
  tiers: RiskTierSpec[];
  quoteAsset: string;
  caption: string;
  current?: number;
}) {
  return (
    <table className="w-full border-collapse text-xs">
      <caption className="pb-1.5 text-left text-xs text-muted">{caption}</caption>
      <thead>
        <tr className="border-b border-line text-[11px] text-muted">
          <th scope="col" className="py-1 pr-3 text-left font-normal">
            Tier
          </th>
          <th scope="col" className="py-1 pr-3 text-right font-normal">
            Position notional ({q})
          </th>
          <th scope="col" className="py-1 pr-3 text-right font-normal">
            Max leverage
          </th>
          <th scope="col" className="py-1 pr-3 text-right font-normal">
            Maint. margin rate
          </th>
          <th scope="col" className="py-1 text-right font-normal">
            Maint. amount ({q})
          </th>
        </tr>
      </thead>
      <tbody>
        {tiers.map((t, i) => {
          const floor = i === 0 ? '0' : tiers[i - 1]!.maxNotional;
          const here = current === i;
          return (
            <tr
              key={t.maxNotional}
              aria-current={here ? 'true' : undefined}
              className={`border-b border-line/50 last:border-b-0 ${here ? 'bg-panel-2 font-semibold' : ''}`}
            >
              <th scope="row" className="py-1 pr-3 text-left font-normal text-muted">
                {i + 1}
                {here ? <span className="ml-1 text-accent">◀ now</span> : null}
              </th>
              <td className="num py-1 pr-3">
                {formatPrice(floor, '1')} – {formatPrice(t.maxNotional, '1')}
              </td>
              <td className="num py-1 pr-3">{t.maxLeverage}×</td>
              <td className="num py-1 pr-3">{formatRatePercent(t.maintenanceMarginRate, 2)}</td>
              <td className="num py-1">
                {formatDecimal(t.maintenanceAmount, stepDecimals(t.maintenanceAmount))}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
