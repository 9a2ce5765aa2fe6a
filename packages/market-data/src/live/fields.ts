// Strict field readers for exchange payloads. Decimal strings are validated and returned verbatim:
// they never pass through a JS number, so "87012.30" stays "87012.30".
import Decimal from 'decimal.js';

import type { BookTick, Decimalish, MarkTick, TradeTick } from '../types.ts';

/** A price tick produced by a connector (status ticks are the connector's own business). */
export type DataTick = TradeTick | MarkTick | BookTick;

/** The streams a connector watches for freshness. */
export type Channel = 'mark' | 'trade' | 'book';

export type MalformedReason =
  | 'binary-frame'
  | 'invalid-json'
  | 'bad-envelope'
  | 'unknown-stream'
  | 'unexpected-event'
  | 'symbol-mismatch'
  | 'invalid-field'
  | 'crossed-book';

export type ParseOutcome =
  | { type: 'data'; symbol: string; channel: Channel; ticks: DataTick[] }
  /** Well-formed but carries no price: subscription acks, pongs, out-of-order book updates. */
  | { type: 'ignored'; reason: string }
  | { type: 'malformed'; reason: MalformedReason; detail: string };

export class FrameError extends Error {
  constructor(
    readonly reason: MalformedReason,
    detail: string,
  ) {
    super(detail);
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const DECIMAL = /^-?(?:0|[1-9]\d*)(?:\.\d+)?$/;

export type Sign = 'positive' | 'nonNegative' | 'any';

function checkDecimal(value: unknown, sign: Sign, field: string): Decimalish {
  if (typeof value !== 'string' || !DECIMAL.test(value)) {
    throw new FrameError(
      'invalid-field',
      `${field} is not a decimal string: ${JSON.stringify(value)}`,
    );
  }
  const negative = value.startsWith('-');
  const zero = !/[1-9]/.test(value);
  if (
    (sign === 'positive' && (negative || zero)) ||
    (sign === 'nonNegative' && negative && !zero)
  ) {
    throw new FrameError('invalid-field', `${field} must be ${sign}: ${value}`);
  }
  return value;
}

export function decimalField(obj: Record<string, unknown>, key: string, sign: Sign): Decimalish {
  return checkDecimal(obj[key], sign, key);
}

/** A non-negative integer field (ids, epoch-ms times). */
export function intField(obj: Record<string, unknown>, key: string): number {
  const value = obj[key];
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new FrameError(
      'invalid-field',
      `${key} is not a non-negative integer: ${JSON.stringify(value)}`,
    );
  }
  return value;
}

/** Integer given either as a JSON number or as a numeric string (Bybit sends both). */
export function intLikeField(obj: Record<string, unknown>, key: string): number {
  const value = obj[key];
  if (typeof value === 'string' && /^\d+$/.test(value))
    return intField({ [key]: Number(value) }, key);
  return intField(obj, key);
}

export function stringField(obj: Record<string, unknown>, key: string): string {
  const value = obj[key];
  if (typeof value !== 'string' || value.length === 0) {
    throw new FrameError(
      'invalid-field',
      `${key} is not a non-empty string: ${JSON.stringify(value)}`,
    );
  }
  return value;
}

export function boolField(obj: Record<string, unknown>, key: string): boolean {
  const value = obj[key];
  if (typeof value !== 'boolean') {
    throw new FrameError('invalid-field', `${key} is not a boolean: ${JSON.stringify(value)}`);
  }
  return value;
}

/** `[[price, qty], ...]` levels; prices positive, quantities non-negative. */
export function levelsField(
  obj: Record<string, unknown>,
  key: string,
): Array<[Decimalish, Decimalish]> {
  const value = obj[key];
  if (!Array.isArray(value))
    throw new FrameError('invalid-field', `${key} is not an array of levels`);
  return value.map((level: unknown, i) => {
    if (!Array.isArray(level) || level.length < 2) {
      throw new FrameError('invalid-field', `${key}[${i}] is not a [price, qty] pair`);
    }
    return [
      checkDecimal(level[0], 'positive', `${key}[${i}][0]`),
      checkDecimal(level[1], 'nonNegative', `${key}[${i}][1]`),
    ];
  });
}

/** Rejects a book whose best bid is at or above its best ask. */
export function assertNotCrossed(
  bids: ReadonlyArray<[string, string]>,
  asks: ReadonlyArray<[string, string]>,
): void {
  const bestBid = bids[0];
  const bestAsk = asks[0];
  if (bestBid && bestAsk && new Decimal(bestBid[0]).gte(bestAsk[0])) {
    throw new FrameError('crossed-book', `best bid ${bestBid[0]} >= best ask ${bestAsk[0]}`);
  }
}
