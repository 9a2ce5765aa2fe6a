import { decimalSign, formatDecimal } from '@/lib/market-format';

/**
 * A signed amount (PnL, ROE, funding): green with ▲ and "+" when positive, red with ▼ and "−"
 * when negative: colour is never the only cue.
 */
export function Signed({
  value,
  decimals = 2,
  suffix = '',
  className = '',
  percent = false,
}: {
  value: string | null | undefined;
  decimals?: number;
  suffix?: string;
  className?: string;
  /** value is a ratio: shown x 100 with "%". */
  percent?: boolean;
}) {
  if (value === null || value === undefined) return <span className="num text-muted">—</span>;
  const s = decimalSign(value);
  const tone = s > 0 ? 'text-up' : s < 0 ? 'text-down' : 'text-muted';
  const abs = value.replace(/^[-+]/, '');
  const shown = percent ? formatDecimal(shift2(abs), decimals) : formatDecimal(abs, decimals);
  return (
    <span className={`num whitespace-nowrap ${tone} ${className}`}>
      <span aria-hidden className="mr-0.5 text-[0.7em]">
        {s > 0 ? '▲' : s < 0 ? '▼' : ''}
      </span>
      {s > 0 ? '+' : s < 0 ? '−' : ''}
      {shown}
      {percent ? '%' : suffix}
    </span>
  );
}

/** x 100 by moving the decimal point (no float). */
function shift2(v: string): string {
  const [i = '0', f = ''] = v.split('.');
  const frac = f.padEnd(2, '0');
  const int = `${i}${frac.slice(0, 2)}`.replace(/^0+(?=\d)/, '');
  const rest = frac.slice(2);
  return rest ? `${int}.${rest}` : int;
}
