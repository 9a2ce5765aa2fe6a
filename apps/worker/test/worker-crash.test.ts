// The crash test, small (the full one, 10,000 accounts, is scripts/crash/worker-crash.ts): 200
// accounts that a market crash makes liquidatable, the real worker SIGKILLed in the middle of the
// cascade (batches of 10, one at a time, so that the cascade lasts), restarted; every position is
// liquidated exactly once, nothing is applied twice, every account's replay equals its stored
// state, and the ledger balances per transaction and overall.
import { describe, expect, it } from 'vitest';
import { runCrashTest } from '../src/testing/crash-run.ts';
import { useWorkerDb } from './helpers.ts';

const t = useWorkerDb();

describe('worker crash in the middle of a liquidation cascade', () => {
  it('liquidates every position exactly once across a SIGKILL and a restart', async () => {
    const r = await runCrashTest({
      databaseUrl: t.url,
      count: 200,
      batchSize: 10,
      concurrency: 1,
      killAfter: 20,
      timeoutMs: 150_000,
    });
    expect(r.problems).toEqual([]);
    expect(r.positions).toBe(250);
    expect(r.liquidatedOnce).toBe(250);
    // killed mid-cascade: some liquidations committed, not all
    expect(r.liquidationsAtKill).toBeGreaterThanOrEqual(20);
    expect(r.liquidationsAtKill).toBeLessThan(200);
    expect(r.liquidationsAtEnd).toBe(200);
  }, 180_000);
});
