'use client';
import { useMutation } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { useTRPC } from '@/trpc/react';

type EventType = 'crash' | 'rally' | 'volSpike' | 'liquidityDrought';
type FieldName =
  | 'type'
  | 'percent'
  | 'multiplier'
  | 'spreadMultiplier'
  | 'depthMultiplier'
  | 'durationMs'
  | 'symbol';

const EVENT_LABEL: Record<EventType, string> = {
  crash: 'Crash',
  rally: 'Rally',
  volSpike: 'Volatility spike',
  liquidityDrought: 'Liquidity drought',
};

interface ErrorData {
  field?: string | null;
  issues?: Array<{ field: string; message: string }> | null;
}

/** Field messages from a tRPC error: `data.issues` for input validation, `data.field` for domain errors. */
function errorsFrom(error: unknown): {
  fields: Partial<Record<FieldName, string>>;
  form: string | null;
} {
  const fields: Partial<Record<FieldName, string>> = {};
  const data = (error as { data?: ErrorData | null }).data ?? {};
  const message = error instanceof Error ? error.message : 'The event could not be sent.';
  const known = (f: string): f is FieldName =>
    [
      'type',
      'percent',
      'multiplier',
      'spreadMultiplier',
      'depthMultiplier',
      'durationMs',
      'symbol',
    ].includes(f);
  if (data.issues?.length) {
    const unplaced: string[] = [];
    for (const i of data.issues) {
      if (known(i.field)) fields[i.field] ??= i.message;
      else unplaced.push(i.message);
    }
    return { fields, form: unplaced[0] ?? null };
  }
  if (data.field && known(data.field)) return { fields: { [data.field]: message }, form: null };
  return { fields, form: message };
}

/**
 * Admin tool: send a market event (crash, rally, volatility spike, liquidity drought) to the
 * simulator: this market with the others following by correlation, this market only, or all of
 * them. Shown to admins only (the main market moves everyone's positions); the API enforces it.
 */
