import { describe, expect, it } from 'vitest';
import { emailSchema, normalizeEmail, passwordProblem, signUpInput } from '../src/validation.ts';

describe('email', () => {
  it('normalises: trim, lower-case, NFC', () => {
    expect(normalizeEmail('  Ada@Example.COM \n')).toBe('ada@example.com');
    expect(normalizeEmail('e\u0301@x.io')).toBe('\u00e9@x.io');
    expect(emailSchema.parse(' Ada@Example.com ')).toBe('ada@example.com');
  });
  it.each(['', 'a', 'a@b', '@x.io', 'a@.io', 'a b@x.io', 'a@x..io', 'a@@x.io'])(
    'rejects %j',
    (raw) => {
      expect(emailSchema.safeParse(raw).success).toBe(false);
    },
  );
});

describe('password strength', () => {
  it.each([
    ['', /Enter a password/],
    ['Ab1', /at least 10/],
    ['abcdefghijk', /two kinds/],
    ['12345678901', /two kinds/],
    ['x'.repeat(129), /at most 128/],
  ])('rejects %j', (pw, msg) => {
    expect(passwordProblem(pw)).toMatch(msg);
  });
  it.each(['abcdefghi1', 'correct horse battery', 'ÄÖÜäöüßéèêa', 'Password-long'])(
    'accepts %j',
    (pw) => {
      // Non-ASCII letters count as symbols: a passphrase with spaces is two kinds.
      expect(passwordProblem(pw)).toBeNull();
    },
  );
});

describe('signUpInput', () => {
  it('cleans the display name', () => {
    expect(
      signUpInput.parse({
        email: 'A@B.io',
        displayName: '  Ada \t Lovelace ',
        password: 'abcdefghi1',
      }),
    ).toEqual({
      email: 'a@b.io',
      displayName: 'Ada Lovelace',
      password: 'abcdefghi1',
    });
  });
});
