'use client';
// The margin lab: the learner sets up two or three positions and a wallet, drags the prices, and
// watches cross and isolated margin side by side. Every number is the margin engine's, in the
// browser (lib/margin-lab.ts).
import type { Instrument } from '@lab/margin-engine';
import { useId, useMemo, useState } from 'react';
import { Signed } from '@/components/trade/signed';
import { instrumentFromSpec } from '@/lib/engine-mirror';
import { formatPrice, formatQuantity } from '@/lib/market-format';
import {
  labQuantity,
  movePrices,
  openLab,
  priceAt,
  viewOf,
  type LabPosition,
  type LabSetup,
  type ModeState,
} from '@/lib/margin-lab';
import { ratioPercent, usdt } from '@/lib/trade-format';

/** A market as the server gives it (plain data). */
export interface LabMarketInput {
  symbol: string;
  baseAsset: string;
  tickSize: string;
  lotSize: string;
  /** Where the lab starts the price (the latest stored price). */
  price: string;
  spec: Record<string, unknown>;
}

interface LabMarket extends Omit<LabMarketInput, 'spec'> {
  instrument: Instrument;
}

interface Preset {
  name: string;
  lesson: string;
  wallet: string;
  positions: LabPosition[];
}

const PRESETS: Preset[] = [
  {
    name: 'A winner carries a loser',
    lesson:
      'Drag BTC up and ETH down. In cross, BTC’s profit keeps ETH open; in isolated, ETH is liquidated as soon as its own margin is gone.',
    wallet: '1200',
    positions: [
      { symbol: 'BTCUSDT', side: 'long', notional: '5000', leverage: 10 },
      { symbol: 'ETHUSDT', side: 'long', notional: '5000', leverage: 10 },
    ],
  },
  {
    name: 'One move takes the whole account',
    lesson:
      'Drag BTC far down. In isolated, only BTC’s 500 USDT of margin is lost; in cross, the whole wallet pays for it before the liquidation, and SOL is closed with it if needed.',
    wallet: '3000',
    positions: [
      { symbol: 'BTCUSDT', side: 'long', notional: '5000', leverage: 10 },
      { symbol: 'SOLUSDT', side: 'short', notional: '3000', leverage: 10 },
    ],
  },
  {
    name: 'A hedge',
    lesson:
      'Long BTC and short ETH: drag both the same way. In cross the two legs offset; in isolated each leg can be liquidated on its own.',
    wallet: '800',
    positions: [
      { symbol: 'BTCUSDT', side: 'long', notional: '6000', leverage: 20 },
      { symbol: 'ETHUSDT', side: 'short', notional: '6000', leverage: 20 },
    ],
  },
];

