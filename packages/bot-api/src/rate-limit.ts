// Binance's limits for USD-M futures: 2400 request weight per minute per client address, and per
// account 300 orders per 10 seconds and 1200 per minute. Windows are fixed and aligned to the clock
// (a minute starts at :00), as Binance counts them; every response reports the weight used
// (X-MBX-USED-WEIGHT-1M) and order endpoints the orders counted (X-MBX-ORDER-COUNT-10S / -1M).
// Counted in this process: behind several web servers each counts its own share.
import { ERR } from './errors.ts';

export interface Limits {
  weightPerMinute: number;
  ordersPer10s: number;
  ordersPerMinute: number;
}

export const LIMITS: Readonly<Limits> = {
  weightPerMinute: 2400,
  ordersPer10s: 300,
  ordersPerMinute: 1200,
};

interface Window {
  start: number;
  used: number;
}

class FixedWindows {
  private readonly windows = new Map<string, Window>();
  private sweptAt = 0;

  constructor(private readonly ms: number) {}

  /** Adds `n` to the key's count in the current window; returns the new count. */
  add(key: string, n: number, now: number): number {
    const start = now - (now % this.ms);
    this.sweep(start);
    let w = this.windows.get(key);
    if (!w || w.start !== start) this.windows.set(key, (w = { start, used: 0 }));
    w.used += n;
    return w.used;
  }

  used(key: string, now: number): number {
    const w = this.windows.get(key);
    return w && w.start === now - (now % this.ms) ? w.used : 0;
  }

  /** Forget windows that ended (bounded memory whatever the number of clients). */
  private sweep(start: number): void {
    if (start === this.sweptAt) return;
    this.sweptAt = start;
    for (const [k, w] of this.windows) if (w.start !== start) this.windows.delete(k);
  }
}

export class RateLimiter {
  private readonly weight = new FixedWindows(60_000);
  private readonly orders10s = new FixedWindows(10_000);
  private readonly orders1m = new FixedWindows(60_000);

  constructor(private readonly limits: Readonly<Limits> = LIMITS) {}

  /**
   * Counts a request of `weight` from `ip`. Past the limit it throws -1003 (429); the weight of a
   * refused request still counts, as on Binance.
   */
  spendWeight(ip: string, weight: number, now: number): number {
    const used = this.weight.add(ip, weight, now);
    if (used > this.limits.weightPerMinute)
      throw Object.assign(ERR.tooManyRequests(this.limits.weightPerMinute), { usedWeight: used });
    return used;
  }

  usedWeight(ip: string, now: number): number {
    return this.weight.used(ip, now);
  }

  /** Counts `n` new orders of an account; past a limit throws -1015 (429) and counts nothing. */
  countOrders(accountId: string, n: number, now: number): { tenSeconds: number; minute: number } {
    const ten = this.orders10s.used(accountId, now) + n;
    const minute = this.orders1m.used(accountId, now) + n;
    if (ten > this.limits.ordersPer10s)
      throw ERR.tooManyOrders(this.limits.ordersPer10s, '10 SECONDS');
    if (minute > this.limits.ordersPerMinute)
      throw ERR.tooManyOrders(this.limits.ordersPerMinute, 'MINUTE');
    return {
      tenSeconds: this.orders10s.add(accountId, n, now),
      minute: this.orders1m.add(accountId, n, now),
    };
  }
}
