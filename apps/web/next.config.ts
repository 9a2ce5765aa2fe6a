import type { NextConfig } from 'next';
import { COMMON_SECURITY_HEADERS, NON_PAGE_POLICY } from './src/lib/security-headers.ts';

const config: NextConfig = {
  // The e2e suite builds into its own folder so that it never disturbs a running `npm start`.
  distDir: process.env.LAB_NEXT_DIST_DIR ?? '.next',
  // Workspace packages are TypeScript sources; Next compiles them.
  transpilePackages: [
    '@lab/api',
    '@lab/bot-api',
    '@lab/auth',
    '@lab/contracts',
    '@lab/db',
    '@lab/margin-engine',
    '@lab/market-data',
    '@lab/services',
  ],
  // Node-only packages with native or WASM parts load from node_modules at run time.
  serverExternalPackages: ['pg', '@prisma/client', '@prisma/adapter-pg', '@node-rs/argon2'],
  poweredByHeader: false,
  // Pages get their Content-Security-Policy (with a nonce) from src/proxy.ts.
  headers() {
    return Promise.resolve([
      { source: '/:path*', headers: [...COMMON_SECURITY_HEADERS] },
      {
        source: '/(api|fapi|_next/static|_next/image)/:path*',
        headers: [{ key: 'Content-Security-Policy', value: NON_PAGE_POLICY }],
      },
    ]);
  },
  typescript: { ignoreBuildErrors: false },
};

export default config;
