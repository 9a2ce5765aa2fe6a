// The pure stepping core of the simulator: (model, state, dtMs) -> (state, ticks).
// No clock, no timers, no I/O: the same seed, start time and sequence of steps give the same ticks.
//
// Per instrument i, over a step of dt (in years):
//   ln P(t+dt) = ln P(t) + (μ − λκ − σ²/2)·dt + σ·√dt·z_i + Σ jumps + scenario moves
// with z = L·ε (L the Cholesky factor of the correlation matrix, ε iid N(0,1)), σ the regime's
// volatility times the intraday seasonality and any volatility spike, jumps a compound Poisson
// process (intensity λ, log sizes N(m, s²), compensated by κ = e^(m+s²/2) − 1 so that
// E[P(t)] = P(0)·e^(μt)). The regime (calm/normal/volatile) is one Markov chain for the whole
// market. Trades, the book, the index, the mark price and funding are built around that price.

import type { BookTick, MarkTick, MarketTick, TradeTick } from '../types.ts';
import {
  DAY_MS,
  REGIMES,
  YEAR_MS,
  type FundingParams,
  type InstrumentParams,
  type MarketParams,
  type Regime,
} from './config.ts';
import { Rng, seedRng, type RngState } from './prng.ts';
import {
  overlapMs,
  validateScenarioEvent,
  type ScenarioEvent,
  type ScenarioEventSpec,
  type ScheduledScenarioEvent,
} from './scenario.ts';
import { formatSteps, parseStep, toSteps, type Step } from './ticks.ts';

export interface CompiledInstrument {
  readonly params: InstrumentParams;
  readonly tick: Step;
  readonly lot: Step;
}

/** Validated parameters plus what is derived from them once (steps, Cholesky factor). */
export interface Model {
  readonly params: MarketParams;
  readonly instruments: readonly CompiledInstrument[];
  readonly symbols: readonly string[];
  /** Correlation matrix in instrument order. */
  readonly correlation: readonly (readonly number[])[];
  /** Lower-triangular L with L·Lᵀ = correlation. */
  readonly cholesky: readonly (readonly number[])[];
}

export interface InstrumentState {
  symbol: string;
  /** Efficient price of the perpetual (the GBM), float. Trades happen around it. */
  fair: number;
  /** Premium of the perp over spot (Ornstein–Uhlenbeck), fraction. */
  basis: number;
  /** Index (spot composite): smoothed fair/(1+basis), float. */
  index: number;
  /** Moving average of (fair − index), used by the mark price. */
  basisAvg: number;
  /** Last mark price, float. */
  mark: number;
  /** Last trade price in ticks, null before the first trade. */
  lastTradeTicks: number | null;
  /** Time-weighted premium accumulators of the current funding period. */
  premiumSum: number;
  premiumWeight: number;
  /** Predicted rate for the next settlement. */
  fundingRate: number;
  /** Rate settled at the last funding time. */
  lastFundingRate: number;
  /** Number of jumps so far (for diagnostics and tests). */
  jumps: number;
}

export interface SimState {
  /** Simulated time, epoch ms: the end of the last step. */
  time: number;
  rng: RngState;
  /** Market regime during the last step. */
  regime: Regime;
  instruments: InstrumentState[];
  /** Scheduled and running scenario events (finished ones are dropped). */
  events: ScenarioEvent[];
  eventSeq: number;
  nextMarkTime: number;
  nextBookTime: number;
  fundingPeriodStart: number;
  nextFundingTime: number;
}

export interface StepResult {
  state: SimState;
  ticks: MarketTick[];
}

const FUNDING_STEP = parseStep('0.00000001');

function fail(msg: string): never {
  throw new Error(`simulator config: ${msg}`);
}

/** Cholesky decomposition; throws if the matrix is not symmetric positive definite. */
export function cholesky(m: readonly (readonly number[])[]): number[][] {
  const n = m.length;
  const l: number[][] = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = m[i]![j]!;
      if (Math.abs(sum - m[j]![i]!) > 1e-12) fail('correlation matrix is not symmetric');
      for (let k = 0; k < j; k++) sum -= l[i]![k]! * l[j]![k]!;
      if (i === j) {
        if (!(sum > 1e-12)) fail('correlation matrix is not positive definite');
        l[i]![i] = Math.sqrt(sum);
      } else {
        l[i]![j] = sum / l[j]![j]!;
      }
    }
  }
  return l;
}

