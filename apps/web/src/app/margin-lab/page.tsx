import type { Metadata } from 'next';
import Link from 'next/link';
import { MarginLab, type LabMarketInput } from '@/components/margin-lab/margin-lab';
import { readSpec } from '@/components/market/types';
import { serverCaller } from '@/trpc/server';

export const metadata: Metadata = {
  title: 'Margin lab: cross or isolated',
  description:
    'Set up positions and a wallet, drag the prices, and watch cross and isolated margin side by side, computed by the margin engine in your browser.',
};

/** Round figures to start from when a market has no stored price yet. */
const FALLBACK: Record<string, string> = {
  BTCUSDT: '50000',
  ETHUSDT: '3000',
  SOLUSDT: '150',
  BNBUSDT: '600',
  XRPUSDT: '2',
  DOGEUSDT: '0.3',
};

export default async function MarginLabPage() {
  const instruments = await (await serverCaller()).market.instruments();
  const markets = instruments.flatMap((i): LabMarketInput[] => {
    const spec = readSpec(i.spec);
    const price = i.ticker?.lastPrice ?? FALLBACK[i.symbol];
    return price
      ? [
          {
            symbol: i.symbol,
            baseAsset: i.baseAsset,
            tickSize: spec.tickSize,
            lotSize: spec.lotSize,
            price,
            spec: i.spec ?? {},
          },
        ]
      : [];
  });
  return (
    <main id="main" className="mx-auto max-w-7xl px-4 py-8">
      <p className="text-sm font-medium uppercase tracking-widest text-accent">Margin lab</p>
      <h1 className="mt-2 text-3xl font-semibold">Cross or isolated: what margin mode does</h1>
      <p className="mt-3 max-w-3xl text-muted">
        The same positions are opened twice, once in cross margin and once in isolated margin, at
        today’s prices. Drag the prices and watch what each mode does to the account: every figure
        and every liquidation comes from the platform’s margin engine, running in your browser. No
        account needed, nothing is traded.{' '}
        <Link href="/markets" className="text-accent underline">
          Trade for real on paper
        </Link>
        .
      </p>
      <div className="mt-8">
        <MarginLab markets={markets} />
      </div>
    </main>
  );
}
