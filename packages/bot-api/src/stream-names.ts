// Binance's market stream names (lower-case symbol): <symbol>@markPrice[@1s], !markPrice@arr[@1s],
// <symbol>@kline_<interval>, <symbol>@aggTrade, <symbol>@bookTicker, !bookTicker.
import { isCandleInterval, type CandleInterval } from '@lab/market-data';

export type StreamName =
  | { kind: 'markPrice'; symbol: string | null; everyMs: number }
  | { kind: 'kline'; symbol: string; interval: CandleInterval }
  | { kind: 'aggTrade'; symbol: string }
  | { kind: 'bookTicker'; symbol: string | null };

/** The stream a name denotes, or null for a name this server does not serve. */
export function parseStreamName(name: string): StreamName | null {
  if (name.length > 60) return null;
  const all = /^!markPrice@arr(@1s)?$/.exec(name);
  if (all) return { kind: 'markPrice', symbol: null, everyMs: all[1] ? 1000 : 3000 };
  if (name === '!bookTicker') return { kind: 'bookTicker', symbol: null };
  const m = /^([a-z0-9]{2,20})@(.+)$/.exec(name);
  if (!m) return null;
  const symbol = m[1]!.toUpperCase();
  const rest = m[2]!;
  if (rest === 'markPrice') return { kind: 'markPrice', symbol, everyMs: 3000 };
  if (rest === 'markPrice@1s') return { kind: 'markPrice', symbol, everyMs: 1000 };
  if (rest === 'aggTrade') return { kind: 'aggTrade', symbol };
  if (rest === 'bookTicker') return { kind: 'bookTicker', symbol };
  const k = /^kline_(\w+)$/.exec(rest);
  if (k && isCandleInterval(k[1]!)) return { kind: 'kline', symbol, interval: k[1] };
  return null;
}
