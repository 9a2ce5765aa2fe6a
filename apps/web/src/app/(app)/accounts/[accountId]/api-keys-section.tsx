'use client';
// The account's bot API keys: create one (a name, read or read-and-trade, optional allowed
// addresses) and see its secret once; list them with their permission, addresses and last use;
// revoke one. Bots then trade on this account through /fapi (see docs/bot-api.md).
import { useMutation, useQueryClient, useSuspenseQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Field, FormAlert, SubmitButton } from '@/components/form';
import { formErrors, formText } from '@/lib/form-errors';
import { useTRPC } from '@/trpc/react';

const timeFormat = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short' });
const when = (ms: number | null) => (ms === null ? 'never' : timeFormat.format(new Date(ms)));

interface Created {
  label: string;
  key: string;
  secret: string;
}

export function ApiKeysSection({ accountId }: { accountId: string }) {
  const trpc = useTRPC();
  const { data: keys } = useSuspenseQuery(trpc.apiKeys.list.queryOptions({ accountId }));
  const [created, setCreated] = useState<Created | null>(null);

  return (
    <section
      aria-labelledby="api-keys-title"
      className="rounded-lg border border-line bg-panel p-5"
    >
      <h2 id="api-keys-title" className="font-medium">
        API keys
      </h2>
      <p className="mt-1 text-sm text-muted">
        Bots trade on this paper account through a Binance USD-M futures compatible API: point ccxt
        (or any Binance client) at <code className="font-mono text-text">/fapi</code> on this
        server. See the bot API guide in the docs.
      </p>

      {created ? <SecretOnce created={created} onDone={() => setCreated(null)} /> : null}

      <div className="mt-4 grid gap-6 lg:grid-cols-[1fr_2fr]">
        <CreateKeyForm accountId={accountId} onCreated={setCreated} />
        <div className="overflow-x-auto">
          {keys.length ? (
            <table className="w-full text-left text-sm">
              <caption className="sr-only">API keys of this account</caption>
              <thead className="text-xs text-muted">
                <tr>
                  <th scope="col" className="py-2 pr-3 font-medium">
                    Name
                  </th>
                  <th scope="col" className="py-2 pr-3 font-medium">
                    Key
                  </th>
                  <th scope="col" className="py-2 pr-3 font-medium">
                    Permission
                  </th>
                  <th scope="col" className="py-2 pr-3 font-medium">
                    Allowed addresses
                  </th>
                  <th scope="col" className="py-2 pr-3 font-medium">
                    Last used
                  </th>
                  <th scope="col" className="py-2 font-medium">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {keys.map((k) => (
                  <tr key={k.id} className="border-t border-line/60 align-top">
                    <td className="py-2 pr-3">{k.label}</td>
                    <td className="py-2 pr-3 font-mono text-xs" title={k.key}>
                      {k.key.slice(0, 8)}…{k.key.slice(-4)}
                    </td>
                    <td className="py-2 pr-3">
                      {k.permission === 'trade' ? 'Read and trade' : 'Read only'}
                    </td>
                    <td className="py-2 pr-3 font-mono text-xs">
                      {k.ipAllowList.length ? k.ipAllowList.join(', ') : 'any'}
                    </td>
                    <td className="py-2 pr-3 text-xs text-muted" suppressHydrationWarning>
                      {when(k.lastUsedAt)}
                    </td>
                    <td className="py-2 text-right">
                      {k.revokedAt ? (
                        <span className="text-xs text-muted" suppressHydrationWarning>
                          Revoked {when(k.revokedAt)}
                        </span>
                      ) : (
                        <RevokeButton accountId={accountId} apiKeyId={k.id} label={k.label} />
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p className="text-sm text-muted">No API keys yet.</p>
          )}
        </div>
      </div>
    </section>
  );
}

function SecretOnce({ created, onDone }: { created: Created; onDone: () => void }) {
  const [copied, setCopied] = useState(false);
  return (
    <div
      role="status"
      aria-label="New API key"
      className="mt-4 space-y-2 rounded border border-accent/50 bg-accent/10 p-4 text-sm"
    >
      <p className="font-medium">
        Key “{created.label}” created. Copy the secret now: it is shown only this once.
      </p>
      <dl className="grid gap-1 font-mono text-xs sm:grid-cols-[6rem_1fr]">
        <dt className="text-muted">API key</dt>
        <dd className="break-all" data-testid="api-key">
          {created.key}
        </dd>
        <dt className="text-muted">Secret</dt>
        <dd className="break-all" data-testid="api-secret">
          {created.secret}
        </dd>
      </dl>
      <div className="flex gap-2">
        <button
          type="button"
          onClick={() =>
            void navigator.clipboard
              ?.writeText(`${created.key}\n${created.secret}`)
              .then(() => setCopied(true))
          }
          className="rounded border border-line px-3 py-1.5 text-xs hover:border-muted"
        >
          {copied ? 'Copied' : 'Copy key and secret'}
        </button>
        <button
          type="button"
          onClick={onDone}
          className="rounded border border-line px-3 py-1.5 text-xs hover:border-muted"
        >
          I have saved the secret
        </button>
      </div>
    </div>
  );
}

function CreateKeyForm({
  accountId,
  onCreated,
}: {
  accountId: string;
  onCreated: (c: Created) => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const mutation = useMutation(
    trpc.apiKeys.create.mutationOptions({
      onSuccess: (k) => {
        onCreated({ label: k.label, key: k.key, secret: k.secret });
        void queryClient.invalidateQueries({ queryKey: trpc.apiKeys.list.queryKey({ accountId }) });
      },
    }),
  );
  const errors = formErrors(mutation.error, ['label', 'permission', 'ipAllowList']);
  function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    const data = new FormData(form);
    const ips = formText(data, 'ipAllowList')
      .split(/[\s,]+/)
      .filter(Boolean);
    mutation.mutate(
      {
        accountId,
        label: formText(data, 'label'),
        permission: formText(data, 'permission') === 'trade' ? 'trade' : 'read',
        ipAllowList: ips,
      },
      { onSuccess: () => form.reset() },
    );
  }
  return (
    <form onSubmit={onSubmit} noValidate className="space-y-3" aria-label="Create an API key">
      <FormAlert>{errors.form}</FormAlert>
      <Field label="Key name" name="label" maxLength={64} required error={errors.fields.label} />
      <fieldset>
        <legend className="mb-1.5 block text-sm font-medium">Permission</legend>
        <div className="flex gap-4 text-sm">
          <label className="flex items-center gap-1.5">
            <input type="radio" name="permission" value="read" defaultChecked /> Read only
          </label>
          <label className="flex items-center gap-1.5">
            <input type="radio" name="permission" value="trade" /> Read and trade
          </label>
        </div>
        {errors.fields.permission ? (
          <p className="mt-1.5 text-xs text-down">{errors.fields.permission}</p>
        ) : null}
      </fieldset>
      <Field
        label="Allowed addresses (optional)"
        name="ipAllowList"
        placeholder="203.0.113.7, 2001:db8::1"
        hint="Only these client addresses may use the key; empty allows any."
        error={errors.fields.ipAllowList}
      />
      <SubmitButton pending={mutation.isPending} pendingText="Creating…">
        Create API key
      </SubmitButton>
    </form>
  );
}

function RevokeButton({
  accountId,
  apiKeyId,
  label,
}: {
  accountId: string;
  apiKeyId: string;
  label: string;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const mutation = useMutation(
    trpc.apiKeys.revoke.mutationOptions({
      onSuccess: () =>
        void queryClient.invalidateQueries({ queryKey: trpc.apiKeys.list.queryKey({ accountId }) }),
    }),
  );
  if (!confirming)
    return (
      <button
        type="button"
        onClick={() => setConfirming(true)}
        aria-label={`Revoke ${label}`}
        className="rounded border border-line px-2 py-1 text-xs hover:border-down hover:text-down"
      >
        Revoke
      </button>
    );
  return (
    <span className="inline-flex gap-1">
      <button
        type="button"
        disabled={mutation.isPending}
        onClick={() => mutation.mutate({ accountId, apiKeyId })}
        className="rounded border border-down px-2 py-1 text-xs text-down"
      >
        {mutation.isPending ? 'Revoking…' : `Revoke “${label}” now`}
      </button>
      <button
        type="button"
        onClick={() => setConfirming(false)}
        className="rounded border border-line px-2 py-1 text-xs"
      >
        Keep
      </button>
    </span>
  );
}
