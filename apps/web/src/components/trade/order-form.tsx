'use client';
// The order form: side, type, price, quantity (contracts, USDT or a share of the available
// balance), leverage and margin mode, reduce-only, post-only, time in force, attached TP/SL.
// Every entry is checked in the browser first, with the API's schema and the engine's own rules
// (lib/engine-mirror), and the message stands at its field; only an order that passes them is
// previewed by the server's engine (cost, fee, liquidation price, margin ratio, stress) and sent.
import type { OrderInput } from '@lab/contracts';
import { Decimal, type Instrument } from '@lab/margin-engine';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useEffect, useId, useMemo, useRef, useState } from 'react';
import { useLiveSymbol } from '@/components/market/live-store';
import type { InstrumentDto, RiskTierSpec } from '@/components/market/types';
import { useMarketView } from '@/components/market/use-market-view';
import { checkOrder, estimateFilled, mirrorAccount, mirrorMarket } from '@/lib/engine-mirror';
import { describeEngineCode, describeRefusal, fieldOfCode } from '@/lib/engine-messages';
import { formatPrice, formatQuantity } from '@/lib/market-format';
import {
  EMPTY_DRAFT,
  hasLimitPrice,
  hasStopPrice,
  readDraft,
  type DraftField,
  type OrderDraft,
  type OrderKind,
} from '@/lib/order-draft';
import { usdt } from '@/lib/trade-format';
import { useTRPC } from '@/trpc/react';
import { OrderPreviewPanel } from './order-preview';
import { LeverageDialog, MarginModeDialog } from './settings-dialogs';
import { useTradingAccount } from './trading-account';

const KINDS: Array<{ kind: OrderKind; label: string }> = [
  { kind: 'limit', label: 'Limit' },
  { kind: 'market', label: 'Market' },
  { kind: 'stop', label: 'Stop' },
  { kind: 'takeProfit', label: 'Take profit' },
];

/**
 * The value once it has stood still for `ms`. It is compared by identity (Object.is), so pass a
 * string or a state value, not an object built anew on each render: the screen re-renders on
 * every tick of the live market, and each new object would restart the wait.
 */
function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

interface ErrorData {
  field?: string | null;
  reason?: string | null;
  issues?: Array<{ field: string; message: string }> | null;
}

export interface OrderFormProps {
  symbol: string;
  baseAsset: string;
  instrument: Instrument;
  /** Every market's instrument: the engine values the account's other positions with them. */
  instruments: Readonly<Record<string, Instrument>>;
  tiers: RiskTierSpec[];
  tickSize: string;
  lotSize: string;
  /** The market as stored (its status before the stream says otherwise). */
  instrumentDto: InstrumentDto;
  /** A price clicked in the order book, put into the price field. */
  pickedPrice?: { price: string; at: number } | null;
}

export function OrderForm(props: OrderFormProps) {
  const account = useTradingAccount();
  if (!account) return <SignedOutForm />;
  return <AccountOrderForm {...props} accountId={account.accountId} />;
}

function SignedOutForm() {
  return (
    <section aria-labelledby="order-form-heading" className="bg-panel p-4">
      <h2 id="order-form-heading" className="text-sm font-medium">
        Place an order
      </h2>
      <p className="mt-2 text-sm text-muted">
        Sign in to trade this market with a paper account: no real money, the same margin, funding
        and liquidation rules as an exchange.
      </p>
      <div className="mt-4 flex gap-2">
        <Link
          href="/sign-up"
          className="flex-1 rounded bg-accent px-3 py-2 text-center text-sm font-semibold text-on-accent hover:brightness-110"
        >
          Sign up
        </Link>
        <Link
          href="/sign-in"
          className="flex-1 rounded border border-line px-3 py-2 text-center text-sm hover:border-muted"
        >
          Sign in
        </Link>
      </div>
    </section>
  );
}

