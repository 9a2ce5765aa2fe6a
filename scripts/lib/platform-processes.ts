// The processes of the platform, as `npm start`, `npm run dev` and the e2e server run them.
import path from 'node:path';
import { startChild, type Child } from './processes.ts';

/**
 * Starts the web server (server.ts, with Next in dev mode for `npm run dev`) and the worker (which
 * restarts on change in dev).
 */
export function startPlatformProcesses(
  root: string,
  env: NodeJS.ProcessEnv,
  opts: { dev: boolean; port: number },
): Child[] {
  const childEnv = { ...env, NODE_ENV: opts.dev ? 'development' : 'production' };
  const workerMain = path.join(root, 'apps/worker/src/main.ts');
  return [
    startChild('web', process.execPath, ['--import', 'tsx', 'server.ts'], {
      cwd: path.join(root, 'apps/web'),
      env: childEnv,
    }),
    startChild(
      'worker',
      process.execPath,
      ['--import', 'tsx', ...(opts.dev ? ['--watch'] : []), workerMain],
      { cwd: root, env: childEnv },
    ),
  ];
}
