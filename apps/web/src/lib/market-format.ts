// Display formatting for market data. Prices and sizes arrive as exact decimal strings; they are
// formatted by manipulating digits (BigInt where arithmetic is needed), never through a JS Number,
// so a price is shown exactly as the exchange quoted it, at the instrument's tick precision.

interface Fixed {
  /** Unscaled integer value: value = units / 10^scale. */
  units: bigint;
  scale: number;
}

const DECIMAL = /^([+-])?(\d*)(?:\.(\d*))?(?:e([+-]?\d+))?$/i;

/** Parses a decimal string ("123.45", "-0.001", "1e-7"); null when it is not a number. */
export function parseDecimal(value: string | null | undefined): Fixed | null {
  if (value == null) return null;
  const m = DECIMAL.exec(value.trim());
  if (!m || (!m[2] && !m[3])) return null;
  const sign = m[1] === '-' ? -1n : 1n;
  let digits = (m[2] ?? '') + (m[3] ?? '');
  let scale = (m[3] ?? '').length - Number(m[4] ?? 0);
  if (scale < 0) {
    digits += '0'.repeat(-scale);
    scale = 0;
  }
  return { units: sign * BigInt(digits || '0'), scale };
}

const pow10 = (n: number) => 10n ** BigInt(n);

function rescale(f: Fixed, scale: number, mode: 'down' | 'half-up'): bigint {
  if (scale >= f.scale) return f.units * pow10(scale - f.scale);
  const div = pow10(f.scale - scale);
  const q = f.units / div; // truncates toward zero
  if (mode === 'down') return q;
  const r = f.units % div;
  const abs = r < 0n ? -r : r;
  if (abs * 2n >= div) return f.units < 0n ? q - 1n : q + 1n;
  return q;
}

