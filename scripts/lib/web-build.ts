import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { buildIsCurrent, recordBuild, sourceFingerprint } from './build-cache.ts';

export const nextBin = (root: string) => path.join(root, 'node_modules/next/dist/bin/next');

/** Builds the web app into distDir unless a build of the same sources is already there. */
export function ensureWebBuild(
  root: string,
  env: NodeJS.ProcessEnv,
  distDir: string,
  log: (m: string) => void,
): boolean {
  const fingerprint = sourceFingerprint(root);
  if (buildIsCurrent(root, fingerprint, distDir)) {
    log('web build is current');
    return true;
  }
  log('building the web app (production build; later starts reuse it)…');
  const build = spawnSync(process.execPath, [nextBin(root), 'build'], {
    cwd: path.join(root, 'apps/web'),
    env: {
      ...env,
      NODE_ENV: 'production',
      NEXT_TELEMETRY_DISABLED: '1',
      LAB_NEXT_DIST_DIR: distDir,
    },
    stdio: 'inherit',
  });
  if (build.status !== 0) return false;
  recordBuild(root, fingerprint, distDir);
  return true;
}
