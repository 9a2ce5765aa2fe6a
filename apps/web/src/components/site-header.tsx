import Link from 'next/link';
import { getSessionUser } from '@/server/session';
import { SignOutButton } from './sign-out-button';

const roleLabel = { TRADER: 'Trader', INSTRUCTOR: 'Instructor', ADMIN: 'Admin' } as const;

export async function SiteHeader() {
  const user = await getSessionUser();
  return (
    <header className="border-b border-line bg-panel">
      <nav aria-label="Main" className="mx-auto flex h-14 max-w-7xl items-center gap-6 px-4">
        <Link
          href={user ? '/accounts' : '/'}
          className="flex items-center gap-2 font-semibold tracking-tight"
        >
          <span
            aria-hidden
            className="grid h-7 w-7 place-items-center rounded bg-accent text-sm font-bold text-bg"
          >
            L
          </span>
          Leverage Lab
        </Link>
        {user ? (
          <ul className="flex items-center gap-1 text-sm">
            <li>
              <Link href="/accounts" className="rounded px-3 py-1.5 text-muted hover:text-text">
                Accounts
              </Link>
            </li>
            {user.role === 'ADMIN' ? (
              <li>
                <Link
                  href="/admin/users"
                  className="rounded px-3 py-1.5 text-muted hover:text-text"
                >
                  Admin
                </Link>
              </li>
            ) : null}
          </ul>
        ) : null}
        <div className="ml-auto flex items-center gap-3 text-sm">
          {user ? (
            <>
              <Link
                href="/profile"
                className="flex items-center gap-2 rounded px-2 py-1 hover:bg-panel-2"
                aria-label={`Profile of ${user.displayName}`}
              >
                <span
                  aria-hidden
                  className="grid h-7 w-7 place-items-center rounded-full bg-panel-2 text-xs font-semibold uppercase text-accent"
                >
                  {user.displayName.slice(0, 1)}
                </span>
                <span className="max-w-40 truncate">{user.displayName}</span>
                {user.role !== 'TRADER' ? (
                  <span className="rounded border border-line px-1.5 py-0.5 text-[10px] uppercase tracking-wide text-muted">
                    {roleLabel[user.role]}
                  </span>
                ) : null}
              </Link>
              <SignOutButton />
            </>
          ) : (
            <>
              <Link href="/sign-in" className="rounded px-3 py-1.5 text-muted hover:text-text">
                Sign in
              </Link>
              <Link
                href="/sign-up"
                className="rounded bg-accent px-3 py-1.5 font-medium text-bg hover:brightness-110"
              >
                Sign up
              </Link>
            </>
          )}
        </div>
      </nav>
    </header>
  );
}
