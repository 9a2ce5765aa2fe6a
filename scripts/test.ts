// `npm test`: every test. Unit, property and integration tests (Vitest, against a throw-away
// embedded PostgreSQL, or the server in TEST_DATABASE_URL / DATABASE_URL), type checks, then the
// Playwright end-to-end suite in Chromium against a production build on its own port and database.
// Nothing here touches the data of a running `npm start`.
// Flags: --no-e2e, --no-unit, --no-typecheck.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { repoRoot } from '@lab/db/server';

const args = new Set(process.argv.slice(2));
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: '1', FORCE_COLOR: process.env.FORCE_COLOR ?? '0' };
const results: Array<{ step: string; ok: boolean; seconds: number }> = [];

function run(step: string, cmd: string, cmdArgs: string[], cwd = repoRoot): boolean {
  console.log(`\n=== ${step} ===`);
  const t0 = Date.now();
  const r = spawnSync(cmd, cmdArgs, { cwd, env, stdio: 'inherit' });
  const ok = r.status === 0;
  results.push({ step, ok, seconds: Math.round((Date.now() - t0) / 1000) });
  return ok;
}

const npx = (bin: string) => `${repoRoot}/node_modules/.bin/${bin}`;

if (!args.has('--no-typecheck')) {
  run('typecheck (every workspace)', npx('turbo'), ['run', 'typecheck', '--output-logs=errors-only']);
}
if (!args.has('--no-unit')) {
  run('unit, property and integration tests (vitest)', npx('vitest'), ['run']);
}
if (!args.has('--no-e2e')) {
  if (!fs.existsSync(process.env.CHROMIUM_PATH ?? '/usr/bin/chromium')) {
    console.error('Chromium not found at /usr/bin/chromium: install it (apt-get install -y chromium) or set CHROMIUM_PATH');
    results.push({ step: 'end-to-end (playwright)', ok: false, seconds: 0 });
  } else {
    run('end-to-end (playwright, chromium)', npx('playwright'), ['test', '-c', 'playwright.config.ts'], `${repoRoot}/e2e`);
  }
}

console.log('\n=== summary ===');
for (const r of results) console.log(`${r.ok ? 'ok  ' : 'FAIL'}  ${r.step}  (${r.seconds} s)`);
const failed = results.filter((r) => !r.ok).length;
process.exit(failed ? 1 : 0);
