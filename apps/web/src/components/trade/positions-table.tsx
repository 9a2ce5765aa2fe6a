'use client';
// Open positions as exchanges show them, live: every figure is the engine's (private stream);
// the funding paid comes from the read model. Close (market or limit), isolated margin and
// TP/SL on each row.
import type { PositionFigures } from '@lab/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { formatPrice, formatQuantity } from '@/lib/market-format';
import { ratioPercent, usdt } from '@/lib/trade-format';
import { useTRPC } from '@/trpc/react';
import { useMarketSpec } from './markets-context';
import { ClosePositionDialog, MarginDialog, TpSlDialog } from './position-dialogs';
import { Signed } from './signed';
import { useTradingAccount } from './trading-account';

type Dialog = { kind: 'limit' | 'margin' | 'tpsl'; position: PositionFigures } | null;

const th = 'px-3 py-2 text-right font-normal whitespace-nowrap';
const td = 'num px-3 py-2 whitespace-nowrap';

export function PositionsTable() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const account = useTradingAccount()!;
  const accountId = account.accountId;
  const positions = account.figures?.positions ?? [];
  const extra = useQuery(trpc.trade.positions.queryOptions({ accountId }));
  const openOrders = useQuery(trpc.trade.openOrders.queryOptions({ accountId, limit: 100 }));
  const settings = useQuery(trpc.trade.settings.queryOptions({ accountId }));
  const [dialog, setDialog] = useState<Dialog>(null);
  const [closing, setClosing] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const close = useMutation(
    trpc.trade.closePosition.mutationOptions({
      onSettled: () => {
        setClosing(null);
        void queryClient.invalidateQueries({ queryKey: trpc.trade.pathKey() });
      },
      onError: (e) => setError(e.message),
    }),
  );
  const funding = new Map((extra.data ?? []).map((p) => [p.symbol, p.fundingPaid]));
  if (!account.figures) return <p className="px-3 py-6 text-sm text-muted">Loading positions…</p>;
  if (!positions.length)
    return <p className="px-3 py-6 text-center text-sm text-muted">No open positions.</p>;
  const tpsl = (symbol: string) =>
    (openOrders.data?.items ?? []).filter((o) => o.symbol === symbol && o.closePosition);

  return (
    <div>
      {error ? (
        <p role="alert" className="px-3 pt-2 text-xs text-down">
          {error}
        </p>
      ) : null}
      <div className="relative overflow-x-auto">
        <table className="w-full min-w-[1100px] border-collapse text-xs">
          <caption className="sr-only">Open positions, live at the mark price</caption>
          <thead>
            <tr className="border-b border-line text-[11px] text-muted">
              <th scope="col" className="px-3 py-2 text-left font-normal">
                Symbol
              </th>
              <th scope="col" className={th}>
                Size
              </th>
              <th scope="col" className={th}>
                Entry price
              </th>
              <th scope="col" className={th}>
                Mark price
              </th>
              <th scope="col" className={th}>
                Liq. price
              </th>
              <th scope="col" className={th}>
                Margin
              </th>
              <th scope="col" className={th}>
                Margin ratio
              </th>
              <th scope="col" className={th}>
                PnL (ROE %)
              </th>
              <th scope="col" className={th}>
                Funding paid
              </th>
              <th scope="col" className={th}>
                TP / SL
              </th>
              <th scope="col" className="px-3 py-2 text-right font-normal">
                Close
              </th>
            </tr>
          </thead>
          <tbody>
            {positions.map((p) => (
              <PositionRow
                key={p.symbol}
                p={p}
                fundingPaid={funding.get(p.symbol) ?? null}
                tpsl={tpsl(p.symbol)}
                closing={closing === p.symbol}
                onMarket={() => {
                  setError(null);
                  setClosing(p.symbol);
                  close.mutate({ accountId, symbol: p.symbol, type: 'market' });
                }}
                onDialog={(kind) => setDialog({ kind, position: p })}
              />
            ))}
          </tbody>
        </table>
      </div>
      {dialog?.kind === 'limit' ? (
        <ClosePositionDialog position={dialog.position} onClose={() => setDialog(null)} />
      ) : null}
      {dialog?.kind === 'margin' ? (
        <MarginDialog position={dialog.position} onClose={() => setDialog(null)} />
      ) : null}
      {dialog?.kind === 'tpsl' ? (
        <TpSlDialog
          position={dialog.position}
          orders={openOrders.data?.items ?? []}
          settings={settings.data ?? []}
          onClose={() => setDialog(null)}
        />
      ) : null}
    </div>
  );
}

