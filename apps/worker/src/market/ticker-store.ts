import type { MarkTick, StatusTick, TradeTick } from '@lab/market-data';
import { MAIN_VENUE } from '@lab/contracts';
import type pg from 'pg';

export interface TickerRow {
  symbol: string;
  mark: MarkTick;
  lastTrade?: TradeTick;
  status: StatusTick['status'];
}

const STATUS: Record<StatusTick['status'], string> = {
  live: 'LIVE',
  stale: 'STALE',
  halted: 'HALTED',
  connecting: 'CONNECTING',
};

/** Latest prices per instrument, with 24h statistics computed from the 1m candles. */
export async function upsertTickers(
  pool: pg.Pool,
  rows: readonly TickerRow[],
  venue: string = MAIN_VENUE,
): Promise<void> {
  for (const r of rows) {
    await pool.query(
      `INSERT INTO market_tickers (venue_id, symbol, last_price, mark_price, index_price, funding_rate, next_funding_time,
                                   open_24h, high_24h, low_24h, volume_24h, status, updated_at)
       SELECT $9, $1, $2, $3, $4, $5, $6, s.open, s.high, s.low, s.volume, $7::"MarketStatus", $8
       FROM (SELECT (array_agg(open ORDER BY open_time))[1] AS open, max(high) AS high, min(low) AS low,
                    coalesce(sum(volume), 0) AS volume
             FROM candles WHERE venue_id = $9 AND symbol = $1 AND interval = '1m' AND open_time > $8::timestamptz - interval '24 hours') s
       ON CONFLICT (venue_id, symbol) DO UPDATE SET
         last_price = EXCLUDED.last_price, mark_price = EXCLUDED.mark_price, index_price = EXCLUDED.index_price,
         funding_rate = EXCLUDED.funding_rate, next_funding_time = EXCLUDED.next_funding_time,
         open_24h = EXCLUDED.open_24h, high_24h = EXCLUDED.high_24h, low_24h = EXCLUDED.low_24h,
         volume_24h = EXCLUDED.volume_24h, status = EXCLUDED.status, updated_at = EXCLUDED.updated_at`,
      [
        r.symbol,
        r.lastTrade?.price ?? r.mark.markPrice,
        r.mark.markPrice,
        r.mark.indexPrice,
        r.mark.fundingRate,
        new Date(r.mark.nextFundingTime),
        STATUS[r.status],
        new Date(r.mark.time),
        venue,
      ],
    );
  }
}