export function MarginLab({ markets: input }: { markets: LabMarketInput[] }) {
  const markets = useMemo<LabMarket[]>(
    () => input.map(({ spec, ...m }) => ({ ...m, instrument: instrumentFromSpec(m.symbol, spec) })),
    [input],
  );
  const bySymbol = useMemo(() => new Map(markets.map((m) => [m.symbol, m])), [markets]);
  const instruments = useMemo(
    () => Object.fromEntries(markets.map((m) => [m.symbol, m.instrument])),
    [markets],
  );
  const [preset, setPreset] = useState(0);
  const [wallet, setWallet] = useState(PRESETS[0]!.wallet);
  const [positions, setPositions] = useState<LabPosition[]>(PRESETS[0]!.positions);
  // price of each symbol as a percentage from its entry (the sliders)
  const [moves, setMoves] = useState<Record<string, number>>({});
  const entries = useMemo(
    () =>
      Object.fromEntries(
        positions.flatMap((p) => {
          const m = bySymbol.get(p.symbol);
          return m ? [[p.symbol, m.price] as const] : [];
        }),
      ),
    [positions, bySymbol],
  );
  const setup: LabSetup = useMemo(
    () => ({ wallet, positions, entries }),
    [wallet, positions, entries],
  );
  const walletError =
    /^\d{1,9}(\.\d{1,2})?$/.test(wallet.trim()) && Number(wallet) > 0
      ? null
      : 'Enter a wallet balance above zero, like 1000.';

  // both modes move along the same path: each slider change from the prices before it
  const fresh = useMemo(
    () =>
      walletError
        ? null
        : {
            setup,
            cross: openLab(setup, 'cross', instruments),
            isolated: openLab(setup, 'isolated', instruments),
          },
    [setup, instruments, walletError],
  );
  const [moved, setMoved] = useState<typeof fresh>(null);
  const states = moved && fresh && moved.setup === fresh.setup ? moved : fresh;

  const reset = (next?: Partial<{ wallet: string; positions: LabPosition[] }>) => {
    if (next?.wallet !== undefined) setWallet(next.wallet);
    if (next?.positions) setPositions(next.positions);
    setMoves({});
    setMoved(null);
  };
  const apply = (marks: Record<string, string>) => {
    if (!states) return;
    setMoved({
      setup: states.setup,
      cross: movePrices(states.cross, marks),
      isolated: movePrices(states.isolated, marks),
    });
  };
  const drag = (symbol: string, percent: number) => {
    const m = bySymbol.get(symbol);
    if (!m) return;
    setMoves((x) => ({ ...x, [symbol]: percent }));
    apply({ [symbol]: priceAt(m.price, percent, m.instrument) });
  };
  const dragAll = (percent: number) => {
    const marks: Record<string, string> = {};
    const next: Record<string, number> = { __all: percent };
    for (const p of positions) {
      const m = bySymbol.get(p.symbol);
      if (!m) continue;
      next[p.symbol] = percent;
      marks[p.symbol] = priceAt(m.price, percent, m.instrument);
    }
    setMoves(next);
    apply(marks);
  };
  const used = new Set(positions.map((p) => p.symbol));

  return (
    <div className="space-y-6">
      <section aria-labelledby="lab-setup" className="rounded-lg border border-line bg-panel p-5">
        <div className="flex flex-wrap items-baseline justify-between gap-3">
          <h2 id="lab-setup" className="font-medium">
            1. Set up a wallet and positions
          </h2>
          <div role="group" aria-label="Start from a lesson" className="flex flex-wrap gap-1.5">
            {PRESETS.map((p, i) => (
              <button
                key={p.name}
                type="button"
                aria-pressed={preset === i}
                onClick={() => {
                  setPreset(i);
                  reset({ wallet: p.wallet, positions: p.positions });
                }}
                className={`rounded-sm border px-2.5 py-1 text-xs ${preset === i ? 'border-accent text-accent' : 'border-line text-muted hover:text-text'}`}
              >
                {p.name}
              </button>
            ))}
          </div>
        </div>
        <p className="mt-2 text-sm text-muted">{PRESETS[preset]!.lesson}</p>
        <div className="mt-4 grid gap-4 lg:grid-cols-[200px_1fr]">
          <WalletField value={wallet} error={walletError} onChange={(v) => reset({ wallet: v })} />
          <div className="space-y-2">
            {positions.map((p, i) => (
              <PositionEditor
                key={`${i}-${p.symbol}`}
                index={i}
                position={p}
                markets={markets.filter((m) => m.symbol === p.symbol || !used.has(m.symbol))}
                market={bySymbol.get(p.symbol)}
                canRemove={positions.length > 1}
                onChange={(next) =>
                  reset({ positions: positions.map((x, j) => (j === i ? next : x)) })
                }
                onRemove={() => reset({ positions: positions.filter((_, j) => j !== i) })}
              />
            ))}
            {positions.length < 3 ? (
              <button
                type="button"
                onClick={() => {
                  const free = markets.find((m) => !used.has(m.symbol));
                  if (free)
                    reset({
                      positions: [
                        ...positions,
                        { symbol: free.symbol, side: 'long', notional: '2000', leverage: 10 },
                      ],
                    });
                }}
                className="rounded-sm border border-dashed border-line px-3 py-1.5 text-xs text-muted hover:text-text"
              >
                + Add a position
              </button>
            ) : null}
          </div>
        </div>
      </section>

      <section aria-labelledby="lab-prices" className="rounded-lg border border-line bg-panel p-5">
        <div className="flex flex-wrap items-baseline justify-between gap-3">
          <h2 id="lab-prices" className="font-medium">
            2. Drag the prices
          </h2>
          <button
            type="button"
            onClick={() => reset()}
            className="rounded-sm border border-line px-2.5 py-1 text-xs hover:border-muted"
          >
            Back to the entry prices (reopen)
          </button>
        </div>
        <p className="mt-1 text-sm text-muted">
          Each move is applied from the previous prices, as the market moves: a liquidated position
          stays closed when the price comes back.
        </p>
        <div className="mt-4 space-y-3">
          {positions.length > 1 ? (
            <PriceSlider
              label="All together"
              value={moves.__all ?? 0}
              text={(v) => `${v > 0 ? '+' : ''}${v.toFixed(1)}% on every market`}
              onChange={dragAll}
            />
          ) : null}
          {positions.map((p) => {
            const m = bySymbol.get(p.symbol);
            if (!m) return null;
            return (
              <PriceSlider
                key={p.symbol}
                label={p.symbol}
                value={moves[p.symbol] ?? 0}
                text={(v) =>
                  `${formatPrice(priceAt(m.price, v, m.instrument), m.tickSize)} (${v > 0 ? '+' : ''}${v.toFixed(1)}%)`
                }
                onChange={(v) => drag(p.symbol, v)}
              />
            );
          })}
        </div>
      </section>

      {states ? (
        <section aria-labelledby="lab-results">
          <h2 id="lab-results" className="mb-3 font-medium">
            3. Cross and isolated, side by side
          </h2>
          <div className="grid gap-4 lg:grid-cols-2">
            <ModePanel state={states.cross} markets={bySymbol} />
            <ModePanel state={states.isolated} markets={bySymbol} />
          </div>
        </section>
      ) : null}
    </div>
  );
}