function groupThousands(int: string): string {
  return int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

function render(units: bigint, scale: number, group: boolean): string {
  const neg = units < 0n;
  const s = (neg ? -units : units).toString().padStart(scale + 1, '0');
  const int = s.slice(0, s.length - scale);
  const frac = s.slice(s.length - scale);
  const body = (group ? groupThousands(int) : int) + (scale > 0 ? `.${frac}` : '');
  return neg && /[1-9]/.test(s) ? `-${body}` : body;
}

/** Number of decimal places of a step such as a tick or lot size ("0.001" -> 3, "1" -> 0, "5e-5" -> 5). */
export function stepDecimals(step: string | null | undefined): number {
  const f = parseDecimal(step);
  if (!f) return 2;
  // "0.50" has two written places but one significant one; trailing zeros add no precision.
  let { units, scale } = f;
  while (scale > 0 && units !== 0n && units % 10n === 0n) {
    units /= 10n;
    scale -= 1;
  }
  return scale;
}

export interface FormatOptions {
  /** Thousands separators (default true). */
  group?: boolean;
  /** How to drop excess digits: prices round half up to the tick, quantities round down. */
  mode?: 'down' | 'half-up';
}

/** Formats a decimal string with exactly `decimals` places; "—" when absent or not a number. */
export function formatDecimal(
  value: string | null | undefined,
  decimals: number,
  opts: FormatOptions = {},
): string {
  const f = parseDecimal(value);
  if (!f) return '—';
  return render(rescale(f, decimals, opts.mode ?? 'half-up'), decimals, opts.group ?? true);
}

/** A price at tick precision, e.g. formatPrice("99847", "0.1") === "99,847.0". */
export function formatPrice(
  value: string | null | undefined,
  tickSize: string,
  opts: Omit<FormatOptions, 'mode'> = {},
) {
  return formatDecimal(value, stepDecimals(tickSize), { ...opts, mode: 'half-up' });
}

/** A quantity at lot precision, rounded down as exchanges show sizes. */
export function formatQuantity(
  value: string | null | undefined,
  lotSize: string,
  opts: Omit<FormatOptions, 'mode'> = {},
) {
  return formatDecimal(value, stepDecimals(lotSize), { ...opts, mode: 'down' });
}

/** A rate as a percentage: formatRatePercent("0.0001", 4) === "0.0100%". */
export function formatRatePercent(
  rate: string | null | undefined,
  decimals = 4,
  opts: { sign?: boolean } = {},
): string {
  const f = parseDecimal(rate);
  if (!f) return '—';
  // x 100 is a shift of the decimal point.
  const shifted: Fixed =
    f.scale >= 2
      ? { units: f.units, scale: f.scale - 2 }
      : { units: f.units * pow10(2 - f.scale), scale: 0 };
  const units = rescale(shifted, decimals, 'half-up');
  return `${opts.sign && units > 0n ? '+' : ''}${render(units, decimals, false)}%`;
}

function align(a: string, b: string): [bigint, bigint, number] | null {
  const x = parseDecimal(a);
  const y = parseDecimal(b);
  if (!x || !y) return null;
  const scale = Math.max(x.scale, y.scale);
  return [rescale(x, scale, 'down'), rescale(y, scale, 'down'), scale];
}

/** Exact decimal addition a + b as a string. */
export function addDecimal(a: string, b: string): string | null {
  const r = align(a, b);
  return r ? render(r[0] + r[1], r[2], false) : null;
}

/** Exact decimal subtraction a - b as a string. */
export function subtractDecimal(a: string, b: string): string | null {
  const r = align(a, b);
  return r ? render(r[0] - r[1], r[2], false) : null;
}

/** Exact decimal product a x b as a string. */
export function multiplyDecimal(a: string, b: string): string | null {
  const x = parseDecimal(a);
  const y = parseDecimal(b);
  if (!x || !y) return null;
  return render(x.units * y.units, x.scale + y.scale, false);
}

/** Compares two decimal strings: -1, 0 or 1; null when either is not a number. */
export function compareDecimal(
  a: string | null | undefined,
  b: string | null | undefined,
): -1 | 0 | 1 | null {
  if (a == null || b == null) return null;
  const r = align(a, b);
  if (!r) return null;
  return r[0] > r[1] ? 1 : r[0] < r[1] ? -1 : 0;
}

/**
 * Change from `from` to `to` in percent, rounded half away from zero to `decimals` places, signed:
 * changePercent("101", "100") === "+1.00%". Null when either is missing or `from` is not positive.
 */
export function changePercent(
  to: string | null | undefined,
  from: string | null | undefined,
  decimals = 2,
): string | null {
  if (to == null || from == null) return null;
  const r = align(to, from);
  if (!r || r[1] <= 0n) return null;
  const [x, base] = r;
  // percent x 10^decimals with one guard digit for rounding.
  let q = ((x - base) * 100n * pow10(decimals + 1)) / base;
  q = q < 0n ? -((-q + 5n) / 10n) : (q + 5n) / 10n;
  return `${q > 0n ? '+' : ''}${render(q, decimals, false)}`.concat('%');
}

/** Direction of a signed decimal string: 1 positive, -1 negative, 0 zero or unknown. */
export function decimalSign(value: string | null | undefined): -1 | 0 | 1 {
  const f = parseDecimal(value);
  if (!f || f.units === 0n) return 0;
  return f.units > 0n ? 1 : -1;
}

/** A large amount in compact form with two decimals, truncated: "235512345.6" -> "235.51M". */
export function formatCompact(value: string | null | undefined): string {
  const f = parseDecimal(value);
  if (!f) return '—';
  const int = rescale(f, 0, 'down');
  const abs = int < 0n ? -int : int;
  const steps: Array<[number, string]> = [
    [12, 'T'],
    [9, 'B'],
    [6, 'M'],
    [3, 'K'],
  ];
  for (const [digits, suffix] of steps) {
    if (abs >= pow10(digits)) {
      return `${render(rescale({ units: f.units, scale: f.scale + digits }, 2, 'down'), 2, true)}${suffix}`;
    }
  }
  return render(rescale(f, 2, 'down'), 2, true);
}

/** A countdown such as "03:07:45"; "00:00:00" once passed. */
export function formatCountdown(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return [h, m, s].map((n) => String(n).padStart(2, '0')).join(':');
}

/** Wall-clock time of day HH:MM:SS in the viewer's time zone. */
export function formatClock(ms: number): string {
  const d = new Date(ms);
  return [d.getHours(), d.getMinutes(), d.getSeconds()]
    .map((n) => String(n).padStart(2, '0'))
    .join(':');
}

/** A decimal string as a JS number, for drawing only (chart coordinates), never for display. */
export function toChartNumber(value: string): number {
  return Number(value);
}
