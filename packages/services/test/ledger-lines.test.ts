import fc from 'fast-check';
import { Decimal } from '@lab/margin-engine';
import { describe, expect, it } from 'vitest';
import { negatedDecimalString } from '../src/trading/ledger-lines.ts';

describe('negatedDecimalString', () => {
  it('is the negation Decimal writes, for every non-zero amount', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).filter((n) => n !== 0n),
        fc.integer({ min: 0, max: 18 }),
        (units, dp) => {
          const d = new Decimal(units.toString()).div(new Decimal(10).pow(dp));
          expect(negatedDecimalString(d.toFixed())).toBe(d.negated().toFixed());
          expect(new Decimal(negatedDecimalString(d.toFixed())).plus(d).isZero()).toBe(true);
        },
      ),
    );
  });
});
