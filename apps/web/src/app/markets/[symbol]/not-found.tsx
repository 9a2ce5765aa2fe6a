import Link from 'next/link';

export default function MarketNotFound() {
  return (
    <main id="main" className="mx-auto max-w-7xl px-4 py-16">
      <p className="text-sm font-medium text-accent">404</p>
      <h1 className="mt-2 text-2xl font-semibold">No such market</h1>
      <p className="mt-2 text-muted">There is no perpetual with that symbol on Leverage Lab.</p>
      <Link
        href="/markets"
        className="mt-6 inline-block rounded border border-line px-4 py-2 text-sm hover:border-muted"
      >
        See all markets
      </Link>
    </main>
  );
}
