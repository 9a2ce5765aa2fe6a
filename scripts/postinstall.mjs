// Runs after `npm install` / `npm ci`: generates the Prisma client (offline-safe).
import { spawnSync } from 'node:child_process';

const r = spawnSync(process.execPath, ['packages/db/scripts/generate.mjs'], { stdio: 'inherit' });
process.exit(r.status ?? 1);
