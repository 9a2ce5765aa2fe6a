'use client';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { FormAlert } from '@/components/form';
import { Stat } from '@/components/stat';
import { formatAmount, formatSignedAmount, signOf } from '@/lib/format';
import { useTRPC } from '@/trpc/react';

/** What each house book holds (see LedgerEntry in prisma/schema.prisma). */
const BOOKS: Record<string, { name: string; about: string }> = {
  'house:treasury': {
    name: 'Treasury',
    about: 'Paper money paid into accounts (opening balances, resets) and taken back',
  },
  'house:trading': {
    name: 'Trading',
    about: 'The counterparty of every trade: minus traders’ PnL',
  },
  'house:fees': { name: 'Fees', about: 'Trading fees collected' },
  'house:funding': { name: 'Funding', about: 'The other side of funding payments' },
  'house:insurance': {
    name: 'Insurance fund',
    about: 'Liquidation fees in; losses beyond a wallet (shortfalls) out',
  },
};

const KINDS: Record<string, string> = {
  liquidationFee: 'Liquidation fee',
  shortfall: 'Shortfall paid',
};

function Signed({ value }: { value: string }) {
  const s = signOf(value);
  return (
    <span className={s > 0 ? 'text-up' : s < 0 ? 'text-down' : undefined}>
      {formatSignedAmount(value)}
    </span>
  );
}

export function HouseBooks() {
  const trpc = useTRPC();
  const books = useQuery(trpc.admin.houseBooks.queryOptions());
  const moves = useInfiniteQuery(
    trpc.admin.insuranceMovements.infiniteQueryOptions(
      { limit: 25 },
      { getNextPageParam: (last) => last.nextCursor ?? undefined },
    ),
  );
  const rows = moves.data?.pages.flatMap((p) => p.items) ?? [];
  const h = books.data;
  return (
    <div className="space-y-6">
      <div>
        <p className="text-sm text-muted">
          <Link href="/admin/users" className="underline hover:text-text">
            Users
          </Link>{' '}
          · House books
        </p>
        <h1 className="mt-1 text-2xl font-semibold">House books</h1>
        <p className="mt-1 text-sm text-muted">
          The platform’s side of the double-entry ledger. Every movement of money has its
          counter-entry here, so the house books and the traders’ wallets together sum to zero.
        </p>
      </div>
      {books.error ? <FormAlert>{books.error.message}</FormAlert> : null}
      {h ? (
        <>
          <dl className="grid grid-cols-2 gap-3 md:grid-cols-4">
            <Stat label="Insurance fund (USDT)" value={formatAmount(h.insuranceFund)} />
            <Stat label="Traders’ wallets (USDT)" value={formatAmount(h.traderWallets)} />
            <Stat label="Liquidations" value={h.liquidations} />
            <Stat
              label="Shortfalls paid (USDT)"
              value={`${formatAmount(h.shortfalls.amount)} (${h.shortfalls.count})`}
            />
          </dl>
          <div className="overflow-x-auto rounded-lg border border-line bg-panel">
            <table className="w-full min-w-[640px] text-sm">
              <caption className="sr-only">Balances of the house books</caption>
              <thead className="border-b border-line text-xs uppercase tracking-wider text-muted">
                <tr>
                  <th scope="col" className="px-4 py-3 text-left font-medium">
                    Book
                  </th>
                  <th scope="col" className="px-4 py-3 text-right font-medium">
                    Balance (USDT)
                  </th>
                  <th scope="col" className="px-4 py-3 text-right font-medium">
                    Entries
                  </th>
                </tr>
              </thead>
              <tbody>
                {h.books.map((b) => (
                  <tr key={b.book} className="border-b border-line/60 last:border-0">
                    <th scope="row" className="px-4 py-3 text-left font-medium">
                      {BOOKS[b.book]?.name ?? b.book}
                      <div className="text-xs font-normal text-muted">
                        {BOOKS[b.book]?.about} · <code>{b.book}</code>
                      </div>
                    </th>
                    <td className="num px-4 py-3">
                      <Signed value={b.balance} />
                    </td>
                    <td className="num px-4 py-3">{b.entries}</td>
                  </tr>
                ))}
                <tr className="border-t border-line">
                  <th scope="row" className="px-4 py-3 text-left font-medium">
                    Traders’ wallets ({h.accounts} {h.accounts === 1 ? 'account' : 'accounts'})
                  </th>
                  <td className="num px-4 py-3">
                    <Signed value={h.traderWallets} />
                  </td>
                  <td />
                </tr>
                <tr>
                  <th scope="row" className="px-4 py-3 text-left font-semibold">
                    Total
                  </th>
                  <td className="num px-4 py-3 font-semibold">
                    {formatSignedAmount(h.total)}
                    <span className={signOf(h.total) === 0 ? 'ml-2 text-up' : 'ml-2 text-down'}>
                      {signOf(h.total) === 0 ? '✓ balanced' : '✗ unbalanced'}
                    </span>
                  </td>
                  <td />
                </tr>
              </tbody>
            </table>
          </div>
        </>
      ) : books.isPending ? (
        <p className="text-sm text-muted">Loading…</p>
      ) : null}

      <div>
        <h2 className="text-lg font-semibold">Insurance fund movements</h2>
        {moves.error ? <FormAlert>{moves.error.message}</FormAlert> : null}
        <div className="mt-3 overflow-x-auto rounded-lg border border-line bg-panel">
          <table className="w-full min-w-[640px] text-sm">
            <caption className="sr-only">Insurance fund movements, newest first</caption>
            <thead className="border-b border-line text-xs uppercase tracking-wider text-muted">
              <tr>
                <th scope="col" className="px-4 py-3 text-left font-medium">
                  Time
                </th>
                <th scope="col" className="px-4 py-3 text-left font-medium">
                  Kind
                </th>
                <th scope="col" className="px-4 py-3 text-left font-medium">
                  Account
                </th>
                <th scope="col" className="px-4 py-3 text-right font-medium">
                  Amount (USDT)
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((m) => (
                <tr key={m.id} className="border-b border-line/60 last:border-0">
                  <td className="px-4 py-3 text-muted">
                    {new Date(m.time).toLocaleString('en-GB')}
                  </td>
                  <td className="px-4 py-3">{KINDS[m.kind] ?? m.kind}</td>
                  <td className="px-4 py-3 font-mono text-xs text-muted">{m.accountId ?? '—'}</td>
                  <td className="num px-4 py-3">
                    <Signed value={m.amount} />
                  </td>
                </tr>
              ))}
              {!moves.isPending && rows.length === 0 ? (
                <tr>
                  <td colSpan={4} className="px-4 py-8 text-center text-muted">
                    No movements yet: no liquidation has happened.
                  </td>
                </tr>
              ) : null}
            </tbody>
          </table>
        </div>
        {moves.hasNextPage ? (
          <button
            type="button"
            onClick={() => void moves.fetchNextPage()}
            disabled={moves.isFetchingNextPage}
            className="mt-3 rounded border border-line px-4 py-2 text-sm hover:border-muted"
          >
            {moves.isFetchingNextPage ? 'Loading…' : 'Load more'}
          </button>
        ) : null}
      </div>
    </div>
  );
}
