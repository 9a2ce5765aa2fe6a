'use client';
// The trading screen of one market: market switcher, ticker bar, chart with the position's entry
// and liquidation lines and the trader's fills, order book and recent trades, the order form,
// the account panel, and the positions and orders tabs. Lays out from phone to desktop.
import { useQuery } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useCallback, useId, useMemo, useRef, useState } from 'react';
import { CandleChart, type ChartOverlays } from '@/components/market/candle-chart';
import { MarketStrip } from '@/components/market/market-strip';
import { OrderBook } from '@/components/market/order-book';
import { RecentTrades } from '@/components/market/recent-trades';
import { SymbolHeader } from '@/components/market/symbol-header';
import { readSpec, type InstrumentDto } from '@/components/market/types';
import { useTRPC } from '@/trpc/react';
import { AccountNotices, AccountPanel } from './account-panel';
import { MarketsProvider, useMarkets } from './markets-context';
import { OrderForm } from './order-form';
import { TradeTabs, type TradeTab } from './trade-tabs';
import { TradingAccountProvider, useTradingAccount } from './trading-account';

export interface TradeAccountOption {
  id: string;
  name: string;
  kind: string;
}

export function TradeScreen({
  instrument,
  instruments,
  accounts,
  accountId,
}: {
  instrument: InstrumentDto;
  instruments: InstrumentDto[];
  accounts: TradeAccountOption[];
  accountId: string | null;
}) {
  const selected = accounts.find((a) => a.id === accountId) ?? null;
  const body = (
    <MarketsProvider instruments={instruments}>
      <Screen instrument={instrument} accounts={accounts} accountId={selected?.id ?? null} />
    </MarketsProvider>
  );
  return selected ? (
    // keyed: another account is another stream, with its own notices
    <TradingAccountProvider key={selected.id} accountId={selected.id} name={selected.name}>
      {body}
    </TradingAccountProvider>
  ) : (
    body
  );
}

function Screen({
  instrument,
  accounts,
  accountId,
}: {
  instrument: InstrumentDto;
  accounts: TradeAccountOption[];
  accountId: string | null;
}) {
  const symbol = instrument.symbol;
  const spec = readSpec(instrument.spec);
  const markets = useMarkets();
  const engineInstrument = markets[symbol]!.instrument;
  const engineInstruments = useMemo(
    () => Object.fromEntries(Object.values(markets).map((m) => [m.symbol, m.instrument])),
    [markets],
  );
  const [picked, setPicked] = useState<{ price: string; at: number } | null>(null);
  const [tab, setTab] = useState<TradeTab>('positions');
  const tabsRef = useRef<HTMLDivElement>(null);
  const common = {
    symbol,
    tickSize: spec.tickSize,
    lotSize: spec.lotSize,
    baseAsset: instrument.baseAsset,
  };
  const hrefFor = useCallback(
    (s: string) => `/trade/${s}${accountId ? `?account=${accountId}` : ''}`,
    [accountId],
  );

  return (
    <div className="space-y-2">
      <AccountNotices
        onShowLiquidations={() => {
          setTab('liquidations');
          tabsRef.current?.scrollIntoView({ block: 'start' });
        }}
      />
      <div className="flex flex-wrap items-stretch gap-2">
        <div className="min-w-0 flex-1 rounded border border-line bg-panel">
          <MarketStrip current={symbol} label="Switch market" hrefFor={hrefFor} />
        </div>
        <AccountSwitcher symbol={symbol} accounts={accounts} accountId={accountId} />
      </div>
      <div className="overflow-hidden rounded border border-line bg-line">
        <SymbolHeader initial={instrument} />
        <div className="grid gap-px lg:grid-cols-[minmax(0,1fr)_320px] xl:grid-cols-[minmax(0,1fr)_260px_320px]">
          <TradeChart {...common} className="order-1 lg:order-none lg:col-start-1 lg:row-start-1" />
          <div className="order-3 grid gap-px sm:grid-cols-2 lg:order-none lg:col-span-1 lg:col-start-1 lg:row-start-2 xl:col-start-2 xl:row-start-1 xl:grid-cols-1">
            <OrderBook
              {...common}
              quoteAsset={instrument.quoteAsset}
              onPick={(price) => setPicked({ price, at: Date.now() })}
            />
            <div
              // a scrolling region: reachable and scrollable by keyboard
              tabIndex={0}
              role="region"
              aria-label="Recent trades, scrollable"
              className="max-h-[360px] overflow-y-auto bg-panel xl:max-h-[280px]"
            >
              <RecentTrades {...common} quoteAsset={instrument.quoteAsset} />
            </div>
          </div>
          <div className="order-2 flex flex-col gap-px bg-panel lg:order-none lg:col-start-2 lg:row-span-2 lg:row-start-1 xl:col-start-3 xl:row-span-1">
            <OrderForm
              {...common}
              instrument={engineInstrument}
              instruments={engineInstruments}
              tiers={spec.riskTiers}
              instrumentDto={instrument}
              pickedPrice={picked}
            />
            <AccountPanel />
          </div>
        </div>
      </div>
      <div ref={tabsRef} className="scroll-mt-2 overflow-hidden rounded border border-line">
        {accountId ? (
          <TradeTabs tab={tab} onTab={setTab} />
        ) : (
          <p className="bg-panel px-4 py-6 text-center text-sm text-muted">
            Your positions, orders, fills, funding and liquidations show here once you trade.
          </p>
        )}
      </div>
    </div>
  );
}

