'use client';
// The form that creates a competition. Every rule is checked again by the API (and enforced by
// the engine while students trade); this form only helps fill it in: fees and the penalty are
// typed as percentages and turned into rates exactly (string arithmetic, no floats).
import { useMutation } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useId, useState, type ReactNode } from 'react';
import { Field, FormAlert } from '@/components/form';
import { formErrors } from '@/lib/form-errors';
import { useTRPC } from '@/trpc/react';
import { AFTER_LIQUIDATION_LABEL, MODES_LABEL, shiftDecimal } from '../format';

interface Props {
  markets: Array<{ symbol: string; maxLeverage: number }>;
  limits: {
    minStartingBalance: string;
    maxStartingBalance: string;
    maxTicksPerSecond: number;
    maxFundingIntervalMinutes: number;
    minSnapshotSeconds: number;
    maxSnapshotSeconds: number;
  };
}

const FIELDS = [
  'name',
  'description',
  'startsAt',
  'endsAt',
  'startingBalance',
  'symbols',
  'maxLeverage',
  'marginModes',
  'makerFeeRate',
  'takerFeeRate',
  'resetPenalty',
  'snapshotSeconds',
  'market',
  'market.seed',
  'market.ticksPerSecond',
  'market.fundingIntervalMinutes',
  'ticksPerSecond',
  'fundingIntervalMinutes',
];

