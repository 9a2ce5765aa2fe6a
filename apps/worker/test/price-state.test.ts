// The trading loop's view of prices: ticks become price points only while the market is live
// (not halted, stale, connecting, nor a trade on a mark older than 15 s), and the first tick past a
// funding time of the grid yields one funding point before it, with the rate the marks announced
// last and the marks before it; a restart resumes from the funding times already handled.
import type { MarketTick } from '@lab/contracts';
import { describe, expect, it } from 'vitest';
import type { FundingPoint, Point } from '../src/trading/points.ts';
import { PriceState, type FundingSchedule } from '../src/trading/price-state.ts';

const H8 = 8 * 3600_000;
const T = Date.UTC(2026, 0, 10, 8); // a funding time
const schedule = (completed: Record<string, number> = {}): FundingSchedule => ({
  intervalMs: () => H8,
  completed: new Map(Object.entries(completed)),
});
const mark = (symbol: string, time: number, price: string, rate = '0.0001'): MarketTick => ({
  kind: 'mark',
  symbol,
  time,
  markPrice: price,
  indexPrice: price,
  fundingRate: rate,
  nextFundingTime: T,
});
const trade = (symbol: string, time: number, price: string): MarketTick => ({
  kind: 'trade',
  symbol,
  time,
  price,
  quantity: '1',
  side: 'buy',
});
const brief = (points: Point[]) =>
  points.map((p) =>
    p.kind === 'price'
      ? `${p.symbol} ${p.markPrice.toFixed()}/${p.lastPrice?.toFixed() ?? '-'}`
      : `funding ${p.fundingTime - T} ${Object.entries(p.rates)
          .map(([s, r]) => `${s}=${r.toFixed()}`)
          .join(' ')} at ${Object.entries(p.market.marks)
          .map(([s, m]) => `${s}=${m.toFixed()}`)
          .join(' ')}`,
  );

describe('PriceState', () => {
  it('acts only on live prices', () => {
    const ps = new PriceState(schedule(), [], T - 60_000);
    const t0 = T - 50_000;
    expect(brief(ps.apply([trade('BTCUSDT', t0, '50001')], t0))).toEqual([]); // no mark yet
    expect(brief(ps.apply([mark('BTCUSDT', t0, '50000')], t0))).toEqual(['BTCUSDT 50000/50001']);
    expect(
      brief(
        ps.apply(
          [
            { kind: 'status', symbol: 'BTCUSDT', time: t0 + 1, status: 'halted' },
            mark('BTCUSDT', t0 + 2, '49000'),
            trade('BTCUSDT', t0 + 3, '48000'),
          ],
          t0 + 3,
        ),
      ),
    ).toEqual([]);
    expect(
      brief(
        ps.apply(
          [
            { kind: 'status', symbol: 'BTCUSDT', time: t0 + 4, status: 'live' },
            trade('BTCUSDT', t0 + 5, '48100'),
          ],
          t0 + 5,
        ),
      ),
    ).toEqual(['BTCUSDT 49000/48100']);
    // a trade 16 s after the last mark is not acted on; the next mark is
    expect(brief(ps.apply([trade('BTCUSDT', t0 + 16_010, '47000')], t0 + 16_010))).toEqual([]);
    expect(brief(ps.apply([mark('BTCUSDT', t0 + 16_020, '47500')], t0 + 16_020))).toEqual([
      'BTCUSDT 47500/47000',
    ]);
  });

  it('the first tick past a funding time yields one funding point, before it, at the marks before it', () => {
    const ps = new PriceState(schedule(), [], T - 60_000);
    ps.apply(
      [mark('BTCUSDT', T - 2000, '50000', '0.0001'), mark('ETHUSDT', T - 2000, '3000', '-0.0002')],
      T - 2000,
    );
    const points = ps.apply(
      [
        trade('ETHUSDT', T + 100, '3010'),
        mark('BTCUSDT', T + 100, '50100', '0.0003'),
        mark('ETHUSDT', T + 100, '3005', '0.0001'),
      ],
      T + 100,
    );
    expect(brief(points)).toEqual([
      'funding 0 BTCUSDT=0.0001 ETHUSDT=-0.0002 at BTCUSDT=50000 ETHUSDT=3000',
      'ETHUSDT 3000/3010',
      'BTCUSDT 50100/-',
      'ETHUSDT 3005/3010',
    ]);
    expect(ps.fundedThrough('BTCUSDT')).toBe(T);
    // not again, and the next one at T + 8 h with the rate announced then
    expect(brief(ps.apply([mark('BTCUSDT', T + 5000, '50200')], T + 5000))).toEqual([
      'BTCUSDT 50200/-',
    ]);
    const next = ps.apply([mark('BTCUSDT', T + H8 + 1, '50300')], T + H8 + 1);
    expect((next[0] as FundingPoint).fundingTime).toBe(T + H8);
    expect(Object.keys((next[0] as FundingPoint).rates)).toEqual(['BTCUSDT', 'ETHUSDT']);
  });

  it('after a restart: the funding time missed is due at the first tick, at the stored rate and mark', () => {
    const stored = [
      {
        symbol: 'BTCUSDT',
        markPrice: '51000',
        lastPrice: '51010',
        fundingRate: '0.0004',
        time: T - 30_000,
      },
    ];
    const ps = new PriceState(schedule({ BTCUSDT: T - H8 }), stored, T + 60_000);
    const points = ps.apply([mark('BTCUSDT', T + 61_000, '50500')], T + 61_000);
    expect(brief(points)).toEqual([
      'funding 0 BTCUSDT=0.0004 at BTCUSDT=51000',
      'BTCUSDT 50500/51010',
    ]);
    // a first start (nothing recorded) treats the funding time just passed as handled
    const fresh = new PriceState(schedule(), stored, T + 60_000);
    expect(brief(fresh.apply([mark('BTCUSDT', T + 61_000, '50500')], T + 61_000))).toEqual([
      'BTCUSDT 50500/51010',
    ]);
  });
});
