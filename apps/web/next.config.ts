import type { NextConfig } from 'next';

const config: NextConfig = {
  // Workspace packages are TypeScript sources; Next compiles them.
  transpilePackages: ['@lab/api', '@lab/db', '@lab/margin-engine', '@lab/market-data', '@lab/auth'],
  // Node-only packages with native or WASM parts load from node_modules at run time.
  serverExternalPackages: ['pg', '@prisma/client', '@prisma/adapter-pg', '@node-rs/argon2'],
  poweredByHeader: false,
  typescript: { ignoreBuildErrors: false },
};

export default config;