function WalletField({
  value,
  error,
  onChange,
}: {
  value: string;
  error: string | null;
  onChange: (v: string) => void;
}) {
  const id = useId();
  return (
    <div>
      <label htmlFor={id} className="mb-1 block text-xs text-muted">
        Wallet (USDT)
      </label>
      <input
        id={id}
        inputMode="decimal"
        value={value}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        className={`num w-full rounded border bg-bg px-2 py-2 text-sm ${error ? 'border-down' : 'border-line'}`}
      />
      {error ? (
        <p id={`${id}-error`} className="mt-1 text-xs text-down">
          <span aria-hidden>⚠ </span>
          {error}
        </p>
      ) : null}
    </div>
  );
}

function PositionEditor({
  index,
  position: p,
  markets,
  market,
  canRemove,
  onChange,
  onRemove,
}: {
  index: number;
  position: LabPosition;
  markets: LabMarket[];
  market: LabMarket | undefined;
  canRemove: boolean;
  onChange: (p: LabPosition) => void;
  onRemove: () => void;
}) {
  const id = useId();
  const qty = market ? labQuantity(p, market.price, market.instrument) : null;
  const max = market?.instrument.maxLeverage ?? 20;
  return (
    <fieldset className="grid grid-cols-2 items-end gap-2 rounded border border-line p-2 sm:grid-cols-[1fr_auto_1fr_auto_auto]">
      <legend className="sr-only">Position {index + 1}</legend>
      <div>
        <label htmlFor={`${id}-s`} className="mb-1 block text-[11px] text-muted">
          Market
        </label>
        <select
          id={`${id}-s`}
          value={p.symbol}
          onChange={(e) => onChange({ ...p, symbol: e.target.value })}
          className="w-full rounded-sm border border-line bg-bg px-1.5 py-1.5 text-sm"
        >
          {markets.map((m) => (
            <option key={m.symbol} value={m.symbol}>
              {m.symbol}
            </option>
          ))}
        </select>
      </div>
      <div role="group" aria-label={`Side of position ${index + 1}`} className="flex gap-1">
        {(['long', 'short'] as const).map((s) => (
          <button
            key={s}
            type="button"
            aria-pressed={p.side === s}
            onClick={() => onChange({ ...p, side: s })}
            className={`rounded-sm px-2.5 py-1.5 text-xs font-semibold ${
              p.side === s
                ? s === 'long'
                  ? 'bg-up text-on-fill'
                  : 'bg-down text-on-fill'
                : 'border border-line text-muted'
            }`}
          >
            {s === 'long' ? '▲ Long' : '▼ Short'}
          </button>
        ))}
      </div>
      <div>
        <label htmlFor={`${id}-n`} className="mb-1 block text-[11px] text-muted">
          Size (USDT)
        </label>
        <input
          id={`${id}-n`}
          inputMode="decimal"
          value={p.notional}
          onChange={(e) => onChange({ ...p, notional: e.target.value })}
          aria-describedby={`${id}-q`}
          className="num w-full rounded-sm border border-line bg-bg px-1.5 py-1.5 text-sm"
        />
        <p id={`${id}-q`} className="mt-0.5 text-[11px] text-muted">
          = {market && qty ? formatQuantity(qty.toFixed(), market.lotSize) : '—'}{' '}
          {market?.baseAsset}
        </p>
      </div>
      <div>
        <label htmlFor={`${id}-l`} className="mb-1 block text-[11px] text-muted">
          Leverage
        </label>
        <select
          id={`${id}-l`}
          value={p.leverage}
          onChange={(e) => onChange({ ...p, leverage: Number(e.target.value) })}
          className="num rounded-sm border border-line bg-bg px-1.5 py-1.5 text-sm"
        >
          {[1, 2, 3, 5, 10, 20, 25, 50, 75, 100, 125]
            .filter((l) => l <= max)
            .map((l) => (
              <option key={l} value={l}>
                {l}×
              </option>
            ))}
        </select>
      </div>
      <button
        type="button"
        onClick={onRemove}
        disabled={!canRemove}
        aria-label={`Remove position ${index + 1} (${p.symbol})`}
        className="rounded-sm border border-line px-2 py-1.5 text-xs text-muted hover:text-text disabled:opacity-40"
      >
        Remove
      </button>
    </fieldset>
  );
}

