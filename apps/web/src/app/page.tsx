import Link from 'next/link';
import { LandingPriceStrip } from '@/components/market/landing-price-strip';

const lessons = [
  {
    title: 'Cross or isolated, side by side',
    body: 'Open the same trade in both margin modes and watch how one losing position drains the shared wallet in cross, but stops at its own margin in isolated.',
  },
  {
    title: 'Liquidation, exactly where it is shown',
    body: 'The liquidation price on your screen is the price at which the engine really liquidates: tiered maintenance margin, fees and the insurance fund included.',
  },
  {
    title: 'Funding that adds up',
    body: 'Funding is paid on the position you hold at each funding time, whether you added to it or closed part of it in between, and every payment is in your ledger.',
  },
  {
    title: 'Markets that move like markets',
    body: 'Simulated prices with volatility regimes, jumps and correlated coins, or live exchange feeds, and instructors can trigger the same crash for the whole class.',
  },
];

export default function HomePage() {
  return (
    <main>
      <section className="mx-auto max-w-7xl px-4 pt-16 pb-12">
        <p className="text-sm font-medium uppercase tracking-widest text-accent">
          Paper trading · perpetual futures
        </p>
        <h1 className="mt-3 max-w-3xl text-4xl font-semibold leading-tight sm:text-5xl">
          Learn what leverage does before it costs you.
        </h1>
        <p className="mt-5 max-w-2xl text-lg text-muted">
          Leverage Lab gives you paper accounts for leveraged crypto perpetuals, marked, funded and
          liquidated the way a real exchange does it, with no real money at stake. Instructors run
          classroom competitions on it.
        </p>
        <div className="mt-8 flex flex-wrap gap-3">
          <Link
            href="/sign-up"
            className="rounded bg-accent px-5 py-2.5 font-medium text-on-accent hover:brightness-110"
          >
            Open a paper account
          </Link>
          <Link
            href="/sign-in"
            className="rounded border border-line px-5 py-2.5 hover:border-muted"
          >
            Sign in
          </Link>
        </div>
      </section>
      <LandingPriceStrip />
      <section aria-labelledby="lessons" className="mx-auto max-w-7xl px-4 pb-20">
        <h2 id="lessons" className="sr-only">
          What you can learn
        </h2>
        <ul className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
          {lessons.map((l) => (
            <li key={l.title} className="rounded-lg border border-line bg-panel p-5">
              <h3 className="font-medium">{l.title}</h3>
              <p className="mt-2 text-sm leading-relaxed text-muted">{l.body}</p>
            </li>
          ))}
        </ul>
      </section>
    </main>
  );
}
