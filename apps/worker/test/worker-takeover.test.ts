// One worker acts at a time: two real worker processes on one database, the second waits as a
// standby; SIGKILL the active one and the standby takes the advisory lock (PostgreSQL releases it
// when the dead process's connection drops) and runs the market and trading within 5 seconds.
import { afterEach, describe, expect, it } from 'vitest';
import { spawnWorker, type WorkerProcess } from '../src/testing/worker-process.ts';
import { useWorkerDb, waitFor } from './helpers.ts';

const t = useWorkerDb();
const started: WorkerProcess[] = [];
afterEach(async () => {
  for (const w of started.splice(0)) {
    w.kill('SIGKILL');
    await w.exited;
  }
});

const lastTicker = async () => {
  const rows = await t.db.$queryRaw<Array<{ at: Date | null }>>`
    SELECT max(updated_at) AS at FROM market_tickers`;
  return rows[0]?.at?.getTime() ?? 0;
};

describe('worker leadership', () => {
  it('a standby takes over within 5 s of the active worker being SIGKILLed', async () => {
    const env = { LAB_WORKER_LOCK_POLL_MS: '1000' };
    const a = spawnWorker(t.url, env, 'a');
    started.push(a);
    await a.line('market data running');
    const b = spawnWorker(t.url, env, 'b');
    started.push(b);
    await b.line('standby: another worker holds the main lock');
    // the standby runs nothing: only the active worker writes the market
    expect(b.lines.some((l) => l.includes('market data running'))).toBe(false);
    await waitFor(
      async () => (await lastTicker()) > 0,
      'the active worker writing tickers',
      20_000,
    );

    const killedAt = Date.now();
    a.kill('SIGKILL');
    const acquired = await b.line('acquired', 10_000);
    const running = await b.line('market data running', 20_000);
    await waitFor(
      async () => (await lastTicker()) > killedAt,
      'tickers written by the new active worker',
      20_000,
    );
    const lockMs = acquired.at - killedAt;
    const runningMs = running.at - killedAt;
    console.log(
      `worker takeover: lock acquired ${lockMs} ms after SIGKILL, market running ${runningMs} ms after`,
    );
    expect(lockMs).toBeLessThan(5000);
    expect(runningMs).toBeLessThan(5000);
  }, 90_000);

  it('a worker whose lock connection is cut stops, and exactly one worker is active again', async () => {
    const env = { LAB_WORKER_LOCK_POLL_MS: '300' };
    const a = spawnWorker(t.url, env, 'a');
    started.push(a);
    await a.line('market data running');
    const b = spawnWorker(t.url, env, 'b');
    started.push(b);
    await b.line('standby');
    // PostgreSQL ends the session that holds the advisory lock (as a restart or an admin would)
    const cut = Date.now();
    const ended = await t.db.$queryRaw<Array<{ ok: boolean }>>`
      SELECT pg_terminate_backend(pid) AS ok FROM pg_locks
      WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`;
    expect(ended.map((r) => r.ok)).toEqual([true]);
    await a.line('worker lock lost', 10_000);
    // someone takes the lock again (the standby, or the old worker after it stepped down)
    await waitFor(
      () =>
        b.lines.some((l) => l.includes('acquired')) ||
        a.lines.filter((l) => l.includes('acquired')).length > 1,
      'a worker active again',
      10_000,
    );
    const holders = await t.db.$queryRaw<Array<{ n: number }>>`
      SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND granted
        AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`;
    expect(holders[0]!.n).toBe(1);
    await waitFor(async () => (await lastTicker()) > cut + 500, 'the market running again', 20_000);
  }, 90_000);
});
