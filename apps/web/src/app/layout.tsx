import type { Metadata } from 'next';
import { cookies } from 'next/headers';
import { connection } from 'next/server';
import { RouteFocus, SkipLink } from '@/components/route-focus';
import { SiteHeader } from '@/components/site-header';
import { readTheme, THEME_COOKIE } from '@/lib/theme';
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
  const theme = readTheme((await cookies()).get(THEME_COOKIE)?.value);
  return (
    <html lang="en" data-theme={theme === 'system' ? undefined : theme}>
      <body className="min-h-screen antialiased">
        <SkipLink />
        <TRPCReactProvider>
          <SiteHeader theme={theme} />
          <RouteFocus />
          {children}
        </TRPCReactProvider>
      </body>
    </html>
  );
}
