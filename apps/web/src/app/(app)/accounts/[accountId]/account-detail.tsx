'use client';
import type { AccountEventView } from '@lab/services';
import {
  useMutation,
  useQueryClient,
  useSuspenseInfiniteQuery,
  useSuspenseQuery,
} from '@tanstack/react-query';
import Link from 'next/link';
import { useState, type FormEvent } from 'react';
import { Field, FormAlert } from '@/components/form';
import { formErrors, formText } from '@/lib/form-errors';
import { formatAmount, formatSignedAmount, formatSignedPercent, signOf } from '@/lib/format';
import { useTRPC } from '@/trpc/react';
import { Stat } from '@/components/stat';

const KIND_LABEL = { PERSONAL: 'Personal', EXTRA: 'Extra', COMPETITION: 'Competition' } as const;
const timeFormat = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short' });

type Payload = Record<string, unknown>;
const str = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');
const usdt = (v: unknown) => `${formatAmount(str(v) || '0')} USDT`;

const signedUsdt = (v: unknown) => `${formatSignedAmount(str(v) || '0')} USDT`;

/**
 * A sentence for each kind of event of the account's history (the margin engine's events, as
 * eventToJson writes them, and the account's own); unknown kinds show their type.
 */
export function describeEvent(e: AccountEventView): { title: string; detail: string | null } {
  const p = (e.payload ?? {}) as Payload;
  switch (e.type) {
    case 'accountOpened':
      return { title: `Opened with ${usdt(p.walletBalance)}`, detail: null };
    case 'fill': {
      const parts = [`Fee ${usdt(p.fee)}`];
      if (str(p.realizedPnl) && str(p.realizedPnl) !== '0')
        parts.push(`Realized PnL ${signedUsdt(p.realizedPnl)}`);
      return {
        title: `${p.side === 'buy' ? 'Bought' : 'Sold'} ${str(p.quantity)} ${str(p.symbol)} at ${str(p.price)}`,
        detail: parts.join(' · '),
      };
    }
    case 'fundingPaid': {
      const received = !str(p.amount).startsWith('-');
      return {
        title: `Funding ${received ? 'received' : 'paid'} on ${str(p.symbol)}`,
        detail: `${signedUsdt(p.amount)} at a rate of ${str(p.rate)}`,
      };
    }
    case 'liquidation':
      return {
        title: `Liquidated ${str(p.quantity)} ${str(p.symbol)} at ${str(p.price)}`,
        detail: `Realized PnL ${signedUsdt(p.realizedPnl)} · Liquidation fee ${usdt(p.fee)}${
          str(p.shortfall) && str(p.shortfall) !== '0'
            ? ` · ${usdt(p.shortfall)} paid by the insurance fund`
            : ''
        }`,
      };
    case 'leverageChanged':
      return { title: `${str(p.symbol)} leverage set to ${str(p.leverage)}×`, detail: null };
    case 'marginModeChanged':
      return {
        title: `${str(p.symbol)} set to ${p.mode === 'isolated' ? 'isolated' : 'cross'} margin`,
        detail: null,
      };
    case 'isolatedMarginAdjusted': {
      const added = !str(p.amount).startsWith('-');
      return {
        title: `${added ? 'Added' : 'Removed'} ${usdt(str(p.amount).replace(/^-/, ''))} of isolated margin on ${str(p.symbol)}`,
        detail: `Isolated margin ${usdt(p.isolatedWallet)}`,
      };
    }
    case 'accountReset': {
      const parts = [`Wallet ${usdt(p.previousWalletBalance)} → ${usdt(p.walletBalance)}`];
      const closed = Number(p.closedPositions ?? 0);
      const canceled = Number(p.canceledOrders ?? 0);
      if (closed) parts.push(`${closed} position${closed === 1 ? '' : 's'} closed at the mark`);
      if (canceled) parts.push(`${canceled} order${canceled === 1 ? '' : 's'} canceled`);
      return { title: 'Reset to the starting balance', detail: parts.join(' · ') };
    }
    case 'accountRenamed':
      return { title: `Renamed to “${str(p.to)}”`, detail: `Was “${str(p.from)}”` };
    case 'accountArchived':
      return { title: 'Archived', detail: null };
    case 'accountRestored':
      return { title: 'Restored', detail: null };
    default:
      return { title: e.type, detail: null };
  }
}

