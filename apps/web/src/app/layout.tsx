import type { Metadata } from 'next';
import { SiteHeader } from '@/components/site-header';
import { TRPCReactProvider } from '@/trpc/react';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Leverage Lab', template: '%s · Leverage Lab' },
  description:
    'Paper-trade leveraged crypto perpetual futures with exchange-grade margin, funding and liquidation.',
};

export default function RootLayout({ children }: { children: React.ReactNode }) {
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
