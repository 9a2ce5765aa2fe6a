import {
  CATALOGUE,
  Decimal,
  applyEvents,
  emptyAccount,
  type Account,
  type EngineEvent,
  type Instrument,
  makeInstrument,
  type MarginMode,
  type Market,
} from '../src/index.ts';

export const d = (v: string | number): Decimal => new Decimal(v);

/** A SHIB-like contract: tick 0.00000001, lot 1,000, no fees. */
export const SHIB: Instrument = {
  ...makeInstrument('SHIBUSDT', {
    tick: '0.00000001',
    lot: '1000',
    minNotional: '5',
    liqFee: '0.015',
    tiers: [
      ['50000', '0.01', 50],
      ['1000000', '0.025', 20],
    ],
  }),
  makerFeeRate: d(0),
  takerFeeRate: d(0),
};

export function market(marks: Record<string, string | number>, instruments = CATALOGUE): Market {
  return {
    instruments,
    marks: Object.fromEntries(Object.entries(marks).map(([k, v]) => [k, d(v)])),
  };
}

export interface PosSpec {
  symbol: string;
  quantity: string;
  entry: string;
  mode?: MarginMode;
  leverage?: number;
  isolatedWallet?: string;
}

/** An account built directly from events (wallet, settings, positions), for formula tests. */
export function accountWith(wallet: string, positions: PosSpec[] = [], id = 'acc'): Account {
  const events: EngineEvent[] = [
    { type: 'accountOpened', accountId: id, time: 0, walletBalance: d(wallet) },
  ];
  for (const p of positions) {
    if (p.mode)
      events.push({
        type: 'marginModeChanged',
        accountId: id,
        time: 0,
        symbol: p.symbol,
        mode: p.mode,
        leverage: 20,
      });
    if (p.leverage)
      events.push({
        type: 'leverageChanged',
        accountId: id,
        time: 0,
        symbol: p.symbol,
        leverage: p.leverage,
      });
    events.push({
      type: 'positionChanged',
      accountId: id,
      time: 0,
      symbol: p.symbol,
      quantity: d(p.quantity),
      entryPrice: d(p.entry),
      costBasis: d(p.quantity).abs().times(p.entry),
      isolatedWallet: d(p.isolatedWallet ?? '0'),
      isolatedTransfer: d(0),
    });
  }
  return applyEvents(emptyAccount(id), events);
}

export const withInstrument = (i: Instrument): Record<string, Instrument> => ({
  ...CATALOGUE,
  [i.symbol]: i,
});

export const types = (events: readonly EngineEvent[]): string[] => events.map((e) => e.type);

export const s = (x: Decimal | undefined): string | undefined => x?.toFixed();
