'use client';
import type { AccountSummary } from '@lab/services';
import { useMutation, useQueryClient, useSuspenseQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useState, type FormEvent } from 'react';
import { Dialog } from '@/components/dialog';
import { Field, FormAlert } from '@/components/form';
import { formErrors, formText } from '@/lib/form-errors';
import {
  formatAmount,
  formatDate,
  formatSignedAmount,
  formatSignedPercent,
  signOf,
} from '@/lib/format';
import { useTRPC } from '@/trpc/react';
import { Stat } from '@/components/stat';

interface Limits {
  minStartingBalance: string;
  maxStartingBalance: string;
  maxActive: number;
  asset: string;
}

const KIND_LABEL = { PERSONAL: 'Personal', EXTRA: 'Extra', COMPETITION: 'Competition' } as const;

function Pnl({ value, percent }: { value: string; percent?: string }) {
  const s = signOf(value);
  const tone = s > 0 ? 'text-up' : s < 0 ? 'text-down' : 'text-muted';
  return (
    <span className={tone}>
      {s !== 0 ? (
        <span aria-hidden className="mr-1 text-[10px]">
          {s > 0 ? '▲' : '▼'}
        </span>
      ) : null}
      {formatSignedAmount(value)}
      {percent !== undefined ? (
        <span className="ml-1.5 text-xs">({formatSignedPercent(percent)})</span>
      ) : null}
    </span>
  );
}

type Pending = { kind: 'reset' | 'archive'; account: AccountSummary } | null;