function PositionRow({
  p,
  fundingPaid,
  tpsl,
  closing,
  onMarket,
  onDialog,
}: {
  p: PositionFigures;
  fundingPaid: string | null;
  tpsl: Array<{ currentType: string; stopPrice: string | null }>;
  closing: boolean;
  onMarket: () => void;
  onDialog: (kind: 'limit' | 'margin' | 'tpsl') => void;
}) {
  const spec = useMarketSpec(p.symbol);
  const long = p.side === 'long';
  const size = p.quantity.replace(/^-/, '');
  const tp = tpsl.find((o) => o.currentType === 'takeProfitMarket');
  const sl = tpsl.find((o) => o.currentType === 'stopMarket');
  const btn =
    'rounded-sm border border-line px-2 py-0.5 text-[11px] text-text hover:border-muted disabled:opacity-50';
  return (
    <tr className="border-b border-line/60 last:border-b-0">
      <th scope="row" className="px-3 py-2 text-left font-normal">
        <span
          className={`mr-2 inline-block w-1 self-stretch rounded ${long ? 'bg-up' : 'bg-down'}`}
          aria-hidden
        >
          &nbsp;
        </span>
        <span className="font-semibold">{p.symbol}</span>
        <span className={`ml-2 text-[11px] font-semibold ${long ? 'text-up' : 'text-down'}`}>
          {long ? '▲ Long' : '▼ Short'}
        </span>
        <span className="ml-2 rounded-sm bg-panel-2 px-1 text-[10px] text-muted">
          {p.marginMode === 'cross' ? 'Cross' : 'Isolated'} {p.leverage}×
        </span>
      </th>
      <td className={`${td} ${long ? 'text-up' : 'text-down'}`}>
        {long ? '' : '−'}
        {formatQuantity(size, spec.lotSize)} {spec.baseAsset}
      </td>
      <td className={td}>{formatPrice(p.entryPrice, spec.tickSize)}</td>
      <td className={td}>{formatPrice(p.markPrice, spec.tickSize)}</td>
      <td className={`${td} text-accent`} data-testid={`liq-${p.symbol}`}>
        {p.liquidationPrice ? formatPrice(p.liquidationPrice, spec.tickSize) : '—'}
      </td>
      <td className={td}>
        {usdt(p.margin)} USDT
        <span className="ml-1 text-[10px] text-muted">
          {p.marginMode === 'cross' ? 'cross' : 'isolated'}
        </span>
        {p.marginMode === 'isolated' ? (
          <button
            type="button"
            className={`${btn} ml-2`}
            onClick={() => onDialog('margin')}
            aria-label={`Add or remove margin of ${p.symbol}`}
          >
            ±
          </button>
        ) : null}
      </td>
      <td className={td}>{ratioPercent(p.marginRatio)}</td>
      <td className={td}>
        <Signed value={p.unrealizedPnl} suffix=" USDT" />
        <span className="ml-1 text-[11px]">
          (<Signed value={p.roe} percent />)
        </span>
      </td>
      <td className={td}>
        <FundingPaid value={fundingPaid} />
      </td>
      <td className={td}>
        <span className="text-muted">
          {tp?.stopPrice ? formatPrice(tp.stopPrice, spec.tickSize) : '—'} /{' '}
          {sl?.stopPrice ? formatPrice(sl.stopPrice, spec.tickSize) : '—'}
        </span>
        <button
          type="button"
          className={`${btn} ml-2`}
          onClick={() => onDialog('tpsl')}
          aria-label={`Edit take profit and stop loss of ${p.symbol}`}
        >
          Edit
        </button>
      </td>
      <td className="whitespace-nowrap px-3 py-2 text-right">
        <span className="inline-flex gap-1">
          <button
            type="button"
            className={btn}
            disabled={closing}
            onClick={onMarket}
            aria-label={`Close ${p.symbol} at market`}
          >
            {closing ? 'Closing…' : 'Market'}
          </button>
          <button
            type="button"
            className={btn}
            onClick={() => onDialog('limit')}
            aria-label={`Close ${p.symbol} with a limit order`}
          >
            Limit
          </button>
        </span>
      </td>
    </tr>
  );
}

/** Net funding since the position opened, in words: paid (out of the account) or received. */
function FundingPaid({ value }: { value: string | null }) {
  if (value === null) return <span className="text-muted">—</span>;
  const received = value.startsWith('-');
  const amount = value.replace(/^-/, '');
  if (/^0*(\.0*)?$/.test(amount)) return <span className="text-muted">0.00</span>;
  return (
    <span className={received ? 'text-up' : 'text-down'}>
      {usdt(amount)} {received ? 'received' : 'paid'}
    </span>
  );
}
