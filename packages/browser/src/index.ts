/**
 * @lab/browser: the one Chromium that the end-to-end suite and every script that takes screenshots or
 * measures pages drive, so that they all see the same browser.
 *
 * Which browser, first match wins:
 *   1. `CHROMIUM_PATH` (must name an executable; a wrong value is an error, not a silent fallback);
 *   2. a system Chromium at the usual paths (SYSTEM_CHROMIUM_PATHS, e.g. Debian's /usr/bin/chromium);
 *   3. the headless Chromium that `npm install` brought (@sparticuz/chromium, Linux x64), unpacked on
 *      first use into node_modules/.cache/lab-browser/ and reused by every later run (see npm-chromium.ts).
 *
 * Exports:
 *   - `resolveBrowser(options?)` -> `{ executablePath, args, env, source, description }`. `args` are the
 *     flags every launch needs here (root, no GPU, closed network); `env` holds variables the browser
 *     process needs on top of the caller's (empty for a system browser). Memoized per process.
 *   - `launchOptions(options?)` -> `{ executablePath, args, env, headless: true }`, ready for
 *     `chromium.launch()` of playwright-core or for `use.launchOptions` of a Playwright config.
 *   - `launchBrowser(options?)` -> a playwright-core `Browser`. For scripts:
 *       const browser = await launchBrowser();
 *       const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
 *       await page.goto(url); await page.screenshot({ path: 'shot.png' });
 *       await browser.close();
 *   - `CHROMIUM_ARGS`, `SYSTEM_CHROMIUM_PATHS`, and the types `BrowserSource`, `ResolvedBrowser`,
 *     `ResolveOptions`.
 * The npm browser is chrome-headless-shell: always launch headless.
 */
import { accessSync, constants } from 'node:fs';
import { chromium, type Browser, type LaunchOptions } from 'playwright-core';
import { npmChromium } from './npm-chromium.ts';

export type BrowserSource = 'CHROMIUM_PATH' | 'system' | 'npm';

export interface ResolvedBrowser {
  executablePath: string;
  args: readonly string[];
  /** Added to the caller's environment for the browser process. */
  env: Readonly<Record<string, string>>;
  source: BrowserSource;
  /** For logs, e.g. `@sparticuz/chromium 153.0.0 (npm)`. */
  description: string;
}

export interface ResolveOptions {
  /** Where CHROMIUM_PATH is read; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Default SYSTEM_CHROMIUM_PATHS. */
  systemPaths?: readonly string[];
  /** Where the npm browser is unpacked; default node_modules/.cache/lab-browser. */
  cacheRoot?: string;
}

export const SYSTEM_CHROMIUM_PATHS: readonly string[] = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/snap/bin/chromium',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
];

/**
 * Running as root (no sandbox), without a GPU, on a machine whose network is closed: without the
 * background-networking flags Chromium keeps trying Google's hosts and is refused, many at a time.
 */
export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-quic',
  '--disable-sync',
];

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function resolve(options: ResolveOptions): Promise<ResolvedBrowser> {
  const fromEnv = (options.env ?? process.env).CHROMIUM_PATH;
  if (fromEnv) {
    if (!isExecutable(fromEnv)) {
      throw new Error(`CHROMIUM_PATH=${fromEnv}: no executable file there`);
    }
    return {
      executablePath: fromEnv,
      args: CHROMIUM_ARGS,
      env: {},
      source: 'CHROMIUM_PATH',
      description: `${fromEnv} (CHROMIUM_PATH)`,
    };
  }
  const system = (options.systemPaths ?? SYSTEM_CHROMIUM_PATHS).find(isExecutable);
  if (system) {
    return {
      executablePath: system,
      args: CHROMIUM_ARGS,
      env: {},
      source: 'system',
      description: `${system} (system)`,
    };
  }
  const npm = await npmChromium(options.cacheRoot);
  return {
    executablePath: npm.executablePath,
    args: CHROMIUM_ARGS,
    env: npm.env,
    source: 'npm',
    description: `${npm.description} (npm, ${npm.executablePath})`,
  };
}

let memo: Promise<ResolvedBrowser> | undefined;

/** Which Chromium to drive; the default call is memoized, a call with options is not. */
export function resolveBrowser(options?: ResolveOptions): Promise<ResolvedBrowser> {
  if (options) return resolve(options);
  memo ??= resolve({}).catch((err: unknown) => {
    memo = undefined;
    throw err;
  });
  return memo;
}

export async function launchOptions(
  options?: ResolveOptions,
): Promise<LaunchOptions & { executablePath: string; args: string[] }> {
  const b = await resolveBrowser(options);
  return {
    executablePath: b.executablePath,
    args: [...b.args],
    // Playwright gives the browser exactly this environment (it defaults to process.env).
    env: { ...process.env, ...b.env },
    headless: true,
  };
}

export async function launchBrowser(options?: ResolveOptions): Promise<Browser> {
  return chromium.launch(await launchOptions(options));
}
