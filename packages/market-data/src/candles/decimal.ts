import Decimal from 'decimal.js';

/** Decimal with enough precision that sums of prices and quantities are exact. */
export const D = Decimal.clone({ precision: 80, toExpNeg: -80, toExpPos: 80 });
export type D = InstanceType<typeof D>;
