// One worker acts at a time: the active one holds a PostgreSQL advisory lock on a session
// connection of its own; a standby polls pg_try_advisory_lock. When the active process dies its
// connection drops and PostgreSQL releases the lock, so a standby takes over within one poll
// interval. Only the holder runs market data sources and trading (two simulators would be two
// markets). If the lock's connection is lost while active, the work stops first and the process
// goes back to standby (another worker may hold the lock by then).
import pg from 'pg';

export interface LeadershipOptions {
  databaseUrl: string;
  /** Name of what the lock guards (one lock per partition). */
  name: string;
  /** Poll interval of a standby, ms. */
  pollMs?: number;
  log: (msg: string) => void;
  /** Starts the active work; returns how to stop it. */
  onActive: () => Promise<() => Promise<void>>;
}

export interface Leadership {
  /** Whether this process holds the lock now. */
  readonly active: boolean;
  /** Stops the active work (if any), releases the lock, ends polling. */
  stop(): Promise<void>;
}

export function runWithLeadership(opts: LeadershipOptions): Leadership {
  const pollMs = opts.pollMs ?? 1000;
  let stopped = false;
  let active = false;
  let client: pg.Client | null = null;
  let stopWork: (() => Promise<void>) | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let loop: Promise<void> = Promise.resolve();
  let resigning: Promise<void> | null = null;
  let announcedStandby = false;

  const schedule = (ms: number) => {
    if (stopped || timer) return;
    timer = setTimeout(() => {
      timer = null;
      loop = attempt();
    }, ms);
  };

  async function release(): Promise<void> {
    const c = client;
    client = null;
    if (!c) return;
    c.removeAllListeners('end');
    c.removeAllListeners('error');
    c.on('error', () => {});
    await c.end().catch(() => {}); // ending the session releases the lock
  }

  /** Stops the active work and lets go of the lock's connection. */
  async function stepDown(): Promise<void> {
    active = false;
    const work = stopWork;
    stopWork = null;
    await work?.().catch((e: Error) => opts.log(`stopping the active work failed: ${e.message}`));
    await release();
  }

  const lost = (why: string) => {
    if (!active || resigning) return;
    opts.log(`worker lock lost (${why}): stopping market data and trading`);
    resigning = stepDown().finally(() => {
      resigning = null;
      schedule(pollMs);
    });
  };

  async function attempt(): Promise<void> {
    const t0 = Date.now();
    try {
      if (!client) {
        const c = new pg.Client({ connectionString: opts.databaseUrl, keepAlive: true });
        c.on('error', (e) => lost(e.message));
        c.on('end', () => lost('connection closed'));
        await c.connect();
        client = c;
      }
      const r = await client.query<{ ok: boolean }>(
        'SELECT pg_try_advisory_lock(hashtext($1)) AS ok',
        [`lab:worker:${opts.name}`],
      );
      if (!r.rows[0]?.ok) {
        if (!announcedStandby) opts.log(`standby: another worker holds the ${opts.name} lock`);
        announcedStandby = true;
        return schedule(pollMs);
      }
      if (stopped) return;
      active = true;
      announcedStandby = false;
      opts.log(`worker lock ${opts.name} acquired in ${Date.now() - t0} ms: this worker is active`);
      const work = await opts.onActive();
      if (active) stopWork = work;
      else await work(); // the lock was lost while starting
    } catch (e) {
      // could not connect, or the active work failed to start: let go of the lock and retry
      opts.log(`worker lock: ${(e as Error).message}; retrying in ${pollMs} ms`);
      await stepDown();
      schedule(pollMs);
    }
  }

  loop = attempt();
  return {
    get active() {
      return active;
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await loop;
      await resigning;
      await stepDown();
    },
  };
}