function PriceSlider({
  label,
  value,
  text,
  onChange,
}: {
  label: string;
  value: number;
  text: (v: number) => string;
  onChange: (v: number) => void;
}) {
  const id = useId();
  return (
    <div className="grid grid-cols-[90px_1fr_auto] items-center gap-3 text-sm">
      <label htmlFor={id} className="font-medium">
        {label}
      </label>
      <input
        id={id}
        type="range"
        min={-80}
        max={80}
        step={0.5}
        value={value}
        onChange={(e) => onChange(Number(e.target.value))}
        aria-valuetext={text(value)}
        className="w-full accent-accent"
      />
      <output htmlFor={id} className="num w-44 text-right">
        {text(value)}
      </output>
    </div>
  );
}

function ModePanel({ state, markets }: { state: ModeState; markets: Map<string, LabMarket> }) {
  const v = viewOf(state);
  const cross = state.mode === 'cross';
  const winners = v.positions.filter(
    (p) => p.unrealizedPnl !== '0' && !p.unrealizedPnl.startsWith('-'),
  );
  const losers = v.positions.filter((p) => p.unrealizedPnl.startsWith('-'));
  return (
    <div
      className="rounded-lg border border-line bg-panel p-4"
      aria-labelledby={`mode-${state.mode}`}
    >
      <h3 id={`mode-${state.mode}`} className="text-lg font-semibold">
        {cross ? 'Cross margin' : 'Isolated margin'}
      </h3>
      <p className="mt-0.5 text-xs text-muted">
        {cross
          ? 'One pool: the wallet and every position’s profit and loss back all cross positions.'
          : 'Each position has only its own margin; the rest of the wallet is out of reach.'}
      </p>
      <dl className="mt-3 grid grid-cols-3 gap-2 text-sm">
        <div>
          <dt className="text-xs text-muted">Wallet</dt>
          <dd className="num text-left">{usdt(v.wallet)}</dd>
        </div>
        <div>
          <dt className="text-xs text-muted">Equity</dt>
          <dd className="num text-left">{usdt(v.equity)}</dd>
        </div>
        <div>
          <dt className="text-xs text-muted">Since the start</dt>
          <dd className="text-left">
            <Signed value={v.change} />
          </dd>
        </div>
      </dl>
      {cross ? (
        <p className="mt-2 text-sm">
          Cross margin ratio: <strong className="num">{ratioPercent(v.crossMarginRatio)}</strong>
          <span className="text-muted"> (liquidation of all cross positions at 100%)</span>
        </p>
      ) : null}
      <div className="relative mt-3 overflow-x-auto">
        <table className="w-full min-w-[480px] border-collapse text-xs">
          <caption className="sr-only">Positions under {state.mode} margin</caption>
          <thead>
            <tr className="border-b border-line text-[11px] text-muted">
              <th scope="col" className="py-1 text-left font-normal">
                Position
              </th>
              <th scope="col" className="py-1 text-right font-normal">
                Mark
              </th>
              <th scope="col" className="py-1 text-right font-normal">
                PnL
              </th>
              <th scope="col" className="py-1 text-right font-normal">
                {cross ? 'Initial margin' : 'Its margin'}
              </th>
              <th scope="col" className="py-1 text-right font-normal">
                Liq. price
              </th>
            </tr>
          </thead>
          <tbody>
            {v.positions.map((p) => {
              const m = markets.get(p.symbol);
              return (
                <tr key={p.symbol} className="border-b border-line/50">
                  <th scope="row" className="py-1.5 text-left font-normal">
                    <span className="font-semibold">{p.symbol}</span>{' '}
                    <span className={p.side === 'long' ? 'text-up' : 'text-down'}>
                      {p.side === 'long' ? '▲ long' : '▼ short'}
                    </span>
                  </th>
                  <td className="num py-1.5">{formatPrice(p.markPrice, m?.tickSize ?? '0.01')}</td>
                  <td className="py-1.5 text-right">
                    <Signed value={p.unrealizedPnl} />
                  </td>
                  <td className="num py-1.5">{usdt(p.margin)}</td>
                  <td className="num py-1.5 text-accent">
                    {p.liquidationPrice
                      ? formatPrice(p.liquidationPrice, m?.tickSize ?? '0.01')
                      : 'none'}
                  </td>
                </tr>
              );
            })}
            {!v.positions.length ? (
              <tr>
                <td colSpan={5} className="py-2 text-center text-muted">
                  No open position.
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
      <ul className="mt-3 space-y-1.5 text-sm" aria-live="polite">
        {state.refused.map((r) => (
          <li key={r.symbol} className="text-accent">
            <span aria-hidden>⚠ </span>
            {r.symbol} could not open:{' '}
            {r.code === 'INSUFFICIENT_MARGIN'
              ? 'not enough wallet for its margin and fee'
              : r.code.toLowerCase().replace(/_/g, ' ')}
            .
          </li>
        ))}
        {state.liquidations.map((l, i) => (
          <li key={i} className="text-down">
            <span aria-hidden>✕ </span>
            {l.mode === 'cross'
              ? `Cross liquidation: ${l.symbols.join(' and ')} closed`
              : `${l.symbols.join(', ')} liquidated: it lost its own margin`}
            {l.markPrice && l.symbols[0]
              ? ` at ${formatPrice(l.markPrice, markets.get(l.symbols[0])?.tickSize ?? '0.01')}`
              : ''}
            , fee {usdt(l.fee)} USDT.
            {l.mode === 'isolated' ? ' The rest of the wallet is untouched.' : ''}
          </li>
        ))}
        {cross && winners.length && losers.length && !state.liquidations.length ? (
          <li className="text-up">
            <span aria-hidden>✓ </span>
            {winners.map((w) => w.symbol).join(', ')}’s profit is carrying{' '}
            {losers.map((l) => l.symbol).join(', ')}’s loss.
          </li>
        ) : null}
      </ul>
    </div>
  );
}