/** A Date as the value of a datetime-local input (local time, minutes). */
function localInput(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function CompetitionForm({ markets, limits }: Props) {
  const trpc = useTRPC();
  const router = useRouter();
  const [now] = useState(() => Math.ceil(Date.now() / 60_000) * 60_000);
  const [f, setF] = useState({
    name: '',
    description: '',
    startNow: true,
    startsAt: localInput(now + 5 * 60_000),
    endsAt: localInput(now + 55 * 60_000),
    startingBalance: '10000',
    symbols: ['BTCUSDT', 'ETHUSDT'],
    maxLeverage: '20',
    marginModes: 'BOTH' as 'BOTH' | 'CROSS_ONLY' | 'ISOLATED_ONLY',
    makerFee: '0.02',
    takerFee: '0.05',
    allowLateJoin: true,
    allowResets: false,
    afterLiquidation: 'OUT' as 'OUT' | 'RESET_WITH_PENALTY' | 'CONTINUE',
    penalty: '10',
    leaderboard: 'LIVE' as 'LIVE' | 'HIDDEN_UNTIL_END',
    ranking: 'RETURN' as 'RETURN' | 'RISK_ADJUSTED',
    snapshotSeconds: '30',
    market: 'own' as 'own' | 'main',
    seed: '',
    speedUp: true,
    ticksPerSecond: '10',
    fundingIntervalMinutes: '5',
  });
  const [local, setLocal] = useState<Record<string, string>>({});
  const set = <K extends keyof typeof f>(k: K, v: (typeof f)[K]) => setF((s) => ({ ...s, [k]: v }));
  const create = useMutation(
    trpc.competition.create.mutationOptions({
      onSuccess: (c) => router.push(`/competitions/${c.id}/host`),
    }),
  );
  const server = formErrors(create.error, FIELDS);
  const err = (k: string) => local[k] ?? server.fields[k] ?? server.fields[`market.${k}`];
  const cap = Math.min(
    ...markets.filter((m) => f.symbols.includes(m.symbol)).map((m) => m.maxLeverage),
    125,
  );

  const submit = (publish: boolean) => {
    const problems: Record<string, string> = {};
    const makerFeeRate = shiftDecimal(f.makerFee, -2);
    const takerFeeRate = shiftDecimal(f.takerFee, -2);
    const penalty = shiftDecimal(f.penalty, -2);
    if (makerFeeRate === null) problems.makerFeeRate = 'Enter a percentage like 0.02.';
    if (takerFeeRate === null) problems.takerFeeRate = 'Enter a percentage like 0.05.';
    const needsPenalty = f.afterLiquidation === 'RESET_WITH_PENALTY' || f.allowResets;
    if (needsPenalty && penalty === null) problems.resetPenalty = 'Enter a percentage like 10.';
    const startsAt = f.startNow ? Date.now() : new Date(f.startsAt).getTime();
    const endsAt = new Date(f.endsAt).getTime();
    if (!Number.isFinite(startsAt)) problems.startsAt = 'Choose when it starts.';
    if (!Number.isFinite(endsAt)) problems.endsAt = 'Choose when it ends.';
    const int = (v: string) => (/^\d{1,6}$/.test(v.trim()) ? Number(v) : NaN);
    setLocal(problems);
    if (Object.keys(problems).length) return;
    create.mutate({
      name: f.name,
      description: f.description,
      startsAt,
      endsAt,
      startingBalance: f.startingBalance.trim(),
      symbols: f.symbols,
      maxLeverage: int(f.maxLeverage),
      marginModes: f.marginModes,
      makerFeeRate: makerFeeRate!,
      takerFeeRate: takerFeeRate!,
      allowLateJoin: f.allowLateJoin,
      allowResets: f.allowResets,
      afterLiquidation: f.afterLiquidation,
      resetPenalty: needsPenalty ? penalty : null,
      leaderboard: f.leaderboard,
      ranking: f.ranking,
      snapshotSeconds: int(f.snapshotSeconds),
      market:
        f.market === 'main'
          ? { kind: 'main' }
          : {
              kind: 'own',
              ...(f.seed.trim() ? { seed: f.seed } : {}),
              ticksPerSecond: int(f.ticksPerSecond),
              fundingIntervalMinutes: f.fundingIntervalMinutes.trim()
                ? int(f.fundingIntervalMinutes)
                : null,
            },
      publish,
    });
  };

  return (
    <form
      aria-label="New competition"
      onSubmit={(e) => {
        e.preventDefault();
        submit(true);
      }}
      className="space-y-6"
      noValidate
    >
      <Section title="The competition">
        <Field
          label="Name"
          value={f.name}
          onChange={(e) => set('name', e.target.value)}
          maxLength={100}
          required
          error={err('name')}
        />
        <TextArea
          label="Description for the students"
          value={f.description}
          onChange={(v) => set('description', v)}
          error={err('description')}
        />
      </Section>

      <Section title="When">
        <Check
          label="Start as soon as it is published"
          checked={f.startNow}
          onChange={(v) => set('startNow', v)}
        />
        <div className="grid gap-4 sm:grid-cols-2">
          <Field
            label="Start"
            type="datetime-local"
            value={f.startsAt}
            disabled={f.startNow}
            onChange={(e) => set('startsAt', e.target.value)}
            error={err('startsAt')}
            hint={f.startNow ? 'Starts when you publish it.' : 'In your local time.'}
          />
          <Field
            label="End"
            type="datetime-local"
            value={f.endsAt}
            onChange={(e) => set('endsAt', e.target.value)}
            error={err('endsAt')}
            hint="In your local time; at least 5 minutes after the start."
          />
        </div>
      </Section>

      <Section title="Money and markets">
        <Field
          label="Starting balance (USDT)"
          inputMode="decimal"
          value={f.startingBalance}
          onChange={(e) => set('startingBalance', e.target.value)}
          error={err('startingBalance')}
          hint={`From ${limits.minStartingBalance} to ${Number(limits.maxStartingBalance).toLocaleString('en-US')} USDT.`}
        />
        <fieldset aria-describedby={err('symbols') ? 'symbols-error' : undefined}>
          <legend className="mb-1.5 text-sm font-medium">Allowed markets</legend>
          <div className="flex flex-wrap gap-2">
            {markets.map((m) => (
              <label
                key={m.symbol}
                className="flex items-center gap-2 rounded border border-line px-3 py-1.5 text-sm"
              >
                <input
                  type="checkbox"
                  checked={f.symbols.includes(m.symbol)}
                  onChange={(e) =>
                    set(
                      'symbols',
                      e.target.checked
                        ? [...f.symbols, m.symbol]
                        : f.symbols.filter((s) => s !== m.symbol),
                    )
                  }
                />
                {m.symbol}
              </label>
            ))}
          </div>
          {err('symbols') ? (
            <p id="symbols-error" className="mt-1.5 text-xs text-down">
              ⚠ {err('symbols')}
            </p>
          ) : null}
        </fieldset>
        <Field
          label="Maximum leverage"
          inputMode="numeric"
          value={f.maxLeverage}
          onChange={(e) => set('maxLeverage', e.target.value)}
          error={err('maxLeverage')}
          hint={`1× to ${cap}× for the chosen markets.`}
        />
        <Radios
          legend="Margin modes"
          value={f.marginModes}
          onChange={(v) => set('marginModes', v)}
          options={[
            ['BOTH', MODES_LABEL.BOTH],
            ['CROSS_ONLY', MODES_LABEL.CROSS_ONLY],
            ['ISOLATED_ONLY', MODES_LABEL.ISOLATED_ONLY],
          ]}
        />
        <div className="grid gap-4 sm:grid-cols-2">
          <Field
            label="Maker fee (%)"
            inputMode="decimal"
            value={f.makerFee}
            onChange={(e) => set('makerFee', e.target.value)}
            error={err('makerFeeRate')}
            hint="0 to 1%. Binance charges 0.02%."
          />
          <Field
            label="Taker fee (%)"
            inputMode="decimal"
            value={f.takerFee}
            onChange={(e) => set('takerFee', e.target.value)}
            error={err('takerFeeRate')}
            hint="0 to 1%. Binance charges 0.05%."
          />
        </div>
      </Section>

      <Section title="Rules">
        <Check
          label="Students may join after the start"
          checked={f.allowLateJoin}
          onChange={(v) => set('allowLateJoin', v)}
        />
        <Check
          label="Students may reset their account"
          checked={f.allowResets}
          onChange={(v) => set('allowResets', v)}
        />
        <Radios
          legend="After a liquidation"
          value={f.afterLiquidation}
          onChange={(v) => set('afterLiquidation', v)}
          options={[
            ['OUT', AFTER_LIQUIDATION_LABEL.OUT],
            ['RESET_WITH_PENALTY', AFTER_LIQUIDATION_LABEL.RESET_WITH_PENALTY],
            ['CONTINUE', AFTER_LIQUIDATION_LABEL.CONTINUE],
          ]}
        />
        {f.afterLiquidation === 'RESET_WITH_PENALTY' || f.allowResets ? (
          <Field
            label="Penalty per reset (% of the starting balance)"
            inputMode="decimal"
            value={f.penalty}
            onChange={(e) => set('penalty', e.target.value)}
            error={err('resetPenalty')}
            hint="Each reset withholds this much more: the second reset after a 10% penalty restarts at 80%."
          />
        ) : null}
        <Radios
          legend="Leaderboard"
          value={f.leaderboard}
          onChange={(v) => set('leaderboard', v)}
          options={[
            ['LIVE', 'Live: everyone sees the standings'],
            ['HIDDEN_UNTIL_END', 'Hidden until the end (students see only their own row)'],
          ]}
        />
        <Radios
          legend="Ranking"
          value={f.ranking}
          onChange={(v) => set('ranking', v)}
          options={[
            ['RETURN', 'By return'],
            ['RISK_ADJUSTED', 'By risk-adjusted score: return − maximum drawdown'],
          ]}
        />
        <Field
          label="Equity snapshot every (seconds)"
          inputMode="numeric"
          value={f.snapshotSeconds}
          onChange={(e) => set('snapshotSeconds', e.target.value)}
          error={err('snapshotSeconds')}
          hint={`${limits.minSnapshotSeconds} to ${limits.maxSnapshotSeconds}. Drawdown and the Sharpe ratio come from these.`}
        />
      </Section>

      <Section title="Market">
        <Radios
          legend="Which market"
          value={f.market}
          onChange={(v) => set('market', v)}
          options={[
            [
              'own',
              'A market of its own: the class trades the same simulated prices, nobody else is touched, and you can trigger crashes',
            ],
            ['main', 'The platform’s main market'],
          ]}
        />
        {f.market === 'own' ? (
          <div className="space-y-4 rounded border border-line p-4">
            <Check
              label="Speed up for a lesson (10 ticks per second, funding every 5 minutes): 50 minutes show what a week of leverage does"
              checked={f.speedUp}
              onChange={(v) =>
                setF((s) => ({
                  ...s,
                  speedUp: v,
                  ticksPerSecond: v ? '10' : '4',
                  fundingIntervalMinutes: v ? '5' : '',
                }))
              }
            />
            <div className="grid gap-4 sm:grid-cols-3">
              <Field
                label="Ticks per second"
                inputMode="numeric"
                value={f.ticksPerSecond}
                onChange={(e) => set('ticksPerSecond', e.target.value)}
                error={err('ticksPerSecond')}
                hint={`1 to ${limits.maxTicksPerSecond}.`}
              />
              <Field
                label="Funding every (minutes)"
                inputMode="numeric"
                value={f.fundingIntervalMinutes}
                onChange={(e) => set('fundingIntervalMinutes', e.target.value)}
                error={err('fundingIntervalMinutes')}
                hint="Empty: every 8 hours."
              />
              <Field
                label="Seed (optional)"
                value={f.seed}
                onChange={(e) => set('seed', e.target.value)}
                maxLength={100}
                error={err('seed')}
                hint="The same seed gives the same market. Only hosts see it."
              />
            </div>
          </div>
        ) : null}
      </Section>

      {server.form ? <FormAlert>{server.form}</FormAlert> : null}
      <div className="flex flex-wrap gap-3">
        <button
          type="submit"
          disabled={create.isPending}
          className="rounded bg-accent px-5 py-2.5 text-sm font-semibold text-on-accent hover:brightness-110 disabled:opacity-60"
        >
          {create.isPending ? 'Creating…' : 'Create and publish'}
        </button>
        <button
          type="button"
          disabled={create.isPending}
          onClick={() => submit(false)}
          className="rounded border border-line px-5 py-2.5 text-sm font-medium hover:bg-panel-2 disabled:opacity-60"
        >
          Save as draft
        </button>
      </div>
    </form>
  );
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <fieldset className="space-y-4 rounded-lg border border-line bg-panel p-4 sm:p-5">
      <legend className="px-1 text-base font-semibold">{title}</legend>
      {children}
    </fieldset>
  );
}

