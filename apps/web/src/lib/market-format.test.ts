import { describe, expect, it } from 'vitest';
import {
  addDecimal,
  changePercent,
  compareDecimal,
  formatCompact,
  formatCountdown,
  formatPrice,
  formatQuantity,
  formatRatePercent,
  multiplyDecimal,
  stepDecimals,
  subtractDecimal,
} from './market-format';

describe('market-format', () => {
  it('derives decimals from tick and lot sizes', () => {
    expect(stepDecimals('0.1')).toBe(1);
    expect(stepDecimals('0.00001')).toBe(5);
    expect(stepDecimals('1')).toBe(0);
    expect(stepDecimals('0.50')).toBe(1);
    expect(stepDecimals('1e-7')).toBe(7);
  });

  it('formats prices to tick precision by padding digits, never through floats', () => {
    expect(formatPrice('99847', '0.1')).toBe('99,847.0');
    expect(formatPrice('99847.0', '0.1', { group: false })).toBe('99847.0');
    expect(formatPrice('0.123456', '0.00001')).toBe('0.12346');
    expect(formatPrice('0.1', '0.00001')).toBe('0.10000');
    // Beyond double precision: kept exact.
    expect(formatPrice('12345678901234567.89', '0.01')).toBe('12,345,678,901,234,567.89');
    expect(formatPrice('-0.004', '0.01')).toBe('0.00');
    expect(formatPrice('-1.005', '0.01')).toBe('-1.01');
    expect(formatPrice(null, '0.1')).toBe('—');
    expect(formatPrice('abc', '0.1')).toBe('—');
  });

  it('formats quantities to lot precision, rounding down', () => {
    expect(formatQuantity('1.2399', '0.001')).toBe('1.239');
    expect(formatQuantity('15', '0.001')).toBe('15.000');
    expect(formatQuantity('1234.9', '1')).toBe('1,234');
  });

  it('formats rates as percentages', () => {
    expect(formatRatePercent('0.0001')).toBe('0.0100%');
    expect(formatRatePercent('0.00010000')).toBe('0.0100%');
    expect(formatRatePercent('-0.000125')).toBe('-0.0125%');
    expect(formatRatePercent('0.0005', 2)).toBe('0.05%');
    expect(formatRatePercent('1', 0)).toBe('100%');
    expect(formatRatePercent('0.0001', 4, { sign: true })).toBe('+0.0100%');
  });

  it('computes the 24h change exactly', () => {
    expect(changePercent('101', '100')).toBe('+1.00%');
    expect(changePercent('99', '100')).toBe('-1.00%');
    expect(changePercent('100', '100')).toBe('0.00%');
    expect(changePercent('652.5', '647.67')).toBe('+0.75%');
    expect(changePercent('1.00005', '1')).toBe('+0.01%');
    expect(changePercent('0.99995', '1')).toBe('-0.01%');
    expect(changePercent('1', '0')).toBeNull();
    expect(changePercent(null, '1')).toBeNull();
  });

  it('does exact decimal arithmetic', () => {
    expect(addDecimal('0.1', '0.2')).toBe('0.3');
    expect(subtractDecimal('0.3', '0.1')).toBe('0.2');
    expect(multiplyDecimal('360921.1', '652.5')).toBe('235501017.75');
    expect(compareDecimal('99847', '99847.0')).toBe(0);
    expect(compareDecimal('0.10001', '0.1')).toBe(1);
    expect(compareDecimal('-2', '1')).toBe(-1);
  });

  it('formats compact amounts and countdowns', () => {
    expect(formatCompact('235501017.75')).toBe('235.50M');
    expect(formatCompact('1999.99')).toBe('1.99K');
    expect(formatCompact('12.345')).toBe('12.34');
    expect(formatCompact('4200000000000')).toBe('4.20T');
    expect(formatCountdown(3 * 3600_000 + 7 * 60_000 + 45_000)).toBe('03:07:45');
    expect(formatCountdown(-5)).toBe('00:00:00');
  });
});
