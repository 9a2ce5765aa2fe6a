import Link from 'next/link';

export function SiteHeader() {
  return (
    <header className="border-b border-line bg-panel">
      <nav aria-label="Main" className="mx-auto flex h-14 max-w-7xl items-center gap-6 px-4">
        <Link href="/" className="flex items-center gap-2 font-semibold tracking-tight">
          <span aria-hidden className="grid h-7 w-7 place-items-center rounded bg-accent text-sm font-bold text-bg">
            L
          </span>
          Leverage Lab
        </Link>
        <div className="ml-auto flex items-center gap-3 text-sm">
          <Link href="/sign-in" className="rounded px-3 py-1.5 text-muted hover:text-text">
            Sign in
          </Link>
          <Link href="/sign-up" className="rounded bg-accent px-3 py-1.5 font-medium text-bg hover:brightness-110">
            Sign up
          </Link>
        </div>
      </nav>
    </header>
  );
}