function Check({
  label,
  checked,
  onChange,
}: {
  label: string;
  checked: boolean;
  onChange: (v: boolean) => void;
}) {
  return (
    <label className="flex items-start gap-2 text-sm">
      <input
        type="checkbox"
        className="mt-0.5"
        checked={checked}
        onChange={(e) => onChange(e.target.checked)}
      />
      <span>{label}</span>
    </label>
  );
}

function Radios<V extends string>({
  legend,
  value,
  onChange,
  options,
}: {
  legend: string;
  value: V;
  onChange: (v: V) => void;
  options: Array<[V, string]>;
}) {
  const name = useId();
  return (
    <fieldset>
      <legend className="mb-1.5 text-sm font-medium">{legend}</legend>
      <div className="space-y-1.5">
        {options.map(([v, label]) => (
          <label key={v} className="flex items-start gap-2 text-sm">
            <input
              type="radio"
              className="mt-0.5"
              name={name}
              value={v}
              checked={value === v}
              onChange={() => onChange(v)}
            />
            <span>{label}</span>
          </label>
        ))}
      </div>
    </fieldset>
  );
}

function TextArea({
  label,
  value,
  onChange,
  error,
}: {
  label: string;
  value: string;
  onChange: (v: string) => void;
  error?: string | undefined;
}) {
  const id = useId();
  return (
    <div>
      <label htmlFor={id} className="mb-1.5 block text-sm font-medium">
        {label}
      </label>
      <textarea
        id={id}
        value={value}
        maxLength={2000}
        rows={3}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        className={`w-full rounded border bg-bg px-3 py-2 text-sm outline-none focus:border-accent ${error ? 'border-down' : 'border-line'}`}
      />
      {error ? (
        <p id={`${id}-error`} className="mt-1.5 text-xs text-down">
          ⚠ {error}
        </p>
      ) : null}
    </div>
  );
}
