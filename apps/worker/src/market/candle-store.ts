import type { Candle } from '@lab/market-data';
import type pg from 'pg';

/** Bulk upsert of candles: closed ones become final, the open one is overwritten as it grows. */
export async function upsertCandles(pool: pg.Pool, candles: readonly Candle[]): Promise<void> {
  for (let i = 0; i < candles.length; i += 1000) {
    const chunk = candles.slice(i, i + 1000);
    const values: unknown[] = [];
    const rows = chunk.map((c, j) => {
      const o = j * 9;
      values.push(c.symbol, c.interval, new Date(c.openTime), c.open, c.high, c.low, c.close, c.volume, c.trades);
      return `($${o + 1}, $${o + 2}, $${o + 3}, $${o + 4}, $${o + 5}, $${o + 6}, $${o + 7}, $${o + 8}, $${o + 9})`;
    });
    await pool.query(
      `INSERT INTO candles (symbol, interval, open_time, open, high, low, close, volume, trades)
       VALUES ${rows.join(',')}
       ON CONFLICT (symbol, interval, open_time) DO UPDATE SET
         open = EXCLUDED.open, high = EXCLUDED.high, low = EXCLUDED.low, close = EXCLUDED.close,
         volume = EXCLUDED.volume, trades = EXCLUDED.trades`,
      values,
    );
  }
}

export async function lastCandleTime(pool: pg.Pool, symbol: string): Promise<number | null> {
  const r = await pool.query<{ t: Date | null }>(
    `SELECT max(open_time) AS t FROM candles WHERE symbol = $1 AND interval = '1m'`,
    [symbol],
  );
  return r.rows[0]?.t ? r.rows[0].t.getTime() : null;
}
