// Exact conversion between floats inside the stochastic model and tick-rounded decimal strings.
// A step such as "0.01" is held as mantissa 1 and 2 decimals; a price of n ticks is the integer
// n * mantissa with the decimal point shifted, formatted without ever going through a float.

export interface Step {
  /** The step as written, e.g. "0.01". */
  readonly text: string;
  /** Integer mantissa: "0.05" -> 5. */
  readonly mantissa: number;
  /** Digits after the point: "0.05" -> 2. */
  readonly decimals: number;
  /** Float value, for the model only. */
  readonly value: number;
}

const STEP_RE = /^(\d+)(?:\.(\d+))?$/;

export function parseStep(text: string): Step {
  const m = STEP_RE.exec(text);
  if (!m) throw new Error(`invalid step "${text}": expected a positive decimal like "0.01"`);
  const frac = m[2] ?? '';
  const digits = (m[1] + frac).replace(/^0+/, '');
  const mantissa = digits === '' ? 0 : Number(digits);
  if (mantissa <= 0 || !Number.isSafeInteger(mantissa)) {
    throw new Error(`invalid step "${text}": must be positive`);
  }
  return { text, mantissa, decimals: frac.length, value: mantissa / 10 ** frac.length };
}

/** Nearest whole number of steps to a float (at least `min`). */
export function toSteps(x: number, step: Step, min = 0): number {
  const n = Math.round(x / step.value);
  return n < min ? min : n;
}

/** n steps as an exact decimal string with exactly step.decimals digits after the point. */
export function formatSteps(n: number, step: Step): string {
  if (!Number.isSafeInteger(n)) throw new Error(`step count ${n} is not a safe integer`);
  const v = n * step.mantissa;
  if (!Number.isSafeInteger(v)) throw new Error(`value ${n} x ${step.text} out of range`);
  if (step.decimals === 0) return String(v);
  const neg = v < 0;
  const digits = String(Math.abs(v)).padStart(step.decimals + 1, '0');
  const cut = digits.length - step.decimals;
  return `${neg ? '-' : ''}${digits.slice(0, cut)}.${digits.slice(cut)}`;
}

/** Round a float to the step and format it. */
export function roundToStep(x: number, step: Step, min = 0): string {
  return formatSteps(toSteps(x, step, min), step);
}
