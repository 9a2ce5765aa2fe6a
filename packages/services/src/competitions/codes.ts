// Join codes: short enough to read aloud to a class and type on a phone. The alphabet leaves out
// the characters that are read or typed as one another (0/O, 1/I/L), and input is case-insensitive
// with spaces and dashes ignored, so "k7q-9mp" and "K7Q9MP" are the same code.
import { randomInt } from 'node:crypto';
import { AppError } from '../errors.ts';

/** Digits 2-9 and the letters A-Z without I, L and O: 31 characters. */
export const CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
export const CODE_MIN_LENGTH = 6;
export const CODE_MAX_LENGTH = 8;

/** A random code of `length` characters (31^6 ≈ 887 million codes of six). */
export function generateCode(
  length: number = CODE_MIN_LENGTH,
  rand: (max: number) => number = randomInt,
): string {
  if (length < CODE_MIN_LENGTH || length > CODE_MAX_LENGTH)
    throw new RangeError(`a join code has ${CODE_MIN_LENGTH} to ${CODE_MAX_LENGTH} characters`);
  let out = '';
  for (let i = 0; i < length; i++) out += CODE_ALPHABET[rand(CODE_ALPHABET.length)];
  return out;
}

/**
 * The code a person typed, upper-cased, without spaces and dashes; a VALIDATION error naming the
 * rule when it cannot be a code.
 */
export function normalizeCode(raw: string): string {
  const code = raw.replace(/[\s-]/g, '').toUpperCase();
  const invalid = (message: string) => new AppError('VALIDATION', message, { field: 'code' });
  if (code.length < CODE_MIN_LENGTH || code.length > CODE_MAX_LENGTH)
    throw invalid(
      `A join code has ${CODE_MIN_LENGTH} to ${CODE_MAX_LENGTH} letters and digits; check the code your host gave you.`,
    );
  if (/[01IOL]/.test(code))
    throw invalid(
      'Join codes never contain 0, O, 1, I or L; check the code your host gave you (a 2-9 digit, or a letter).',
    );
  if (![...code].every((c) => CODE_ALPHABET.includes(c)))
    throw invalid('A join code has only letters and digits.');
  return code;
}

/**
 * Tries `insert` with fresh codes until one is not taken: a few attempts at six characters, then
 * longer codes (a collision at six is already rare: ~1 in 887 million per existing code).
 */
export async function withFreshCode<T>(
  insert: (code: string) => Promise<T>,
  isTaken: (e: unknown) => boolean,
  rand?: (max: number) => number,
): Promise<T> {
  const lengths = [6, 6, 6, 7, 7, 8, 8, 8];
  let last: unknown;
  for (const length of lengths) {
    try {
      return await insert(generateCode(length, rand));
    } catch (e) {
      if (!isTaken(e)) throw e;
      last = e;
    }
  }
  throw last instanceof Error ? last : new Error('no free join code');
}
