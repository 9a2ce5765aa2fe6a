import { CATALOGUE, Decimal } from '@lab/margin-engine';
import { describe, expect, it } from 'vitest';
import { movePrices, openLab, priceAt, viewOf, type LabSetup } from './margin-lab';

const entries = { BTCUSDT: '50000', ETHUSDT: '3000' };
const twoLongs: LabSetup = {
  wallet: '1100',
  entries,
  positions: [
    { symbol: 'BTCUSDT', side: 'long', notional: '5000', leverage: 10 },
    { symbol: 'ETHUSDT', side: 'long', notional: '5000', leverage: 10 },
  ],
};
const move = (s: LabSetup, mode: 'cross' | 'isolated', marks: Record<string, string>) =>
  movePrices(openLab(s, mode, CATALOGUE), marks);

describe('margin lab', () => {
  it('opens the same positions in both modes at the entries', () => {
    const cross = viewOf(openLab(twoLongs, 'cross', CATALOGUE));
    const iso = viewOf(openLab(twoLongs, 'isolated', CATALOGUE));
    expect(cross.positions.map((p) => [p.symbol, p.quantity])).toEqual([
      ['BTCUSDT', '0.1'],
      ['ETHUSDT', '1.666'],
    ]);
    // isolated margin: notional / leverage, 1.666 x 3,000 / 10 = 499.8
    expect(iso.positions.map((p) => p.margin)).toEqual(['500', '499.8']);
  });

  it('cross: a winner carries a loser that isolated margin liquidates', () => {
    // BTC +15%, ETH -12%: ETH's 10x isolated margin is gone, the cross wallet has BTC's profit
    const marks = { BTCUSDT: '57500', ETHUSDT: '2640' };
    const iso = move(twoLongs, 'isolated', marks);
    const cross = move(twoLongs, 'cross', marks);
    expect(iso.liquidations.map((l) => l.symbols)).toEqual([['ETHUSDT']]);
    expect(cross.liquidations).toEqual([]);
    expect(viewOf(cross).positions).toHaveLength(2);
  });

  it('cross: one adverse move closes everything; isolated losses stop at each margin', () => {
    const wide: LabSetup = { ...twoLongs, wallet: '3000' };
    // BTC -70%: cross loses far more than BTC's margin before it is liquidated
    const marks = { BTCUSDT: '15000', ETHUSDT: '3000' };
    const iso = move(wide, 'isolated', marks);
    const cross = move(wide, 'cross', marks);
    expect(iso.liquidations.map((l) => l.symbols)).toEqual([['BTCUSDT']]);
    expect(viewOf(iso).positions.map((p) => p.symbol)).toEqual(['ETHUSDT']);
    expect(cross.liquidations.flatMap((l) => l.symbols)).toContain('BTCUSDT');
    expect(new Decimal(viewOf(cross).equity).lt(viewOf(iso).equity)).toBe(true);
    // a liquidated position stays closed when the price comes back
    const back = movePrices(iso, entries);
    expect(viewOf(back).positions.map((p) => p.symbol)).toEqual(['ETHUSDT']);
  });

  it('in cross, a position’s liquidation price moves as the other position moves', () => {
    const open = openLab({ ...twoLongs, wallet: '2000' }, 'cross', CATALOGUE);
    const before = viewOf(open).positions.find((p) => p.symbol === 'BTCUSDT')!.liquidationPrice!;
    const ethUp = viewOf(movePrices(open, { ETHUSDT: '3300' })).positions.find(
      (p) => p.symbol === 'BTCUSDT',
    )!;
    expect(new Decimal(ethUp.liquidationPrice!).lt(before)).toBe(true);
    const iso = openLab({ ...twoLongs, wallet: '2000' }, 'isolated', CATALOGUE);
    const isoBefore = viewOf(iso).positions[0]!.liquidationPrice;
    expect(viewOf(movePrices(iso, { ETHUSDT: '3300' })).positions[0]!.liquidationPrice).toBe(
      isoBefore,
    );
  });

  it('prices on the slider are on the tick', () => {
    expect(priceAt('50000', -5, CATALOGUE.BTCUSDT!)).toBe('47500.0');
    expect(priceAt('0.31679', 12.3, CATALOGUE.DOGEUSDT!)).toBe('0.35576');
  });
});
