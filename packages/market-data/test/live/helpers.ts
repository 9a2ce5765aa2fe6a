import type { MarketTick, PriceSource, StatusTick } from '../../src/types.ts';
import type { LiveLogger } from '../../src/live/runtime.ts';

/** Records every tick a source emits and lets a test wait for one matching a predicate. */
export class TickLog {
  readonly ticks: MarketTick[] = [];
  private waiters: Array<{
    from: number;
    pred: (t: MarketTick) => boolean;
    resolve: (t: MarketTick) => void;
  }> = [];

  constructor(source: PriceSource) {
    source.onTick((tick) => {
      this.ticks.push(tick);
      this.waiters = this.waiters.filter((w) => {
        if (!w.pred(tick)) return true;
        w.resolve(tick);
        return false;
      });
    });
  }

  /** Resolves with the first tick at index >= `from` (default: any tick from now on) matching `pred`. */
  waitFor(
    pred: (t: MarketTick) => boolean,
    timeoutMs = 3_000,
    from = this.ticks.length,
  ): Promise<MarketTick> {
    const seen = this.ticks.slice(from).find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for a tick`));
      }, timeoutMs);
      const waiter = {
        from,
        pred,
        resolve: (t: MarketTick) => {
          clearTimeout(timer);
          resolve(t);
        },
      };
      this.waiters.push(waiter);
    });
  }

  waitForStatus(
    symbol: string,
    status: StatusTick['status'],
    timeoutMs = 3_000,
    from?: number,
  ): Promise<MarketTick> {
    return this.waitFor(
      (t) => t.kind === 'status' && t.symbol === symbol && t.status === status,
      timeoutMs,
      from,
    );
  }

  statuses(symbol: string): Array<StatusTick['status']> {
    return this.ticks
      .filter((t): t is StatusTick => t.kind === 'status' && t.symbol === symbol)
      .map((t) => t.status);
  }

  of<K extends MarketTick['kind']>(kind: K): Array<Extract<MarketTick, { kind: K }>> {
    return this.ticks.filter((t): t is Extract<MarketTick, { kind: K }> => t.kind === kind);
  }
}

export interface LogEntry {
  level: 'info' | 'warn' | 'error';
  message: string;
  meta: Record<string, unknown> | undefined;
}

/** A logger that remembers everything, for assertions. */
export function memoryLogger(): LiveLogger & { entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  return {
    entries,
    info: (message, meta) => entries.push({ level: 'info', message, meta }),
    warn: (message, meta) => entries.push({ level: 'warn', message, meta }),
    error: (message, meta) => entries.push({ level: 'error', message, meta }),
  };
}

export const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));
