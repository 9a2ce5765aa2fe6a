// Display helpers of the competition pages. Figures arrive as exact decimal strings; Intl formats
// numeric strings exactly (no float), percentages included (it scales the string by 100).
type Numeric = `${number}`;

const percent = new Intl.NumberFormat('en-US', {
  style: 'percent',
  minimumFractionDigits: 2,
  maximumFractionDigits: 2,
  signDisplay: 'exceptZero',
});
const plainPercent = new Intl.NumberFormat('en-US', {
  style: 'percent',
  minimumFractionDigits: 0,
  maximumFractionDigits: 4,
});
const ratio = new Intl.NumberFormat('en-US', {
  minimumFractionDigits: 2,
  maximumFractionDigits: 2,
});
const signedRatio = new Intl.NumberFormat('en-US', {
  minimumFractionDigits: 2,
  maximumFractionDigits: 2,
  signDisplay: 'exceptZero',
});

/** "0.0523" -> "+5.23%". */
export const formatFraction = (v: string) => percent.format(v as Numeric);
/** "0.0005" -> "0.05%" (rates and shares, unsigned). */
export const formatRate = (v: string) => plainPercent.format(v as Numeric);
export const formatRatio = (v: string) => ratio.format(v as Numeric);
export const formatSignedRatio = (v: string) => signedRatio.format(v as Numeric);

/**
 * Moves the decimal point of a decimal string: shiftDecimal("0.05", -2) = "0.0005" (a percentage
 * typed in a form into a rate), exactly, without floats. Returns null for text that is not a
 * non-negative decimal.
 */
export function shiftDecimal(raw: string, places: number): string | null {
  const s = raw.trim();
  if (!/^\d+(\.\d+)?$|^\.\d+$/.test(s)) return null;
  const [int = '', frac = ''] = s.split('.');
  let digits = `${int}${frac}`;
  let point = int.length + places;
  if (point < 0) {
    digits = '0'.repeat(-point) + digits;
    point = 0;
  }
  if (point > digits.length) digits = digits + '0'.repeat(point - digits.length);
  const whole = digits.slice(0, point).replace(/^0+(?=\d)/, '') || '0';
  const rest = digits.slice(point).replace(/0+$/, '');
  return rest ? `${whole}.${rest}` : whole;
}

const when = new Intl.DateTimeFormat('en-GB', {
  weekday: 'short',
  day: 'numeric',
  month: 'short',
  hour: '2-digit',
  minute: '2-digit',
});
export const formatWhen = (ms: number) => when.format(new Date(ms));

const time = new Intl.DateTimeFormat('en-GB', {
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});
export const formatTime = (ms: number) => time.format(new Date(ms));

/** 3725000 -> "1 h 02 min 05 s"; under an hour "12 min 05 s". */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const d = Math.floor(total / 86_400);
  const h = Math.floor((total % 86_400) / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  if (d > 0) return `${d} d ${h} h ${pad(m)} min`;
  if (h > 0) return `${h} h ${pad(m)} min ${pad(s)} s`;
  return `${m} min ${pad(s)} s`;
}

export const STATE_LABEL = {
  DRAFT: 'Draft',
  SCHEDULED: 'Scheduled',
  RUNNING: 'Running',
  FINISHED: 'Finished',
  ARCHIVED: 'Archived',
} as const;

export const MODES_LABEL = {
  CROSS_ONLY: 'Cross margin only',
  ISOLATED_ONLY: 'Isolated margin only',
  BOTH: 'Cross or isolated margin',
} as const;

export const AFTER_LIQUIDATION_LABEL = {
  OUT: 'Out of the competition',
  RESET_WITH_PENALTY: 'Reset, with a penalty',
  CONTINUE: 'Carry on with what is left',
} as const;

/** The tRPC error's message, for a status line. */
export const errorText = (e: unknown) => (e instanceof Error ? e.message : 'Something went wrong.');
