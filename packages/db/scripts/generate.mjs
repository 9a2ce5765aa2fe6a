// `prisma generate` that works offline: the Prisma 7 CLI insists on finding its native schema
// engine at start (and would try to download it), although generate never runs it. Pointing
// PRISMA_SCHEMA_ENGINE_BINARY at any existing file satisfies the check.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const placeholder = path.join(os.tmpdir(), 'lab-prisma-engine-placeholder');
if (!fs.existsSync(placeholder)) fs.writeFileSync(placeholder, '');
const env = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: '1', CHECKPOINT_DISABLE: '1' };
env.PRISMA_SCHEMA_ENGINE_BINARY ??= placeholder;
const r = spawnSync('npx', ['--no-install', 'prisma', 'generate'], {
  cwd: root,
  env,
  stdio: 'inherit',
});
process.exit(r.status ?? 1);
