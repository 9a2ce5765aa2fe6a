'use client';
import type { UserListItem } from '@lab/services';
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useDeferredValue, useId, useState } from 'react';
import { FormAlert } from '@/components/form';
import { formatDate } from '@/lib/format';
import { useTRPC } from '@/trpc/react';

const ROLES = [
  { value: 'TRADER', label: 'Trader' },
  { value: 'INSTRUCTOR', label: 'Instructor' },
  { value: 'ADMIN', label: 'Admin' },
] as const;
type RoleValue = (typeof ROLES)[number]['value'];

export function UsersAdmin({ currentUserId }: { currentUserId: string }) {
  const trpc = useTRPC();
  const searchId = useId();
  const [query, setQuery] = useState('');
  const deferred = useDeferredValue(query.trim());
  const users = useInfiniteQuery(
    trpc.admin.users.infiniteQueryOptions(
      { query: deferred || undefined, limit: 25 },
      { getNextPageParam: (last) => last.nextCursor ?? undefined },
    ),
  );
  const rows = users.data?.pages.flatMap((p) => p.users) ?? [];
  return (
    <div className="space-y-6">
      <div>
        <p className="text-sm text-muted">
          Users ·{' '}
          <Link href="/admin/house" className="underline hover:text-text">
            House books
          </Link>
        </p>
        <h1 className="mt-1 text-2xl font-semibold">Users</h1>
        <p className="mt-1 text-sm text-muted">
          Set roles: instructors run classes and competitions, admins manage the platform. The last
          admin cannot lose the role.
        </p>
      </div>
      <div className="max-w-sm">
        <label htmlFor={searchId} className="mb-1.5 block text-sm font-medium">
          Search users
        </label>
        <input
          id={searchId}
          type="search"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          placeholder="Email or name"
          className="w-full rounded border border-line bg-bg px-3 py-2 text-sm outline-none focus:border-accent"
        />
      </div>
      {users.error ? <FormAlert>{users.error.message}</FormAlert> : null}
      <div className="relative overflow-x-auto rounded-lg border border-line bg-panel">
        <table className="w-full text-sm sm:min-w-[760px]">
          <caption className="sr-only">Users</caption>
          <thead className="border-b border-line text-xs uppercase tracking-wider text-muted">
            <tr>
              <th scope="col" className="px-4 py-3 text-left font-medium">
                User
              </th>
              <th scope="col" className="hidden px-4 py-3 text-right font-medium sm:table-cell">
                Active accounts
              </th>
              <th scope="col" className="hidden px-4 py-3 text-left font-medium sm:table-cell">
                Joined
              </th>
              <th scope="col" className="px-4 py-3 text-left font-medium">
                Role
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((u) => (
              <UserRow key={u.id} user={u} isSelf={u.id === currentUserId} />
            ))}
            {!users.isPending && rows.length === 0 ? (
              <tr>
                <td colSpan={4} className="px-4 py-8 text-center text-muted">
                  No users match “{deferred}”.
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
      {users.hasNextPage ? (
        <button
          type="button"
          onClick={() => void users.fetchNextPage()}
          disabled={users.isFetchingNextPage}
          className="rounded border border-line px-4 py-2 text-sm hover:border-muted"
        >
          {users.isFetchingNextPage ? 'Loading…' : 'Load more'}
        </button>
      ) : null}
    </div>
  );
}

function UserRow({ user, isSelf }: { user: UserListItem; isSelf: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const selectId = useId();
  const [role, setRole] = useState<RoleValue>(user.role);
  const [saved, setSaved] = useState(false);
  const mutation = useMutation(
    trpc.admin.setRole.mutationOptions({
      onSuccess: () => {
        setSaved(true);
        void queryClient.invalidateQueries({ queryKey: trpc.admin.users.pathKey() });
      },
    }),
  );
  const changed = role !== user.role;
  return (
    <tr className="border-b border-line/60 align-middle last:border-0">
      <th scope="row" className="px-4 py-3 text-left font-medium">
        {user.displayName}
        {isSelf ? <span className="ml-2 text-xs font-normal text-muted">(you)</span> : null}
        <div className="break-all text-xs font-normal text-muted">{user.email}</div>
        {/* at phone width the two middle columns fold in here, so the role stays on screen */}
        <div className="mt-0.5 text-xs font-normal text-muted sm:hidden">
          {user.activeAccounts} active account{user.activeAccounts === 1 ? '' : 's'} · joined{' '}
          {formatDate(user.createdAt)}
        </div>
      </th>
      <td className="num hidden px-4 py-3 sm:table-cell">{user.activeAccounts}</td>
      <td className="hidden px-4 py-3 text-muted sm:table-cell">{formatDate(user.createdAt)}</td>
      <td className="px-4 py-3">
        <form
          className="flex flex-wrap items-center gap-2"
          onSubmit={(e) => {
            e.preventDefault();
            setSaved(false);
            mutation.mutate({ userId: user.id, role });
          }}
        >
          <label htmlFor={selectId} className="sr-only">
            Role of {user.displayName}
          </label>
          <select
            id={selectId}
            value={role}
            onChange={(e) => {
              setSaved(false);
              mutation.reset();
              setRole(e.target.value as RoleValue);
            }}
            className="rounded border border-line bg-bg px-2 py-1.5 text-sm"
          >
            {ROLES.map((r) => (
              <option key={r.value} value={r.value}>
                {r.label}
              </option>
            ))}
          </select>
          <button
            type="submit"
            disabled={!changed || mutation.isPending}
            aria-label={`Save role of ${user.displayName}`}
            className="rounded border border-line px-3 py-1.5 text-xs font-medium hover:border-muted disabled:opacity-40"
          >
            {mutation.isPending ? 'Saving…' : 'Save'}
          </button>
          {saved && !changed ? (
            <span role="status" className="text-xs text-up">
              Saved
            </span>
          ) : null}
        </form>
        {mutation.error ? (
          <p role="alert" className="mt-1.5 text-xs text-down">
            {mutation.error.message}
          </p>
        ) : null}
      </td>
    </tr>
  );
}