export function AccountsView({ limits }: { limits: Limits }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { data: accounts } = useSuspenseQuery(
    trpc.account.list.queryOptions({ includeArchived: true }),
  );
  const active = accounts.filter((a) => a.status === 'ACTIVE');
  const archived = accounts.filter((a) => a.status === 'ARCHIVED');
  const [showArchived, setShowArchived] = useState(false);
  const [opening, setOpening] = useState(false);
  const [confirm, setConfirm] = useState<Pending>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.account.list.pathKey() });
  const onDone = (message: string) => {
    setNotice(message);
    void refresh();
  };
  const reset = useMutation(
    trpc.account.reset.mutationOptions({
      onSuccess: (a) => {
        setConfirm(null);
        onDone(`“${a.name}” was reset to ${formatAmount(a.startingBalance)} ${a.asset}.`);
      },
    }),
  );
  const archive = useMutation(
    trpc.account.archive.mutationOptions({
      onSuccess: (a) => {
        setConfirm(null);
        onDone(`“${a.name}” was archived.`);
      },
    }),
  );
  const restore = useMutation(
    trpc.account.restore.mutationOptions({
      onSuccess: (a) => onDone(`“${a.name}” is active again.`),
    }),
  );

  const totalEquity = active.reduce((s, a) => addDecimal(s, a.equity), '0');
  const totalStart = active.reduce((s, a) => addDecimal(s, a.startingBalance), '0');
  const totalPnl = addDecimal(totalEquity, negate(totalStart));
  const atLimit = active.length >= limits.maxActive;

  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 className="text-2xl font-semibold">Paper accounts</h1>
          <p className="mt-1 text-sm text-muted">
            Each account has its own wallet, positions and history. Reset one to start over, or open
            another to try a different strategy.
          </p>
        </div>
        <button
          type="button"
          onClick={() => setOpening(true)}
          disabled={atLimit}
          title={
            atLimit ? `At most ${limits.maxActive} active accounts: archive one first` : undefined
          }
          className="rounded bg-accent px-4 py-2 text-sm font-semibold text-on-accent hover:brightness-110 disabled:cursor-not-allowed disabled:opacity-50"
        >
          Open account
        </button>
      </div>

      <dl className="grid gap-3 sm:grid-cols-3">
        <Stat label="Total equity" value={`${formatAmount(totalEquity)} ${limits.asset}`} />
        <Stat label="PnL vs start" value={<Pnl value={totalPnl} />} />
        <Stat label="Active accounts" value={`${active.length} of ${limits.maxActive}`} />
      </dl>

      {notice ? (
        <div className="flex items-center justify-between gap-3 rounded border border-up/40 bg-up/10 px-3 py-2 text-sm">
          <p role="status" className="text-up">
            {notice}
          </p>
          <button
            type="button"
            className="text-xs text-muted hover:text-text"
            onClick={() => setNotice(null)}
          >
            Dismiss
          </button>
        </div>
      ) : null}
      {restore.error ? <FormAlert>{restore.error.message}</FormAlert> : null}

      <AccountsTable
        caption="Active paper accounts"
        accounts={active}
        actions={(a) => (
          <div className="flex justify-end gap-2">
            {a.kind === 'EXTRA' ? (
              <ActionButton
                label={`Archive ${a.name}`}
                onClick={() => setConfirm({ kind: 'archive', account: a })}
              >
                Archive
              </ActionButton>
            ) : null}
            <ActionButton
              label={`Reset ${a.name}`}
              onClick={() => setConfirm({ kind: 'reset', account: a })}
            >
              Reset
            </ActionButton>
          </div>
        )}
      />

      {archived.length > 0 ? (
        <section aria-labelledby="archived-title" className="space-y-3">
          <button
            type="button"
            aria-expanded={showArchived}
            aria-controls="archived-accounts"
            onClick={() => setShowArchived((v) => !v)}
            className="text-sm text-muted hover:text-text"
          >
            <span id="archived-title">
              {showArchived ? 'Hide' : 'Show'} archived accounts ({archived.length})
            </span>
          </button>
          {showArchived ? (
            <div id="archived-accounts">
              <AccountsTable
                caption="Archived paper accounts"
                accounts={archived}
                actions={(a) => (
                  <div className="flex justify-end">
                    <ActionButton
                      label={`Restore ${a.name}`}
                      disabled={restore.isPending}
                      onClick={() => restore.mutate({ accountId: a.id })}
                    >
                      Restore
                    </ActionButton>
                  </div>
                )}
              />
            </div>
          ) : null}
        </section>
      ) : null}

      <OpenAccountDialog
        open={opening}
        limits={limits}
        onClose={() => setOpening(false)}
        onOpened={(a) => {
          setOpening(false);
          onDone(`“${a.name}” was opened with ${formatAmount(a.startingBalance)} ${a.asset}.`);
        }}
      />

      <Dialog
        open={confirm?.kind === 'reset'}
        onClose={() => {
          setConfirm(null);
          reset.reset();
        }}
        title={confirm ? `Reset “${confirm.account.name}”?` : 'Reset account'}
      >
        {confirm?.kind === 'reset' ? (
          <ConfirmBody
            pending={reset.isPending}
            error={reset.error?.message}
            confirmLabel="Reset account"
            onCancel={() => setConfirm(null)}
            onConfirm={() => reset.mutate({ accountId: confirm.account.id })}
          >
            <p>
              {confirm.account.openPositions === 0
                ? 'This clears its leverage settings and sets the wallet back to '
                : `This closes ${confirm.account.openPositions === 1 ? 'its open position' : `all ${confirm.account.openPositions} open positions`} without realising their PnL, clears its leverage settings and sets the wallet back to `}
              <strong className="num">
                {formatAmount(confirm.account.startingBalance)} {confirm.account.asset}
              </strong>
              . The reset is recorded in the account&apos;s history; it cannot be undone.
            </p>
          </ConfirmBody>
        ) : null}
      </Dialog>

      <Dialog
        open={confirm?.kind === 'archive'}
        onClose={() => {
          setConfirm(null);
          archive.reset();
        }}
        title={confirm ? `Archive “${confirm.account.name}”?` : 'Archive account'}
      >
        {confirm?.kind === 'archive' ? (
          <ConfirmBody
            pending={archive.isPending}
            error={archive.error?.message}
            confirmLabel="Archive account"
            onCancel={() => setConfirm(null)}
            onConfirm={() => archive.mutate({ accountId: confirm.account.id })}
          >
            <p>
              Archived accounts keep their balance and history but cannot trade. You can restore it
              later, as long as you have fewer than {limits.maxActive} active accounts.
            </p>
          </ConfirmBody>
        ) : null}
      </Dialog>
    </div>
  );
}

