// Injectable time, randomness and logging for the live connectors, so tests can control them.

export interface LiveLogger {
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  error(message: string, meta?: Record<string, unknown>): void;
}

/** Writes warnings and errors to the console; info is dropped unless `verbose`. */
export function consoleLogger(prefix = '[live]', verbose = false): LiveLogger {
  return {
    info: (message, meta) => {
      if (verbose) console.info(prefix, message, meta ?? '');
    },
    warn: (message, meta) => console.warn(prefix, message, meta ?? ''),
    error: (message, meta) => console.error(prefix, message, meta ?? ''),
  };
}

export const silentLogger: LiveLogger = { info: () => {}, warn: () => {}, error: () => {} };

export type TimerHandle = ReturnType<typeof setTimeout>;

/** Wall clock plus one-shot timers. Every timer a connector creates goes through this. */
export interface Clock {
  now(): number;
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle),
};

export interface BackoffOptions {
  /** Delay before the first retry, in ms. */
  initialMs: number;
  /** Upper bound of any delay, in ms (before jitter is subtracted). */
  maxMs: number;
  /** Growth per failed attempt. */
  factor: number;
  /**
   * Fraction of the delay that is randomised away: delay = capped * (1 - jitter * random()).
   * 0 = no jitter; 0.5 ("equal jitter") keeps every delay within [capped/2, capped].
   */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = {
  initialMs: 500,
  maxMs: 30_000,
  factor: 2,
  jitter: 0.5,
};

/** Exponential backoff with bounded maximum and proportional jitter. */
export class Backoff {
  private attempt = 0;

  constructor(
    private readonly options: BackoffOptions,
    private readonly random: () => number = Math.random,
  ) {
    const { initialMs, maxMs, factor, jitter } = options;
    if (
      !(initialMs > 0) ||
      !(maxMs >= initialMs) ||
      !(factor >= 1) ||
      !(jitter >= 0 && jitter <= 1)
    ) {
      throw new RangeError(`invalid backoff options ${JSON.stringify(options)}`);
    }
  }

  /** Number of delays handed out since the last reset. */
  get attempts(): number {
    return this.attempt;
  }

  /** The delay before the next attempt; grows until maxMs. */
  next(): number {
    const { initialMs, maxMs, factor, jitter } = this.options;
    const capped = Math.min(maxMs, initialMs * factor ** Math.min(this.attempt, 64));
    this.attempt += 1;
    const r = Math.min(1, Math.max(0, this.random()));
    return Math.round(capped * (1 - jitter * r));
  }

  reset(): void {
    this.attempt = 0;
  }
}
