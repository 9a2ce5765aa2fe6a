// Deletes what has ended: expired sessions and rate-limit windows older than a day. Runs on the
// active worker only (one pruner at a time), at start and then every `everyMs`; a failed run is
// logged and retried at the next one, never fatal.
import { pruneExpiredSessions, pruneRateLimitBuckets } from '@lab/auth';
import type { Db } from '@lab/db';

export const HOUSEKEEPING_EVERY_MS = 60 * 60 * 1000;

export interface HousekeepingRun {
  sessions: number;
  buckets: number;
}

export async function runHousekeeping(db: Db): Promise<HousekeepingRun> {
  return { sessions: await pruneExpiredSessions(db), buckets: await pruneRateLimitBuckets(db) };
}

/** Starts the periodic run; the returned function stops it (and waits for a run in progress). */
export function startHousekeeping(opts: {
  db: Db;
  log: (msg: string) => void;
  everyMs?: number;
  onRun?: (run: HousekeepingRun) => void;
}): () => Promise<void> {
  let running: Promise<void> = Promise.resolve();
  const once = () => {
    running = runHousekeeping(opts.db).then(
      (r) => {
        if (r.sessions || r.buckets)
          opts.log(`housekeeping: ${r.sessions} ended sessions, ${r.buckets} old throttle windows`);
        opts.onRun?.(r);
      },
      (e: Error) => opts.log(`housekeeping failed (retried in the next run): ${e.message}`),
    );
  };
  once();
  const timer = setInterval(once, opts.everyMs ?? HOUSEKEEPING_EVERY_MS);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