export function AccountDetail({ accountId }: { accountId: string }) {
  const trpc = useTRPC();
  const { data: a } = useSuspenseQuery(trpc.account.get.queryOptions({ accountId }));
  const events = useSuspenseInfiniteQuery(
    trpc.account.events.infiniteQueryOptions(
      { accountId, limit: 25 },
      { getNextPageParam: (last) => last.nextCursor ?? undefined },
    ),
  );
  const history = events.data.pages.flatMap((p) => p.events);
  const pnlSign = signOf(a.pnl);

  return (
    <div className="space-y-6">
      <nav aria-label="Breadcrumb" className="text-sm text-muted">
        <Link href="/accounts" className="hover:text-text">
          ← All accounts
        </Link>
      </nav>
      <div className="flex flex-wrap items-center gap-3">
        <h1 className="text-2xl font-semibold">{a.name}</h1>
        <span className="rounded bg-panel-2 px-1.5 py-0.5 text-[10px] font-medium uppercase tracking-wide text-muted">
          {KIND_LABEL[a.kind]}
        </span>
        <span className={`text-xs ${a.status === 'ACTIVE' ? 'text-up' : 'text-muted'}`}>
          {a.status === 'ACTIVE' ? '● Active' : '● Archived'}
        </span>
        {a.status === 'ACTIVE' ? (
          <Link
            href={`/trade/BTCUSDT?account=${a.id}`}
            className="ml-auto rounded bg-accent px-4 py-2 text-sm font-semibold text-on-accent hover:brightness-110"
          >
            Trade with this account
          </Link>
        ) : null}
      </div>

      <dl className="grid gap-3 sm:grid-cols-2 lg:grid-cols-4">
        <Stat label="Equity" value={`${formatAmount(a.equity)} ${a.asset}`} />
        <Stat label="Wallet" value={`${formatAmount(a.walletBalance)} ${a.asset}`} />
        <Stat label="Starting balance" value={`${formatAmount(a.startingBalance)} ${a.asset}`} />
        <Stat
          label="PnL vs start"
          value={
            <span className={pnlSign > 0 ? 'text-up' : pnlSign < 0 ? 'text-down' : 'text-muted'}>
              {pnlSign > 0 ? '▲ ' : pnlSign < 0 ? '▼ ' : ''}
              {formatSignedAmount(a.pnl)} ({formatSignedPercent(a.pnlPercent)})
            </span>
          }
        />
      </dl>

      <div className="grid gap-6 lg:grid-cols-[1fr_2fr]">
        <section
          aria-labelledby="rename-title"
          className="h-fit rounded-lg border border-line bg-panel p-5"
        >
          <h2 id="rename-title" className="font-medium">
            Name
          </h2>
          <RenameForm accountId={a.id} name={a.name} />
        </section>

        <section
          aria-labelledby="history-title"
          className="rounded-lg border border-line bg-panel p-5"
        >
          <h2 id="history-title" className="font-medium">
            History
          </h2>
          <ol className="mt-4 space-y-0">
            {history.map((e) => {
              const { title, detail } = describeEvent(e);
              return (
                <li
                  key={e.seq}
                  className="grid grid-cols-[9rem_1fr] gap-4 border-t border-line/60 py-3 first:border-0"
                >
                  <time
                    dateTime={e.createdAt}
                    className="text-xs text-muted"
                    suppressHydrationWarning
                  >
                    {timeFormat.format(new Date(e.createdAt))}
                  </time>
                  <div>
                    <p className="text-sm">{title}</p>
                    {detail ? (
                      <p className="mt-0.5 font-mono text-xs text-muted">{detail}</p>
                    ) : null}
                  </div>
                </li>
              );
            })}
          </ol>
          {events.hasNextPage ? (
            <button
              type="button"
              onClick={() => void events.fetchNextPage()}
              disabled={events.isFetchingNextPage}
              className="mt-3 rounded border border-line px-3 py-1.5 text-xs hover:border-muted"
            >
              {events.isFetchingNextPage ? 'Loading…' : 'Load older events'}
            </button>
          ) : null}
        </section>
      </div>
    </div>
  );
}

function RenameForm({ accountId, name }: { accountId: string; name: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [saved, setSaved] = useState<string | null>(null);
  const mutation = useMutation(
    trpc.account.rename.mutationOptions({
      onSuccess: (a) => {
        setSaved(`Renamed to “${a.name}”.`);
        void queryClient.invalidateQueries({ queryKey: trpc.account.pathKey() });
      },
    }),
  );
  const errors = formErrors(mutation.error, ['name']);
  function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setSaved(null);
    mutation.mutate({ accountId, name: formText(new FormData(e.currentTarget), 'name') });
  }
  return (
    <form onSubmit={onSubmit} noValidate className="mt-3 space-y-3" aria-label="Rename account">
      <FormAlert>{errors.form}</FormAlert>
      <FormAlert tone="success">{saved}</FormAlert>
      <Field
        label="Account name"
        name="name"
        defaultValue={name}
        required
        maxLength={64}
        autoComplete="off"
        error={errors.fields.name}
      />
      <button
        type="submit"
        disabled={mutation.isPending}
        className="rounded bg-accent px-4 py-2 text-sm font-semibold text-on-accent hover:brightness-110 disabled:opacity-60"
      >
        {mutation.isPending ? 'Saving…' : 'Rename'}
      </button>
    </form>
  );
}
