// The one configured Decimal every package uses for money and prices.
import { Decimal as DecimalJs } from 'decimal.js';

export const Decimal = DecimalJs.clone({
  precision: 40,
  rounding: DecimalJs.ROUND_HALF_EVEN,
  toExpNeg: -40,
  toExpPos: 40,
});
export type Decimal = DecimalJs;
export type DecimalInput = Decimal | string | number;

export const ZERO = new Decimal(0);
export const ONE = new Decimal(1);

/** USDT amounts moved between wallets are kept to 8 decimal places (Binance's asset precision). */
export const MONEY_DP = 8;
/** Entry prices are kept to 12 decimal places so every product with a lot size stays exact. */
export const ENTRY_DP = 12;

export const dec = (v: DecimalInput): Decimal => (v instanceof DecimalJs ? v : new Decimal(v));

/** Round a money flow (fee, realized PnL, funding) to 8 dp, half to even. */
export const money = (v: Decimal): Decimal => v.toDecimalPlaces(MONEY_DP, Decimal.ROUND_HALF_EVEN);
export const moneyUp = (v: Decimal): Decimal => v.toDecimalPlaces(MONEY_DP, Decimal.ROUND_UP);
export const moneyDown = (v: Decimal): Decimal => v.toDecimalPlaces(MONEY_DP, Decimal.ROUND_DOWN);

export const max = (a: Decimal, b: Decimal): Decimal => (a.gte(b) ? a : b);
export const min = (a: Decimal, b: Decimal): Decimal => (a.lte(b) ? a : b);

/** Plain decimal string, never exponent notation. */
export const str = (v: Decimal): string => (v.isFinite() ? v.toFixed() : v.toString());