function AccountOrderForm({
  accountId,
  symbol,
  baseAsset,
  instrument,
  instruments,
  tiers,
  tickSize,
  lotSize,
  instrumentDto,
  pickedPrice,
}: OrderFormProps & { accountId: string }) {
  // orders fill only on a live market
  const live = useMarketView(instrumentDto).status === 'live';
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const account = useTradingAccount()!;
  const id = useId();
  const market = useLiveSymbol(symbol);
  const [draft, setDraft] = useState<OrderDraft>(EMPTY_DRAFT);
  const [touched, setTouched] = useState<Partial<Record<DraftField, boolean>>>({});
  const [submitted, setSubmitted] = useState(false);
  const [dialog, setDialog] = useState<'leverage' | 'mode' | null>(null);
  const [done, setDone] = useState<string | null>(null);
  // a trade note (why this order): a competition may require one (teaching)
  const [note, setNote] = useState('');
  const noteRule = useQuery(trpc.teaching.noteRequirement.queryOptions({ accountId }));
  const set = (patch: Partial<OrderDraft>) => {
    setDone(null);
    setDraft((d) => ({ ...d, ...patch }));
  };

  // a price picked in the order book
  useEffect(() => {
    if (!pickedPrice) return;
    setDraft((d) => ({
      ...d,
      kind: d.kind === 'market' ? 'limit' : d.kind,
      ...(d.kind === 'stop' || d.kind === 'takeProfit'
        ? { stopPrice: pickedPrice.price }
        : { price: pickedPrice.price }),
    }));
  }, [pickedPrice]);

  const settings = useQuery(trpc.trade.settings.queryOptions({ accountId }));
  const openOrders = useQuery(trpc.trade.openOrders.queryOptions({ accountId, limit: 100 }));
  const setting = settings.data?.find((s) => s.symbol === symbol);
  const leverage = setting?.leverage ?? 20;
  const mode = setting?.marginMode ?? 'cross';
  const allowedModes = setting?.marginModes ?? (['cross', 'isolated'] as const);
  const maxLeverage = setting?.maxLeverage ?? instrument.maxLeverage;
  const figures = account.figures;
  const position = figures?.positions.find((p) => p.symbol === symbol) ?? null;
  const symbolOrders = (openOrders.data?.items ?? []).filter((o) => o.symbol === symbol);

  // fill in the price field once, with the last price, as exchanges do
  const seeded = useRef(false);
  useEffect(() => {
    if (seeded.current || !market.last) return;
    seeded.current = true;
    setDraft((d) => (d.price ? d : { ...d, price: market.last! }));
  }, [market.last]);

  const ctx = {
    symbol,
    instrument,
    baseAsset,
    mark: market.mark,
    available: figures?.account.availableBalance ?? null,
    leverage,
  };
  const read = readDraft(draft, ctx);

  // the engine's rules in the browser, on the account as the screen holds it
  const now = Date.now();
  const orderKey = JSON.stringify(read.order);
  const mirror = useMemo(() => {
    if (!figures || !settings.data || !openOrders.data) return null;
    const marks: Record<string, string | null> = { [symbol]: market.mark };
    for (const p of figures.positions) marks[p.symbol] ??= p.markPrice;
    return {
      account: mirrorAccount(accountId, figures, settings.data, openOrders.data.items),
      market: mirrorMarket(instruments, marks, { [symbol]: market.last }),
    };
  }, [
    accountId,
    figures,
    settings.data,
    openOrders.data,
    market.mark,
    market.last,
    symbol,
    instruments,
  ]);
  const engineCheck = useMemo(
    () =>
      read.order && mirror ? checkOrder(mirror.account, mirror.market, read.order, now) : null,
    // the check follows the order, the account and the mark, not the clock
    [orderKey, mirror],
  );
  // a resting order as if it filled at its price (the engine, on the account as shown)
  const restingAt =
    read.order && read.order.type !== 'market'
      ? (read.order.price ?? read.order.stopPrice ?? null)
      : null;
  const estimate = useMemo(
    () =>
      read.order && mirror && restingAt
        ? estimateFilled(
            mirror.account,
            mirror.market,
            read.order,
            restingAt,
            read.order.type === 'limit',
            now,
          )
        : null,
    [orderKey, mirror, restingAt],
  );

  const errors: Partial<Record<DraftField, string>> = { ...read.errors };
  if (engineCheck) {
    const f = fieldOfCode(engineCheck.code, engineCheck.field) as DraftField;
    errors[f] ??= describeEngineCode(engineCheck.code, { instrument, baseAsset, leverage });
  }
  const localOk = !!read.order && !engineCheck;

  // the server's engine previews what passes the browser's checks (debounced while typing). The
  // order is debounced as its text: `read.order` is a new object on every render, and the screen
  // re-renders on every tick of the market, so debouncing the object itself would restart the
  // wait on each tick and, with ticks closer than the wait, never ask for the preview at all.
  const previewKey = useDebounced(localOk && live ? orderKey : null, 150);
  const previewInput = useMemo(
    () => (previewKey ? (JSON.parse(previewKey) as OrderInput) : null),
    [previewKey],
  );
  const preview = useQuery({
    ...trpc.trade.previewOrder.queryOptions({ accountId, ...(previewInput ?? ({} as OrderInput)) }),
    enabled: !!previewInput,
    placeholderData: keepPreviousData,
    refetchInterval: 2_000,
    staleTime: 0,
    retry: false,
  });
  const previewFresh = !!previewInput && previewKey === orderKey && !!preview.data;
  const rejection =
    previewFresh && preview.data && !preview.data.accepted ? preview.data.rejection : null;
  if (rejection) {
    const f = fieldOfCode(rejection.code, null) as DraftField;
    errors[f] ??= describeEngineCode(rejection.code, { instrument, baseAsset, leverage });
  }
  // the server refused to preview this order (a competition's rule): placing it would be refused
  // the same way, so the form says why now
  const previewError = preview.error as (Error & { data?: ErrorData | null }) | null;
  const refusedPreview = !!previewInput && previewKey === orderKey && !!previewError?.data?.reason;
  // (on the leverage line when it is about leverage, else above the button, shown at once)
  const previewRefusal =
    refusedPreview && previewError
      ? describeRefusal(previewError, { instrument, baseAsset, leverage })
      : null;
  if (previewRefusal && previewError?.data?.field === 'leverage')
    errors.leverage ??= previewRefusal;

  const place = useMutation(
    trpc.trade.placeOrder.mutationOptions({
      onSuccess: (r) => {
        setDone(describePlaced(r, tickSize, lotSize, baseAsset));
        setDraft((d) => ({ ...d, amount: '', takeProfit: '', stopLoss: '' }));
        setNote('');
        setTouched({});
        setSubmitted(false);
        void queryClient.invalidateQueries({ queryKey: trpc.trade.pathKey() });
      },
    }),
  );
  const serverData = (place.error as { data?: ErrorData | null } | null)?.data ?? null;
  if (place.error && serverData) {
    const f = serverData.reason
      ? (fieldOfCode(serverData.reason, serverData.field) as DraftField)
      : ('form' as const);
    // a competition's rule refusing it: its own sentence names the rule
    errors[f] ??= describeRefusal(place.error, { instrument, baseAsset, leverage });
  } else if (place.error) errors.form ??= place.error.message;

  // a message shows once the field was left, the order was sent, or typing paused on a value
  const settled = useDebounced(draft, 400) === draft;
  const filled: Partial<Record<DraftField, boolean>> = {
    price: !!draft.price.trim(),
    stopPrice: !!draft.stopPrice.trim(),
    amount: !!draft.amount.trim(),
    takeProfit: !!draft.takeProfit.trim(),
    stopLoss: !!draft.stopLoss.trim(),
    leverage: !!draft.amount.trim(),
    postOnly: draft.postOnly,
    timeInForce: draft.timeInForce !== 'GTC',
    reduceOnly: draft.reduceOnly,
  };
  const show = (f: DraftField) =>
    submitted || touched[f] || (settled && filled[f]) ? errors[f] : undefined;
  const blur = (f: DraftField) => () => setTouched((t) => ({ ...t, [f]: true }));

  const canSend = localOk && live && !rejection && !refusedPreview && !place.isPending;
  const onSubmit = (e: React.FormEvent) => {
    e.preventDefault();
    setSubmitted(true);
    setDone(null);
    if (!canSend || !read.order) {
      // focus the first field with a message
      const first = (
        ['stopPrice', 'price', 'amount', 'takeProfit', 'stopLoss', 'leverage'] as const
      ).find((f) => errors[f]);
      if (first) document.getElementById(`${id}-${first}`)?.focus();
      return;
    }
    place.mutate({
      accountId,
      ...read.order,
      ...(note.trim() ? { note: note.trim() } : {}),
      clientOrderId: `web-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
    });
  };

  const exposure = new Decimal(position?.notional ?? '0');
  const sideWord = draft.side === 'buy' ? 'Buy / Long' : 'Sell / Short';
  const modeBlocked = position
    ? 'Close the position on this market to change its margin mode.'
    : symbolOrders.length
      ? 'Cancel the open orders on this market to change its margin mode.'
      : null;

  return (
    <section aria-labelledby={`${id}-heading`} className="bg-panel">
      <div className="flex items-center justify-between gap-2 border-b border-line px-3 py-2">
        <h2 id={`${id}-heading`} className="text-sm font-medium">
          Place an order
        </h2>
        <div className="flex gap-1.5">
          <button
            type="button"
            onClick={() => setDialog('mode')}
            aria-haspopup="dialog"
            aria-label={`Margin mode: ${mode}. Change`}
            className="rounded-sm border border-line bg-panel-2 px-2.5 py-1 text-xs font-medium capitalize hover:border-muted"
          >
            {mode}
          </button>
          <button
            type="button"
            onClick={() => setDialog('leverage')}
            aria-haspopup="dialog"
            aria-label={`Leverage: ${leverage}×. Change, with the leverage tiers`}
            className="num rounded-sm border border-line bg-panel-2 px-2.5 py-1 text-xs font-medium hover:border-muted"
          >
            {leverage}×
          </button>
        </div>
      </div>
      {!allowedModes.includes(mode) ? (
        <p className="px-3 pt-2 text-xs text-accent">
          Your competition allows only {allowedModes.join(' or ')} margin: switch {symbol} to it
          before opening a position.{' '}
          <button type="button" onClick={() => setDialog('mode')} className="underline">
            Change the margin mode
          </button>
        </p>
      ) : null}
      {show('leverage') ? (
        <p id={`${id}-leverage`} className="px-3 pt-2 text-xs text-down">
          <span aria-hidden>⚠ </span>
          {errors.leverage}
        </p>
      ) : null}
      <form
        noValidate
        onSubmit={onSubmit}
        className="space-y-3 p-3"
        aria-label={`Order on ${symbol}`}
      >
        <div
          role="group"
          aria-label="Side"
          className="grid grid-cols-2 gap-1 rounded bg-panel-2 p-0.5"
        >
          {(['buy', 'sell'] as const).map((s) => (
            <button
              key={s}
              type="button"
              aria-pressed={draft.side === s}
              onClick={() => set({ side: s })}
              className={`rounded-sm py-1.5 text-sm font-semibold ${
                draft.side === s
                  ? s === 'buy'
                    ? 'bg-up text-on-fill'
                    : 'bg-down text-on-fill'
                  : 'text-muted hover:text-text'
              }`}
            >
              {s === 'buy' ? 'Buy / Long' : 'Sell / Short'}
            </button>
          ))}
        </div>
        <div
          role="group"
          aria-label="Order type"
          className="flex gap-3 border-b border-line text-sm"
        >
          {KINDS.map((k) => (
            <button
              key={k.kind}
              type="button"
              aria-pressed={draft.kind === k.kind}
              onClick={() => set({ kind: k.kind })}
              className={`-mb-px border-b-2 pb-1.5 ${draft.kind === k.kind ? 'border-accent font-semibold text-text' : 'border-transparent text-muted hover:text-text'}`}
            >
              {k.label}
            </button>
          ))}
        </div>

        {hasStopPrice(draft) ? (
          <>
            <NumberField
              id={`${id}-stopPrice`}
              label="Trigger price"
              unit="USDT"
              value={draft.stopPrice}
              onChange={(v) => set({ stopPrice: v })}
              onBlur={blur('stopPrice')}
              error={show('stopPrice')}
              hint={`Fires when the ${draft.workingType === 'mark' ? 'mark' : 'last'} price reaches it.`}
              extra={
                <select
                  aria-label="Trigger on"
                  value={draft.workingType}
                  onChange={(e) => set({ workingType: e.target.value as 'mark' | 'last' })}
                  className="bg-transparent pr-1 text-xs text-muted outline-none"
                >
                  <option value="mark">Mark</option>
                  <option value="last">Last</option>
                </select>
              }
            />
            <fieldset className="flex items-center gap-3 text-xs">
              <legend className="sr-only">When triggered</legend>
              <span className="text-muted" aria-hidden>
                Then
              </span>
              {(['market', 'limit'] as const).map((x) => (
                <label key={x} className="inline-flex items-center gap-1.5">
                  <input
                    type="radio"
                    name={`${id}-execution`}
                    checked={draft.execution === x}
                    onChange={() => set({ execution: x })}
                    className="accent-accent"
                  />
                  {x === 'market' ? 'Market order' : 'Limit order'}
                </label>
              ))}
            </fieldset>
          </>
        ) : null}
        {hasLimitPrice(draft) ? (
          <NumberField
            id={`${id}-price`}
            label={hasStopPrice(draft) ? 'Limit price' : 'Price'}
            unit="USDT"
            value={draft.price}
            onChange={(v) => set({ price: v })}
            onBlur={blur('price')}
            error={show('price')}
            extra={
              <button
                type="button"
                onClick={() => market.last && set({ price: market.last })}
                className="px-1 text-xs text-accent hover:underline"
              >
                Last
              </button>
            }
          />
        ) : null}
        {draft.kind === 'market' ? (
          <p className="rounded border border-line bg-bg px-2.5 py-2 text-xs text-muted">
            Market price: fills now at the best prices of the book.
          </p>
        ) : null}

        <NumberField
          id={`${id}-amount`}
          label="Quantity"
          value={draft.amount}
          onChange={(v) => set({ amount: v })}
          onBlur={blur('amount')}
          error={show('amount')}
          hint={
            read.quantity && draft.unit !== 'base'
              ? `= ${formatQuantity(read.quantity, lotSize)} ${baseAsset}`
              : `In ${draft.unit === 'base' ? `contracts (${baseAsset})` : draft.unit === 'quote' ? 'USDT of order value' : '% of the available balance'}; lot ${lotSize} ${baseAsset}.`
          }
          extra={
            <select
              aria-label="Quantity unit"
              value={draft.unit}
              onChange={(e) => set({ unit: e.target.value as OrderDraft['unit'] })}
              className="bg-transparent pr-1 text-xs text-muted outline-none"
            >
              <option value="base">{baseAsset}</option>
              <option value="quote">USDT</option>
              <option value="percent">%</option>
            </select>
          }
        />
        <div
          role="group"
          aria-label="Share of the available balance"
          className="grid grid-cols-4 gap-1"
        >
          {[25, 50, 75, 100].map((p) => (
            <button
              key={p}
              type="button"
              onClick={() => set({ unit: 'percent', amount: String(p) })}
              aria-pressed={draft.unit === 'percent' && draft.amount === String(p)}
              className={`rounded-sm border py-0.5 text-xs ${draft.unit === 'percent' && draft.amount === String(p) ? 'border-accent text-accent' : 'border-line text-muted hover:text-text'}`}
            >
              {p}%
            </button>
          ))}
        </div>

        <div className="flex flex-wrap items-center gap-x-4 gap-y-2 text-xs">
          <label className="inline-flex items-center gap-1.5">
            <input
              type="checkbox"
              checked={draft.reduceOnly}
              onChange={(e) => set({ reduceOnly: e.target.checked })}
              aria-describedby={show('reduceOnly') ? `${id}-reduceOnly-error` : undefined}
              className="accent-accent"
            />
            Reduce-only
          </label>
          {draft.kind === 'limit' ? (
            <>
              <label className="inline-flex items-center gap-1.5">
                <input
                  type="checkbox"
                  checked={draft.postOnly}
                  onChange={(e) => set({ postOnly: e.target.checked })}
                  aria-describedby={show('postOnly') ? `${id}-postOnly-error` : undefined}
                  className="accent-accent"
                />
                Post-only
              </label>
              <label className="inline-flex items-center gap-1.5">
                <span className="text-muted">Time in force</span>
                <select
                  value={draft.timeInForce}
                  disabled={draft.postOnly}
                  onChange={(e) =>
                    set({ timeInForce: e.target.value as OrderDraft['timeInForce'] })
                  }
                  aria-describedby={show('timeInForce') ? `${id}-timeInForce-error` : undefined}
                  className="rounded-sm border border-line bg-bg px-1 py-0.5 disabled:opacity-50"
                >
                  <option value="GTC">GTC (until canceled)</option>
                  <option value="IOC">IOC (now, rest canceled)</option>
                  <option value="FOK">FOK (all now or nothing)</option>
                </select>
              </label>
            </>
          ) : null}
        </div>
        {show('postOnly') ? (
          <FieldError id={`${id}-postOnly-error`}>{errors.postOnly}</FieldError>
        ) : null}
        {show('timeInForce') ? (
          <FieldError id={`${id}-timeInForce-error`}>{errors.timeInForce}</FieldError>
        ) : null}
        {show('reduceOnly') ? (
          <FieldError id={`${id}-reduceOnly-error`}>{errors.reduceOnly}</FieldError>
        ) : null}

        {!draft.reduceOnly ? (
          <div className="space-y-2">
            <label className="inline-flex items-center gap-1.5 text-xs">
              <input
                type="checkbox"
                checked={draft.tpsl}
                onChange={(e) => set({ tpsl: e.target.checked })}
                className="accent-accent"
              />
              Take profit / stop loss
            </label>
            {draft.tpsl ? (
              <div className="grid grid-cols-2 gap-2">
                <NumberField
                  id={`${id}-takeProfit`}
                  label="Take profit"
                  unit="USDT"
                  value={draft.takeProfit}
                  onChange={(v) => set({ takeProfit: v })}
                  onBlur={blur('takeProfit')}
                  error={show('takeProfit')}
                  compact
                />
                <NumberField
                  id={`${id}-stopLoss`}
                  label="Stop loss"
                  unit="USDT"
                  value={draft.stopLoss}
                  onChange={(v) => set({ stopLoss: v })}
                  onBlur={blur('stopLoss')}
                  error={show('stopLoss')}
                  compact
                />
                <p className="col-span-2 text-[11px] text-muted">
                  Close the whole position when the mark price reaches them.
                </p>
              </div>
            ) : null}
          </div>
        ) : null}

        <NoteField
          id={`${id}-note`}
          value={note}
          onChange={(v) => {
            setDone(null);
            setNote(v);
          }}
          required={noteRule.data?.required ?? false}
          competition={noteRule.data?.competition ?? null}
          error={
            serverData?.reason === 'COMPETITION_NOTE_REQUIRED' ? place.error?.message : undefined
          }
        />

        <OrderPreviewPanel
          preview={previewFresh && preview.data?.accepted ? preview.data : null}
          estimate={estimate}
          loading={localOk && live && !previewFresh && !refusedPreview}
          side={draft.side}
          tickSize={tickSize}
          lotSize={lotSize}
          baseAsset={baseAsset}
          marginMode={mode}
          fillsNowExpected={draft.kind === 'market'}
        />

        <p className="flex justify-between text-xs">
          <span className="text-muted">Available</span>
          <span className="num">{usdt(figures?.account.availableBalance)} USDT</span>
        </p>
        {setting?.marketRule ? (
          <p role="alert" className="text-xs text-accent">
            {setting.marketRule}
          </p>
        ) : !live ? (
          <p role="status" className="text-xs text-accent">
            This market is not live: orders wait until prices stream again.
          </p>
        ) : null}
        {previewRefusal && previewError?.data?.field !== 'leverage' ? (
          <p
            role="alert"
            className="rounded border border-down/40 bg-down/10 px-2 py-1.5 text-xs text-down"
          >
            {previewRefusal}
          </p>
        ) : null}
        {show('form') && errors.form !== previewRefusal ? (
          <p
            role="alert"
            className="rounded border border-down/40 bg-down/10 px-2 py-1.5 text-xs text-down"
          >
            {errors.form}
          </p>
        ) : null}
        <button
          type="submit"
          aria-disabled={!canSend}
          className={`w-full rounded py-2.5 text-sm font-semibold text-on-fill hover:brightness-110 ${
            draft.side === 'buy' ? 'bg-up' : 'bg-down'
          } ${canSend ? '' : 'opacity-60'}`}
        >
          {place.isPending ? 'Placing…' : `${sideWord} ${symbol}`}
        </button>
        <p role="status" className="min-h-4 text-xs text-up empty:min-h-0">
          {done}
        </p>
      </form>
      {dialog === 'leverage' ? (
        <LeverageDialog
          open
          onClose={() => setDialog(null)}
          accountId={accountId}
          symbol={symbol}
          baseAsset={baseAsset}
          instrument={instrument}
          tiers={tiers}
          leverage={leverage}
          maxLeverage={maxLeverage}
          exposure={exposure}
        />
      ) : null}
      {dialog === 'mode' ? (
        <MarginModeDialog
          open
          onClose={() => setDialog(null)}
          accountId={accountId}
          symbol={symbol}
          baseAsset={baseAsset}
          instrument={instrument}
          mode={mode}
          allowed={allowedModes}
          blocked={modeBlocked}
        />
      ) : null}
    </section>
  );
}

function describePlaced(
  r: {
    order: { side: string; type: string; quantity: string; price: string | null; status: string };
    fills: Array<{ quantity: string; price: string }>;
  },
  tickSize: string,
  lotSize: string,
  baseAsset: string,
): string {
  const verb = r.order.side === 'buy' ? 'Bought' : 'Sold';
  if (r.fills.length) {
    let qty = new Decimal(0);
    let value = new Decimal(0);
    for (const f of r.fills) {
      qty = qty.plus(f.quantity);
      value = value.plus(new Decimal(f.quantity).times(f.price));
    }
    const avg = value.div(qty).toFixed();
    return `${verb} ${formatQuantity(qty.toFixed(), lotSize)} ${baseAsset} at ${formatPrice(avg, tickSize)}.`;
  }
  const what = r.order.side === 'buy' ? 'Buy' : 'Sell';
  return `${what} order placed: ${formatQuantity(r.order.quantity, lotSize)} ${baseAsset}${
    r.order.price ? ` at ${formatPrice(r.order.price, tickSize)}` : ''
  }${r.order.status === 'untriggered' ? ', waiting for its trigger' : ''}.`;
}

function FieldError({ id, children }: { id: string; children: React.ReactNode }) {
  return (
    <p id={id} className="flex gap-1 text-xs text-down">
      <span aria-hidden>⚠</span>
      {children}
    </p>
  );
}

function NumberField({
  id,
  label,
  unit,
  value,
  onChange,
  onBlur,
  error,
  hint,
  extra,
  compact = false,
}: {
  id: string;
  label: string;
  unit?: string;
  value: string;
  onChange: (v: string) => void;
  onBlur: () => void;
  error: string | undefined;
  hint?: string;
  extra?: React.ReactNode;
  compact?: boolean;
}) {
  const describedBy = error ? `${id}-error` : hint ? `${id}-hint` : undefined;
  return (
    <div>
      <div
        className={`flex items-center rounded border bg-bg focus-within:border-accent focus-within:ring-1 focus-within:ring-accent ${error ? 'border-down' : 'border-line'}`}
      >
        <label
          htmlFor={id}
          className={`shrink-0 pl-2.5 text-xs text-muted ${compact ? 'sr-only' : ''}`}
        >
          {label}
        </label>
        <input
          id={id}
          inputMode="decimal"
          autoComplete="off"
          value={value}
          placeholder={compact ? label : undefined}
          onChange={(e) => onChange(e.target.value)}
          onBlur={onBlur}
          aria-invalid={error ? true : undefined}
          aria-describedby={describedBy}
          className="num min-w-0 flex-1 bg-transparent px-2 py-2 text-sm outline-none placeholder:text-left placeholder:text-muted focus-visible:outline-none"
        />
        {unit ? <span className="pr-2 text-xs text-muted">{unit}</span> : null}
        {extra}
      </div>
      {error ? (
        <FieldError id={`${id}-error`}>{error}</FieldError>
      ) : hint ? (
        <p id={`${id}-hint`} className="mt-1 text-[11px] text-muted">
          {hint}
        </p>
      ) : null}
    </div>
  );
}

/** The trade note: why this order (a competition's hosts read it; some require it). */
function NoteField({
  id,
  value,
  onChange,
  required,
  competition,
  error,
}: {
  id: string;
  value: string;
  onChange: (v: string) => void;
  required: boolean;
  competition: string | null;
  error: string | undefined;
}) {
  const hint = required
    ? `Required in “${competition}” for orders that open or add to a position.`
    : competition
      ? 'Optional: your host reads it next to the order.'
      : 'Optional: kept with the order.';
  return (
    <div>
      <label htmlFor={id} className="mb-1 block text-xs font-medium">
        Trade note{required ? ' (required)' : ''}
      </label>
      <textarea
        id={id}
        value={value}
        maxLength={500}
        rows={2}
        onChange={(e) => onChange(e.target.value)}
        placeholder="Why this order?"
        aria-describedby={`${id}-hint${error ? ` ${id}-error` : ''}`}
        aria-invalid={error ? true : undefined}
        className={`w-full resize-y rounded-sm border bg-bg px-2 py-1.5 text-xs outline-none focus:border-accent ${error ? 'border-down' : 'border-line'}`}
      />
      <p id={`${id}-hint`} className="text-[11px] text-muted">
        {hint}
      </p>
      {error ? (
        <p id={`${id}-error`} className="text-[11px] text-down">
          <span aria-hidden>⚠ </span>
          {error}
        </p>
      ) : null}
    </div>
  );
}
