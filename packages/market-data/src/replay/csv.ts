// CSV formats of the replay source. A header line is required; column names are case-insensitive,
// extra columns are ignored, blank lines and lines starting with '#' are skipped. Fields are plain
// (no quoting or embedded commas). Times are integer epoch milliseconds or ISO 8601 with a zone
// (2025-01-01T00:00:00Z). Prices and quantities are plain decimals (no exponent, no sign).
//
//   candles: open_time,open,high,low,close,volume        (symbol and interval come from config)
//   trades:  time,price,quantity,side                    (side = buy|sell, the aggressor)
//
// Every problem is reported as a ReplayFileError naming the file, the line (1-based) and the column
// (name and 1-based position).

import type { CandleInterval } from '../types.ts';
import { INTERVAL_MS } from '../candles/intervals.ts';

export interface ReplayCandleRow {
  line: number;
  openTime: number;
  open: string;
  high: string;
  low: string;
  close: string;
  volume: string;
}

export interface ReplayTradeRow {
  line: number;
  time: number;
  price: string;
  quantity: string;
  side: 'buy' | 'sell';
}

export type ParsedReplay =
  | { format: 'candles'; interval: CandleInterval; rows: ReplayCandleRow[] }
  | { format: 'trades'; rows: ReplayTradeRow[] };

export const CANDLE_COLUMNS = ['open_time', 'open', 'high', 'low', 'close', 'volume'] as const;
export const TRADE_COLUMNS = ['time', 'price', 'quantity', 'side'] as const;

export class ReplayFileError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: string | null,
    readonly columnNumber: number | null,
    readonly reason: string,
  ) {
    super(
      `${file}:${line}${column !== null ? ` column "${column}" (${columnNumber})` : ''}: ${reason}`,
    );
    this.name = 'ReplayFileError';
  }
}

export interface ParseOptions {
  /** Name used in error messages. Default "<csv>". */
  fileName?: string;
  /** Interval of the candles in a candles file. Default "1m". */
  interval?: CandleInterval;
}

const DECIMAL_RE = /^\d+(\.\d+)?$/;
const ISO_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})$/;

/** Compare two plain non-negative decimals exactly, without floats. */
export function compareDecimals(a: string, b: string): number {
  const [ai = '', af = ''] = a.split('.');
  const [bi = '', bf = ''] = b.split('.');
  const ia = ai.replace(/^0+(?=\d)/, '');
  const ib = bi.replace(/^0+(?=\d)/, '');
  if (ia.length !== ib.length) return ia.length < ib.length ? -1 : 1;
  if (ia !== ib) return ia < ib ? -1 : 1;
  const n = Math.max(af.length, bf.length);
  const fa = af.padEnd(n, '0');
  const fb = bf.padEnd(n, '0');
  return fa === fb ? 0 : fa < fb ? -1 : 1;
}

function isZero(d: string): boolean {
  return /^0+(\.0+)?$/.test(d);
}

