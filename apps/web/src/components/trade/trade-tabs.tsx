'use client';
// The tabs under the chart: positions, open orders, order history, fills, funding, liquidations.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Tabs } from '@/components/tabs';
import { useTRPC } from '@/trpc/react';
import {
  FillsTable,
  FundingTable,
  LiquidationsTable,
  OpenOrdersTable,
  OrderHistoryTable,
} from './order-tables';
import { PositionsTable } from './positions-table';
import { useTradingAccount } from './trading-account';

export type TradeTab = 'positions' | 'open' | 'history' | 'fills' | 'funding' | 'liquidations';

export function TradeTabs({ tab, onTab }: { tab: TradeTab; onTab: (t: TradeTab) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const account = useTradingAccount();
  const accountId = account?.accountId ?? '';
  const open = useQuery({
    ...trpc.trade.openOrders.queryOptions({ accountId, limit: 100 }),
    enabled: !!account,
  });
  const cancelAll = useMutation(
    trpc.trade.cancelAllOrders.mutationOptions({
      onSettled: () => void queryClient.invalidateQueries({ queryKey: trpc.trade.pathKey() }),
    }),
  );
  if (!account) return null;
  const positions = account.figures?.positions.length ?? 0;
  const orders = open.data?.items.length ?? 0;
  return (
    <section aria-label="Positions and orders" className="bg-panel">
      <Tabs<TradeTab>
        label="Positions and orders"
        selected={tab}
        onSelect={onTab}
        tabs={[
          { key: 'positions', label: `Positions (${positions})` },
          { key: 'open', label: `Open orders (${orders})` },
          { key: 'history', label: 'Order history' },
          { key: 'fills', label: 'Fills' },
          { key: 'funding', label: 'Funding' },
          { key: 'liquidations', label: 'Liquidations' },
        ]}
        actions={
          tab === 'open' && orders > 0 ? (
            <button
              type="button"
              disabled={cancelAll.isPending}
              onClick={() => cancelAll.mutate({ accountId })}
              className="rounded-sm border border-line px-2 py-0.5 text-[11px] hover:border-muted disabled:opacity-50"
            >
              {cancelAll.isPending ? 'Canceling…' : 'Cancel all'}
            </button>
          ) : null
        }
      >
        <div className="min-h-40">
          {tab === 'positions' ? <PositionsTable /> : null}
          {tab === 'open' ? <OpenOrdersTable /> : null}
          {tab === 'history' ? <OrderHistoryTable /> : null}
          {tab === 'fills' ? <FillsTable /> : null}
          {tab === 'funding' ? <FundingTable /> : null}
          {tab === 'liquidations' ? <LiquidationsTable /> : null}
        </div>
      </Tabs>
    </section>
  );
}
