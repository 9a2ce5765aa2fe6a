import { describe, expect, it } from 'vitest';
import {
  CATALOGUE,
  SYMBOLS,
  formatPrice,
  formatQuantity,
  nextFundingTime,
  roundToLot,
  roundToTick,
  tierFor,
  tierIndex,
  tiersFromRates,
} from '../src/index.ts';
import { d } from './helpers.ts';

const btc = CATALOGUE.BTCUSDT!;
const doge = CATALOGUE.DOGEUSDT!;

describe('catalogue', () => {
  it('ships the six USDT perpetuals with Binance-like fees and an 8h funding interval', () => {
    expect(SYMBOLS).toEqual(['BTCUSDT', 'ETHUSDT', 'SOLUSDT', 'BNBUSDT', 'XRPUSDT', 'DOGEUSDT']);
    for (const i of Object.values(CATALOGUE)) {
      expect(i.makerFeeRate.toFixed()).toBe('0.0002');
      expect(i.takerFeeRate.toFixed()).toBe('0.0005');
      expect(i.fundingIntervalHours).toBe(8);
      expect(i.maxLeverage).toBe(i.riskTiers[0]!.maxLeverage);
      expect(i.riskTiers.length).toBeGreaterThanOrEqual(8);
    }
    expect(btc.tickSize.toFixed()).toBe('0.1');
    expect(btc.lotSize.toFixed()).toBe('0.001');
    expect(btc.maxLeverage).toBe(125);
  });

  it('BTC maintenance amounts follow cum = previous cum + floor x (mmr - previous mmr)', () => {
    // tier 2: 0 + 50,000 x (0.005 - 0.004) = 50
    // tier 3: 50 + 250,000 x (0.01 - 0.005) = 1,300
    // tier 4: 1,300 + 3,000,000 x (0.025 - 0.01) = 46,300
    // tier 5: 46,300 + 15,000,000 x (0.05 - 0.025) = 421,300
    expect(btc.riskTiers.slice(0, 6).map((t) => t.maintenanceAmount.toFixed())).toEqual([
      '0',
      '50',
      '1300',
      '46300',
      '421300',
      '1921300',
    ]);
  });

  it('maintenance margin is continuous at every tier boundary of every instrument', () => {
    for (const i of Object.values(CATALOGUE)) {
      for (let k = 0; k + 1 < i.riskTiers.length; k++) {
        const a = i.riskTiers[k]!;
        const b = i.riskTiers[k + 1]!;
        const cap = a.maxNotional;
        expect(cap.times(a.maintenanceMarginRate).minus(a.maintenanceAmount).toFixed()).toBe(
          cap.times(b.maintenanceMarginRate).minus(b.maintenanceAmount).toFixed(),
        );
        expect(b.maxLeverage).toBeLessThanOrEqual(a.maxLeverage);
        expect(b.maintenanceMarginRate.gt(a.maintenanceMarginRate)).toBe(true);
      }
    }
  });

  it('tiersFromRates derives amounts from the rates', () => {
    const t = tiersFromRates([
      ['100', '0.01', 50],
      ['1000', '0.02', 20],
    ]);
    // 100 x (0.02 - 0.01) = 1
    expect(t[1]!.maintenanceAmount.toFixed()).toBe('1');
  });

  it('brackets are (previous cap, cap]: 50,000 is tier 1, 50,000.1 is tier 2', () => {
    expect(tierIndex(btc, d('50000'))).toBe(0);
    expect(tierIndex(btc, d('50000.1'))).toBe(1);
    expect(tierFor(btc, d('250000')).maintenanceMarginRate.toFixed()).toBe('0.005');
    expect(tierIndex(btc, d('1e12'))).toBe(btc.riskTiers.length - 1);
  });
});

describe('rounding and formatting', () => {
  it('rounds prices to the tick and quantities to the lot', () => {
    expect(roundToTick(btc, '50000.06').toFixed()).toBe('50000.1');
    expect(roundToTick(btc, '50000.06', 'down').toFixed()).toBe('50000');
    expect(roundToTick(btc, '50000.01', 'up').toFixed()).toBe('50000.1');
    expect(roundToLot(btc, '0.0019').toFixed()).toBe('0.001');
    expect(roundToLot(btc, '0.0011', 'up').toFixed()).toBe('0.002');
  });

  it('is exact for low-priced DOGE at 0.1 with tick 0.00001', () => {
    expect(roundToTick(doge, '0.100004', 'down').toFixed()).toBe('0.1');
    expect(roundToTick(doge, '0.100004', 'up').toFixed()).toBe('0.10001');
    expect(formatPrice(doge, '0.1')).toBe('0.10000');
    // 0.1 + 0.2 in floats is 0.30000000000000004; in Decimal it is 0.3 on the tick
    expect(d('0.1').plus('0.2').mod(doge.tickSize).isZero()).toBe(true);
    expect(formatQuantity(doge, '12345.9')).toBe('12345');
    expect(formatPrice(btc, '50000')).toBe('50000.0');
  });

  it('computes the next funding time on the 8h UTC grid', () => {
    const t = Date.UTC(2026, 0, 1, 5, 30);
    expect(nextFundingTime(btc, t)).toBe(Date.UTC(2026, 0, 1, 8));
    expect(nextFundingTime(btc, Date.UTC(2026, 0, 1, 16))).toBe(Date.UTC(2026, 0, 1, 16));
  });
});
