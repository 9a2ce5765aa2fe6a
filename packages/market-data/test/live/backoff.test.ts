import { describe, expect, it } from 'vitest';

import { Backoff } from '../../src/live/runtime.ts';

describe('Backoff', () => {
  it('grows exponentially, is capped, and resets', () => {
    const b = new Backoff({ initialMs: 100, maxMs: 1_000, factor: 2, jitter: 0.5 }, () => 0);
    expect([b.next(), b.next(), b.next(), b.next(), b.next(), b.next()]).toEqual([
      100, 200, 400, 800, 1000, 1000,
    ]);
    expect(b.attempts).toBe(6);
    b.reset();
    expect(b.next()).toBe(100);
  });

  it('jitter subtracts at most the configured fraction', () => {
    const hi = new Backoff(
      { initialMs: 100, maxMs: 1_000, factor: 2, jitter: 0.5 },
      () => 0.999999,
    );
    expect([hi.next(), hi.next(), hi.next()]).toEqual([50, 100, 200]);
    let seed = 1;
    const lcg = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const b = new Backoff({ initialMs: 100, maxMs: 1_000, factor: 2, jitter: 0.5 }, lcg);
    for (let i = 0; i < 50; i++) {
      const capped = Math.min(1000, 100 * 2 ** i);
      const d = b.next();
      expect(d).toBeGreaterThanOrEqual(capped / 2);
      expect(d).toBeLessThanOrEqual(capped);
    }
  });

  it('rejects nonsensical options', () => {
    expect(() => new Backoff({ initialMs: 0, maxMs: 10, factor: 2, jitter: 0 })).toThrow(
      RangeError,
    );
    expect(() => new Backoff({ initialMs: 10, maxMs: 5, factor: 2, jitter: 0 })).toThrow(
      RangeError,
    );
    expect(() => new Backoff({ initialMs: 10, maxMs: 50, factor: 2, jitter: 1.5 })).toThrow(
      RangeError,
    );
  });
});
