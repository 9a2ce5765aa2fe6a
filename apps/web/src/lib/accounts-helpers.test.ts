import { describe, expect, it } from 'vitest';
import { safeCallbackUrl } from './callback-url';
import { formErrors } from './form-errors';
import { formatAmount, formatSignedAmount, formatSignedPercent, signOf } from './format';

describe('format (exact decimal strings, never floats)', () => {
  it('groups and rounds to cents from the string', () => {
    expect(formatAmount('10000')).toBe('10,000.00');
    expect(formatAmount('0.1')).toBe('0.10');
    // 2^53 + 1 is not a double; the string is formatted exactly.
    expect(formatAmount('9007199254740993.125')).toBe('9,007,199,254,740,993.13');
    expect(formatSignedAmount('-399.75')).toBe('-399.75');
    expect(formatSignedAmount('500')).toBe('+500.00');
    expect(formatSignedAmount('0')).toBe('0.00');
    expect(formatSignedPercent('-15.99')).toBe('-15.99%');
  });
  it('reads the sign without parsing', () => {
    expect(signOf('0')).toBe(0);
    expect(signOf('-0.000')).toBe(0);
    expect(signOf('0.0001')).toBe(1);
    expect(signOf('-12.5')).toBe(-1);
  });
});

describe('formErrors', () => {
  it('puts zod issues next to known fields and the rest on the form', () => {
    const err = Object.assign(new Error('bad'), {
      data: {
        issues: [
          { field: 'email', message: 'Enter an email.' },
          { field: 'email', message: 'second' },
          { field: 'x', message: 'Other.' },
        ],
      },
    });
    expect(formErrors(err, ['email', 'password'])).toEqual({
      fields: { email: 'Enter an email.' },
      form: 'Other.',
    });
  });
  it('puts a domain error on its field, or on the form', () => {
    const onField = Object.assign(new Error('Taken.'), { data: { field: 'email' } });
    expect(formErrors(onField, ['email'])).toEqual({ fields: { email: 'Taken.' }, form: null });
    expect(formErrors(new Error('Boom.'), ['email'])).toEqual({ fields: {}, form: 'Boom.' });
    expect(formErrors(null, ['email'])).toEqual({ fields: {}, form: null });
  });
});

describe('safeCallbackUrl', () => {
  it.each([
    ['/profile', '/profile'],
    ['/accounts?x=1', '/accounts?x=1'],
    ['//evil.example', '/accounts'],
    ['/\\evil.example', '/accounts'],
    ['https://evil.example/', '/accounts'],
    [undefined, '/accounts'],
    [['/a', '/b'], '/accounts'],
  ])('%j -> %s', (raw, expected) => {
    expect(safeCallbackUrl(raw)).toBe(expected);
  });
});
