'use client';
// Open orders (amend a resting limit, cancel), the order history, fills, funding payments and
// liquidations of the account, newest first, with the columns traders know.
import { positiveDecimal } from '@lab/contracts';
import { Decimal } from '@lab/margin-engine';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useId, useState } from 'react';
import { Dialog, DialogButtons } from '@/components/dialog';
import { describeRefusal } from '@/lib/engine-messages';
import { formatPrice, formatQuantity, formatRatePercent } from '@/lib/market-format';
import { cleanNumber } from '@/lib/order-draft';
import {
  formatDateTime,
  ORDER_STATUS_LABEL,
  ORDER_TYPE_LABEL,
  ratioPercent,
  TIF_LABEL,
  usdt,
} from '@/lib/trade-format';
import { useTRPC } from '@/trpc/react';
import type { AppRouter } from '@lab/api';
import type { inferRouterOutputs } from '@trpc/server';
import { useMarketSpec } from './markets-context';
import { Signed } from './signed';
import { useTradingAccount } from './trading-account';

type Out = inferRouterOutputs<AppRouter>['trade'];
type OrderRow = Out['openOrders']['items'][number];
type FillRow = Out['fills']['items'][number];
type FundingRow = Out['fundingPayments']['items'][number];
type LiquidationRow = Out['liquidations']['items'][number];

const th = 'px-3 py-2 text-right font-normal whitespace-nowrap';
const thl = 'px-3 py-2 text-left font-normal whitespace-nowrap';
const td = 'num px-3 py-2 whitespace-nowrap';
const tdl = 'px-3 py-2 text-left whitespace-nowrap';
const btn =
  'rounded-sm border border-line px-2 py-0.5 text-[11px] text-text hover:border-muted disabled:opacity-50';

function Empty({ children }: { children: React.ReactNode }) {
  return <p className="px-3 py-6 text-center text-sm text-muted">{children}</p>;
}