export function compileModel(params: MarketParams): Model {
  const symbols = params.instruments.map((i) => i.symbol);
  if (symbols.length === 0) fail('no instruments');
  if (new Set(symbols).size !== symbols.length) fail('duplicate symbol');
  const instruments = params.instruments.map((p) => {
    if (!(p.startPrice > 0)) fail(`${p.symbol}: startPrice must be > 0`);
    for (const r of REGIMES) if (!(p.vol[r] >= 0)) fail(`${p.symbol}: vol.${r} must be >= 0`);
    if (!(p.jumps.perDay >= 0) || !(p.jumps.stdLog >= 0)) fail(`${p.symbol}: bad jump params`);
    if (!(p.spreadTicks >= 1)) fail(`${p.symbol}: spreadTicks must be >= 1`);
    if (!(p.tradesPerSecond > 0) || !(p.medianTradeQty > 0)) fail(`${p.symbol}: bad trade params`);
    if (!(p.basis.halfLifeMs > 0) || !(p.basis.std >= 0)) fail(`${p.symbol}: bad basis params`);
    return { params: p, tick: parseStep(p.tickSize), lot: parseStep(p.lotSize) };
  });
  const idx = new Map(symbols.map((s, i) => [s, i]));
  const n = symbols.length;
  const corr = Array.from({ length: n }, (_, i) =>
    Array.from({ length: n }, (_, j) => (i === j ? 1 : params.defaultCorrelation)),
  );
  for (const [a, b, rho] of params.correlations) {
    const i = idx.get(a);
    const j = idx.get(b);
    if (i === undefined || j === undefined) continue; // pair for an instrument not simulated
    if (i === j || !(rho > -1 && rho < 1)) fail(`correlation ${a}/${b} must be in (-1, 1)`);
    corr[i]![j] = rho;
    corr[j]![i] = rho;
  }
  const r = params.regimes;
  for (const from of REGIMES) {
    if (!(r.meanDurationMs[from] > 0)) fail(`regimes.meanDurationMs.${from} must be > 0`);
    const row = r.transitions[from];
    const sum = REGIMES.reduce((s, to) => s + (to === from ? 0 : row[to]), 0);
    if (Math.abs(sum - 1) > 1e-9) fail(`regimes.transitions.${from} must sum to 1`);
  }
  if (!(params.funding.intervalMs > 0)) fail('funding.intervalMs must be > 0');
  if (!(params.markIntervalMs > 0)) fail('markIntervalMs must be > 0');
  return { params, instruments, symbols, correlation: corr, cholesky: cholesky(corr) };
}

/**
 * Binance's funding formula: F = P̄ + clamp(I − P̄, −c, +c), then capped to ±cap, where P̄ is the
 * time-weighted average premium index of the period and I the interest rate per interval.
 */
export function computeFundingRate(avgPremium: number, f: FundingParams): number {
  const inner = Math.min(f.premiumClamp, Math.max(-f.premiumClamp, f.interestRate - avgPremium));
  return Math.min(f.cap, Math.max(-f.cap, avgPremium + inner));
}

/** Premium index from the best bid/ask (the impact prices of a minimal order) and the index. */
export function premiumIndex(bid: number, ask: number, index: number): number {
  return (Math.max(0, bid - index) - Math.max(0, index - ask)) / index;
}

export function formatFundingRate(rate: number): string {
  return formatSteps(toSteps(rate, FUNDING_STEP, -Infinity), FUNDING_STEP);
}

export function initialState(
  model: Model,
  seed: string | number,
  startTime: number,
  scenario: readonly ScheduledScenarioEvent[] = [],
): SimState {
  if (!Number.isSafeInteger(startTime)) throw new Error('startTime must be integer epoch ms');
  const interval = model.params.funding.intervalMs;
  const nextFundingTime = Math.floor(startTime / interval) * interval + interval;
  const interest = model.params.funding.interestRate;
  let state: SimState = {
    time: startTime,
    rng: seedRng(seed),
    regime: model.params.regimes.initial,
    instruments: model.instruments.map(({ params: p }) => {
      const index = p.startPrice / (1 + p.basis.mean);
      return {
        symbol: p.symbol,
        fair: p.startPrice,
        basis: p.basis.mean,
        index,
        basisAvg: p.startPrice - index,
        mark: p.startPrice,
        lastTradeTicks: null,
        premiumSum: 0,
        premiumWeight: 0,
        fundingRate: interest,
        lastFundingRate: interest,
        jumps: 0,
      };
    }),
    events: [],
    eventSeq: 0,
    nextMarkTime: startTime,
    nextBookTime: startTime,
    fundingPeriodStart: nextFundingTime - interval,
    nextFundingTime,
  };
  for (const e of scenario) state = addEvent(model, state, e).state;
  return state;
}

