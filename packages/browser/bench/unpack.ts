// What the npm Chromium costs: the first unpack into an empty cache against a run that finds it
// cached, and a cold launch (unpack + launch) against a warm one. Medians; temp caches removed.
// Usage: npm run bench -w @lab/browser [-- --runs N]   (N unpacks of ~230 MB each; default 3)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { launchBrowser, resolveBrowser, type ResolveOptions } from '../src/index.ts';

const runsArg = process.argv.indexOf('--runs');
const runs = Math.min(10, Math.max(1, Number(runsArg > 0 ? process.argv[runsArg + 1] : 3) || 3));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const ms = (x: number) => `${x.toFixed(x < 10 ? 2 : 0)} ms`;

async function time(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

async function launchAndClose(options: ResolveOptions): Promise<void> {
  const browser = await launchBrowser(options);
  await (await browser.newPage()).setContent('<p>ready</p>');
  await browser.close();
}

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lab-browser-bench-'));
const cacheRoot = (i: number) => path.join(root, String(i));
const fresh = (i: number): ResolveOptions => ({
  env: {},
  systemPaths: [],
  cacheRoot: cacheRoot(i),
});
try {
  const unpack: number[] = [];
  const cached: number[] = [];
  const cold: number[] = [];
  const warm: number[] = [];
  let description = '';
  for (let i = 0; i < runs; i++) {
    unpack.push(await time(async () => ({ description } = await resolveBrowser(fresh(i)))));
    for (let j = 0; j < 10; j++) cached.push(await time(() => resolveBrowser(fresh(i))));
    fs.rmSync(cacheRoot(i), { recursive: true });
    cold.push(await time(() => launchAndClose(fresh(i))));
    warm.push(await time(() => launchAndClose(fresh(i))));
    fs.rmSync(cacheRoot(i), { recursive: true });
  }
  console.log(`browser: ${description}`);
  console.log(`runs: ${runs} (cached resolve: ${cached.length} calls)`);
  console.log(`first unpack (resolve, empty cache)    median ${ms(median(unpack))}`);
  console.log(`cached resolve                         median ${ms(median(cached))}`);
  console.log(`  ratio unpack / cached: ${(median(unpack) / median(cached)).toFixed(0)}x`);
  console.log(`cold: unpack + launch + page + close   median ${ms(median(cold))}`);
  console.log(`warm: cached + launch + page + close   median ${ms(median(warm))}`);
  console.log(`  ratio cold / warm: ${(median(cold) / median(warm)).toFixed(1)}x`);
} finally {
  fs.rmSync(root, { recursive: true, force: true });
}