function Table({
  caption,
  minWidth,
  head,
  children,
}: {
  caption: string;
  minWidth: number;
  head: React.ReactNode;
  children: React.ReactNode;
}) {
  return (
    <div className="relative overflow-x-auto">
      <table className="w-full border-collapse text-xs" style={{ minWidth }}>
        <caption className="sr-only">{caption}</caption>
        <thead>
          <tr className="border-b border-line text-[11px] text-muted">{head}</tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

function SideText({ side }: { side: string }) {
  return (
    <span className={side === 'buy' ? 'text-up' : 'text-down'}>
      {side === 'buy' ? '▲ Buy' : '▼ Sell'}
    </span>
  );
}

function Time({ ms }: { ms: number }) {
  return (
    <time dateTime={new Date(ms).toISOString()} suppressHydrationWarning className="text-muted">
      {formatDateTime(ms)}
    </time>
  );
}

function MoreButton({
  hasNext,
  loading,
  onMore,
}: {
  hasNext: boolean;
  loading: boolean;
  onMore: () => void;
}) {
  if (!hasNext) return null;
  return (
    <div className="px-3 py-2">
      <button type="button" className={btn} disabled={loading} onClick={onMore}>
        {loading ? 'Loading…' : 'Load older'}
      </button>
    </div>
  );
}

export function OpenOrdersTable() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { accountId } = useTradingAccount()!;
  const orders = useQuery(trpc.trade.openOrders.queryOptions({ accountId, limit: 100 }));
  const [amending, setAmending] = useState<OrderRow | null>(null);
  const [error, setError] = useState<string | null>(null);
  const cancel = useMutation(
    trpc.trade.cancelOrder.mutationOptions({
      onSettled: () => void queryClient.invalidateQueries({ queryKey: trpc.trade.pathKey() }),
      onError: (e) => setError(e.message),
    }),
  );
  const items = orders.data?.items ?? [];
  if (orders.isPending) return <Empty>Loading orders…</Empty>;
  if (!items.length) return <Empty>No open orders.</Empty>;
  return (
    <div>
      {error ? (
        <p role="alert" className="px-3 pt-2 text-xs text-down">
          {error}
        </p>
      ) : null}
      <Table
        caption="Open orders"
        minWidth={1000}
        head={
          <>
            <th scope="col" className={thl}>
              Time
            </th>
            <th scope="col" className={thl}>
              Symbol
            </th>
            <th scope="col" className={thl}>
              Type
            </th>
            <th scope="col" className={thl}>
              Side
            </th>
            <th scope="col" className={th}>
              Price
            </th>
            <th scope="col" className={th}>
              Trigger
            </th>
            <th scope="col" className={th}>
              Amount
            </th>
            <th scope="col" className={th}>
              Filled
            </th>
            <th scope="col" className={thl}>
              Reduce-only
            </th>
            <th scope="col" className={thl}>
              TIF
            </th>
            <th scope="col" className={thl}>
              Status
            </th>
            <th scope="col" className={th}>
              <span className="sr-only">Actions</span>
            </th>
          </>
        }
      >
        {items.map((o) => (
          <OpenOrderRow
            key={o.id}
            o={o}
            canceling={cancel.isPending && cancel.variables?.orderId === o.id}
            onCancel={() => {
              setError(null);
              cancel.mutate({ accountId, orderId: o.id });
            }}
            onAmend={() => setAmending(o)}
          />
        ))}
      </Table>
      {amending ? <AmendDialog order={amending} onClose={() => setAmending(null)} /> : null}
    </div>
  );
}

function OpenOrderRow({
  o,
  canceling,
  onCancel,
  onAmend,
}: {
  o: OrderRow;
  canceling: boolean;
  onCancel: () => void;
  onAmend: () => void;
}) {
  const spec = useMarketSpec(o.symbol);
  const amendable =
    o.currentType === 'limit' && (o.status === 'new' || o.status === 'partiallyFilled');
  return (
    <tr className="border-b border-line/60 last:border-b-0">
      <td className={tdl}>
        <Time ms={o.createdAt} />
      </td>
      <th scope="row" className={`${tdl} font-semibold`}>
        {o.symbol}
      </th>
      <td className={tdl}>
        {ORDER_TYPE_LABEL[o.type] ?? o.type}
        {o.closePosition ? <span className="ml-1 text-muted">(close position)</span> : null}
      </td>
      <td className={tdl}>
        <SideText side={o.side} />
      </td>
      <td className={td}>{o.price ? formatPrice(o.price, spec.tickSize) : 'Market'}</td>
      <td className={td}>
        {o.stopPrice
          ? `${o.workingType === 'last' ? 'Last' : 'Mark'} ${formatPrice(o.stopPrice, spec.tickSize)}`
          : '—'}
      </td>
      <td className={td}>
        {o.closePosition
          ? 'Whole position'
          : `${formatQuantity(o.quantity, spec.lotSize)} ${spec.baseAsset}`}
      </td>
      <td className={td}>{formatQuantity(o.filledQuantity, spec.lotSize)}</td>
      <td className={tdl}>{o.reduceOnly || o.closePosition ? 'Yes' : 'No'}</td>
      <td className={tdl}>{TIF_LABEL[o.timeInForce] ?? o.timeInForce}</td>
      <td className={tdl}>{ORDER_STATUS_LABEL[o.status] ?? o.status}</td>
      <td className="whitespace-nowrap px-3 py-2 text-right">
        <span className="inline-flex gap-1">
          {amendable ? (
            <button
              type="button"
              className={btn}
              onClick={onAmend}
              aria-label={`Amend ${o.symbol} order ${o.orderNo}`}
            >
              Amend
            </button>
          ) : null}
          <button
            type="button"
            className={btn}
            disabled={canceling}
            onClick={onCancel}
            aria-label={`Cancel ${o.symbol} order ${o.orderNo}`}
          >
            {canceling ? 'Canceling…' : 'Cancel'}
          </button>
        </span>
      </td>
    </tr>
  );
}

function AmendDialog({ order, onClose }: { order: OrderRow; onClose: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { accountId } = useTradingAccount()!;
  const spec = useMarketSpec(order.symbol);
  const id = useId();
  const [price, setPrice] = useState(order.price ?? '');
  const [quantity, setQuantity] = useState(order.quantity);
  const [tried, setTried] = useState(false);
  const mutation = useMutation(
    trpc.trade.amendOrder.mutationOptions({
      onSuccess: () => {
        void queryClient.invalidateQueries({ queryKey: trpc.trade.pathKey() });
        onClose();
      },
    }),
  );
  const onStep = (v: string, step: Decimal | undefined) => {
    try {
      return !step || new Decimal(cleanNumber(v)).mod(step).isZero();
    } catch {
      return false;
    }
  };
  const priceError = !positiveDecimal('price').safeParse(cleanNumber(price)).success
    ? 'Enter the price as a number above zero.'
    : !onStep(price, spec.instrument?.tickSize)
      ? `The price must be a multiple of the tick, ${spec.tickSize} USDT.`
      : null;
  const qtyError = !positiveDecimal('quantity').safeParse(cleanNumber(quantity)).success
    ? 'Enter the quantity as a number above zero.'
    : !onStep(quantity, spec.instrument?.lotSize)
      ? `The quantity must be a whole number of lots of ${spec.lotSize} ${spec.baseAsset}.`
      : new Decimal(cleanNumber(quantity)).lte(order.filledQuantity)
        ? `More than the ${formatQuantity(order.filledQuantity, spec.lotSize)} already filled.`
        : null;
  const field = (
    fid: string,
    label: string,
    value: string,
    set: (v: string) => void,
    err: string | null,
    unit: string,
  ) => (
    <div>
      <label htmlFor={fid} className="mb-1 block text-xs text-muted">
        {label}
      </label>
      <div
        className={`flex items-center rounded border bg-bg ${tried && err ? 'border-down' : 'border-line'}`}
      >
        <input
          id={fid}
          inputMode="decimal"
          value={value}
          onChange={(e) => set(e.target.value)}
          aria-invalid={tried && err ? true : undefined}
          aria-describedby={tried && err ? `${fid}-error` : undefined}
          className="num min-w-0 flex-1 bg-transparent px-2 py-2 text-sm outline-none"
        />
        <span className="pr-2 text-xs text-muted">{unit}</span>
      </div>
      {tried && err ? (
        <p id={`${fid}-error`} className="mt-1 text-xs text-down">
          <span aria-hidden>⚠ </span>
          {err}
        </p>
      ) : null}
    </div>
  );
  return (
    <Dialog open onClose={onClose} title={`Amend ${order.symbol} limit order`}>
      <form
        noValidate
        className="space-y-3 text-sm"
        onSubmit={(e) => {
          e.preventDefault();
          setTried(true);
          if (priceError || qtyError) return;
          mutation.mutate({
            accountId,
            orderId: order.id,
            price: cleanNumber(price),
            quantity: cleanNumber(quantity),
          });
        }}
      >
        {field(`${id}-price`, 'Price', price, setPrice, priceError, 'USDT')}
        {field(
          `${id}-qty`,
          'Total quantity (filled part included)',
          quantity,
          setQuantity,
          qtyError,
          spec.baseAsset,
        )}
        {mutation.error ? (
          <p role="alert" className="text-xs text-down">
            {describeRefusal(
              mutation.error,
              spec.instrument ? { instrument: spec.instrument, baseAsset: spec.baseAsset } : null,
            )}
          </p>
        ) : null}
        <DialogButtons
          pending={mutation.isPending}
          label="Amend"
          pendingLabel="Saving…"
          onCancel={onClose}
        />
      </form>
    </Dialog>
  );
}

export function OrderHistoryTable() {
  const trpc = useTRPC();
  const { accountId } = useTradingAccount()!;
  const q = useInfiniteQuery(
    trpc.trade.orderHistory.infiniteQueryOptions(
      { accountId, limit: 50 },
      { getNextPageParam: (p) => p.nextCursor ?? undefined },
    ),
  );
  const items = q.data?.pages.flatMap((p) => p.items) ?? [];
  if (q.isPending) return <Empty>Loading order history…</Empty>;
  if (!items.length) return <Empty>No orders yet.</Empty>;
  return (
    <div>
      <Table
        caption="Order history"
        minWidth={1000}
        head={
          <>
            <th scope="col" className={thl}>
              Time
            </th>
            <th scope="col" className={thl}>
              Symbol
            </th>
            <th scope="col" className={thl}>
              Type
            </th>
            <th scope="col" className={thl}>
              Side
            </th>
            <th scope="col" className={th}>
              Average
            </th>
            <th scope="col" className={th}>
              Price
            </th>
            <th scope="col" className={th}>
              Trigger
            </th>
            <th scope="col" className={th}>
              Executed / amount
            </th>
            <th scope="col" className={thl}>
              Status
            </th>
          </>
        }
      >
        {items.map((o) => (
          <HistoryRow key={o.id} o={o} />
        ))}
      </Table>
      <MoreButton
        hasNext={q.hasNextPage}
        loading={q.isFetchingNextPage}
        onMore={() => void q.fetchNextPage()}
      />
    </div>
  );
}

function HistoryRow({ o }: { o: OrderRow }) {
  const spec = useMarketSpec(o.symbol);
  return (
    <tr className="border-b border-line/60 last:border-b-0">
      <td className={tdl}>
        <Time ms={o.createdAt} />
      </td>
      <th scope="row" className={`${tdl} font-semibold`}>
        {o.symbol}
      </th>
      <td className={tdl}>{ORDER_TYPE_LABEL[o.type] ?? o.type}</td>
      <td className={tdl}>
        <SideText side={o.side} />
      </td>
      <td className={td}>{o.averagePrice ? formatPrice(o.averagePrice, spec.tickSize) : '—'}</td>
      <td className={td}>{o.price ? formatPrice(o.price, spec.tickSize) : 'Market'}</td>
      <td className={td}>{o.stopPrice ? formatPrice(o.stopPrice, spec.tickSize) : '—'}</td>
      <td className={td}>
        {formatQuantity(o.filledQuantity, spec.lotSize)} /{' '}
        {o.closePosition && o.quantity === '0'
          ? 'position'
          : formatQuantity(o.quantity, spec.lotSize)}
      </td>
      <td className={tdl}>
        {ORDER_STATUS_LABEL[o.status] ?? o.status}
        {o.statusReason ? <span className="ml-1 text-muted">({o.statusReason})</span> : null}
      </td>
    </tr>
  );
}

export function FillsTable() {
  const trpc = useTRPC();
  const { accountId } = useTradingAccount()!;
  const q = useInfiniteQuery(
    trpc.trade.fills.infiniteQueryOptions(
      { accountId, limit: 50 },
      { getNextPageParam: (p) => p.nextCursor ?? undefined },
    ),
  );
  const items = q.data?.pages.flatMap((p) => p.items) ?? [];
  if (q.isPending) return <Empty>Loading fills…</Empty>;
  if (!items.length) return <Empty>No fills yet.</Empty>;
  return (
    <div>
      <Table
        caption="Fills (trade history)"
        minWidth={900}
        head={
          <>
            <th scope="col" className={thl}>
              Time
            </th>
            <th scope="col" className={thl}>
              Symbol
            </th>
            <th scope="col" className={thl}>
              Side
            </th>
            <th scope="col" className={th}>
              Price
            </th>
            <th scope="col" className={th}>
              Quantity
            </th>
            <th scope="col" className={th}>
              Fee
            </th>
            <th scope="col" className={thl}>
              Role
            </th>
            <th scope="col" className={th}>
              Realized PnL
            </th>
          </>
        }
      >
        {items.map((f) => (
          <FillRowView key={f.id} f={f} />
        ))}
      </Table>
      <MoreButton
        hasNext={q.hasNextPage}
        loading={q.isFetchingNextPage}
        onMore={() => void q.fetchNextPage()}
      />
    </div>
  );
}

function FillRowView({ f }: { f: FillRow }) {
  const spec = useMarketSpec(f.symbol);
  return (
    <tr className="border-b border-line/60 last:border-b-0">
      <td className={tdl}>
        <Time ms={f.time} />
      </td>
      <th scope="row" className={`${tdl} font-semibold`}>
        {f.symbol}
        {f.isLiquidation ? <span className="ml-1 font-normal text-down">(liquidation)</span> : null}
      </th>
      <td className={tdl}>
        <SideText side={f.side} />
      </td>
      <td className={td}>{formatPrice(f.price, spec.tickSize)}</td>
      <td className={td}>
        {formatQuantity(f.quantity, spec.lotSize)} {spec.baseAsset}
      </td>
      <td className={td}>{usdt(f.fee)} USDT</td>
      <td className={tdl}>{f.liquidity === 'maker' ? 'Maker' : 'Taker'}</td>
      <td className={td}>
        <Signed value={f.realizedPnl} suffix=" USDT" />
      </td>
    </tr>
  );
}

export function FundingTable() {
  const trpc = useTRPC();
  const { accountId } = useTradingAccount()!;
  const q = useInfiniteQuery(
    trpc.trade.fundingPayments.infiniteQueryOptions(
      { accountId, limit: 50 },
      { getNextPageParam: (p) => p.nextCursor ?? undefined },
    ),
  );
  const items = q.data?.pages.flatMap((p) => p.items) ?? [];
  if (q.isPending) return <Empty>Loading funding…</Empty>;
  if (!items.length)
    return (
      <Empty>No funding yet: it is paid on positions held at 00:00, 08:00 and 16:00 UTC.</Empty>
    );
  return (
    <div>
      <Table
        caption="Funding payments"
        minWidth={760}
        head={
          <>
            <th scope="col" className={thl}>
              Time
            </th>
            <th scope="col" className={thl}>
              Symbol
            </th>
            <th scope="col" className={th}>
              Funding rate
            </th>
            <th scope="col" className={th}>
              Position
            </th>
            <th scope="col" className={th}>
              Mark price
            </th>
            <th scope="col" className={th}>
              Amount
            </th>
          </>
        }
      >
        {items.map((f) => (
          <FundingRowView key={f.id} f={f} />
        ))}
      </Table>
      <MoreButton
        hasNext={q.hasNextPage}
        loading={q.isFetchingNextPage}
        onMore={() => void q.fetchNextPage()}
      />
    </div>
  );
}

function FundingRowView({ f }: { f: FundingRow }) {
  const spec = useMarketSpec(f.symbol);
  return (
    <tr className="border-b border-line/60 last:border-b-0">
      <td className={tdl}>
        <Time ms={f.fundingTime} />
      </td>
      <th scope="row" className={`${tdl} font-semibold`}>
        {f.symbol}
      </th>
      <td className={td}>{formatRatePercent(f.rate, 4)}</td>
      <td className={td}>
        {formatQuantity(f.positionQuantity.replace(/^-/, ''), spec.lotSize)} {spec.baseAsset}{' '}
        {f.positionQuantity.startsWith('-') ? 'short' : 'long'}
      </td>
      <td className={td}>{formatPrice(f.markPrice, spec.tickSize)}</td>
      <td className={td}>
        <Signed value={f.amount} decimals={4} suffix=" USDT" />
        <span className="ml-1 text-muted">{f.amount.startsWith('-') ? 'paid' : 'received'}</span>
      </td>
    </tr>
  );
}

export function LiquidationsTable() {
  const trpc = useTRPC();
  const { accountId } = useTradingAccount()!;
  const q = useInfiniteQuery(
    trpc.trade.liquidations.infiniteQueryOptions(
      { accountId, limit: 50 },
      { getNextPageParam: (p) => p.nextCursor ?? undefined },
    ),
  );
  const items = q.data?.pages.flatMap((p) => p.items) ?? [];
  if (q.isPending) return <Empty>Loading liquidations…</Empty>;
  if (!items.length) return <Empty>No liquidations. Keep it that way.</Empty>;
  return (
    <div>
      <Table
        caption="Liquidations"
        minWidth={980}
        head={
          <>
            <th scope="col" className={thl}>
              Time
            </th>
            <th scope="col" className={thl}>
              Mode
            </th>
            <th scope="col" className={thl}>
              Positions closed
            </th>
            <th scope="col" className={th}>
              Mark at trigger
            </th>
            <th scope="col" className={th}>
              Margin balance
            </th>
            <th scope="col" className={th}>
              Maint. margin
            </th>
            <th scope="col" className={th}>
              Margin ratio
            </th>
            <th scope="col" className={th}>
              Fee
            </th>
            <th scope="col" className={th}>
              Shortfall
            </th>
            <th scope="col" className={th}>
              <span className="sr-only">Explanation</span>
            </th>
          </>
        }
      >
        {items.map((l) => (
          <LiquidationRowView key={l.id} l={l} accountId={accountId} />
        ))}
      </Table>
      <MoreButton
        hasNext={q.hasNextPage}
        loading={q.isFetchingNextPage}
        onMore={() => void q.fetchNextPage()}
      />
    </div>
  );
}

function LiquidationRowView({ l, accountId }: { l: LiquidationRow; accountId: string }) {
  const spec = useMarketSpec(l.symbol ?? l.positionsClosed[0]?.symbol ?? 'BTCUSDT');
  return (
    <tr className="border-b border-line/60 last:border-b-0">
      <td className={tdl}>
        <Time ms={l.time} />
      </td>
      <td className={tdl}>{l.mode === 'cross' ? 'Cross' : 'Isolated'}</td>
      <th scope="row" className={`${tdl} font-normal`}>
        {l.positionsClosed.length
          ? l.positionsClosed
              .map(
                (p) =>
                  `${p.symbol} ${p.side === 'sell' ? 'long' : 'short'}${p.partial ? ' (part)' : ''}`,
              )
              .join(', ')
          : (l.symbol ?? '—')}
      </th>
      <td className={td}>{l.markPrice ? formatPrice(l.markPrice, spec.tickSize) : '—'}</td>
      <td className={td}>{usdt(l.marginBalance)}</td>
      <td className={td}>{usdt(l.maintenanceMargin)}</td>
      <td className={td}>{ratioPercent(l.marginRatio)}</td>
      <td className={td}>{usdt(l.fee)}</td>
      <td className={td}>{usdt(l.shortfall)}</td>
      <td className="whitespace-nowrap px-3 py-2 text-right">
        <Link
          href={`/accounts/${accountId}/liquidations/${l.id}`}
          className="text-accent hover:underline"
        >
          Why? <span className="sr-only">Explain the liquidation at {formatDateTime(l.time)}</span>
        </Link>
      </td>
    </tr>
  );
}
