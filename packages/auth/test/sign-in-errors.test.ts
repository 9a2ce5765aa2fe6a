import { describe, expect, it } from 'vitest';
import {
  failedSignInMessage,
  signInErrorMessage,
  throttledCode,
  throttledMessage,
} from '../src/sign-in-errors.ts';

describe('sign-in error codes', () => {
  it.each([
    ['CredentialsSignin', 'Wrong email or password.'],
    ['Throttled-1', 'Too many sign-in attempts; try again in 1 second.'],
    ['Throttled-42', 'Too many sign-in attempts; try again in 42 seconds.'],
    ['Throttled-3000', 'Too many sign-in attempts; try again in 50 minutes.'],
    ['SignInUnavailable', 'Sign-in failed on our side. Try again in a moment.'],
    ['OAuthEmailTaken', 'An account with this email already exists: sign in with your password.'],
    ['AccessDenied', 'Sign-in was refused.'],
  ])('shows the message of the known code %j', (code, message) => {
    expect(signInErrorMessage(code)).toBe(message);
  });

  it.each([
    'Your account is suspended: call +1 555 0100',
    '<img src=x onerror=alert(1)>',
    'Invalid `prisma.user.findUnique()` invocation: invalid byte sequence',
    'Throttled-',
    'Throttled-999999',
    'Throttled-12abc',
    'toString',
    '__proto__',
    '',
  ])('shows nothing of the unknown code %j', (code) => {
    expect(signInErrorMessage(code)).toBeNull();
    expect(failedSignInMessage(code)).toBe('Sign-in failed. Try again.');
  });

  it('shows nothing for a repeated parameter or none', () => {
    expect(signInErrorMessage(['CredentialsSignin', 'x'])).toBeNull();
    expect(signInErrorMessage(undefined)).toBeNull();
  });

  it('round-trips the wait of a throttled sign-in', () => {
    for (const s of [1, 59, 60, 119, 120, 3600])
      expect(signInErrorMessage(throttledCode(s))).toBe(throttledMessage(s));
    expect(throttledCode(0.2)).toBe('Throttled-1');
  });
});
