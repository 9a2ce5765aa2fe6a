// Work on one account runs one at a time in this process: requests queue here instead of piling
// up as transactions that wait on the account's row lock (and time out, as 500 resets in one batch
// did). The row lock still orders this process against the others (the worker, other web servers).
import { AppError } from '../errors.ts';

/** Operations allowed to wait for one account at once; beyond it a request is refused at once. */
export const MAX_QUEUED_PER_ACCOUNT = 64;

export class KeyedQueue {
  private readonly tails = new Map<string, { tail: Promise<unknown>; pending: number }>();

  constructor(private readonly maxPending = MAX_QUEUED_PER_ACCOUNT) {}

  /** Runs `fn` after every earlier operation on `key` has finished (fulfilled or not). */
  run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const slot = this.tails.get(key) ?? { tail: Promise.resolve(), pending: 0 };
    if (slot.pending >= this.maxPending)
      return Promise.reject(
        new AppError(
          'RATE_LIMITED',
          'Too many requests for this account at once; wait for them to finish and retry.',
        ),
      );
    slot.pending++;
    const result = slot.tail.then(fn, fn);
    slot.tail = result.catch(() => undefined);
    this.tails.set(key, slot);
    void slot.tail.then(() => {
      slot.pending--;
      if (slot.pending === 0 && this.tails.get(key) === slot) this.tails.delete(key);
    });
    return result;
  }

  /** Operations queued or running for `key`. */
  pending(key: string): number {
    return this.tails.get(key)?.pending ?? 0;
  }
}
