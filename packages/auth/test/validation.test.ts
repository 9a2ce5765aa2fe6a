import { describe, expect, it } from 'vitest';
import {
  emailSchema,
  normalizeEmail,
  passwordProblem,
  signInInput,
  signUpInput,
} from '../src/validation.ts';

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

describe('unsafe characters (issue 12)', () => {
  const good = { email: 'ada@example.io', displayName: 'Ada', password: 'abcdefghi1' };
  const issueOn = (input: Record<string, unknown>, field: string) => {
    const r = signUpInput.safeParse(input);
    expect(r.success).toBe(false);
    return r.error?.issues.find((i) => i.path[0] === field)?.message;
  };

  it.each([
    ['a right-to-left override', 'Ada\u202eevil'],
    ['a zero-width space', 'A\u200bda'],
    ['a zero-width joiner', 'Ada\u200d'],
    ['a word joiner', 'Ad\u2060a'],
    ['a left-to-right isolate', 'Ada\u2066'],
    ['a NUL byte', 'Ada\u0000'],
    ['a C1 control', 'Ada\u0085x'],
  ])('refuses a display name with %s', (_what, displayName) => {
    expect(issueOn({ ...good, displayName }, 'displayName')).toMatch(
      /cannot contain control, zero-width or text-direction characters/,
    );
  });

  it.each(['\ufeffAda', 'A\ufeffda', 'Ada\ufeff'])(
    'refuses a byte-order mark (white space to JavaScript) anywhere in %j',
    (displayName) => {
      expect(issueOn({ ...good, displayName }, 'displayName')).toMatch(
        /cannot contain control, zero-width or text-direction characters/,
      );
      expect(issueOn({ ...good, email: `${displayName}@example.io` }, 'email')).toMatch(
        /cannot contain control, zero-width or text-direction characters/,
      );
    },
  );

  it('still refuses markup in a display name and still accepts accents and emoji', () => {
    expect(issueOn({ ...good, displayName: '<b>' }, 'displayName')).toMatch(/< >/);
    expect(signUpInput.parse({ ...good, displayName: 'Zoë 🚀 Müller' }).displayName).toBe(
      'Zoë 🚀 Müller',
    );
  });

  it.each([
    ['a NUL byte', 'ada\u0000@example.io'],
    ['a zero-width space', 'ada\u200b@example.io'],
    ['a right-to-left override', 'ada\u202e@example.io'],
  ])('refuses an email with %s', (_what, email) => {
    expect(issueOn({ ...good, email }, 'email')).toMatch(
      /cannot contain control, zero-width or text-direction characters/,
    );
    expect(signInInput.safeParse({ email, password: 'x' }).success).toBe(false);
  });

  it('refuses an enormous email before normalising it', () => {
    expect(issueOn({ ...good, email: `${'a'.repeat(100_000)}@x.io` }, 'email')).toMatch(
      /at most 254/,
    );
  });

  it.each([
    ['a NUL byte', 'abcdefghi1\u0000'],
    ['a zero-width space', 'abcdefghi1\u200b'],
    ['a newline', 'abcdefghi1\n'],
  ])('refuses a new password with %s', (_what, password) => {
    expect(issueOn({ ...good, password }, 'password')).toMatch(
      /cannot contain control, zero-width or text-direction characters/,
    );
  });
});