export function parseReplayCsv(text: string, options: ParseOptions = {}): ParsedReplay {
  const file = options.fileName ?? '<csv>';
  const interval = options.interval ?? '1m';
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  let header: string[] | null = null;
  let headerLine = 0;
  let format: 'candles' | 'trades' | null = null;
  let col: Record<string, number> = {};
  const candles: ReplayCandleRow[] = [];
  const trades: ReplayTradeRow[] = [];

  for (let li = 0; li < lines.length; li++) {
    const lineNo = li + 1;
    const raw = lines[li]!.trim();
    if (raw === '' || raw.startsWith('#')) continue;
    const fields = raw.split(',').map((f) => f.trim().replace(/^"(.*)"$/, '$1'));

    if (!header) {
      header = fields.map((f) => f.toLowerCase());
      headerLine = lineNo;
      const has = (c: string): boolean => header!.includes(c);
      format = has('open_time') ? 'candles' : has('time') || has('price') ? 'trades' : null;
      if (!format) {
        throw new ReplayFileError(
          file,
          lineNo,
          null,
          null,
          `header must name the columns: either ${CANDLE_COLUMNS.join(',')} or ${TRADE_COLUMNS.join(',')}; got "${raw}"`,
        );
      }
      const required = format === 'candles' ? CANDLE_COLUMNS : TRADE_COLUMNS;
      for (const c of required) {
        if (!has(c)) {
          throw new ReplayFileError(
            file,
            lineNo,
            c,
            null,
            `missing column "${c}" in the ${format} header (${required.join(',')})`,
          );
        }
      }
      col = Object.fromEntries(header.map((h, i) => [h, i]));
      continue;
    }

    if (fields.length !== header.length) {
      throw new ReplayFileError(
        file,
        lineNo,
        null,
        null,
        `expected ${header.length} fields like the header on line ${headerLine}, got ${fields.length}`,
      );
    }
    const err = (name: string, reason: string): never => {
      throw new ReplayFileError(file, lineNo, name, col[name]! + 1, reason);
    };
    const get = (name: string): string => fields[col[name]!]!;
    const time = (name: string): number => {
      const v = get(name);
      if (/^\d+$/.test(v)) {
        const n = Number(v);
        if (!Number.isSafeInteger(n)) err(name, `time "${v}" out of range`);
        if (n < 1e11) err(name, `time "${v}" looks like seconds; expected epoch milliseconds`);
        return n;
      }
      if (ISO_RE.test(v)) {
        const n = Date.parse(v);
        if (!Number.isNaN(n)) return n;
      }
      return err(name, `expected epoch milliseconds or an ISO 8601 time with a zone, got "${v}"`);
    };
    const decimal = (name: string, positive: boolean): string => {
      const v = get(name);
      if (!DECIMAL_RE.test(v)) err(name, `expected a plain decimal number, got "${v}"`);
      if (positive && isZero(v)) err(name, `must be greater than zero, got "${v}"`);
      return v;
    };

    if (format === 'candles') {
      const openTime = time('open_time');
      const ms = INTERVAL_MS[interval];
      if (openTime % ms !== 0)
        err('open_time', `${openTime} is not aligned to the ${interval} interval`);
      const prev = candles.at(-1);
      if (prev && openTime <= prev.openTime) {
        err('open_time', `times must increase; line ${prev.line} has ${prev.openTime}`);
      }
      const row: ReplayCandleRow = {
        line: lineNo,
        openTime,
        open: decimal('open', true),
        high: decimal('high', true),
        low: decimal('low', true),
        close: decimal('close', true),
        volume: decimal('volume', false),
      };
      if (
        compareDecimals(row.high, row.open) < 0 ||
        compareDecimals(row.high, row.close) < 0 ||
        compareDecimals(row.high, row.low) < 0
      )
        err('high', `high ${row.high} is below open, low or close`);
      if (compareDecimals(row.low, row.open) > 0 || compareDecimals(row.low, row.close) > 0)
        err('low', `low ${row.low} is above open or close`);
      candles.push(row);
    } else {
      const t = time('time');
      const prev = trades.at(-1);
      if (prev && t < prev.time)
        err('time', `times must not decrease; line ${prev.line} has ${prev.time}`);
      const side = get('side').toLowerCase();
      if (side !== 'buy' && side !== 'sell')
        err('side', `expected "buy" or "sell", got "${get('side')}"`);
      trades.push({
        line: lineNo,
        time: t,
        price: decimal('price', true),
        quantity: decimal('quantity', true),
        side: side as 'buy' | 'sell',
      });
    }
  }

  if (!header)
    throw new ReplayFileError(file, 1, null, null, 'empty file: a header line is required');
  if (format === 'candles') {
    if (candles.length === 0)
      throw new ReplayFileError(file, headerLine, null, null, 'no data rows');
    return { format, interval, rows: candles };
  }
  if (trades.length === 0) throw new ReplayFileError(file, headerLine, null, null, 'no data rows');
  return { format: 'trades', rows: trades };
}
