// Parameters of the simulated market. Values are chosen to look like Binance USDⓈ-M perpetuals in
// late 2025: tick and lot sizes as Binance lists them, annualised volatilities per regime in line
// with realised crypto volatility (BTC ~35% calm, ~60% normal, ~110% volatile), correlations of the
// majors to BTC of 0.65–0.85. The lead can later fill tickSize/lotSize from the instrument catalogue.

export const REGIMES = ['calm', 'normal', 'volatile'] as const;
export type Regime = (typeof REGIMES)[number];

export const YEAR_MS = 365 * 24 * 60 * 60 * 1000; // crypto trades 24/7: a year is 365 full days
export const DAY_MS = 24 * 60 * 60 * 1000;
export const HOUR_MS = 60 * 60 * 1000;

export interface JumpParams {
  /** Poisson intensity in the normal regime, jumps per day (scaled by RegimeParams.jumpIntensity). */
  perDay: number;
  /** Mean and standard deviation of the log jump size (0.01 = about 1%). */
  meanLog: number;
  stdLog: number;
}

export interface BasisParams {
  /** Long-run mean of the perp's premium over the spot index, as a fraction (0.0001 = 1 bp). */
  mean: number;
  /** Stationary standard deviation of the basis, as a fraction. */
  std: number;
  /** Half-life of the basis's mean reversion (Ornstein–Uhlenbeck), ms. */
  halfLifeMs: number;
}

export interface InstrumentParams {
  symbol: string;
  startPrice: number;
  /** Price step, as Binance lists it ("0.1" for BTCUSDT). */
  tickSize: string;
  /** Quantity step. */
  lotSize: string;
  /** Annualised volatility of the log price, per regime. */
  vol: Record<Regime, number>;
  /** Annualised drift μ: E[P(t)] = P(0)·e^(μt) (jumps are compensated). */
  drift: number;
  jumps: JumpParams;
  basis: BasisParams;
  /** Best ask − best bid, in ticks, in the normal regime with full liquidity. */
  spreadTicks: number;
  /** Number of book levels published on each side. */
  depthLevels: number;
  /** Typical quantity at the best level (base asset); deeper levels hold more. */
  depthQty: number;
  /** Mean trades per second in the normal regime at average intraday activity. */
  tradesPerSecond: number;
  /** Median trade size (base asset); sizes are log-normal around it with a fat tail. */
  medianTradeQty: number;
  /** Log-normal sigma of trade sizes. */
  tradeQtySigma: number;
}

export interface RegimeParams {
  /** Regime at the start time. */
  initial: Regime;
  /** Mean time spent in each regime before switching (exponential holding times), ms. */
  meanDurationMs: Record<Regime, number>;
  /** Where the market goes when it leaves a regime; each row sums to 1, diagonal is 0. */
  transitions: Record<Regime, Record<Regime, number>>;
  /** Multiplier of jump intensity per regime. */
  jumpIntensity: Record<Regime, number>;
  /** Multiplier of trade arrival rate per regime. */
  activity: Record<Regime, number>;
  /** Multiplier of the spread per regime (depth is divided by it). */
  spread: Record<Regime, number>;
}

export interface FundingParams {
  /** Funding interval; settlements happen at UTC multiples of it (00:00, 08:00, 16:00 for 8h). */
  intervalMs: number;
  /** Interest rate per interval (Binance: 0.01% per 8h). */
  interestRate: number;
  /** Clamp of (interest − premium) (Binance: ±0.05%). */
  premiumClamp: number;
  /** Cap of the funding rate per interval (±0.75%). */
  cap: number;
}

export interface MarketParams {
  instruments: InstrumentParams[];
  /** Pairwise correlations of the diffusion shocks; pairs not listed use defaultCorrelation. */
  correlations: Array<[a: string, b: string, rho: number]>;
  defaultCorrelation: number;
  regimes: RegimeParams;
  funding: FundingParams;
  /** Period of mark/index/funding ticks (Binance markPrice@1s). */
  markIntervalMs: number;
  /** Period of book ticks; 0 publishes the book on every step. */
  bookIntervalMs: number;
  /** Time constant of the index's smoothing of the spot price, ms. */
  indexSmoothingMs: number;
  /** Time constant of the moving average of the basis used by the mark price, ms. */
  markBasisSmoothingMs: number;
  /**
   * Amplitude of the intraday seasonality (peak activity 15:00 UTC, trough 03:00 UTC). Trade rates
   * and sizes swing by ±amplitude; volatility by ±amplitude/3, normalised so that the average
   * variance over a day equals the regime's parameter.
   */
  intradayAmplitude: number;
}

const jumps = (perDay: number, stdLog: number): JumpParams => ({ perDay, meanLog: 0, stdLog });
const basis: BasisParams = { mean: 0.0001, std: 0.0003, halfLifeMs: 20 * 60 * 1000 };

