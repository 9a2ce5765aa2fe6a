import Link from 'next/link';
import { getSessionUser } from '@/server/session';
import type { ThemeChoice } from '@/lib/theme';
import { SignOutButton } from './sign-out-button';
import { ThemeToggle } from './theme-toggle';

const roleLabel = { TRADER: 'Trader', INSTRUCTOR: 'Instructor', ADMIN: 'Admin' } as const;
const navLink = 'rounded px-2 py-1.5 text-muted hover:text-text sm:px-3';

export async function SiteHeader({ theme }: { theme: ThemeChoice }) {
  const user = await getSessionUser();
  return (
    <header className="border-b border-line bg-panel">
      <nav
        aria-label="Main"
        className="mx-auto flex h-14 max-w-7xl items-center gap-2 px-4 sm:gap-6"
      >
        <Link
          href={user ? '/accounts' : '/'}
          className="flex shrink-0 items-center gap-2 font-semibold tracking-tight"
        >
          <span
            aria-hidden
            className="grid h-7 w-7 place-items-center rounded bg-accent text-sm font-bold text-on-accent"
          >
            L
          </span>
          <span className="hidden sm:inline">Leverage Lab</span>
          <span className="sr-only sm:hidden">Leverage Lab</span>
        </Link>
        <ul className="flex min-w-0 items-center overflow-x-auto whitespace-nowrap py-1 text-sm">
          <li>
            <Link href="/markets" className={navLink}>
              Markets
            </Link>
          </li>
          {user ? (
            <li>
              <Link href="/accounts" className={navLink}>
                Accounts
              </Link>
            </li>
          ) : null}
          {user ? (
            <li>
              <Link href="/competitions" className={navLink}>
                Competitions
              </Link>
            </li>
          ) : null}
          {user?.role === 'ADMIN' ? (
            <li>
              <Link href="/admin/users" className={navLink}>
                Admin
              </Link>
            </li>
          ) : null}
        </ul>
        <div className="ml-auto flex shrink-0 items-center gap-1 text-sm sm:gap-3">
          <ThemeToggle initial={theme} />
          {user ? (
            <>
              <Link
                href="/profile"
                className="flex items-center gap-2 rounded px-1 py-1 hover:bg-panel-2 sm:px-2"
              >
                <span
                  aria-hidden
                  className="grid h-7 w-7 place-items-center rounded-full bg-panel-2 text-xs font-semibold uppercase text-accent"
                >
                  {user.displayName.slice(0, 1)}
                </span>
                {/* the visible name is the link's name (read everywhere, shown from md up) */}
                <span className="sr-only max-w-40 truncate md:not-sr-only">{user.displayName}</span>
                <span className="sr-only">, profile</span>
              </Link>
              {user.role !== 'TRADER' ? (
                <span className="hidden rounded border border-line px-1.5 py-0.5 text-[10px] uppercase tracking-wide text-muted md:inline">
                  {roleLabel[user.role]}
                </span>
              ) : null}
              <SignOutButton />
            </>
          ) : (
            <>
              <Link href="/sign-in" className={navLink}>
                Sign in
              </Link>
              <Link
                href="/sign-up"
                className="whitespace-nowrap rounded bg-accent px-3 py-1.5 font-medium text-on-accent hover:brightness-110"
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
