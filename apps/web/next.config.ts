import type { NextConfig } from 'next';

const config: NextConfig = {
  // The e2e suite builds into its own folder so that it never disturbs a running `npm start`.
  distDir: process.env.LAB_NEXT_DIST_DIR ?? '.next',
  // Workspace packages are TypeScript sources; Next compiles them.
  transpilePackages: [
    '@lab/api',
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
  typescript: { ignoreBuildErrors: false },
};

export default config;
