// SimulatorSource: drives the pure core on timers (or manually through advance()) and pushes the
// ticks to listeners. Simulated time moves in fixed steps of 1000/ticksPerSecond ms from startTime,
// so the prices depend only on (seed, startTime, ticksPerSecond, params, scenario) — never on
// timer jitter: a late timer runs the steps that are due, it does not take a longer step.

import type { MarketTick, PriceSource, StatusTick, TickListener } from '../types.ts';
import { marketParams, type MarketParams } from './config.ts';
import {
  addEvent,
  cancelEvent,
  compileModel,
  initialState,
  step,
  type Model,
  type SimState,
} from './model.ts';
import type { ScenarioEvent, ScenarioEventSpec, ScheduledScenarioEvent } from './scenario.ts';

export interface SimulatorOptions {
  /** Seed of the PRNG; the same seed and start time give the same market. Default "leverage-lab". */
  seed?: string | number;
  /** Simulated time of the first step, epoch ms. Default: now, rounded down to the second. */
  startTime?: number;
  /** Full market parameters, or overrides of the defaults (`symbols` selects instruments). */
  market?: Partial<MarketParams> & { symbols?: readonly string[] };
  /** Steps per second of simulated time; each step yields ≥ 1 trade per instrument. Default 4. */
  ticksPerSecond?: number;
  /** Simulated ms per wall-clock ms when running on timers (e.g. 60 = one hour per minute). */
  speed?: number;
  /**
   * A live market: on timers, simulated time is the wall clock (speed 1), so every tick carries
   * the time it is published at. A market that starts behind (a snapshot taken before a backfill
   * that took seconds) runs the steps it missed at once, in bounded bursts, instead of keeping the
   * offset forever. Without it, start() keeps whatever offset simulated time has from the wall
   * clock (replays of a chosen start time, accelerated runs).
   */
  followWallClock?: boolean;
  /** Scenario events scheduled at simulated times. */
  scenario?: readonly ScheduledScenarioEvent[];
  /** Most steps run by one timer callback when catching up (protects the event loop). */
  maxCatchUpSteps?: number;
  /**
   * Resume from a snapshot() taken earlier (with the same market params): the market continues
   * where it stopped. Seed, startTime and scenario are then ignored.
   */
  resumeFrom?: SimState;
  /** Called when a listener throws; default console.error. */
  onListenerError?: (error: unknown, tick: MarketTick) => void;
  /** Wall clock, for tests. Default Date.now. */
  now?: () => number;
}

/** A snapshot can only resume a market with the same instruments, in the same order. */
function checkResumable(model: Model, state: SimState): void {
  const symbols = state.instruments.map((i) => i.symbol);
  if (
    symbols.length !== model.symbols.length ||
    symbols.some((s, i) => s !== model.symbols[i]) ||
    !Number.isSafeInteger(state.time)
  ) {
    throw new Error(
      `cannot resume simulator: snapshot has instruments [${symbols.join(', ')}], market has [${model.symbols.join(', ')}]`,
    );
  }
}

export class SimulatorSource implements PriceSource {
  readonly name = 'simulator';
  readonly symbols: readonly string[];
  readonly model: Model;
  readonly stepMs: number;
  private state: SimState;
  private readonly listeners = new Set<TickListener>();
  private readonly speed: number;
  private readonly followWallClock: boolean;
  private readonly maxCatchUp: number;
  private readonly wallNow: () => number;
  private readonly onListenerError: (error: unknown, tick: MarketTick) => void;
  private timer: ReturnType<typeof setInterval> | null = null;
  private wallStart = 0;
  private simAtWallStart = 0;
  private pendingMs = 0;

  constructor(options: SimulatorOptions = {}) {
    const tps = options.ticksPerSecond ?? 4;
    if (!(tps > 0 && tps <= 1000)) throw new Error('ticksPerSecond must be in (0, 1000]');
    this.stepMs = Math.max(1, Math.round(1000 / tps));
    this.speed = options.speed ?? 1;
    if (!(this.speed > 0)) throw new Error('speed must be > 0');
    this.followWallClock = options.followWallClock === true;
    if (this.followWallClock && this.speed !== 1)
      throw new Error('followWallClock runs at speed 1 only');
    this.maxCatchUp = options.maxCatchUpSteps ?? 10_000;
    this.wallNow = options.now ?? Date.now;
    this.onListenerError =
      options.onListenerError ??
      ((error) => {
        console.error('market-data simulator: listener failed', error);
      });
    this.model = compileModel(marketParams(options.market));
    this.symbols = this.model.symbols;
    const start = options.startTime ?? Math.floor(this.wallNow() / 1000) * 1000;
    if (options.resumeFrom) checkResumable(this.model, options.resumeFrom);
    this.state =
      options.resumeFrom ??
      initialState(this.model, options.seed ?? 'leverage-lab', start, options.scenario);
  }