function ActionButton({
  label,
  onClick,
  children,
  disabled,
}: {
  label: string;
  onClick: () => void;
  children: React.ReactNode;
  disabled?: boolean;
}) {
  return (
    <button
      type="button"
      aria-label={label}
      onClick={onClick}
      disabled={disabled}
      className="rounded border border-line px-3 py-1 text-xs font-medium text-text hover:border-muted hover:bg-panel-2 disabled:opacity-50"
    >
      {children}
    </button>
  );
}

function AccountsTable({
  caption,
  accounts,
  actions,
}: {
  caption: string;
  accounts: AccountSummary[];
  actions: (a: AccountSummary) => React.ReactNode;
}) {
  if (accounts.length === 0) {
    return (
      <p className="rounded-lg border border-dashed border-line p-8 text-center text-sm text-muted">
        No accounts here yet.
      </p>
    );
  }
  return (
    <div className="relative overflow-x-auto rounded-lg border border-line bg-panel">
      <table className="w-full min-w-[980px] table-fixed text-sm">
        <caption className="sr-only">{caption}</caption>
        <colgroup>
          <col className="w-[17%]" />
          <col className="w-[8%]" />
          <col className="w-[12%]" />
          <col className="w-[10%]" />
          <col className="w-[12%]" />
          <col className="w-[11%]" />
          <col className="w-[13%]" />
          <col className="w-[6%]" />
          <col className="w-[11%]" />
        </colgroup>
        <thead className="whitespace-nowrap border-b border-line text-xs uppercase tracking-wide text-muted">
          <tr>
            <th scope="col" className="px-3 py-3 text-left font-medium">
              Account
            </th>
            <th scope="col" className="px-3 py-3 text-left font-medium">
              Status
            </th>
            <th scope="col" className="px-3 py-3 text-right font-medium">
              Starting balance
            </th>
            <th scope="col" className="px-3 py-3 text-right font-medium">
              Wallet
            </th>
            <th scope="col" className="px-3 py-3 text-right font-medium">
              Unrealized PnL
            </th>
            <th scope="col" className="px-3 py-3 text-right font-medium">
              Equity ({accounts[0]?.asset ?? 'USDT'})
            </th>
            <th scope="col" className="px-3 py-3 text-right font-medium">
              PnL vs start
            </th>
            <th scope="col" className="px-3 py-3 text-right font-medium">
              Positions
            </th>
            <th scope="col" className="px-3 py-3 text-right font-medium">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {accounts.map((a) => (
            <tr
              key={a.id}
              className="whitespace-nowrap border-b border-line/60 last:border-0 hover:bg-panel-2/50"
            >
              <th scope="row" className="whitespace-normal px-3 py-3 text-left font-medium">
                <div className="truncate" title={a.name}>
                  <Link href={`/accounts/${a.id}`} className="hover:text-accent hover:underline">
                    {a.name}
                  </Link>
                </div>
                <div className="mt-1 flex flex-wrap items-center gap-x-2 gap-y-0.5 text-xs font-normal text-muted">
                  <span className="rounded bg-panel-2 px-1.5 py-0.5 text-[10px] font-medium uppercase tracking-wide">
                    {KIND_LABEL[a.kind]}
                  </span>
                  <span className="whitespace-nowrap" suppressHydrationWarning>
                    Opened {formatDate(a.createdAt)}
                  </span>
                </div>
              </th>
              <td className="px-3 py-3">
                <span
                  className={`inline-flex items-center gap-1.5 text-xs ${a.status === 'ACTIVE' ? 'text-up' : 'text-muted'}`}
                >
                  <span
                    aria-hidden
                    className={`h-1.5 w-1.5 rounded-full ${a.status === 'ACTIVE' ? 'bg-up' : 'bg-muted'}`}
                  />
                  {a.status === 'ACTIVE' ? 'Active' : 'Archived'}
                </span>
              </td>
              <td className="num px-3 py-3">{formatAmount(a.startingBalance)}</td>
              <td className="num px-3 py-3">{formatAmount(a.walletBalance)}</td>
              <td className="num px-3 py-3">
                <Pnl value={a.unrealizedPnl} />
              </td>
              <td className="num px-3 py-3 font-medium">{formatAmount(a.equity)}</td>
              <td className="num px-3 py-3">
                <Pnl value={a.pnl} percent={a.pnlPercent} />
              </td>
              <td className="num px-3 py-3">{a.openPositions}</td>
              <td className="px-3 py-3">{actions(a)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function ConfirmBody({
  children,
  pending,
  error,
  confirmLabel,
  onCancel,
  onConfirm,
}: {
  children: React.ReactNode;
  pending: boolean;
  error: string | undefined;
  confirmLabel: string;
  onCancel: () => void;
  onConfirm: () => void;
}) {
  return (
    <div className="space-y-4 text-sm text-muted">
      {children}
      {error ? <FormAlert>{error}</FormAlert> : null}
      <div className="flex justify-end gap-2">
        <button
          type="button"
          autoFocus
          onClick={onCancel}
          className="rounded border border-line px-4 py-2 text-text hover:border-muted"
        >
          Cancel
        </button>
        <button
          type="button"
          onClick={onConfirm}
          disabled={pending}
          className="rounded bg-down px-4 py-2 font-semibold text-on-fill hover:brightness-110 disabled:opacity-60"
        >
          {pending ? 'Working…' : confirmLabel}
        </button>
      </div>
    </div>
  );
}

const OPEN_FIELDS = ['name', 'startingBalance'] as const;

function OpenAccountDialog({
  open,
  limits,
  onClose,
  onOpened,
}: {
  open: boolean;
  limits: Limits;
  onClose: () => void;
  onOpened: (a: AccountSummary) => void;
}) {
  const trpc = useTRPC();
  const mutation = useMutation(trpc.account.open.mutationOptions({ onSuccess: onOpened }));
  const errors = formErrors(mutation.error, OPEN_FIELDS);
  function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const data = new FormData(e.currentTarget);
    mutation.mutate({
      name: formText(data, 'name'),
      startingBalance: formText(data, 'startingBalance').replace(/[,\s_]/g, ''),
    });
  }
  return (
    <Dialog
      open={open}
      onClose={() => {
        mutation.reset();
        onClose();
      }}
      title="Open a paper account"
    >
      <form onSubmit={onSubmit} noValidate className="space-y-4" aria-label="Open a paper account">
        <FormAlert>{errors.form}</FormAlert>
        <Field
          label="Name"
          name="name"
          required
          maxLength={64}
          autoComplete="off"
          placeholder="e.g. Swing trades"
          error={errors.fields.name}
          hint="1 to 64 characters, different from your other active accounts."
        />
        <Field
          label={`Starting balance (${limits.asset})`}
          name="startingBalance"
          inputMode="decimal"
          required
          defaultValue="10000"
          error={errors.fields.startingBalance}
          hint={`Between ${formatAmount(limits.minStartingBalance)} and ${formatAmount(limits.maxStartingBalance)} ${limits.asset}.`}
        />
        <div className="flex justify-end gap-2 pt-2">
          <button
            type="button"
            onClick={onClose}
            className="rounded border border-line px-4 py-2 text-sm hover:border-muted"
          >
            Cancel
          </button>
          <button
            type="submit"
            disabled={mutation.isPending}
            className="rounded bg-accent px-4 py-2 text-sm font-semibold text-on-accent hover:brightness-110 disabled:opacity-60"
          >
            {mutation.isPending ? 'Opening…' : 'Open account'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

// Totals of decimal strings without floats: scaled BigInt arithmetic at 18 places.
const SCALE = 18;
function toScaled(v: string): bigint {
  const neg = v.startsWith('-');
  const [i = '0', f = ''] = v.replace(/^[-+]/, '').split('.');
  const n = BigInt(i + f.padEnd(SCALE, '0').slice(0, SCALE));
  return neg ? -n : n;
}
function fromScaled(n: bigint): string {
  const neg = n < 0n;
  const s = (neg ? -n : n).toString().padStart(SCALE + 1, '0');
  const out = `${s.slice(0, -SCALE)}.${s.slice(-SCALE)}`.replace(/\.?0+$/, '');
  return (neg ? '-' : '') + (out || '0');
}
function addDecimal(a: string, b: string): string {
  return fromScaled(toScaled(a) + toScaled(b));
}
function negate(a: string): string {
  return a.startsWith('-') ? a.slice(1) : `-${a}`;
}
