// The order form's state and what it means: the order it would send (the API's own schema checks
// it) and a message per field for anything wrong, in words, before anything is sent. Quantities
// typed in USDT or as a share of the available balance become contracts here, on the lot.
import { orderInput, type OrderInput } from '@lab/contracts';
import { Decimal, roundToLot, type Instrument } from '@lab/margin-engine';

export type OrderKind = 'limit' | 'market' | 'stop' | 'takeProfit';
export type AmountUnit = 'base' | 'quote' | 'percent';

export interface OrderDraft {
  side: 'buy' | 'sell';
  kind: OrderKind;
  /** Stop and take-profit orders: what they become when triggered. */
  execution: 'market' | 'limit';
  price: string;
  stopPrice: string;
  workingType: 'mark' | 'last';
  amount: string;
  unit: AmountUnit;
  timeInForce: 'GTC' | 'IOC' | 'FOK';
  postOnly: boolean;
  reduceOnly: boolean;
  tpsl: boolean;
  takeProfit: string;
  stopLoss: string;
}

export const EMPTY_DRAFT: OrderDraft = {
  side: 'buy',
  kind: 'limit',
  execution: 'market',
  price: '',
  stopPrice: '',
  workingType: 'mark',
  amount: '',
  unit: 'base',
  timeInForce: 'GTC',
  postOnly: false,
  reduceOnly: false,
  tpsl: false,
  takeProfit: '',
  stopLoss: '',
};

/** Fields a message can stand at. */
export type DraftField =
  | 'price'
  | 'stopPrice'
  | 'amount'
  | 'leverage'
  | 'reduceOnly'
  | 'postOnly'
  | 'timeInForce'
  | 'takeProfit'
  | 'stopLoss'
  | 'form';

export interface DraftContext {
  symbol: string;
  instrument: Instrument;
  baseAsset: string;
  mark: string | null;
  /** Available balance of the account (USDT), for "% of available". */
  available: string | null;
  leverage: number;
}

export interface DraftResult {
  /** The order to send, when every check passed. */
  order: OrderInput | null;
  /** The quantity in contracts the amount stands for (shown under the field). */
  quantity: string | null;
  errors: Partial<Record<DraftField, string>>;
}

export const orderType = (d: OrderDraft): OrderInput['type'] =>
  d.kind === 'limit'
    ? 'limit'
    : d.kind === 'market'
      ? 'market'
      : d.kind === 'stop'
        ? d.execution === 'limit'
          ? 'stopLimit'
          : 'stopMarket'
        : d.execution === 'limit'
          ? 'takeProfitLimit'
          : 'takeProfitMarket';

export const hasLimitPrice = (d: OrderDraft) =>
  d.kind === 'limit' || (d.kind !== 'market' && d.execution === 'limit');
export const hasStopPrice = (d: OrderDraft) => d.kind === 'stop' || d.kind === 'takeProfit';

/** Strips what people type around numbers: spaces, thousands separators. */
export const cleanNumber = (s: string) => s.replace(/[\s,_]/g, '');

function parse(s: string): Decimal | null {
  try {
    const d = new Decimal(cleanNumber(s));
    return d.isFinite() ? d : null;
  } catch {
    return null;
  }
}

/**
 * The price a quantity in USDT or a share of the balance is converted at: the limit price, else
 * the stop price, else the mark.
 */
function referencePrice(d: OrderDraft, ctx: DraftContext): Decimal | null {
  const limit = hasLimitPrice(d) ? parse(d.price) : null;
  if (limit?.gt(0)) return limit;
  const stop = hasStopPrice(d) ? parse(d.stopPrice) : null;
  if (stop?.gt(0)) return stop;
  return ctx.mark ? new Decimal(ctx.mark) : null;
}

/** Contracts for the amount as typed, rounded down to the lot; null when it cannot be read. */
export function quantityOf(d: OrderDraft, ctx: DraftContext): Decimal | null {
  const amount = parse(d.amount);
  if (!amount || amount.lte(0)) return null;
  if (d.unit === 'base') return amount;
  const price = referencePrice(d, ctx);
  if (!price?.gt(0)) return null;
  if (d.unit === 'quote') return roundToLot(ctx.instrument, amount.div(price), 'down');
  // a share of the available balance as margin at the leverage, with room for the taker fee
  if (!ctx.available) return null;
  const margin = new Decimal(ctx.available).times(Decimal.min(amount, 100)).div(100);
  const perContract = price
    .div(ctx.leverage)
    .plus(price.times(ctx.instrument.takerFeeRate))
    .times(1.001);
  return roundToLot(ctx.instrument, margin.div(perContract), 'down');
}

