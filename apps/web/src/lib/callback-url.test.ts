import { describe, expect, it } from 'vitest';
import { safeCallbackUrl } from './callback-url';

const origin = 'http://localhost:3000';

describe('safeCallbackUrl', () => {
  it.each([
    ['/profile', '/profile'],
    ['/accounts?x=1#top', '/accounts?x=1#top'],
    ['http://localhost:3000/profile', '/profile'],
    ['/acc%20ounts', '/acc%20ounts'],
  ])('keeps the same-origin path %j as %s', (raw, expected) => {
    expect(safeCallbackUrl(raw, { origin })).toBe(expected);
  });

  it.each([
    // Browsers drop tabs and newlines in URLs: these are //evil.example, another host.
    '/\t/evil.example',
    '/\n/evil.example',
    '/\r\n/evil.example',
    '//evil.example',
    '/\\evil.example',
    '\\\\evil.example',
    '/a/..//evil.example',
    '/%2e%2e//evil.example',
    'https://evil.example/',
    'http://localhost:3000@evil.example/',
    'http://localhost:3001/profile',
    'javascript:alert(1)',
  ])('refuses %j', (raw) => {
    expect(safeCallbackUrl(raw, { origin })).toBe('/accounts');
  });

  it('refuses an overlong URL', () => {
    expect(safeCallbackUrl(`/${'a'.repeat(3000)}`, { origin })).toBe('/accounts');
  });

  it('refuses what is not one string, and uses the given fallback', () => {
    expect(safeCallbackUrl(undefined, { origin })).toBe('/accounts');
    expect(safeCallbackUrl(['/a', '/b'], { origin })).toBe('/accounts');
    expect(safeCallbackUrl('//evil.example', { origin, fallback: '/' })).toBe('/');
  });

  it('checks paths without a configured origin too', () => {
    expect(safeCallbackUrl('/profile')).toBe('/profile');
    expect(safeCallbackUrl('/\t/evil.example')).toBe('/accounts');
  });
});
