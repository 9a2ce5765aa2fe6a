'use client';
// The symbol's leverage and margin mode, each changed in a dialog as on exchanges. The engine
// refuses what it must (a leverage above the position's bracket, a mode change with a position or
// open orders); the dialogs say so before asking.
import { Decimal, type Instrument } from '@lab/margin-engine';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { Dialog, DialogButtons } from '@/components/dialog';
import { TierTable } from '@/components/market/instrument-specs';
import type { RiskTierSpec } from '@/components/market/types';
import { describeRefusal } from '@/lib/engine-messages';
import { formatDecimal } from '@/lib/market-format';
import { useTRPC } from '@/trpc/react';

/** The largest position notional a leverage allows: the cap of the last bracket that allows it. */
export function maxNotionalAt(instrument: Instrument, leverage: number): Decimal {
  let cap = new Decimal(0);
  for (const t of instrument.riskTiers) if (t.maxLeverage >= leverage) cap = t.maxNotional;
  return cap;
}

/** Index of the bracket containing a notional. */
export function tierIndexOf(instrument: Instrument, notional: Decimal): number {
  const i = instrument.riskTiers.findIndex((t) => notional.lte(t.maxNotional));
  return i === -1 ? instrument.riskTiers.length - 1 : i;
}

export function LeverageDialog({
  open,
  onClose,
  accountId,
  symbol,
  baseAsset,
  instrument,
  tiers,
  leverage,
  maxLeverage,
  exposure,
}: {
  open: boolean;
  onClose: () => void;
  accountId: string;
  symbol: string;
  baseAsset: string;
  instrument: Instrument;
  tiers: RiskTierSpec[];
  leverage: number;
  /** The account's cap here (a competition may allow less than the market). */
  maxLeverage: number;
  /** Notional of the position and the open orders that add to it, at the mark. */
  exposure: Decimal;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const id = useId();
  const [value, setValue] = useState(String(leverage));
  const mutation = useMutation(
    trpc.trade.setLeverage.mutationOptions({
      onSuccess: () => {
        void queryClient.invalidateQueries({ queryKey: trpc.trade.settings.pathKey() });
        onClose();
      },
    }),
  );
  const n = /^\d{1,3}$/.test(value) ? Number(value) : NaN;
  const max = Math.min(maxLeverage, instrument.maxLeverage);
  let error: string | null = null;
  if (!Number.isInteger(n) || n < 1 || n > max) error = `Choose a whole number from 1 to ${max}.`;
  const cap = Number.isInteger(n) ? maxNotionalAt(instrument, n) : null;
  if (!error && cap && exposure.gt(cap))
    error = `Your position and orders here are worth ${formatDecimal(exposure.toFixed(), 2)} USDT; at ${n}× a position can be at most ${formatDecimal(cap.toFixed(), 0)} USDT. Choose a lower leverage or reduce the position.`;
  const serverError = mutation.error
    ? describeRefusal(mutation.error, { instrument, baseAsset, leverage: n })
    : null;
  const marks = [1, 2, 3, 5, 10, 20, 25, 50, 75, 100, 125].filter((m) => m <= max);
  return (
    <Dialog open={open} onClose={onClose} title={`Leverage · ${symbol}`}>
      <form
        noValidate
        className="space-y-4 text-sm"
        onSubmit={(e) => {
          e.preventDefault();
          if (error) return;
          mutation.mutate({ accountId, symbol, leverage: n });
        }}
      >
        <div>
          <label htmlFor={`${id}-lev`} className="mb-1 block text-xs text-muted">
            Leverage (1× to {max}×)
          </label>
          {max < instrument.maxLeverage ? (
            <p className="mb-1 text-xs text-accent">
              Your competition allows at most {max}× (the market allows {instrument.maxLeverage}×).
            </p>
          ) : null}
          <div className="flex items-center gap-3">
            <input
              type="range"
              min={1}
              max={max}
              step={1}
              value={Number.isInteger(n) ? n : leverage}
              onChange={(e) => setValue(e.target.value)}
              aria-label="Leverage slider"
              className="flex-1 accent-accent"
            />
            <div className="flex items-center rounded border border-line bg-bg">
              <input
                id={`${id}-lev`}
                inputMode="numeric"
                value={value}
                onChange={(e) => setValue(e.target.value.replace(/[^\d]/g, '').slice(0, 3))}
                aria-invalid={error ? true : undefined}
                aria-describedby={`${id}-msg`}
                className="num w-14 bg-transparent px-2 py-1.5 outline-none"
              />
              <span className="pr-2 text-muted">×</span>
            </div>
          </div>
          <div className="mt-2 flex flex-wrap gap-1" role="group" aria-label="Common leverages">
            {marks.map((m) => (
              <button
                key={m}
                type="button"
                onClick={() => setValue(String(m))}
                aria-pressed={n === m}
                className={`rounded-sm border px-2 py-0.5 text-xs ${n === m ? 'border-accent text-accent' : 'border-line text-muted hover:text-text'}`}
              >
                {m}×
              </button>
            ))}
          </div>
        </div>
        <p id={`${id}-msg`} className={`text-xs ${error ? 'text-down' : 'text-muted'}`}>
          {error ? (
            <>
              <span aria-hidden>⚠ </span>
              {error}
            </>
          ) : cap ? (
            <>
              Maximum position at {n}×:{' '}
              <span className="num text-text">{formatDecimal(cap.toFixed(), 0)} USDT</span>. Higher
              leverage needs less margin and puts the liquidation price closer.
            </>
          ) : null}
        </p>
        <div
          tabIndex={0}
          role="region"
          aria-label="Leverage tiers, scrollable"
          className="max-h-56 overflow-y-auto rounded border border-line p-2"
        >
          <TierTable
            tiers={
              max < instrument.maxLeverage
                ? tiers.map((t) => ({ ...t, maxLeverage: Math.min(t.maxLeverage, max) }))
                : tiers
            }
            quoteAsset="USDT"
            caption="Leverage tiers: the bracket of the position's notional sets its maximum leverage"
            current={tierIndexOf(instrument, exposure)}
          />
        </div>
        {serverError ? (
          <p role="alert" className="rounded border border-down/40 bg-down/10 px-3 py-2 text-down">
            {serverError}
          </p>
        ) : null}
        <DialogButtons
          pending={mutation.isPending}
          disabled={!!error}
          label={`Set ${Number.isInteger(n) ? n : ''}×`}
          pendingLabel="Saving…"
          onCancel={onClose}
        />
      </form>
    </Dialog>
  );
}

const MODE_TEXT = {
  cross: {
    title: 'Cross',
    body: 'All cross positions share the account’s balance. A winning position can carry a losing one, but one bad move can liquidate all of them together.',
  },
  isolated: {
    title: 'Isolated',
    body: 'The position has its own margin. If it is liquidated you lose only that margin; the rest of the account is untouched.',
  },
} as const;

export function MarginModeDialog({
  open,
  onClose,
  accountId,
  symbol,
  baseAsset,
  instrument,
  mode,
  allowed,
  blocked,
}: {
  open: boolean;
  onClose: () => void;
  accountId: string;
  symbol: string;
  baseAsset: string;
  instrument: Instrument;
  mode: 'cross' | 'isolated';
  /** The modes this account may choose (a competition may allow one). */
  allowed: ReadonlyArray<'cross' | 'isolated'>;
  /** Why the mode cannot change now (a position or open orders on the symbol). */
  blocked: string | null;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const id = useId();
  const [choice, setChoice] = useState<'cross' | 'isolated'>(
    allowed.includes(mode) ? mode : (allowed[0] ?? mode),
  );
  const only = allowed.length === 1 ? allowed[0] : null;
  const mutation = useMutation(
    trpc.trade.setMarginMode.mutationOptions({
      onSuccess: () => {
        void queryClient.invalidateQueries({ queryKey: trpc.trade.settings.pathKey() });
        onClose();
      },
    }),
  );
  const serverError = mutation.error
    ? describeRefusal(mutation.error, { instrument, baseAsset })
    : null;
  return (
    <Dialog open={open} onClose={onClose} title={`Margin mode · ${symbol}`}>
      <form
        noValidate
        className="space-y-3 text-sm"
        onSubmit={(e) => {
          e.preventDefault();
          if (choice === mode) return onClose();
          mutation.mutate({ accountId, symbol, marginMode: choice });
        }}
      >
        <fieldset className="space-y-2" aria-describedby={blocked ? `${id}-blocked` : undefined}>
          <legend className="sr-only">Margin mode</legend>
          {(['cross', 'isolated'] as const).map((m) => (
            <label
              key={m}
              className={`flex cursor-pointer gap-3 rounded border p-3 ${choice === m ? 'border-accent bg-panel-2' : 'border-line'}`}
            >
              <input
                type="radio"
                name="marginMode"
                value={m}
                checked={choice === m}
                onChange={() => setChoice(m)}
                disabled={!!blocked || !allowed.includes(m)}
                className="mt-1 accent-accent"
              />
              <span>
                <span className="font-semibold">{MODE_TEXT[m].title}</span>
                <span className="mt-0.5 block text-xs text-muted">{MODE_TEXT[m].body}</span>
              </span>
            </label>
          ))}
        </fieldset>
        {only ? (
          <p className="text-xs text-accent">Your competition allows only {only} margin.</p>
        ) : null}
        {blocked ? (
          <p id={`${id}-blocked`} className="text-xs text-accent">
            {blocked}
          </p>
        ) : null}
        {serverError ? (
          <p role="alert" className="rounded border border-down/40 bg-down/10 px-3 py-2 text-down">
            {serverError}
          </p>
        ) : null}
        <DialogButtons
          pending={mutation.isPending}
          disabled={!!blocked}
          label="Confirm"
          pendingLabel="Saving…"
          onCancel={onClose}
        />
      </form>
    </Dialog>
  );
}
