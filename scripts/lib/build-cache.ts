// Decides whether the production build of the web app is current, so that a second `npm start`
// starts in seconds while a changed source still gets rebuilt.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const SKIP = new Set([
  'node_modules',
  '.next',
  '.next-e2e',
  '.turbo',
  'test',
  'tests',
  'bench',
  'dist',
  'test-results',
]);

function walk(dir: string, out: string[]): void {
  if (!fs.existsSync(dir)) return;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (SKIP.has(e.name)) continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else out.push(p);
  }
}

export function sourceFingerprint(root: string): string {
  const files: string[] = [];
  walk(path.join(root, 'apps/web'), files);
  for (const pkg of fs.readdirSync(path.join(root, 'packages')))
    walk(path.join(root, 'packages', pkg, 'src'), files);
  files.push(path.join(root, 'package-lock.json'), path.join(root, 'tsconfig.base.json'));
  const h = createHash('sha256');
  for (const f of files.sort()) {
    if (!fs.existsSync(f)) continue;
    h.update(f).update(fs.readFileSync(f));
  }
  return h.digest('hex');
}

const stampFile = (root: string, distDir: string) =>
  path.join(root, 'apps/web', distDir, 'lab-source-fingerprint');

/** distDir: '.next' for `npm start`, '.next-e2e' for the test server, so one never clobbers the other. */
export function buildIsCurrent(root: string, fingerprint: string, distDir = '.next'): boolean {
  const f = stampFile(root, distDir);
  return (
    fs.existsSync(path.join(root, 'apps/web', distDir, 'BUILD_ID')) &&
    fs.existsSync(f) &&
    fs.readFileSync(f, 'utf8') === fingerprint
  );
}

export function recordBuild(root: string, fingerprint: string, distDir = '.next'): void {
  fs.writeFileSync(stampFile(root, distDir), fingerprint);
}
