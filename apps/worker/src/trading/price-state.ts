// The venue's prices as the trading loop sees them: the latest mark (with its funding rate), last
// trade and status of every symbol, from the batches the market data services publish. It turns
// each batch into points, in order, for the symbols that are live only: a halted or stale market
// (or a mark older than 15 s, effectiveStatus) neither fills resting orders, nor triggers stops,
// nor liquidates. It also watches the funding clock: the first tick past a funding time of the
// grid emits a funding point (before that tick), with the rate each symbol's mark ticks announced
// last and the marks before it.
import type { MarketStatus, MarketTick } from '@lab/contracts';
import { CATALOGUE, Decimal, withPrice, type Market } from '@lab/margin-engine';
import { effectiveStatus } from '@lab/services';
import type { FundingPoint, Point, PricePoint } from './points.ts';

export interface StoredQuote {
  symbol: string;
  markPrice: string;
  lastPrice: string | null;
  fundingRate: string;
  /** When the stored ticker was written (epoch ms). */
  time: number;
}

export interface FundingSchedule {
  /** Funding interval of a symbol on this venue, ms (the venue's own, else the instrument's). */
  intervalMs(symbol: string): number;
  /** Last funding time already handled per symbol (a restart resumes after it). */
  completed: ReadonlyMap<string, number>;
}

interface SymbolState {
  mark?: { price: Decimal; time: number; fundingRate: Decimal };
  last?: Decimal;
  status: MarketStatus;
  /** Funding times up to this one are handled (or were before this process knew the symbol). */
  fundedThrough: number;
}

const gridBefore = (t: number, interval: number) => Math.floor(t / interval) * interval;

export class PriceState {
  private readonly symbols = new Map<string, SymbolState>();
  /** The market after every point emitted so far. */
  private current: Market = { instruments: CATALOGUE, marks: {}, lastPrices: {} };

  constructor(
    private readonly schedule: FundingSchedule,
    stored: readonly StoredQuote[],
    now: number,
  ) {
    for (const q of stored) {
      const s = this.state(q.symbol, now);
      s.mark = {
        price: new Decimal(q.markPrice),
        time: q.time,
        fundingRate: new Decimal(q.fundingRate),
      };
      if (q.lastPrice) s.last = new Decimal(q.lastPrice);
      this.current = withPrice(this.current, q.symbol, {
        markPrice: s.mark.price,
        ...(s.last ? { lastPrice: s.last } : {}),
      });
    }
  }

  /** The market after the points emitted so far (all marks known, live or not). */
  get market(): Market {
    return this.current;
  }

  private state(symbol: string, now: number): SymbolState {
    let s = this.symbols.get(symbol);
    if (!s) {
      const interval = this.schedule.intervalMs(symbol);
      // never funded here before: the funding time just passed counts as handled (nothing to
      // catch up on a first start)
      s = {
        status: 'connecting',
        fundedThrough: this.schedule.completed.get(symbol) ?? gridBefore(now, interval),
      };
      this.symbols.set(symbol, s);
    }
    return s;
  }

  /** Whether the symbol is live at `now` (a fresh mark, status live). */
  isLive(symbol: string, now: number): boolean {
    const s = this.symbols.get(symbol);
    if (!s?.mark) return false;
    return (
      effectiveStatus(
        { markPrice: s.mark.price.toFixed(), status: s.status, time: s.mark.time },
        now,
      ) === 'live'
    );
  }

  /** Symbols whose funding times up to `time` are handled (for the progress record). */
  fundedThrough(symbol: string): number | undefined {
    return this.symbols.get(symbol)?.fundedThrough;
  }

  /**
   * The points of a batch, in order. `now` is the wall clock the staleness rule uses for trades
   * (a trade on a mark older than 15 s is not acted on).
   */
  apply(batch: readonly MarketTick[], now: number): Point[] {
    const out: Point[] = [];
    for (const t of batch) {
      const s = this.state(t.symbol, now);
      if (t.kind === 'status') {
        s.status = t.status;
      } else if (t.kind === 'mark') {
        // as the market data service: a symbol's first mark makes it live, status ticks decide after
        if (s.status === 'connecting') s.status = 'live';
        out.push(...this.fundingDue(t.time));
        s.mark = {
          price: new Decimal(t.markPrice),
          time: t.time,
          fundingRate: new Decimal(t.fundingRate),
        };
        if (s.status === 'live') out.push(this.point(t.symbol, s, t.time, true));
      } else if (t.kind === 'trade') {
        out.push(...this.fundingDue(t.time));
        s.last = new Decimal(t.price);
        if (
          s.mark &&
          effectiveStatus(
            { markPrice: s.mark.price.toFixed(), status: s.status, time: s.mark.time },
            Math.max(now, t.time),
          ) === 'live'
        )
          out.push(this.point(t.symbol, s, t.time, false));
      }
    }
    return out;
  }

  private point(symbol: string, s: SymbolState, time: number, markMoved: boolean): PricePoint {
    const p: PricePoint = {
      kind: 'price',
      symbol,
      markPrice: s.mark!.price,
      lastPrice: s.last,
      time,
      markMoved,
    };
    this.current = withPrice(this.current, symbol, {
      markPrice: p.markPrice,
      ...(p.lastPrice ? { lastPrice: p.lastPrice } : {}),
    });
    return p;
  }

  /**
   * Funding points when `time` (a tick's) is past funding times not handled yet: every symbol
   * with a known rate whose grid has a funding time in (handled, time] is due at the latest one
   * (earlier missed ones are skipped: see the README), at the rate its marks announced last and
   * the marks before this tick. One point per funding time, earliest first.
   */
  private fundingDue(time: number): FundingPoint[] {
    const byTime = new Map<number, Record<string, Decimal>>();
    for (const [symbol, s] of this.symbols) {
      if (!s.mark) continue;
      const due = gridBefore(time, this.schedule.intervalMs(symbol));
      if (due <= s.fundedThrough) continue;
      s.fundedThrough = due;
      const rates = byTime.get(due) ?? {};
      rates[symbol] = s.mark.fundingRate;
      byTime.set(due, rates);
    }
    return [...byTime]
      .sort((a, b) => a[0] - b[0])
      .map(([fundingTime, rates]) => ({
        kind: 'funding',
        fundingTime,
        rates,
        market: this.current,
        time,
      }));
  }
}
