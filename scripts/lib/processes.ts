// Child-process supervision for the launcher: each child in its own process group so that the
// launcher alone decides the order of shutdown (children first, PostgreSQL last).
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';

export interface Child {
  name: string;
  proc: ChildProcess;
  exited: Promise<number | null>;
}

export function startChild(
  name: string,
  cmd: string,
  args: string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv },
): Child {
  const proc = spawn(cmd, args, {
    cwd: opts.cwd,
    env: { ...opts.env, LAB_SUPERVISED: '1' },
    // stdin is a pipe the launcher never writes to: it closes when the launcher dies, however it
    // dies (even SIGKILL), and children that watch it stop instead of lingering as orphans.
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  });
  const prefix = (stream: NodeJS.WritableStream) => (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n'))
      if (line.trim()) stream.write(`[${name}] ${line}\n`);
  };
  proc.stdout?.on('data', prefix(process.stdout));
  proc.stderr?.on('data', prefix(process.stderr));
  const exited = new Promise<number | null>((resolve) =>
    proc.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : null))),
  );
  return { name, proc, exited };
}

/** SIGTERM the whole group, then SIGKILL whatever is left after the grace period. */
export async function stopChild(child: Child, graceMs = 10_000): Promise<void> {
  if (child.proc.exitCode !== null || child.proc.signalCode !== null) return;
  const pid = child.proc.pid!;
  try {
    process.kill(-pid, 'SIGTERM');
  } catch {
    return;
  }
  const timer = setTimeout(() => {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }, graceMs);
  await child.exited;
  clearTimeout(timer);
  // Grandchildren (next-server workers) share the group: make sure none outlives the child.
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    /* group empty */
  }
}

export async function waitForHttp(
  url: string,
  timeoutMs: number,
  isAlive: () => boolean,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && isAlive()) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return true;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  return false;
}

/** Whether nothing listens on the port (on every interface, or only on `host` when given). */
export function portFree(port: number, host?: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, host, () => s.close(() => resolve(true)));
  });
}

/** The preferred loopback port when free, else one the system picks. */
export async function freePort(preferred: number): Promise<number> {
  if (await portFree(preferred, '127.0.0.1')) return preferred;
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}
