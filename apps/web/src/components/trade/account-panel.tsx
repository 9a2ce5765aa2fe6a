'use client';
// The account's money at a glance, live from the private stream: wallet, margin balance,
// unrealized PnL, available balance, and the cross margin ratio as a gauge with what 100% means.
import Link from 'next/link';
import { formatDateTime, ratioPercent, usdt } from '@/lib/trade-format';
import { Signed } from './signed';
import { useTradingAccount } from './trading-account';

/** Width of the gauge's bar, 0 to 100 (drawing only; the figure shown is the exact one). */
function gaugeWidth(ratio: string | null | undefined): number {
  if (ratio === null) return 100;
  if (!ratio) return 0;
  return Math.max(0, Math.min(100, Number(ratio) * 100));
}

export function AccountPanel() {
  const account = useTradingAccount();
  if (!account) return null;
  const f = account.figures?.account;
  const crossDue = !!f && f.crossMaintenanceMargin !== '0';
  const ratio = crossDue ? f.crossMarginRatio : '0';
  const width = gaugeWidth(ratio);
  const level = width >= 80 ? 'danger' : width >= 50 ? 'warn' : 'ok';
  return (
    <section aria-labelledby="account-panel-heading" className="bg-panel p-3 text-xs">
      <div className="mb-2 flex items-baseline justify-between gap-2">
        <h2 id="account-panel-heading" className="text-sm font-medium">
          Account
        </h2>
        <Link
          href={`/accounts/${account.accountId}`}
          className="truncate text-accent hover:underline"
          title={account.name}
        >
          {account.name}
        </Link>
      </div>
      <div className="mb-3">
        <div className="flex items-baseline justify-between">
          <span id="cross-ratio-label" className="text-muted">
            Cross margin ratio
          </span>
          <span
            className={`num text-sm font-semibold ${level === 'danger' ? 'text-down' : level === 'warn' ? 'text-accent' : 'text-text'}`}
          >
            {f ? ratioPercent(ratio) : '—'}
            {level === 'danger' ? <span className="ml-1 text-xs">⚠ near liquidation</span> : null}
          </span>
        </div>
        <div
          role="meter"
          aria-labelledby="cross-ratio-label"
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={Math.round(width)}
          aria-valuetext={f ? ratioPercent(ratio) : 'unknown'}
          className="mt-1 h-2 overflow-hidden rounded-full bg-panel-2"
        >
          <div
            className={`h-full rounded-full ${level === 'danger' ? 'bg-down' : level === 'warn' ? 'bg-accent' : 'bg-up'}`}
            style={{ width: `${width}%` }}
          />
        </div>
        <p className="mt-1.5 leading-snug text-muted">
          Maintenance margin ÷ margin balance of your cross positions. At 100% the engine liquidates
          every cross position at the mark price and charges a liquidation fee; isolated positions
          are not touched.
        </p>
      </div>
      <dl className="grid grid-cols-[1fr_auto] gap-x-3 gap-y-1">
        <dt className="text-muted">Wallet balance</dt>
        <dd className="num">{usdt(f?.walletBalance)} USDT</dd>
        <dt className="text-muted">Unrealized PnL</dt>
        <dd>
          <Signed value={f?.unrealizedPnl} suffix=" USDT" />
        </dd>
        <dt className="text-muted">Margin balance</dt>
        <dd className="num">{usdt(f?.marginBalance)} USDT</dd>
        <dt className="text-muted">Maintenance margin</dt>
        <dd className="num">{usdt(f?.maintenanceMargin)} USDT</dd>
        <dt className="text-muted">Available balance</dt>
        <dd className="num font-semibold">{usdt(f?.availableBalance)} USDT</dd>
      </dl>
      {account.stream !== 'open' ? (
        <p role="status" className="mt-2 text-accent">
          {account.stream === 'connecting' ? 'Connecting to your account…' : 'Reconnecting…'}
        </p>
      ) : null}
    </section>
  );
}

/** Margin calls and liquidations from the private stream, where the trader cannot miss them. */
export function AccountNotices({ onShowLiquidations }: { onShowLiquidations: () => void }) {
  const account = useTradingAccount();
  if (!account) return null;
  const { marginCall, liquidation } = account;
  return (
    <>
      {marginCall ? (
        <div
          role="alert"
          className="mb-2 flex flex-wrap items-start justify-between gap-3 rounded border-2 border-down bg-down/10 px-4 py-3 text-sm"
        >
          <div>
            <p className="font-semibold text-down">
              <span aria-hidden>⚠ </span>Margin call:{' '}
              {marginCall.compartment === 'cross'
                ? 'your cross margin ratio'
                : `your isolated ${marginCall.compartment} position's margin ratio`}{' '}
              is {ratioPercent(marginCall.marginRatio)}.
            </p>
            <p className="mt-0.5 text-text">
              At 100% {marginCall.compartment === 'cross' ? 'every cross position' : 'the position'}{' '}
              is liquidated. Reduce the position
              {marginCall.compartment === 'cross' ? 's' : ' or add margin to it'} to stay open.
            </p>
          </div>
          <button
            type="button"
            onClick={account.dismissMarginCall}
            className="rounded border border-line px-2 py-1 text-xs hover:border-muted"
          >
            Dismiss
          </button>
        </div>
      ) : null}
      {liquidation ? (
        <div
          role="alert"
          className="mb-2 flex flex-wrap items-start justify-between gap-3 rounded border-2 border-down bg-down/10 px-4 py-3 text-sm"
        >
          <p>
            <span className="font-semibold text-down">
              <span aria-hidden>✕ </span>
              {liquidation.mode === 'cross'
                ? 'Your cross positions were liquidated'
                : `Your isolated ${liquidation.symbol ?? ''} position was liquidated`}{' '}
              at{' '}
              <time dateTime={new Date(liquidation.at).toISOString()}>
                {formatDateTime(liquidation.at)}
              </time>
              .
            </span>{' '}
            <button type="button" onClick={onShowLiquidations} className="text-accent underline">
              See it in Liquidations, with why it happened
            </button>
          </p>
          <button
            type="button"
            onClick={account.dismissLiquidation}
            className="rounded border border-line px-2 py-1 text-xs hover:border-muted"
          >
            Dismiss
          </button>
        </div>
      ) : null}
    </>
  );
}