/**
 * The chart with the open position's entry and liquidation price as lines and the trader's fills
 * as markers. It alone follows the account here: the screen around it does not re-render when
 * the marks move the figures (nor on every trade: the parts that show live data subscribe
 * themselves).
 */
function TradeChart(props: Omit<Parameters<typeof CandleChart>[0], 'overlays'>) {
  const overlays = useOverlays(props.symbol);
  return <CandleChart {...props} overlays={overlays} />;
}

function useOverlays(symbol: string): ChartOverlays | undefined {
  const trpc = useTRPC();
  const account = useTradingAccount();
  const fills = useQuery({
    ...trpc.trade.fills.queryOptions({ accountId: account?.accountId ?? '', symbol, limit: 100 }),
    enabled: !!account,
  });
  const position = account?.figures?.positions.find((p) => p.symbol === symbol);
  const entry = position?.entryPrice;
  const liq = position?.liquidationPrice;
  const side = position?.side;
  const lines = useMemo(
    () => [
      ...(entry ? [{ price: entry, title: `Entry (${side})`, tone: 'entry' as const }] : []),
      ...(liq ? [{ price: liq, title: 'Liquidation', tone: 'liquidation' as const }] : []),
    ],
    [entry, liq, side],
  );
  const fillData = fills.data;
  const markers = useMemo(
    () =>
      (fillData?.items ?? []).map((f) => ({
        time: f.time,
        side: f.side,
        price: f.price,
        quantity: f.quantity,
      })),
    [fillData],
  );
  const value = useMemo(() => ({ lines, fills: markers }), [lines, markers]);
  return account ? value : undefined;
}

function AccountSwitcher({
  symbol,
  accounts,
  accountId,
}: {
  symbol: string;
  accounts: TradeAccountOption[];
  accountId: string | null;
}) {
  const router = useRouter();
  const id = useId();
  if (!accounts.length) return null;
  return (
    <div className="flex items-center gap-2 rounded border border-line bg-panel px-3 py-1.5 text-xs">
      <label htmlFor={`${id}-account`} className="text-muted">
        Trading with
      </label>
      <select
        id={`${id}-account`}
        value={accountId ?? ''}
        onChange={(e) => router.replace(`/trade/${symbol}?account=${e.target.value}`)}
        className="max-w-52 rounded-sm border border-line bg-bg px-1.5 py-1 text-sm"
      >
        {accounts.map((a) => (
          <option key={a.id} value={a.id}>
            {a.name}
            {a.kind === 'PERSONAL' ? '' : ` (${a.kind.toLowerCase()})`}
          </option>
        ))}
      </select>
    </div>
  );
}
