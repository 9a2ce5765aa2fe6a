// `npm test`: every test. Type checks and lint, unit, property and integration tests (Vitest,
// against a throw-away embedded PostgreSQL, or the server in TEST_DATABASE_URL / DATABASE_URL), then the
// Playwright end-to-end suite in Chromium against a production build on its own port and database.
// Nothing here touches the data of a running `npm start`.
// Flags: --no-e2e, --no-unit, --no-typecheck, --no-lint.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '@lab/db/server';

const args = new Set(process.argv.slice(2));
const env: NodeJS.ProcessEnv = {
  ...process.env,
  NEXT_TELEMETRY_DISABLED: '1',
  TURBO_TELEMETRY_DISABLED: '1',
  FORCE_COLOR: process.env.FORCE_COLOR ?? '0',
};
const results: Array<{ step: string; ok: boolean; seconds: number }> = [];
const counts = { passed: 0, failed: 0, skipped: 0 };
const reports = fs.mkdtempSync(path.join(os.tmpdir(), 'lab-test-report-'));

/** Adds a runner's JSON report to the totals; a missing report counts as one failure. */
function count(file: string, read: (json: Record<string, unknown>) => typeof counts): void {
  try {
    const c = read(JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>);
    counts.passed += c.passed;
    counts.failed += c.failed;
    counts.skipped += c.skipped;
  } catch {
    counts.failed += 1;
  }
}

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
  run('typecheck (every workspace)', npx('turbo'), [
    'run',
    'typecheck',
    '--output-logs=errors-only',
  ]);
  run('typecheck (scripts and root config)', npx('tsc'), ['--noEmit', '-p', 'scripts']);
}
if (!args.has('--no-lint')) {
  run('lint (eslint, type-aware, whole repository)', npx('eslint'), ['.', '--max-warnings=0']);
  run('format (prettier --check)', npx('prettier'), ['--check', '.', '--log-level=warn']);
}
if (!args.has('--no-unit')) {
  const out = path.join(reports, 'vitest.json');
  run('unit, property and integration tests (vitest)', npx('vitest'), [
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${out}`,
  ]);
  count(out, (j) => ({
    passed: j.numPassedTests as number,
    failed: (j.numFailedTests as number) + (j.numFailedTestSuites as number),
    skipped: (j.numPendingTests as number) + (j.numTodoTests as number),
  }));
}
if (!args.has('--no-e2e')) {
  // The browser comes from @lab/browser (CHROMIUM_PATH, a system Chromium, else the one npm
  // installed); the Playwright config resolves it and prints which one it uses.
  const out = path.join(reports, 'playwright.json');
  env.PLAYWRIGHT_JSON_OUTPUT_NAME = out;
  run(
    'end-to-end (playwright, chromium)',
    npx('playwright'),
    ['test', '-c', 'playwright.config.ts', '--reporter=list,json'],
    `${repoRoot}/e2e`,
  );
  count(out, (j) => {
    const s = j.stats as { expected: number; unexpected: number; flaky: number; skipped: number };
    return { passed: s.expected + s.flaky, failed: s.unexpected, skipped: s.skipped };
  });
}

console.log('\n=== summary ===');
for (const r of results) console.log(`${r.ok ? 'ok  ' : 'FAIL'}  ${r.step}  (${r.seconds} s)`);
const failed = results.filter((r) => !r.ok).length;
fs.rmSync(reports, { recursive: true, force: true });
console.log(`tests: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
process.exit(failed || counts.failed ? 1 : 0);