  /** Current simulated time (end of the last step). */
  get time(): number {
    return this.state.time;
  }

  /** The full simulator state (immutable snapshot; serialisable as JSON). */
  snapshot(): SimState {
    return this.state;
  }

  get running(): boolean {
    return this.timer !== null;
  }

  onTick(listener: TickListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /**
   * Run on timers: simulated time follows the wall clock times `speed` (with followWallClock:
   * simulated time is the wall clock).
   */
  start(): Promise<void> {
    if (this.timer) return Promise.resolve();
    this.wallStart = this.wallNow();
    this.simAtWallStart = this.followWallClock ? this.wallStart : this.state.time;
    this.emitStatus('live');
    if (this.followWallClock) {
      // each step runs the moment it ends on the wall clock (a fixed-period timer would run it
      // up to a period late: on average half a step, ~125 ms at 4 steps a second)
      const run = () => {
        this.catchUp();
        if (!this.timer) return;
        const wait = this.state.time + this.stepMs - this.wallNow();
        this.timer = setTimeout(run, Math.min(Math.max(wait, 1), this.stepMs * 4));
      };
      this.timer = setTimeout(run, 0);
      return Promise.resolve();
    }
    const period = Math.max(1, Math.round(this.stepMs / this.speed));
    this.timer = setInterval(() => this.catchUp(), period);
    return Promise.resolve();
  }

  stop(): Promise<void> {
    if (this.timer) {
      clearInterval(this.timer);
      clearTimeout(this.timer);
      this.timer = null;
      this.emitStatus('halted', 'simulator stopped');
    }
    return Promise.resolve();
  }

  /**
   * Advance simulated time by `ms` synchronously, in fixed steps, emitting every tick. Remainders
   * shorter than a step are carried over to the next call. For tests and accelerated runs.
   */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new Error('advance(ms) needs ms >= 0');
    this.pendingMs += ms;
    while (this.pendingMs >= this.stepMs) {
      this.pendingMs -= this.stepMs;
      this.runStep();
    }
  }

  /**
   * Trigger a scenario event now (at the current simulated time) or at `event.at`.
   * Returns the scheduled event with its id (for cancel()).
   */
  trigger(event: ScenarioEventSpec & { at?: number; id?: string }): ScenarioEvent {
    const res = addEvent(this.model, this.state, event);
    this.state = res.state;
    return res.event;
  }

  /** Schedule a scenario event at a simulated time. */
  schedule(event: ScheduledScenarioEvent): ScenarioEvent {
    return this.trigger(event);
  }

  /** Cancel a scheduled or running event. Returns whether it existed. */
  cancel(id: string): boolean {
    const before = this.state;
    this.state = cancelEvent(this.state, id);
    return before !== this.state;
  }

  /** Scheduled and running events. */
  events(): readonly ScenarioEvent[] {
    return this.state.events;
  }

  private catchUp(): void {
    const target = this.simAtWallStart + (this.wallNow() - this.wallStart) * this.speed;
    let n = 0;
    while (this.state.time + this.stepMs <= target && n < this.maxCatchUp) {
      this.runStep();
      n++;
    }
    if (n === this.maxCatchUp && !this.followWallClock) {
      // Too far behind (process was suspended): skip ahead in wall time rather than burst forever.
      // (A market on the wall clock keeps catching up, maxCatchUp steps per callback.)
      this.wallStart = this.wallNow();
      this.simAtWallStart = this.state.time;
    }
  }

  private runStep(): void {
    const res = step(this.model, this.state, this.stepMs);
    this.state = res.state;
    for (const tick of res.ticks) this.emit(tick);
  }

  private emitStatus(status: StatusTick['status'], reason?: string): void {
    for (const symbol of this.symbols) {
      const tick: StatusTick = { kind: 'status', symbol, time: this.state.time, status };
      if (reason !== undefined) tick.reason = reason;
      this.emit(tick);
    }
  }

  private emit(tick: MarketTick): void {
    for (const l of this.listeners) {
      try {
        l(tick);
      } catch (error) {
        this.onListenerError(error, tick);
      }
    }
  }
}
