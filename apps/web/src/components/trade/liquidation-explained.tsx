'use client';
// A liquidation explained: the margin ratio up to it, the numbers at the trigger, and what the
// same trades would have done under the other margin mode, all replayed through the margin
// engine in the browser from the account's stored events.
import {
  candlePath,
  Decimal,
  engineEvents,
  replayUnder,
  type Candle,
  type Outcome,
} from '@lab/margin-engine';
import { useQueries, useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useMemo, useState } from 'react';
import { readSpec } from '@/components/market/types';
import { instrumentFromSpec } from '@/lib/engine-mirror';
import { frameStory, intervalFor, ratioSeries, storyWindow } from '@/lib/liquidation-story';
import { formatPrice, formatQuantity } from '@/lib/market-format';
import { formatDateTime, ratioPercent, usdt } from '@/lib/trade-format';
import { useTRPC } from '@/trpc/react';
import { RatioChart } from './ratio-chart';
import { Signed } from './signed';

const HORIZON_MS = 30 * 60_000;

export function LiquidationExplained({
  accountId,
  liquidationId,
}: {
  accountId: string;
  liquidationId: string;
}) {
  const trpc = useTRPC();
  const story = useQuery(trpc.trade.liquidationStory.queryOptions({ accountId, liquidationId }));
  const instrumentsQ = useQuery(trpc.market.instruments.queryOptions());
  const [now] = useState(() => Date.now());

  const specs = useMemo(
    () => Object.fromEntries((instrumentsQ.data ?? []).map((i) => [i.symbol, readSpec(i.spec)])),
    [instrumentsQ.data],
  );
  const instruments = useMemo(
    () =>
      Object.fromEntries(
        (instrumentsQ.data ?? []).map((i) => [
          i.symbol,
          instrumentFromSpec(i.symbol, i.spec ?? {}),
        ]),
      ),
    [instrumentsQ.data],
  );
  const events = useMemo(() => (story.data ? engineEvents(story.data.events) : []), [story.data]);
  const frame = useMemo(
    () =>
      story.data && events.length
        ? frameStory(accountId, events, story.data.liquidation.seq)
        : null,
    [accountId, events, story.data],
  );
  const horizonEnd = frame ? Math.min(now, frame.trigger.time + HORIZON_MS) : 0;
  const interval = frame ? intervalFor(horizonEnd - frame.windowStart + 60_000) : null;
  const candleQueries = useQueries({
    queries: (frame?.priced ?? []).map((symbol) => ({
      ...trpc.market.candles.queryOptions({
        symbol,
        interval: interval!.name,
        from: Math.max(0, frame!.windowStart - interval!.ms),
        to: horizonEnd,
        limit: 1500,
      }),
      staleTime: Infinity,
    })),
  });
  const candlesReady = candleQueries.length > 0 && candleQueries.every((q) => q.data);
  const candles = useMemo(() => {
    if (!frame || !candlesReady) return null;
    const out: Record<string, Candle[]> = {};
    frame.priced.forEach((s, i) => {
      out[s] = candleQueries[i]!.data!.candles;
    });
    return out;
    // candleQueries is a new array each render; its data is what matters
  }, [frame, candlesReady, ...candleQueries.map((q) => q.data)]);

  const computed = useMemo(() => {
    if (!frame || !candles || !interval || !Object.keys(instruments).length) return null;
    const actualMode = frame.trigger.mode;
    const other = actualMode === 'cross' ? 'isolated' : 'cross';
    const window = storyWindow(events, frame, horizonEnd);
    const path = candlePath(candles, interval.ms, frame.windowStart, horizonEnd, frame.priced);
    return {
      series: ratioSeries(accountId, events, frame, instruments, candles, interval.ms),
      actual: replayUnder(accountId, events, window, actualMode, instruments, path),
      other: replayUnder(accountId, events, window, other, instruments, path),
    };
  }, [accountId, events, frame, candles, interval, instruments, horizonEnd]);

  if (story.isPending) return <p className="text-muted">Loading the liquidation…</p>;
  if (story.isError)
    return (
      <p role="alert" className="text-down">
        {story.error.message}
      </p>
    );
  const liq = story.data.liquidation;
  const symbolOf = liq.symbol ?? liq.positionsClosed[0]?.symbol ?? 'BTCUSDT';
  const tick = (s: string) => specs[s]?.tickSize ?? '0.01';
  const lot = (s: string) => specs[s]?.lotSize ?? '0.001';
  const base = (s: string) => s.replace(/USDT$/, '');
  const otherMode = liq.mode === 'cross' ? 'isolated' : 'cross';
  const totalPnl = liq.positionsClosed
    .reduce((sum, p) => sum.plus(p.realizedPnl), new Decimal(0))
    .toFixed();

  return (
    <div className="space-y-6">
      <nav aria-label="Breadcrumb" className="text-sm text-muted">
        <Link href={`/accounts/${accountId}`} className="hover:text-text">
          ← Account
        </Link>
        <span aria-hidden> · </span>
        <Link href={`/trade/${symbolOf}?account=${accountId}`} className="hover:text-text">
          Trade {symbolOf}
        </Link>
      </nav>
      <header>
        <h1 className="text-2xl font-semibold">
          {liq.mode === 'cross'
            ? 'Your cross positions were liquidated'
            : `Your isolated ${liq.symbol} position was liquidated`}
        </h1>
        <p className="mt-1 text-sm text-muted">
          <time dateTime={new Date(liq.time).toISOString()} suppressHydrationWarning>
            {formatDateTime(liq.time)}
          </time>{' '}
          ·{' '}
          {liq.positionsClosed
            .map((p) => `${p.symbol} ${p.side === 'sell' ? 'long' : 'short'}`)
            .join(', ')}
        </p>
      </header>

      <section
        aria-labelledby="trigger-heading"
        className="rounded-lg border border-line bg-panel p-5"
      >
        <h2 id="trigger-heading" className="font-medium">
          At the trigger
        </h2>
        <p className="mt-2 max-w-3xl text-sm leading-relaxed">
          {liq.mode === 'isolated' ? 'The position’s' : 'Your cross account’s'} margin balance fell
          to <strong className="num">{usdt(liq.marginBalance)} USDT</strong> while its maintenance
          margin was <strong className="num">{usdt(liq.maintenanceMargin)} USDT</strong>: the margin
          ratio (maintenance ÷ margin balance) reached{' '}
          <strong className="num text-down">{ratioPercent(liq.marginRatio)}</strong>, and at 100%
          the engine liquidates. It closed{' '}
          {liq.positionsClosed
            .map(
              (p) =>
                `${formatQuantity(p.quantity, lot(p.symbol))} ${base(p.symbol)} at ${formatPrice(p.price, tick(p.symbol))}`,
            )
            .join(' and ')}{' '}
          (the mark{liq.markPrice ? ` was ${formatPrice(liq.markPrice, tick(symbolOf))}` : ''}),
          charged a liquidation fee of <strong className="num">{usdt(liq.fee)} USDT</strong> to the
          insurance fund
          {Number(liq.shortfall) > 0 ? (
            <>
              , and the insurance fund covered a shortfall of{' '}
              <strong className="num">{usdt(liq.shortfall)} USDT</strong> the margin could not pay
            </>
          ) : (
            ', and nothing was left short: the margin covered the loss'
          )}
          .
        </p>
        <dl className="mt-4 grid gap-3 text-sm sm:grid-cols-3 lg:grid-cols-6">
          <Figure
            label="Mark at trigger"
            value={liq.markPrice ? formatPrice(liq.markPrice, tick(symbolOf)) : '—'}
          />
          <Figure label="Margin balance" value={`${usdt(liq.marginBalance)} USDT`} />
          <Figure label="Maintenance margin" value={`${usdt(liq.maintenanceMargin)} USDT`} />
          <Figure label="Margin ratio" value={ratioPercent(liq.marginRatio)} />
          <Figure label="Liquidation fee" value={`${usdt(liq.fee)} USDT`} />
          <Figure label="Shortfall (insurance fund)" value={`${usdt(liq.shortfall)} USDT`} />
        </dl>
        <p className="mt-3 text-sm text-muted">
          Realized PnL of the closes: <Signed value={totalPnl} suffix=" USDT" />
        </p>
      </section>

      <section
        aria-labelledby="ratio-heading"
        className="rounded-lg border border-line bg-panel p-5"
      >
        <h2 id="ratio-heading" className="font-medium">
          The margin ratio up to the liquidation
        </h2>
        <p className="mt-1 text-sm text-muted">
          Replayed through the engine from your account’s events, at each {interval?.name ?? ''}{' '}
          candle’s close from the moment the position opened; the last point is the engine’s own
          figure at the trigger.
        </p>
        <div className="mt-3">
          {story.data.tooLong ? (
            <p className="text-sm text-muted">This account has too many events to replay here.</p>
          ) : computed ? (
            <RatioChart
              points={computed.series}
              label={`Margin ratio from ${formatDateTime(frame!.windowStart)} to the liquidation: ${ratioPercent(liq.marginRatio)} at the trigger`}
            />
          ) : (
            <p className="text-sm text-muted">Replaying…</p>
          )}
        </div>
      </section>

      <section
        aria-labelledby="other-heading"
        className="rounded-lg border border-line bg-panel p-5"
      >
        <h2 id="other-heading" className="font-medium">
          The same trades under {otherMode} margin
        </h2>
        <p className="mt-1 max-w-3xl text-sm text-muted">
          Every fill of the window taken again at its own price and fee, funding as it was paid, the
          prices in between along the candles (their extremes, then the close), with{' '}
          {frame?.symbols.join(', ')} in {otherMode} margin, until{' '}
          {horizonEnd ? formatDateTime(horizonEnd) : '…'}. Your resting orders are left out. The
          first column replays the mode you used with the same method, to show how close it comes to
          the record.
        </p>
        {computed ? (
          <div className="mt-4 grid gap-4 md:grid-cols-2">
            <OutcomeCard
              title={`As you traded (${liq.mode}), replayed`}
              outcome={computed.actual}
              tick={tick}
            />
            <OutcomeCard
              title={`Under ${otherMode} margin`}
              outcome={computed.other}
              tick={tick}
              highlight
            />
          </div>
        ) : (
          <p className="mt-3 text-sm text-muted">{story.data.tooLong ? '' : 'Replaying…'}</p>
        )}
        {computed ? (
          <Verdict actual={computed.actual} other={computed.other} mode={liq.mode} />
        ) : null}
      </section>
    </div>
  );
}

