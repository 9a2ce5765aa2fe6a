import Link from 'next/link';
import { LandingPriceStrip } from '@/components/market/landing-price-strip';

const lessons: Array<{ title: string; body: string; href?: string; cta?: string }> = [
  {
    title: 'Cross or isolated, side by side',
    body: 'Set up a few positions in the margin lab, drag the prices, and watch one losing position drain the shared wallet in cross but stop at its own margin in isolated.',
    href: '/margin-lab',
    cta: 'Open the margin lab',
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
    body: 'Simulated prices with volatility regimes, jumps and correlated coins, or live exchange feeds; an admin can send the same crash to everyone at once.',
  },
];

export default function HomePage() {
  return (
    <main id="main">
      <section className="mx-auto max-w-7xl px-4 pt-16 pb-12">
        <p className="text-sm font-medium uppercase tracking-widest text-accent">
          Paper trading · perpetual futures
        </p>
        <h1 className="mt-3 max-w-3xl text-4xl font-semibold leading-tight sm:text-5xl">
          Learn what leverage does before it costs you.
        </h1>
        <p className="mt-5 max-w-2xl text-lg text-muted">
          Leverage Lab gives you paper accounts for leveraged crypto perpetuals, marked, funded and
          liquidated the way a real exchange does it, with no real money at stake.
        </p>
        <div className="mt-8 flex flex-wrap gap-3">
          <Link
            href="/sign-up"
            className="rounded bg-accent px-5 py-2.5 font-medium text-on-accent hover:brightness-110"
          >
            Open a paper account
          </Link>
          <Link
            href="/margin-lab"
            className="rounded border border-line px-5 py-2.5 hover:border-muted"
          >
            Try the margin lab
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
            <li key={l.title} className="flex flex-col rounded-lg border border-line bg-panel p-5">
              <h3 className="font-medium">{l.title}</h3>
              <p className="mt-2 text-sm leading-relaxed text-muted">{l.body}</p>
              {l.href ? (
                <Link
                  href={l.href}
                  className="mt-4 self-start rounded-sm text-sm font-medium text-accent hover:underline"
                >
                  {l.cta} →
                </Link>
              ) : null}
            </li>
          ))}
        </ul>
      </section>
    </main>
  );
}