/** Schedule an event (at its `at`, or at the current simulated time). Pure. */
export function addEvent(
  model: Model,
  state: SimState,
  event: ScenarioEventSpec & { at?: number; id?: string },
): { state: SimState; event: ScenarioEvent } {
  validateScenarioEvent(event, model.symbols);
  if (event.at !== undefined && event.at < state.time) {
    throw new Error(
      `scenario event at ${new Date(event.at).toISOString()} is in the past (simulated time is ${new Date(state.time).toISOString()})`,
    );
  }
  const seq = state.eventSeq + 1;
  const id = event.id ?? `event-${seq}`;
  if (state.events.some((e) => e.id === id)) throw new Error(`duplicate scenario event id ${id}`);
  const scheduled: ScenarioEvent = { ...event, at: event.at ?? state.time, id };
  const events = [...state.events, scheduled].sort((a, b) => a.at - b.at);
  return { state: { ...state, events, eventSeq: seq }, event: scheduled };
}

/** Remove a scheduled or running event. Pure; unknown ids leave the state unchanged. */
export function cancelEvent(state: SimState, id: string): SimState {
  if (!state.events.some((e) => e.id === id)) return state;
  return { ...state, events: state.events.filter((e) => e.id !== id) };
}

function applies(e: ScenarioEvent, symbol: string): boolean {
  return e.symbol === undefined || e.symbol === symbol;
}

/** Share of a scenario move that instrument i takes: 1 for the target, beta for the others. */
function moveBeta(model: Model, e: ScenarioEvent, i: number): number {
  if (e.type !== 'crash' && e.type !== 'rally') return 0;
  if (e.symbol === undefined || e.symbol === model.symbols[i]) return 1;
  if (e.propagate === false) return 0;
  const j = model.symbols.indexOf(e.symbol);
  const vi = model.instruments[i]!.params.vol.normal;
  const vj = model.instruments[j]!.params.vol.normal;
  return vj > 0 ? (model.correlation[i]![j]! * vi) / vj : 0;
}

function median3(a: number, b: number, c: number): number {
  return Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
}