function Figure({ label, value }: { label: string; value: string }) {
  return (
    <div className="rounded border border-line bg-bg px-3 py-2">
      <dt className="text-xs text-muted">{label}</dt>
      <dd className="num mt-0.5 text-left font-medium">{value}</dd>
    </div>
  );
}

function OutcomeCard({
  title,
  outcome,
  tick,
  highlight = false,
}: {
  title: string;
  outcome: Outcome;
  tick: (s: string) => string;
  highlight?: boolean;
}) {
  return (
    <div className={`rounded border p-4 ${highlight ? 'border-accent' : 'border-line'}`}>
      <h3 className="font-medium">{title}</h3>
      {outcome.liquidations.length ? (
        <ul className="mt-2 space-y-1 text-sm">
          {outcome.liquidations.map((l, i) => (
            <li key={i} className="text-down">
              <span aria-hidden>✕ </span>
              {l.mode === 'cross' ? 'Cross' : 'Isolated'} liquidation of {l.symbols.join(', ')} at{' '}
              {formatDateTime(l.time)}
              {l.markPrice && l.symbols[0]
                ? ` (mark ${formatPrice(l.markPrice, tick(l.symbols[0]))})`
                : ''}
              , fee {usdt(l.fee)} USDT
            </li>
          ))}
        </ul>
      ) : (
        <p className="mt-2 text-sm text-up">
          <span aria-hidden>✓ </span>No liquidation.
        </p>
      )}
      {outcome.refused.length ? (
        <p className="mt-2 text-sm text-accent">
          {outcome.refused.length} fill{outcome.refused.length === 1 ? ' was' : 's were'} refused by
          the engine under this mode (
          {[...new Set(outcome.refused.map((r) => r.code))]
            .join(', ')
            .toLowerCase()
            .replace(/_/g, ' ')}
          ).
        </p>
      ) : null}
      <dl className="mt-3 grid grid-cols-[1fr_auto] gap-x-4 gap-y-1 text-sm">
        <dt className="text-muted">Wallet at the end</dt>
        <dd className="num">{usdt(outcome.walletEnd)} USDT</dd>
        <dt className="text-muted">Equity at the end</dt>
        <dd className="num">{usdt(outcome.equityEnd)} USDT</dd>
        <dt className="text-muted">Change since the positions opened</dt>
        <dd>
          <Signed value={outcome.change} suffix=" USDT" />
        </dd>
        <dt className="text-muted">Still open</dt>
        <dd className="num">
          {outcome.openAtEnd.length
            ? outcome.openAtEnd
                .map((p) => `${p.symbol} ${p.quantity.startsWith('-') ? 'short' : 'long'}`)
                .join(', ')
            : 'nothing'}
        </dd>
      </dl>
    </div>
  );
}