const FIELD_OF: Record<string, DraftField> = {
  price: 'price',
  stopPrice: 'stopPrice',
  quantity: 'amount',
  timeInForce: 'timeInForce',
  reduceOnly: 'reduceOnly',
  takeProfit: 'takeProfit',
  stopLoss: 'stopLoss',
};

/** Reads the draft: the order it stands for, or a message at each field that is wrong. */
export function readDraft(d: OrderDraft, ctx: DraftContext): DraftResult {
  const errors: Partial<Record<DraftField, string>> = {};
  const qty = quantityOf(d, ctx);
  const blank = (s: string) => cleanNumber(s) === '';
  if (blank(d.amount)) errors.amount = 'Enter a quantity.';
  else if (d.unit === 'percent' && (parse(d.amount)?.gt(100) ?? false))
    errors.amount = 'A share of the available balance is at most 100%.';
  else if (!qty) errors.amount = 'Enter the quantity as a number, like 0.01.';
  else if (qty.lte(0))
    errors.amount = `That is less than one lot (${ctx.instrument.lotSize.toFixed()} ${ctx.baseAsset}) at this price.`;
  if (hasLimitPrice(d) && blank(d.price)) errors.price = 'Enter a limit price.';
  if (hasStopPrice(d) && blank(d.stopPrice)) errors.stopPrice = 'Enter a trigger price.';
  if (d.tpsl && blank(d.takeProfit) && blank(d.stopLoss))
    errors.takeProfit = 'Enter a take-profit or a stop-loss price, or untick TP/SL.';

  const type = orderType(d);
  const candidate = {
    symbol: ctx.symbol,
    side: d.side,
    type,
    ...(qty?.gt(0) ? { quantity: qty.toFixed() } : {}),
    ...(hasLimitPrice(d) && !blank(d.price) ? { price: cleanNumber(d.price) } : {}),
    ...(hasStopPrice(d) && !blank(d.stopPrice)
      ? { stopPrice: cleanNumber(d.stopPrice), workingType: d.workingType }
      : {}),
    ...(type === 'limit' ? { timeInForce: d.postOnly ? ('GTX' as const) : d.timeInForce } : {}),
    ...(d.reduceOnly ? { reduceOnly: true } : {}),
    ...(d.tpsl && !d.reduceOnly && !blank(d.takeProfit)
      ? { takeProfit: { stopPrice: cleanNumber(d.takeProfit) } }
      : {}),
    ...(d.tpsl && !d.reduceOnly && !blank(d.stopLoss)
      ? { stopLoss: { stopPrice: cleanNumber(d.stopLoss) } }
      : {}),
  };
  // the API's own schema: the same words the server would answer with
  const parsed = orderInput.safeParse(candidate);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const key = String(issue.path[0] ?? 'form');
      const field = FIELD_OF[key] ?? 'form';
      errors[field] ??= sentence(issue.message, NAME_OF[key]);
    }
  }
  const ok = Object.keys(errors).length === 0 && parsed.success;
  return {
    order: ok ? parsed.data : null,
    quantity: qty?.gt(0) ? qty.toFixed() : null,
    errors,
  };
}

const NAME_OF: Record<string, string> = {
  price: 'The limit price',
  stopPrice: 'The trigger price',
  quantity: 'The quantity',
  takeProfit: 'The take-profit price',
  stopLoss: 'The stop-loss price',
};

/** 'stopPrice must be ...' -> 'The trigger price must be ...', as a sentence. */
function sentence(m: string, name?: string): string {
  const body = m.replace(/^(price|stopPrice|quantity)\b/, '').trim();
  const s = name && body !== m ? `${name} ${body}` : m.charAt(0).toUpperCase() + m.slice(1);
  return /[.!?]$/.test(s) ? s : `${s}.`;
}
