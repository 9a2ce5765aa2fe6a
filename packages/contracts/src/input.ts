// Bounded input primitives: every string, integer, decimal and time that crosses a boundary (tRPC,
// the bot API, forms) is checked here before any work is done, so malformed input is a 400 that
// names the field and the rule, never a 500 from deeper down (PostgreSQL refuses NUL bytes, int4
// overflows, dates past year 9999).
import { z } from 'zod';

/** NUL and other C0/C1 control characters, bidirectional overrides and zero-width characters. */
const UNSAFE_TEXT =
  /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/;

/** True when the string has a character we never store (see UNSAFE_TEXT). */
export const hasUnsafeText = (s: string): boolean => UNSAFE_TEXT.test(s);

/**
 * Free text of at most `max` characters: NFC-normalised, trimmed, inner whitespace collapsed;
 * no control, bidirectional-override or zero-width characters. The length limit is checked on the
 * raw input first, so a huge string is refused before it is normalised.
 */
export function text(
  field: string,
  opts: { max: number; min?: number; required?: string; tooLong?: string },
) {
  const min = opts.min ?? 1;
  const tooLong = opts.tooLong ?? `${field} has at most ${opts.max} characters`;
  const required =
    opts.required ??
    (min === 1 ? `${field} is required` : `${field} has at least ${min} characters`);
  return z
    .string({ error: required })
    .max(opts.max * 4, tooLong)
    .transform((s) => s.normalize('NFC').trim().replace(/\s+/g, ' '))
    .pipe(
      z
        .string()
        .min(min, required)
        .max(opts.max, tooLong)
        .refine((s) => !hasUnsafeText(s), {
          message: `${field} cannot contain control, zero-width or text-direction characters`,
        }),
    );
}

/** A search or filter string: may be empty; same character rules as text(). */
export function searchText(field: string, max: number) {
  return z
    .string({ error: `${field} must be text` })
    .max(max, `${field} has at most ${max} characters`)
    .refine((s) => !hasUnsafeText(s), {
      message: `${field} cannot contain control, zero-width or text-direction characters`,
    })
    .transform((s) => s.trim());
}

/** Largest value of PostgreSQL's int4, the type of every sequence number and cursor we store. */
export const INT4_MAX = 2_147_483_647;

export function int(field: string, opts: { min: number; max: number }) {
  return z
    .number({ error: `${field} must be a number` })
    .int(`${field} must be a whole number`)
    .min(opts.min, `${field} must be at least ${opts.min}`)
    .max(opts.max, `${field} must be at most ${opts.max}`);
}

/** A page cursor that is a stored sequence number (int4). */
export const seqCursor = (field = 'cursor') => int(field, { min: 1, max: INT4_MAX });

/** A page cursor that is a stored serial id (int8), up to the largest exact JavaScript integer. */
export const idCursor = (field = 'cursor') => int(field, { min: 1, max: Number.MAX_SAFE_INTEGER });

/** Latest instant PostgreSQL and JavaScript both represent: 9999-12-31T23:59:59.999Z. */
export const EPOCH_MS_MAX = 253_402_300_799_999;

/** A point in time as epoch milliseconds, between 1970 and the end of year 9999. */
export const epochMs = (field: string) => int(field, { min: 0, max: EPOCH_MS_MAX });

/** Up to 20 integer and 18 fractional digits: what numeric(38,18) holds. */
const DECIMAL = /^-?\d{1,20}(\.\d{1,18})?$/;
const POSITIVE_DECIMAL = /^\d{1,20}(\.\d{1,18})?$/;

/** Amounts cross the wire as decimal strings, never as JS numbers. */
export const decimalString = (field: string) =>
  z
    .string({ error: `${field} must be a decimal string` })
    .max(64, `${field} must be a decimal number like "1234.5"`)
    .trim()
    .regex(DECIMAL, `${field} must be a decimal number like "1234.5"`);

/** A decimal string greater than zero. */
export const positiveDecimal = (field: string) =>
  z
    .string({ error: `${field} must be a decimal string` })
    .max(64, `${field} must be a positive decimal number like "0.01"`)
    .trim()
    .regex(POSITIVE_DECIMAL, `${field} must be a positive decimal number like "0.01"`)
    .refine((s) => /[1-9]/.test(s), `${field} must be greater than zero`);

export const uuid = (field: string) =>
  z.uuid({ error: `${field} must be an id like 3f2b…` }).transform((s) => s.toLowerCase());

/** An instrument symbol like BTCUSDT (upper-cased). */
export const symbol = z
  .string({ error: 'symbol is required' })
  .max(20, 'symbol must be an instrument symbol like BTCUSDT')
  .trim()
  .toUpperCase()
  .regex(/^[A-Z0-9]{2,20}$/, 'symbol must be an instrument symbol like BTCUSDT');

/** Client order ids: Binance's rule, ^[.A-Z:/a-z0-9_-]{1,36}$. */
export const clientOrderId = z
  .string({ error: 'clientOrderId must be text' })
  .regex(
    /^[.A-Z:/a-z0-9_-]{1,36}$/,
    'clientOrderId has 1 to 36 characters: letters, digits and . : / _ -',
  );
