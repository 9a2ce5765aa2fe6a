// Request parameters as Binance takes them: `application/x-www-form-urlencoded` pairs in the query
// string and/or the body, every value a string. Each endpoint declares a zod object of the fields
// it reads; a failure becomes Binance's error for it: a missing field -1102, a value with
// characters outside the field's pattern -1100, a value outside an enumeration its own code
// (-1116 type, -1117 side, -1115 timeInForce, -1120 interval) or -1130. Unknown parameters are
// ignored, as Binance does.
import { z } from 'zod';
import type { BinanceError } from './errors.ts';
import { ERR } from './errors.ts';

export type RawParams = Record<string, string>;

/** At most this many parameters per request (a batch is one parameter). */
const MAX_PARAMS = 40;

/**
 * The pairs of a query string and a form body. A name given twice is refused (-1101): which value
 * counts would otherwise depend on the parser, and the signature covers both.
 */
export function parseParams(query: string, body: string): RawParams {
  const out: RawParams = Object.create(null) as RawParams;
  let count = 0;
  for (const source of [query, body]) {
    if (!source) continue;
    let pairs: URLSearchParams;
    try {
      pairs = new URLSearchParams(source);
    } catch {
      throw ERR.illegalChars('body');
    }
    for (const [k, v] of pairs) {
      if (++count > MAX_PARAMS) throw ERR.tooManyParams();
      if (k in out) throw ERR.invalidParam(k);
      out[k] = v;
    }
  }
  return out;
}

const ENUM_ERRORS: Readonly<Record<string, () => BinanceError>> = {
  type: ERR.badOrderType,
  side: ERR.badSide,
  timeInForce: ERR.badTimeInForce,
  interval: ERR.badInterval,
  symbol: ERR.badSymbol,
};

/** Reads `schema` from the parameters, or throws the Binance error of the first problem. */
export function readParams<S extends z.ZodType>(schema: S, params: RawParams): z.infer<S> {
  const r = schema.safeParse(params);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const field = String(issue.path[0] ?? 'body');
  const given = params[field];
  if (given === undefined || given === '') throw ERR.mandatory(field);
  const custom = (issue as { params?: { binance?: string } }).params?.binance;
  if (custom === 'clientOrderId') throw ERR.badClientOrderId();
  if (issue.code === 'invalid_format') throw ERR.illegalChars(field);
  if (issue.code === 'invalid_value')
    throw (ENUM_ERRORS[field] ?? (() => ERR.invalidParam(field)))();
  throw ERR.invalidParam(field);
}

const DECIMAL = /^\d{1,20}(\.\d{1,18})?$/;

/** A non-negative decimal as Binance's pattern allows it (`0.0010`, `25000`). */
export const decimal = z.string().regex(DECIMAL);

/** A whole number (ids, counts, times). */
export const digits = (max: number) => z.string().regex(new RegExp(`^\\d{1,${max}}$`));

/** An integer between min and max. */
export const intBetween = (min: number, max: number) =>
  digits(String(max).length).transform(Number).pipe(z.number().int().min(min).max(max));

/** Epoch milliseconds. */
export const epochMs = intBetween(0, 253_402_300_799_999);

/** "true" / "false" (any case), as Binance sends booleans. */
export const bool = z
  .string()
  .transform((s) => s.toLowerCase())
  .pipe(z.enum(['true', 'false']))
  .transform((s) => s === 'true');

/** A contract symbol (upper-cased). */
export const symbolParam = z
  .string()
  .regex(/^[A-Za-z0-9]{2,20}$/)
  .transform((s) => s.toUpperCase());

/** Binance's client order id rule. */
export const clientIdParam = z
  .string()
  .refine((s) => /^[.A-Z:/a-z0-9_-]{1,36}$/.test(s), { params: { binance: 'clientOrderId' } });

/** An upper-case enumeration value (Binance's enums are case-sensitive upper case). */
export const upperEnum = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values);
