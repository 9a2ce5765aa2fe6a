import type { Metadata } from 'next';
import { connection } from 'next/server';
import { SiteHeader } from '@/components/site-header';
import { TRPCReactProvider } from '@/trpc/react';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Leverage Lab', template: '%s · Leverage Lab' },
  description:
    'Paper-trade leveraged crypto perpetual futures with exchange-grade margin, funding and liquidation.',
};

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  // Every page renders per request: its scripts carry that request's CSP nonce (src/proxy.ts).
  await connection();
  return (
    <html lang="en">
      <body className="min-h-screen antialiased">
        <TRPCReactProvider>
          <SiteHeader />
          {children}
        </TRPCReactProvider>
      </body>
    </html>
  );
}