/** Advance the simulation by dtMs (a positive integer). Pure: the input state is not modified. */
export function step(model: Model, state: SimState, dtMs: number): StepResult {
  if (!Number.isSafeInteger(dtMs) || dtMs <= 0) throw new Error('dtMs must be a positive integer');
  const p = model.params;
  const rng = new Rng(state.rng);
  const t0 = state.time;
  const t1 = t0 + dtMs;
  const dtY = dtMs / YEAR_MS;
  const ticks: MarketTick[] = [];

  // 1. Market regime: exponential holding times, so the chance of leaving in dt is 1 − e^(−dt/T).
  let regime = state.regime;
  if (rng.uniform() < 1 - Math.exp(-dtMs / p.regimes.meanDurationMs[regime])) {
    const row = p.regimes.transitions[regime];
    let u = rng.uniform();
    let next: Regime = regime;
    for (const to of REGIMES) {
      if (to === regime) continue;
      next = to;
      u -= row[to];
      if (u < 0) break;
    }
    regime = next;
  }

  // 2. Intraday seasonality (peak at 15:00 UTC).
  const phase = 2 * Math.PI * ((((t0 % DAY_MS) + DAY_MS) % DAY_MS) / DAY_MS - 15 / 24);
  const season = Math.cos(phase);
  const activitySeason = 1 + p.intradayAmplitude * season;
  const a3 = p.intradayAmplitude / 3;
  const volSeason = (1 + a3 * season) / Math.sqrt(1 + (a3 * a3) / 2);

  // 3. Correlated shocks.
  const n = model.instruments.length;
  const eps = new Array<number>(n);
  for (let j = 0; j < n; j++) eps[j] = rng.normal();
  const active = state.events.filter((e) => overlapMs(e, t0, t1) > 0);

  const fp = p.funding;
  let nextFundingTime = state.nextFundingTime;
  let fundingPeriodStart = state.fundingPeriodStart;
  const settles = t1 >= nextFundingTime;
  const emitMark = t1 >= state.nextMarkTime;
  const emitBook = p.bookIntervalMs <= 0 || t1 >= state.nextBookTime;
  if (settles) {
    while (t1 >= nextFundingTime) {
      fundingPeriodStart = nextFundingTime;
      nextFundingTime += fp.intervalMs;
    }
  }

  const instruments = state.instruments.map((s, i): InstrumentState => {
    const c = model.instruments[i]!;
    const ip = c.params;
    const L = model.cholesky[i]!;
    let z = 0;
    for (let j = 0; j <= i; j++) z += L[j]! * eps[j]!;

    // Scenario effects over this step.
    let varFactor = 1;
    let jumpFactor = 1;
    let moveLog = 0;
    let spreadMult = 1;
    let depthMult = 1;
    for (const e of active) {
      const ov = overlapMs(e, t0, t1);
      if (e.type === 'crash' || e.type === 'rally') {
        const total = Math.log(e.type === 'crash' ? 1 - e.percent / 100 : 1 + e.percent / 100);
        moveLog += (total * moveBeta(model, e, i) * ov) / e.durationMs;
      } else if (applies(e, ip.symbol)) {
        if (e.type === 'volSpike') {
          varFactor += ((e.multiplier * e.multiplier - 1) * ov) / dtMs;
          jumpFactor += ((e.multiplier - 1) * ov) / dtMs;
        } else if (e.type === 'liquidityDrought') {
          spreadMult = Math.max(spreadMult, e.spreadMultiplier);
          depthMult = Math.min(depthMult, e.depthMultiplier);
        }
      }
    }

    // Diffusion + jumps.
    const sigma = ip.vol[regime] * volSeason * Math.sqrt(Math.max(0, varFactor));
    const lambdaY =
      ip.jumps.perDay * p.regimes.jumpIntensity[regime] * jumpFactor * (YEAR_MS / DAY_MS);
    const kappa = Math.exp(ip.jumps.meanLog + (ip.jumps.stdLog * ip.jumps.stdLog) / 2) - 1;
    let dlog =
      (ip.drift - lambdaY * kappa - (sigma * sigma) / 2) * dtY + sigma * Math.sqrt(dtY) * z;
    const nJumps = ip.jumps.perDay > 0 ? rng.poisson(lambdaY * dtY) : 0;
    for (let k = 0; k < nJumps; k++) dlog += ip.jumps.meanLog + ip.jumps.stdLog * rng.normal();
    dlog += moveLog;
    const fair0 = s.fair;
    const fair = fair0 * Math.exp(dlog);

    // Basis (OU), index (smoothed spot), moving average of the basis for the mark price.
    const decay = Math.exp((-Math.LN2 * dtMs) / ip.basis.halfLifeMs);
    const basis =
      ip.basis.mean +
      (s.basis - ip.basis.mean) * decay +
      ip.basis.std * Math.sqrt(1 - decay * decay) * rng.normal();
    const spot = fair / (1 + basis);
    const index = s.index + (1 - Math.exp(-dtMs / p.indexSmoothingMs)) * (spot - s.index);
    const basisAvg =
      s.basisAvg + (1 - Math.exp(-dtMs / p.markBasisSmoothingMs)) * (fair - index - s.basisAvg);

    // Top of book around the fair price.
    const tick = c.tick;
    const lot = c.lot;
    const spreadTicks = Math.max(
      1,
      Math.round(ip.spreadTicks * p.regimes.spread[regime] * spreadMult),
    );
    const bookAt = (mid: number): [number, number] => {
      const bid = Math.max(1, Math.round(mid / tick.value - spreadTicks / 2));
      return [bid, bid + spreadTicks];
    };

    // Trades: at least one per step, more when the market is busy; prices walk from the old fair
    // price to the new one, buyers lift the ask and sellers hit the bid (bid-ask bounce); the
    // aggressor side leans with the move; sizes are log-normal with occasional block trades.
    const activity = p.regimes.activity[regime] * activitySeason;
    const k = 1 + rng.poisson(Math.max(0, (ip.tradesPerSecond * activity * dtMs) / 1000 - 1));
    const stepSigma = ip.vol[regime] * Math.sqrt(dtY) || 1e-9;
    const pBuy = 0.5 + 0.35 * Math.tanh(dlog / stepSigma);
    let lastTradeTicks = s.lastTradeTicks;
    let x = 0;
    for (let j = 1; j <= k; j++) {
      // Sequential Brownian bridge from the old fair price (x = 0) to the new one (x = dlog).
      const left = k - j + 1;
      x += (dlog - x) / left;
      if (left > 1) x += sigma * Math.sqrt((dtY / k) * ((left - 1) / left)) * rng.normal();
      const f = fair0 * Math.exp(x);
      const [bid, ask] = bookAt(f);
      const buy = rng.uniform() < pBuy;
      let q = ip.medianTradeQty * Math.sqrt(activity) * Math.exp(ip.tradeQtySigma * rng.normal());
      if (rng.uniform() < 0.02) q *= 8;
      lastTradeTicks = buy ? ask : bid;
      const trade: TradeTick = {
        kind: 'trade',
        symbol: ip.symbol,
        time: j === k ? t1 : t0 + Math.max(1, Math.round((dtMs * j) / k)),
        price: formatSteps(lastTradeTicks, tick),
        quantity: formatSteps(toSteps(q, lot, 1), lot),
        side: buy ? 'buy' : 'sell',
      };
      ticks.push(trade);
    }

    const [bestBid, bestAsk] = bookAt(fair);
    if (emitBook) {
      const bids: BookTick['bids'] = [];
      const asks: BookTick['asks'] = [];
      const depth = (ip.depthQty * depthMult) / p.regimes.spread[regime];
      for (let l = 0; l < ip.depthLevels; l++) {
        const qb = depth * (1 + 0.4 * l) * Math.exp(0.35 * rng.normal());
        const qa = depth * (1 + 0.4 * l) * Math.exp(0.35 * rng.normal());
        if (bestBid - l >= 1) {
          bids.push([formatSteps(bestBid - l, tick), formatSteps(toSteps(qb, lot, 1), lot)]);
        }
        asks.push([formatSteps(bestAsk + l, tick), formatSteps(toSteps(qa, lot, 1), lot)]);
      }
      ticks.push({ kind: 'book', symbol: ip.symbol, time: t1, bids, asks });
    }

    // Funding: time-weighted premium average over the period (later samples weigh more).
    const prem = premiumIndex(bestBid * tick.value, bestAsk * tick.value, index);
    let premiumSum = s.premiumSum;
    let premiumWeight = s.premiumWeight;
    let lastFundingRate = s.lastFundingRate;
    let fundingRate = s.fundingRate;
    if (settles) {
      lastFundingRate = fundingRate;
      premiumSum = 0;
      premiumWeight = 0;
    }
    const w = Math.max(1, t1 - fundingPeriodStart) * dtMs;
    premiumSum += prem * w;
    premiumWeight += w;
    fundingRate = computeFundingRate(premiumSum / premiumWeight, fp);

    // Mark price, Binance style: median of (index with the funding basis decaying to the next
    // settlement, index + moving average of the basis, last price).
    const lastPrice = lastTradeTicks === null ? fair : lastTradeTicks * tick.value;
    const price1 = index * (1 + (fundingRate * (nextFundingTime - t1)) / fp.intervalMs);
    const mark = median3(price1, index + basisAvg, lastPrice);
    if (emitMark) {
      const tickOut: MarkTick = {
        kind: 'mark',
        symbol: ip.symbol,
        time: t1,
        markPrice: formatSteps(toSteps(mark, tick, 1), tick),
        indexPrice: formatSteps(toSteps(index, tick, 1), tick),
        fundingRate: formatFundingRate(fundingRate),
        nextFundingTime,
      };
      ticks.push(tickOut);
    }

    return {
      symbol: s.symbol,
      fair,
      basis,
      index,
      basisAvg,
      mark,
      lastTradeTicks,
      premiumSum,
      premiumWeight,
      fundingRate,
      lastFundingRate,
      jumps: s.jumps + nJumps,
    };
  });

  let nextMarkTime = state.nextMarkTime;
  if (emitMark) while (nextMarkTime <= t1) nextMarkTime += p.markIntervalMs;
  let nextBookTime = state.nextBookTime;
  if (emitBook && p.bookIntervalMs > 0) while (nextBookTime <= t1) nextBookTime += p.bookIntervalMs;

  return {
    state: {
      time: t1,
      rng: rng.state(),
      regime,
      instruments,
      events:
        active.length > 0 || state.events.some((e) => e.at + e.durationMs <= t1)
          ? state.events.filter((e) => e.at + e.durationMs > t1)
          : state.events,
      eventSeq: state.eventSeq,
      nextMarkTime,
      nextBookTime,
      fundingPeriodStart,
      nextFundingTime,
    },
    ticks,
  };
}
