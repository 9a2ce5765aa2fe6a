// The real worker process (src/main.ts) started for a test or a script, its output kept line by
// line, on a database of the caller's.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const WORKER_MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../main.ts');

export interface WorkerProcess {
  proc: ChildProcess;
  lines: string[];
  exited: Promise<void>;
  /** The first line containing `text` (waits for it, bounded). */
  line(text: string, timeoutMs?: number): Promise<{ line: string; at: number }>;
  kill(signal: NodeJS.Signals): void;
}

export function spawnWorker(
  databaseUrl: string,
  env: Record<string, string>,
  name: string,
  log: (m: string) => void = () => {},
): WorkerProcess {
  const proc = spawn(process.execPath, ['--import', 'tsx', WORKER_MAIN], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      LAB_MARKET_BACKFILL_HOURS: '0',
      LAB_SUPERVISED: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const seen: Array<{ line: string; at: number }> = [];
  const take = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n').filter(Boolean)) {
      lines.push(line);
      seen.push({ line, at: Date.now() });
      log(`[${name}] ${line}`);
    }
  };
  proc.stdout.on('data', take);
  proc.stderr.on('data', take);
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  return {
    proc,
    lines,
    exited,
    async line(text, timeoutMs = 60_000) {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const hit = seen.find((s) => s.line.includes(text));
        if (hit) return hit;
        if (proc.exitCode !== null || proc.signalCode !== null)
          throw new Error(`${name} exited before printing "${text}":\n${lines.join('\n')}`);
        if (Date.now() > end)
          throw new Error(
            `${name} did not print "${text}" in ${timeoutMs} ms:\n${lines.join('\n')}`,
          );
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    kill(signal) {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
    },
  };
}