export function ScenarioPanel({ symbol }: { symbol: string }) {
  const trpc = useTRPC();
  const id = useId();
  const [type, setType] = useState<EventType>('crash');
  const [percent, setPercent] = useState('10');
  const [multiplier, setMultiplier] = useState('3');
  const [spreadMultiplier, setSpreadMultiplier] = useState('5');
  const [depthMultiplier, setDepthMultiplier] = useState('0.2');
  const [seconds, setSeconds] = useState('60');
  // 'follow': this market, the others move by their correlation with it (the simulator's default)
  const [scope, setScope] = useState<'follow' | 'symbol' | 'all'>('follow');
  const moves = type === 'crash' || type === 'rally';
  const effectiveScope = !moves && scope === 'follow' ? 'symbol' : scope;
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<FieldName, string>>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [sent, setSent] = useState<string | null>(null);

  const mutation = useMutation(trpc.market.triggerScenario.mutationOptions());

  const num = (v: string) => (v.trim() === '' ? NaN : Number(v));

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setSent(null);
    setFormError(null);
    const local: Partial<Record<FieldName, string>> = {};
    const need = (field: FieldName, v: string) => {
      if (!Number.isFinite(num(v))) local[field] = 'Enter a number.';
    };
    if (type === 'crash' || type === 'rally') need('percent', percent);
    if (type === 'volSpike') need('multiplier', multiplier);
    if (type === 'liquidityDrought') {
      need('spreadMultiplier', spreadMultiplier);
      need('depthMultiplier', depthMultiplier);
    }
    need('durationMs', seconds);
    setFieldErrors(local);
    if (Object.keys(local).length) return;

    const durationMs = Math.round(num(seconds) * 1000);
    const target = effectiveScope === 'all' ? {} : { symbol };
    const input =
      type === 'crash' || type === 'rally'
        ? {
            type,
            percent: num(percent),
            durationMs,
            ...target,
            ...(effectiveScope === 'all' ? {} : { propagate: effectiveScope === 'follow' }),
          }
        : type === 'volSpike'
          ? { type, multiplier: num(multiplier), durationMs, ...target }
          : {
              type,
              spreadMultiplier: num(spreadMultiplier),
              depthMultiplier: num(depthMultiplier),
              durationMs,
              ...target,
            };
    try {
      await mutation.mutateAsync(input);
      const what =
        type === 'crash' || type === 'rally'
          ? `${EVENT_LABEL[type]} of ${percent}%`
          : type === 'volSpike'
            ? `Volatility ×${multiplier}`
            : `Liquidity drought (spread ×${spreadMultiplier}, depth ×${depthMultiplier})`;
      setSent(
        `${what} over ${seconds} s sent to ${
          effectiveScope === 'all'
            ? 'all markets'
            : effectiveScope === 'follow'
              ? `${symbol}, the other markets following by their correlation`
              : `${symbol} only`
        }.`,
      );
    } catch (err) {
      const { fields, form } = errorsFrom(err);
      setFieldErrors(fields);
      setFormError(form);
    }
  }

  const field = (
    name: FieldName,
    label: string,
    value: string,
    set: (v: string) => void,
    hint: string,
    step = 'any',
  ) => {
    const inputId = `${id}-${name}`;
    const err = fieldErrors[name];
    return (
      <div>
        <label htmlFor={inputId} className="mb-1 block text-xs text-muted">
          {label}
        </label>
        <input
          id={inputId}
          name={name}
          type="number"
          inputMode="decimal"
          step={step}
          value={value}
          onChange={(e) => set(e.target.value)}
          aria-invalid={err ? true : undefined}
          aria-describedby={`${inputId}-${err ? 'error' : 'hint'}`}
          className={`num w-full rounded-sm border bg-bg px-2 py-1.5 text-sm outline-none focus:border-accent ${err ? 'border-down' : 'border-line'}`}
        />
        {err ? (
          <p id={`${inputId}-error`} className="mt-1 text-xs text-down">
            <span aria-hidden>⚠ </span>
            {err}
          </p>
        ) : (
          <p id={`${inputId}-hint`} className="mt-1 text-[11px] text-muted">
            {hint}
          </p>
        )}
      </div>
    );
  };

  return (
    <section aria-labelledby={`${id}-heading`} className="bg-panel">
      <h2
        id={`${id}-heading`}
        className="flex items-center gap-2 border-b border-line px-4 py-2 text-sm font-medium"
      >
        Market event
        <span className="rounded-sm bg-accent/15 px-1.5 py-px text-[10px] font-semibold uppercase tracking-wide text-accent">
          Admin
        </span>
      </h2>
      <form noValidate onSubmit={(e) => void onSubmit(e)} className="space-y-3 p-4">
        <p className="text-xs text-muted">
          Everyone trading on the platform sees the event at the same moment.
        </p>
        <div>
          <label htmlFor={`${id}-type`} className="mb-1 block text-xs text-muted">
            Event
          </label>
          <select
            id={`${id}-type`}
            name="type"
            value={type}
            onChange={(e) => setType(e.target.value as EventType)}
            className="w-full rounded-sm border border-line bg-bg px-2 py-1.5 text-sm outline-none focus:border-accent"
          >
            {(Object.keys(EVENT_LABEL) as EventType[]).map((t) => (
              <option key={t} value={t}>
                {EVENT_LABEL[t]}
              </option>
            ))}
          </select>
          {fieldErrors.type && <p className="mt-1 text-xs text-down">{fieldErrors.type}</p>}
        </div>
        <div className="grid grid-cols-2 gap-3">
          {(type === 'crash' || type === 'rally') &&
            field(
              'percent',
              type === 'crash' ? 'Drop (%)' : 'Rise (%)',
              percent,
              setPercent,
              'Up to 90%',
            )}
          {type === 'volSpike' &&
            field(
              'multiplier',
              'Volatility multiplier',
              multiplier,
              setMultiplier,
              'Above 1, up to 20',
            )}
          {type === 'liquidityDrought' && (
            <>
              {field(
                'spreadMultiplier',
                'Spread multiplier',
                spreadMultiplier,
                setSpreadMultiplier,
                'Above 1, up to 50',
              )}
              {field(
                'depthMultiplier',
                'Depth multiplier',
                depthMultiplier,
                setDepthMultiplier,
                'Between 0 and 1',
              )}
            </>
          )}
          {field('durationMs', 'Duration (seconds)', seconds, setSeconds, '1 s to 1 hour', '1')}
        </div>
        <fieldset aria-describedby={fieldErrors.symbol ? `${id}-symbol-error` : undefined}>
          <legend className="mb-1 text-xs text-muted">Markets</legend>
          <div className="space-y-1.5 text-sm">
            {moves ? (
              <label className="flex items-start gap-1.5">
                <input
                  type="radio"
                  name="scope"
                  value="follow"
                  checked={effectiveScope === 'follow'}
                  onChange={() => setScope('follow')}
                  className="mt-1 accent-accent"
                />
                <span>
                  {symbol}, the others following
                  <span className="block text-[11px] text-muted">
                    The simulator moves the other markets by their correlation with {symbol}: a 10%
                    crash here also moves BTC, ETH and SOL by a few percent each.
                  </span>
                </span>
              </label>
            ) : null}
            <label className="flex items-start gap-1.5">
              <input
                type="radio"
                name="scope"
                value="symbol"
                checked={effectiveScope === 'symbol'}
                onChange={() => setScope('symbol')}
                className="mt-1 accent-accent"
              />
              <span>
                Only {symbol}
                {moves ? ': the other markets do not follow' : ''}
              </span>
            </label>
            <label className="flex items-start gap-1.5">
              <input
                type="radio"
                name="scope"
                value="all"
                checked={effectiveScope === 'all'}
                onChange={() => setScope('all')}
                className="mt-1 accent-accent"
              />
              <span>All markets{moves ? ', each by the same percent' : ''}</span>
            </label>
          </div>
          {fieldErrors.symbol && (
            <p id={`${id}-symbol-error`} className="mt-1 text-xs text-down">
              {fieldErrors.symbol}
            </p>
          )}
        </fieldset>
        {formError && (
          <p
            role="alert"
            className="rounded-sm border border-down/40 bg-down/10 px-2 py-1.5 text-xs text-down"
          >
            {formError}
          </p>
        )}
        <p role="status" className="text-xs text-up empty:hidden">
          {sent}
        </p>
        <button
          type="submit"
          disabled={mutation.isPending}
          className="w-full rounded-sm bg-accent px-3 py-2 text-sm font-semibold text-on-accent hover:brightness-110 disabled:cursor-wait disabled:opacity-70"
        >
          {mutation.isPending ? 'Sending…' : `Send ${EVENT_LABEL[type].toLowerCase()}`}
        </button>
      </form>
    </section>
  );
}
