'use client';
// What a trader does to an open position: close it at a limit price, add or remove isolated
// margin, set or change its take-profit and stop-loss. Each entry is checked in the browser
// (the API's schema primitives, the engine's rules) before it is sent.
import type { PositionFigures } from '@lab/contracts';
import { positiveDecimal } from '@lab/contracts';
import { Decimal } from '@lab/margin-engine';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { Dialog, DialogButtons } from '@/components/dialog';
import { useLiveSymbol } from '@/components/market/live-store';
import { checkOrder, mirrorAccount, mirrorMarket, type OpenOrderLike } from '@/lib/engine-mirror';
import { describeEngineCode, describeRefusal } from '@/lib/engine-messages';
import { formatPrice, formatQuantity } from '@/lib/market-format';
import { cleanNumber } from '@/lib/order-draft';
import { usdt } from '@/lib/trade-format';
import { useTRPC } from '@/trpc/react';
import { useMarkets, useMarketSpec } from './markets-context';
import { useTradingAccount } from './trading-account';

function useRefresh() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return () => void queryClient.invalidateQueries({ queryKey: trpc.trade.pathKey() });
}

/** The first message of a bounded-decimal check, as a sentence about `name`. */
function decimalError(value: string, name: string): string | null {
  const r = positiveDecimal(name).safeParse(cleanNumber(value));
  if (r.success) return null;
  return `Enter ${name} as a number above zero, like 12.5.`;
}

