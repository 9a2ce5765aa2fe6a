// Trading words and numbers as exchanges show them: order types, statuses, sides, ratios.
import { formatDecimal, formatRatePercent } from './market-format';

export const ORDER_TYPE_LABEL: Record<string, string> = {
  market: 'Market',
  limit: 'Limit',
  stopMarket: 'Stop market',
  stopLimit: 'Stop limit',
  takeProfitMarket: 'Take profit market',
  takeProfitLimit: 'Take profit limit',
};

export const ORDER_STATUS_LABEL: Record<string, string> = {
  untriggered: 'Waiting for trigger',
  new: 'New',
  partiallyFilled: 'Partially filled',
  filled: 'Filled',
  canceled: 'Canceled',
  expired: 'Expired',
};

export const TIF_LABEL: Record<string, string> = {
  GTC: 'GTC',
  IOC: 'IOC',
  FOK: 'FOK',
  GTX: 'Post-only',
};

/** USDT amounts at two places, with thousands separators. */
export const usdt = (v: string | null | undefined) => formatDecimal(v, 2);

/** A ratio ("0.1234") as a percentage ("12.34%"); an infinite one (null) as "∞". */
export function ratioPercent(r: string | null | undefined, decimals = 2): string {
  if (r === null) return '∞';
  if (r === undefined) return '—';
  return formatRatePercent(r, decimals);
}

/** Local date and time, "2026-12-01 20:31:04". */
export function formatDateTime(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}
