// Formatting of decimal strings for display. Intl.NumberFormat formats a numeric *string* exactly
// (no conversion to a float), so amounts never pick up binary rounding.
type Numeric = `${number}`;

const usd = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const signedUsd = new Intl.NumberFormat('en-US', {
  minimumFractionDigits: 2,
  maximumFractionDigits: 2,
  signDisplay: 'exceptZero',
});

export function formatAmount(value: string): string {
  return usd.format(value as Numeric);
}

export function formatSignedAmount(value: string): string {
  return signedUsd.format(value as Numeric);
}

export function formatSignedPercent(value: string): string {
  return `${signedUsd.format(value as Numeric)}%`;
}

/** -1, 0 or 1 from a decimal string, without parsing it into a float. */
export function signOf(value: string): -1 | 0 | 1 {
  const v = value.trim();
  if (/^-?0*(\.0*)?$/.test(v)) return 0;
  return v.startsWith('-') ? -1 : 1;
}

const dateFormat = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'short',
  year: 'numeric',
});
export function formatDate(iso: string): string {
  return dateFormat.format(new Date(iso));
}