function InputRow({
  id,
  label,
  value,
  onChange,
  error,
  unit,
  hint,
}: {
  id: string;
  label: string;
  value: string;
  onChange: (v: string) => void;
  error: string | null;
  unit: string;
  hint?: string;
}) {
  return (
    <div>
      <label htmlFor={id} className="mb-1 block text-xs text-muted">
        {label}
      </label>
      <div
        className={`flex items-center rounded border bg-bg ${error ? 'border-down' : 'border-line'}`}
      >
        <input
          id={id}
          inputMode="decimal"
          autoComplete="off"
          value={value}
          onChange={(e) => onChange(e.target.value)}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${id}-error` : hint ? `${id}-hint` : undefined}
          className="num min-w-0 flex-1 bg-transparent px-2 py-2 text-sm outline-none"
        />
        <span className="pr-2 text-xs text-muted">{unit}</span>
      </div>
      {error ? (
        <p id={`${id}-error`} className="mt-1 text-xs text-down">
          <span aria-hidden>⚠ </span>
          {error}
        </p>
      ) : hint ? (
        <p id={`${id}-hint`} className="mt-1 text-[11px] text-muted">
          {hint}
        </p>
      ) : null}
    </div>
  );
}

export function ClosePositionDialog({
  position,
  onClose,
}: {
  position: PositionFigures;
  onClose: () => void;
}) {
  const trpc = useTRPC();
  const account = useTradingAccount()!;
  const spec = useMarketSpec(position.symbol);
  const live = useLiveSymbol(position.symbol);
  const refresh = useRefresh();
  const id = useId();
  const [price, setPrice] = useState(live.last ?? position.markPrice);
  const [tried, setTried] = useState(false);
  const mutation = useMutation(
    trpc.trade.closePosition.mutationOptions({
      onSuccess: () => {
        refresh();
        onClose();
      },
    }),
  );
  const size = position.quantity.replace(/^-/, '');
  let error = decimalError(price, 'the price');
  if (!error && spec.instrument) {
    const step = spec.instrument.tickSize;
    try {
      if (!new Decimal(cleanNumber(price)).mod(step).isZero())
        error = `The price must be a multiple of the tick, ${step.toFixed()} USDT.`;
    } catch {
      error = 'Enter the price as a number above zero.';
    }
  }
  return (
    <Dialog open onClose={onClose} title={`Close ${position.symbol} with a limit order`}>
      <form
        noValidate
        className="space-y-3 text-sm"
        onSubmit={(e) => {
          e.preventDefault();
          setTried(true);
          if (error) return;
          mutation.mutate({
            accountId: account.accountId,
            symbol: position.symbol,
            type: 'limit',
            price: cleanNumber(price),
          });
        }}
      >
        <p className="text-muted">
          A reduce-only limit order to {position.side === 'long' ? 'sell' : 'buy'}{' '}
          <span className="num text-text">
            {formatQuantity(size, spec.lotSize)} {spec.baseAsset}
          </span>
          : it closes the whole position when the price reaches it.
        </p>
        <InputRow
          id={`${id}-price`}
          label="Limit price"
          unit="USDT"
          value={price}
          onChange={setPrice}
          error={tried ? error : null}
          hint={`Mark ${formatPrice(position.markPrice, spec.tickSize)}`}
        />
        {mutation.error ? (
          <p role="alert" className="text-xs text-down">
            {describeRefusal(
              mutation.error,
              spec.instrument ? { instrument: spec.instrument, baseAsset: spec.baseAsset } : null,
            )}
          </p>
        ) : null}
        <DialogButtons pending={mutation.isPending} label="Place close order" onCancel={onClose} />
      </form>
    </Dialog>
  );
}

export function MarginDialog({
  position,
  onClose,
}: {
  position: PositionFigures;
  onClose: () => void;
}) {
  const trpc = useTRPC();
  const account = useTradingAccount()!;
  const refresh = useRefresh();
  const id = useId();
  const spec = useMarketSpec(position.symbol);
  const [action, setAction] = useState<'add' | 'remove'>('add');
  const [amount, setAmount] = useState('');
  const [tried, setTried] = useState(false);
  const mutation = useMutation(
    trpc.trade.adjustMargin.mutationOptions({
      onSuccess: () => {
        refresh();
        onClose();
      },
    }),
  );
  let error = decimalError(amount, 'the amount');
  if (!error && /\.\d{9,}$/.test(cleanNumber(amount))) error = 'Use at most 8 decimals.';
  const available = account.figures?.account.availableBalance ?? null;
  return (
    <Dialog open onClose={onClose} title={`Isolated margin · ${position.symbol}`}>
      <form
        noValidate
        className="space-y-3 text-sm"
        onSubmit={(e) => {
          e.preventDefault();
          setTried(true);
          if (error) return;
          mutation.mutate({
            accountId: account.accountId,
            symbol: position.symbol,
            action,
            amount: cleanNumber(amount),
          });
        }}
      >
        <div
          role="group"
          aria-label="Add or remove"
          className="grid grid-cols-2 gap-1 rounded bg-panel-2 p-0.5"
        >
          {(['add', 'remove'] as const).map((a) => (
            <button
              key={a}
              type="button"
              aria-pressed={action === a}
              onClick={() => setAction(a)}
              className={`rounded-sm py-1.5 ${action === a ? 'bg-panel font-semibold text-text' : 'text-muted'}`}
            >
              {a === 'add' ? 'Add margin' : 'Remove margin'}
            </button>
          ))}
        </div>
        <p className="text-muted">
          The position holds{' '}
          <span className="num text-text">{usdt(position.isolatedWallet)} USDT</span> of margin; its
          liquidation price is{' '}
          <span className="num text-text">
            {position.liquidationPrice
              ? formatPrice(position.liquidationPrice, spec.tickSize)
              : 'none'}
          </span>
          .{' '}
          {action === 'add'
            ? 'More margin moves it away from the price.'
            : 'Less margin moves it closer.'}
        </p>
        <InputRow
          id={`${id}-amount`}
          label={action === 'add' ? 'Amount to add' : 'Amount to remove'}
          unit="USDT"
          value={amount}
          onChange={setAmount}
          error={tried ? error : null}
          hint={action === 'add' ? `Available ${usdt(available)} USDT` : undefined}
        />
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
          label={action === 'add' ? 'Add margin' : 'Remove margin'}
          onCancel={onClose}
        />
      </form>
    </Dialog>
  );
}

/** The position's take-profit and stop-loss: close-position orders on the mark. */
export function TpSlDialog({
  position,
  orders,
  settings,
  onClose,
}: {
  position: PositionFigures;
  orders: OpenOrderLike[];
  settings: Array<{ symbol: string; leverage: number; marginMode: 'cross' | 'isolated' }>;
  onClose: () => void;
}) {
  const trpc = useTRPC();
  const account = useTradingAccount()!;
  const markets = useMarkets();
  const spec = useMarketSpec(position.symbol);
  const live = useLiveSymbol(position.symbol);
  const refresh = useRefresh();
  const id = useId();
  const mine = orders.filter((o) => o.symbol === position.symbol && o.closePosition);
  const tp = mine.find((o) => o.currentType === 'takeProfitMarket');
  const sl = mine.find((o) => o.currentType === 'stopMarket');
  const [tpPrice, setTp] = useState(tp?.stopPrice ?? '');
  const [slPrice, setSl] = useState(sl?.stopPrice ?? '');
  const [tried, setTried] = useState(false);
  const [serverError, setServerError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const place = useMutation(trpc.trade.placeOrder.mutationOptions());
  const cancel = useMutation(trpc.trade.cancelOrder.mutationOptions());
  const exit = position.side === 'long' ? 'sell' : 'buy';

  const check = (value: string, type: 'takeProfitMarket' | 'stopMarket', name: string) => {
    if (!value.trim()) return null;
    const bad = decimalError(value, name);
    if (bad) return bad;
    if (!spec.instrument || !account.figures) return null;
    const acct = mirrorAccount(account.accountId, account.figures, settings, []);
    const marks: Record<string, string | null> = {};
    for (const p of account.figures.positions) marks[p.symbol] = p.markPrice;
    marks[position.symbol] = live.mark ?? position.markPrice;
    const verdict = checkOrder(
      acct,
      mirrorMarket(
        Object.fromEntries(Object.values(markets).map((m) => [m.symbol, m.instrument])),
        marks,
      ),
      {
        symbol: position.symbol,
        side: exit,
        type,
        closePosition: true,
        stopPrice: cleanNumber(value),
      },
      Date.now(),
    );
    return verdict
      ? describeEngineCode(verdict.code, { instrument: spec.instrument, baseAsset: spec.baseAsset })
      : null;
  };
  const tpError = check(tpPrice, 'takeProfitMarket', 'the take-profit price');
  const slError = check(slPrice, 'stopMarket', 'the stop-loss price');

  async function save() {
    setServerError(null);
    setPending(true);
    try {
      const jobs: Array<[OpenOrderLike | undefined, string, 'takeProfitMarket' | 'stopMarket']> = [
        [tp, tpPrice, 'takeProfitMarket'],
        [sl, slPrice, 'stopMarket'],
      ];
      for (const [existing, value, type] of jobs) {
        const next = cleanNumber(value);
        if ((existing?.stopPrice ?? '') === next) continue;
        if (existing)
          await cancel.mutateAsync({ accountId: account.accountId, orderId: existing.id });
        if (next)
          await place.mutateAsync({
            accountId: account.accountId,
            symbol: position.symbol,
            side: exit,
            type,
            closePosition: true,
            stopPrice: next,
          });
      }
      refresh();
      onClose();
    } catch (e) {
      setServerError(
        e instanceof Error
          ? describeRefusal(
              e,
              spec.instrument ? { instrument: spec.instrument, baseAsset: spec.baseAsset } : null,
            )
          : 'The orders could not be saved.',
      );
      refresh();
    } finally {
      setPending(false);
    }
  }

  return (
    <Dialog open onClose={onClose} title={`Take profit / stop loss · ${position.symbol}`}>
      <form
        noValidate
        className="space-y-3 text-sm"
        onSubmit={(e) => {
          e.preventDefault();
          setTried(true);
          if (tpError || slError) return;
          void save();
        }}
      >
        <p className="text-muted">
          Each closes the whole {position.side} position with a market order when the mark price
          reaches it (mark now{' '}
          <span className="num text-text">
            {formatPrice(live.mark ?? position.markPrice, spec.tickSize)}
          </span>
          ). Leave a field empty for none.
        </p>
        <InputRow
          id={`${id}-tp`}
          label={`Take profit (mark ${position.side === 'long' ? 'rises' : 'falls'} to)`}
          unit="USDT"
          value={tpPrice}
          onChange={setTp}
          error={tried ? tpError : null}
        />
        <InputRow
          id={`${id}-sl`}
          label={`Stop loss (mark ${position.side === 'long' ? 'falls' : 'rises'} to)`}
          unit="USDT"
          value={slPrice}
          onChange={setSl}
          error={tried ? slError : null}
          hint={
            position.liquidationPrice
              ? `Liquidation price ${formatPrice(position.liquidationPrice, spec.tickSize)}`
              : undefined
          }
        />
        {serverError ? (
          <p role="alert" className="text-xs text-down">
            {serverError}
          </p>
        ) : null}
        <DialogButtons pending={pending} label="Save" onCancel={onClose} />
      </form>
    </Dialog>
  );
}
