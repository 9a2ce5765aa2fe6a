// Multi-account exchange: accounts, the house (counterparty of every trade) and the insurance fund.
// Money is conserved: sum(wallets) + house + insurance fund = sum(deposits).
import { type Decimal, ZERO } from './decimal.ts';
import { applyFunding } from './funding.ts';
import { onPrice, withPrice, type PriceUpdate } from './on-price.ts';
import { placeOrder, type PlaceContext } from './place-order.ts';
import { openAccount } from './events.ts';
import type { Account, EngineEvent, EngineResult, Market, OrderRequest } from './types.ts';

export interface Exchange {
  market: Market;
  accounts: Readonly<Record<string, Account>>;
  house: Decimal;
  insuranceFund: Decimal;
  deposits: Decimal;
}

export const newExchange = (market: Market, insuranceFund: Decimal = ZERO): Exchange => ({
  market,
  accounts: {},
  house: ZERO,
  insuranceFund,
  deposits: insuranceFund,
});

/** Where an account event's money comes from or goes to, outside the account (zeros are +0). */
export function counterpartyFlows(ev: EngineEvent): {
  house: Decimal;
  insurance: Decimal;
  deposit: Decimal;
} {
  switch (ev.type) {
    case 'accountOpened':
      return { house: ZERO, insurance: ZERO, deposit: ev.walletBalance };
    case 'deposit':
      return { house: ZERO, insurance: ZERO, deposit: ev.amount };
    case 'fill':
      return {
        house: ev.fee.minus(ev.realizedPnl),
        insurance: ZERO.minus(ev.shortfall),
        deposit: ZERO,
      };
    case 'fundingPaid':
      return { house: ZERO.minus(ev.amount), insurance: ZERO, deposit: ZERO };
    case 'liquidation':
      return { house: ev.realizedPnl.neg(), insurance: ev.fee.minus(ev.shortfall), deposit: ZERO };
    case 'orderAmended':
    default:
      return { house: ZERO, insurance: ZERO, deposit: ZERO };
  }
}

export function applyResult(ex: Exchange, r: EngineResult): Exchange {
  let { house, insuranceFund, deposits } = ex;
  for (const ev of r.events) {
    const f = counterpartyFlows(ev);
    house = house.plus(f.house);
    insuranceFund = insuranceFund.plus(f.insurance);
    deposits = deposits.plus(f.deposit);
  }
  return {
    ...ex,
    accounts: { ...ex.accounts, [r.account.id]: r.account },
    house,
    insuranceFund,
    deposits,
  };
}

export function exchangeOpenAccount(
  ex: Exchange,
  id: string,
  wallet: Decimal,
  now: number,
): Exchange {
  return applyResult(ex, openAccount(id, wallet, now));
}

export function exchangePlaceOrder(
  ex: Exchange,
  id: string,
  req: OrderRequest,
  ctx: PlaceContext,
): { exchange: Exchange; events: EngineEvent[] } {
  const r = placeOrder(ex.accounts[id]!, ex.market, req, ctx);
  return { exchange: applyResult(ex, r), events: r.events };
}

export function exchangeOnPrice(
  ex: Exchange,
  symbol: string,
  u: PriceUpdate,
  now: number,
): { exchange: Exchange; events: EngineEvent[] } {
  let next: Exchange = { ...ex, market: withPrice(ex.market, symbol, u) };
  const events: EngineEvent[] = [];
  for (const id of Object.keys(ex.accounts).sort()) {
    const r = onPrice(next.accounts[id]!, ex.market, symbol, u, now);
    next = applyResult(next, r);
    events.push(...r.events);
  }
  return { exchange: next, events };
}

export function exchangeFunding(
  ex: Exchange,
  rates: Readonly<Record<string, Decimal>>,
  now: number,
): { exchange: Exchange; events: EngineEvent[] } {
  let next = ex;
  const events: EngineEvent[] = [];
  for (const id of Object.keys(ex.accounts).sort()) {
    const r = applyFunding(next.accounts[id]!, ex.market, rates, now);
    next = applyResult(next, r);
    events.push(...r.events);
  }
  return { exchange: next, events };
}

/** sum(wallets) + house + insurance fund; equals `deposits` when money is conserved. */
export function totalMoney(ex: Exchange): Decimal {
  return Object.values(ex.accounts).reduce(
    (s, a) => s.plus(a.walletBalance),
    ex.house.plus(ex.insuranceFund),
  );
}
