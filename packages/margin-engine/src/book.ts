// Taker matching against the instrument's book model, or exactly at the mark when it has none.
import { type Decimal, ZERO } from './decimal.ts';
import { roundToTick, type Instrument } from './instruments.ts';
import type { Side } from './types.ts';

export interface BookLevel {
  price: Decimal;
  /** undefined: unlimited (no book model: everything fills at the mark). */
  quantity: Decimal | undefined;
}

/** Levels a taker on `side` consumes (asks for a buy, bids for a sell), best first. */
export function takerLevels(instrument: Instrument, mark: Decimal, side: Side): BookLevel[] {
  const book = instrument.book;
  if (!book) return [{ price: mark, quantity: undefined }];
  const tick = instrument.tickSize;
  const base = roundToTick(instrument, mark, side === 'buy' ? 'up' : 'down');
  return book.levelQuantities
    .map((quantity, i) => {
      const off = tick.times(book.halfSpreadTicks + i * book.levelStepTicks);
      return { price: side === 'buy' ? base.plus(off) : base.minus(off), quantity };
    })
    .filter((l) => l.price.gt(0));
}

export interface Slice {
  price: Decimal;
  quantity: Decimal;
}

const within = (side: Side, price: Decimal, limit: Decimal | undefined): boolean =>
  limit === undefined || (side === 'buy' ? price.lte(limit) : price.gte(limit));

/** Walk the book for up to `qty`, not beyond `limit`; returns the slices (possibly fewer than qty). */
export function matchTaker(
  instrument: Instrument,
  mark: Decimal,
  side: Side,
  qty: Decimal,
  limit?: Decimal,
): Slice[] {
  const out: Slice[] = [];
  let left = qty;
  for (const level of takerLevels(instrument, mark, side)) {
    if (left.lte(0) || !within(side, level.price, limit)) break;
    const take =
      level.quantity === undefined ? left : level.quantity.lt(left) ? level.quantity : left;
    if (take.gt(0)) out.push({ price: level.price, quantity: take });
    left = left.minus(take);
  }
  return out;
}

export const slicesQuantity = (s: readonly Slice[]): Decimal =>
  s.reduce((acc, x) => acc.plus(x.quantity), ZERO);

/** Volume-weighted average price of the slices. */
export const vwap = (s: readonly Slice[]): Decimal =>
  s.reduce((acc, x) => acc.plus(x.price.times(x.quantity)), ZERO).div(slicesQuantity(s));