export const DEFAULT_INSTRUMENTS: readonly InstrumentParams[] = [
  {
    symbol: 'BTCUSDT',
    startPrice: 97_000,
    tickSize: '0.1',
    lotSize: '0.001',
    vol: { calm: 0.35, normal: 0.6, volatile: 1.1 },
    drift: 0,
    jumps: jumps(4, 0.006),
    basis,
    spreadTicks: 1,
    depthLevels: 10,
    depthQty: 2.5,
    tradesPerSecond: 12,
    medianTradeQty: 0.012,
    tradeQtySigma: 1.3,
  },
  {
    symbol: 'ETHUSDT',
    startPrice: 3_400,
    tickSize: '0.01',
    lotSize: '0.001',
    vol: { calm: 0.45, normal: 0.75, volatile: 1.4 },
    drift: 0,
    jumps: jumps(4, 0.008),
    basis,
    spreadTicks: 1,
    depthLevels: 10,
    depthQty: 40,
    tradesPerSecond: 10,
    medianTradeQty: 0.25,
    tradeQtySigma: 1.3,
  },
  {
    symbol: 'SOLUSDT',
    startPrice: 190,
    tickSize: '0.01',
    lotSize: '1',
    vol: { calm: 0.6, normal: 0.95, volatile: 1.7 },
    drift: 0,
    jumps: jumps(5, 0.01),
    basis,
    spreadTicks: 1,
    depthLevels: 10,
    depthQty: 600,
    tradesPerSecond: 6,
    medianTradeQty: 4,
    tradeQtySigma: 1.3,
  },
  {
    symbol: 'BNBUSDT',
    startPrice: 650,
    tickSize: '0.01',
    lotSize: '0.01',
    vol: { calm: 0.35, normal: 0.55, volatile: 1.0 },
    drift: 0,
    jumps: jumps(3, 0.007),
    basis,
    spreadTicks: 2,
    depthLevels: 10,
    depthQty: 45,
    tradesPerSecond: 3,
    medianTradeQty: 0.5,
    tradeQtySigma: 1.2,
  },
  {
    symbol: 'XRPUSDT',
    startPrice: 2.2,
    tickSize: '0.0001',
    lotSize: '0.1',
    vol: { calm: 0.55, normal: 0.9, volatile: 1.7 },
    drift: 0,
    jumps: jumps(5, 0.01),
    basis,
    spreadTicks: 1,
    depthLevels: 10,
    depthQty: 60_000,
    tradesPerSecond: 5,
    medianTradeQty: 400,
    tradeQtySigma: 1.4,
  },
  {
    symbol: 'DOGEUSDT',
    startPrice: 0.32,
    tickSize: '0.00001',
    lotSize: '1',
    vol: { calm: 0.65, normal: 1.05, volatile: 1.9 },
    drift: 0,
    jumps: jumps(6, 0.012),
    basis,
    spreadTicks: 1,
    depthLevels: 10,
    depthQty: 400_000,
    tradesPerSecond: 5,
    medianTradeQty: 2_500,
    tradeQtySigma: 1.4,
  },
];

export const DEFAULT_CORRELATIONS: Array<[string, string, number]> = [
  ['BTCUSDT', 'ETHUSDT', 0.85],
  ['BTCUSDT', 'SOLUSDT', 0.75],
  ['BTCUSDT', 'BNBUSDT', 0.7],
  ['BTCUSDT', 'XRPUSDT', 0.65],
  ['BTCUSDT', 'DOGEUSDT', 0.7],
  ['ETHUSDT', 'SOLUSDT', 0.75],
  ['ETHUSDT', 'BNBUSDT', 0.65],
  ['ETHUSDT', 'XRPUSDT', 0.6],
  ['ETHUSDT', 'DOGEUSDT', 0.65],
  ['SOLUSDT', 'BNBUSDT', 0.6],
  ['SOLUSDT', 'XRPUSDT', 0.6],
  ['SOLUSDT', 'DOGEUSDT', 0.65],
  ['BNBUSDT', 'XRPUSDT', 0.55],
  ['BNBUSDT', 'DOGEUSDT', 0.55],
  ['XRPUSDT', 'DOGEUSDT', 0.6],
];

export const DEFAULT_REGIMES: RegimeParams = {
  initial: 'normal',
  meanDurationMs: { calm: 6 * HOUR_MS, normal: 10 * HOUR_MS, volatile: 2 * HOUR_MS },
  transitions: {
    calm: { calm: 0, normal: 0.85, volatile: 0.15 },
    normal: { calm: 0.55, normal: 0, volatile: 0.45 },
    volatile: { calm: 0.1, normal: 0.9, volatile: 0 },
  },
  jumpIntensity: { calm: 0.5, normal: 1, volatile: 3 },
  activity: { calm: 0.6, normal: 1, volatile: 2.2 },
  spread: { calm: 1, normal: 1, volatile: 2 },
};

export const DEFAULT_FUNDING: FundingParams = {
  intervalMs: 8 * HOUR_MS,
  interestRate: 0.0001,
  premiumClamp: 0.0005,
  cap: 0.0075,
};

export const DEFAULT_MARKET: MarketParams = {
  instruments: [...DEFAULT_INSTRUMENTS],
  correlations: DEFAULT_CORRELATIONS,
  defaultCorrelation: 0.5,
  regimes: DEFAULT_REGIMES,
  funding: DEFAULT_FUNDING,
  markIntervalMs: 1000,
  bookIntervalMs: 0,
  indexSmoothingMs: 1000,
  markBasisSmoothingMs: 150_000,
  intradayAmplitude: 0.35,
};

/** Market parameters with overrides; `symbols` picks a subset of the default instruments. */
export function marketParams(
  overrides: Partial<MarketParams> & { symbols?: readonly string[] } = {},
): MarketParams {
  const { symbols, ...rest } = overrides;
  const base: MarketParams = { ...DEFAULT_MARKET, ...rest };
  if (symbols) {
    const bySymbol = new Map(base.instruments.map((i) => [i.symbol, i]));
    base.instruments = symbols.map((s) => {
      const inst = bySymbol.get(s);
      if (!inst) throw new Error(`unknown simulated instrument ${s}`);
      return inst;
    });
  }
  return base;
}
