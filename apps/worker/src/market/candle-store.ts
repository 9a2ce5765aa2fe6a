import { CANDLE_INTERVALS, alignTime, type Candle, type CandleInterval } from '@lab/market-data';
import { MAIN_VENUE } from '@lab/contracts';
import type pg from 'pg';

/** Bulk upsert of candles: closed ones become final, the open one is overwritten as it grows. */
export async function upsertCandles(
  pool: pg.Pool,
  candles: readonly Candle[],
  venue: string = MAIN_VENUE,
): Promise<void> {
  for (let i = 0; i < candles.length; i += 1000) {
    const chunk = candles.slice(i, i + 1000);
    const values: unknown[] = [];
    const rows = chunk.map((c, j) => {
      const o = j * 10;
      values.push(
        venue,
        c.symbol,
        c.interval,
        new Date(c.openTime),
        c.open,
        c.high,
        c.low,
        c.close,
        c.volume,
        c.trades,
      );
      return `(${Array.from({ length: 10 }, (_, k) => `$${o + k + 1}`).join(', ')})`;
    });
    await pool.query(
      `INSERT INTO candles (venue_id, symbol, interval, open_time, open, high, low, close, volume, trades)
       VALUES ${rows.join(',')}
       ON CONFLICT (venue_id, symbol, interval, open_time) DO UPDATE SET
         open = EXCLUDED.open, high = EXCLUDED.high, low = EXCLUDED.low, close = EXCLUDED.close,
         volume = EXCLUDED.volume, trades = EXCLUDED.trades`,
      values,
    );
  }
}

export async function lastCandleTime(
  pool: pg.Pool,
  symbol: string,
  venue: string = MAIN_VENUE,
): Promise<number | null> {
  const r = await pool.query<{ t: Date | null }>(
    `SELECT max(open_time) AS t FROM candles WHERE venue_id = $2 AND symbol = $1 AND interval = '1m'`,
    [symbol, venue],
  );
  return r.rows[0]?.t ? r.rows[0].t.getTime() : null;
}

/** numeric(38,18) text without the padding zeros ("97000.100000000000000000" -> "97000.1"). */
const trim = (s: string) => (s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s);

/** The stored candles, of every interval, whose period contains `time` (the periods in progress then). */
export async function loadCandlesAt(
  pool: pg.Pool,
  symbols: readonly string[],
  time: number,
  venue: string = MAIN_VENUE,
): Promise<Candle[]> {
  if (!symbols.length) return [];
  const r = await pool.query<{
    symbol: string;
    interval: CandleInterval;
    open_time: Date;
    open: string;
    high: string;
    low: string;
    close: string;
    volume: string;
    trades: number;
  }>(
    `SELECT c.symbol, c.interval, c.open_time, c.open::text, c.high::text, c.low::text, c.close::text, c.volume::text, c.trades
     FROM candles c JOIN unnest($2::text[], $3::timestamptz[]) AS p(interval, open_time)
       ON c.interval = p.interval AND c.open_time = p.open_time
     WHERE c.venue_id = $4 AND c.symbol = ANY($1::text[])`,
    [symbols, CANDLE_INTERVALS, CANDLE_INTERVALS.map((i) => new Date(alignTime(time, i))), venue],
  );
  return r.rows.map((c) => ({
    symbol: c.symbol,
    interval: c.interval,
    openTime: c.open_time.getTime(),
    open: trim(c.open),
    high: trim(c.high),
    low: trim(c.low),
    close: trim(c.close),
    volume: trim(c.volume),
    trades: c.trades,
  }));
}