function Verdict({ actual, other, mode }: { actual: Outcome; other: Outcome; mode: string }) {
  const diff = new Decimal(other.change).minus(actual.change);
  const otherMode = mode === 'cross' ? 'isolated' : 'cross';
  return (
    <p className="mt-4 max-w-3xl rounded border border-line bg-bg px-4 py-3 text-sm leading-relaxed">
      {other.liquidations.length === 0
        ? `Under ${otherMode} margin the same trades would not have been liquidated in this window`
        : `Under ${otherMode} margin the engine would have liquidated ${other.liquidations
            .flatMap((l) => l.symbols)
            .join(', ')}`}
      {'; '}
      by the end the account would have been{' '}
      <strong className={diff.gte(0) ? 'text-up' : 'text-down'}>
        {diff.gte(0) ? '▲ ' : '▼ '}
        {usdt(diff.abs().toFixed())} USDT {diff.gte(0) ? 'better' : 'worse'} off
      </strong>{' '}
      than the replay of what you did.{' '}
      {mode === 'isolated'
        ? 'Cross margin lets the whole wallet hold a losing position: it can survive a move that wipes out its isolated margin, but then every cross position shares the loss.'
        : 'Isolated margin caps each position’s loss at its own margin: a position can be liquidated sooner, but the rest of the account is not dragged down with it.'}
    </p>
  );
}
