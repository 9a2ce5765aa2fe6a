// Shared rules for identity input: the API validates with these schemas and the web forms show the
// same messages next to the same fields. Character rules come from @lab/contracts: no control,
// zero-width or text-direction characters anywhere (PostgreSQL refuses NUL; the others disguise
// a name or an address).
import { hasUnsafeText, text } from '@lab/contracts';
import { z } from 'zod';

export const EMAIL_MAX = 254;
export const DISPLAY_NAME_MAX = 64;
export const PASSWORD_MIN = 10;
/** Long enough for any passphrase, short enough that hashing stays cheap for hostile input. */
export const PASSWORD_MAX = 128;

/** Trim, Unicode-normalise and lower-case: the one spelling of an address we store and compare. */
export function normalizeEmail(raw: string): string {
  return raw.normalize('NFC').trim().toLowerCase();
}

// Deliberately simple: one "@", something on both sides, a dot in the domain, no spaces.
const EMAIL_SHAPE = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;

const EMAIL_TOO_LONG = `An email address has at most ${EMAIL_MAX} characters.`;
const UNSAFE = (what: string) =>
  `${what} cannot contain control, zero-width or text-direction characters.`;

// Checked on the raw input, because trimming and collapsing white space would quietly drop a
// byte-order mark (U+FEFF is white space to JavaScript) instead of refusing it. Tabs and line
// breaks are only white space here: they collapse to one space.
const WHITESPACE_CONTROLS = /[\t\n\v\f\r]/g;
const safeRaw = (what: string, required: string, max: number, tooLong: string) =>
  z
    .string({ error: required })
    // Bounded before anything else, so a huge string costs nothing.
    .max(max * 4, tooLong)
    .refine((s) => !hasUnsafeText(s.replace(WHITESPACE_CONTROLS, ' ')), UNSAFE(what));

export const emailSchema = safeRaw(
  'An email address',
  'Enter your email address.',
  EMAIL_MAX,
  EMAIL_TOO_LONG,
)
  .transform(normalizeEmail)
  .pipe(
    z
      .string()
      .min(1, 'Enter your email address.')
      .max(EMAIL_MAX, EMAIL_TOO_LONG)
      .regex(EMAIL_SHAPE, 'Enter an email address like name@example.com.'),
  );

/** Why a password is too weak, or null when it is acceptable. */
export function passwordProblem(password: string): string | null {
  if (password.length === 0) return 'Enter a password.';
  if (password.length < PASSWORD_MIN) return `Use at least ${PASSWORD_MIN} characters.`;
  if (password.length > PASSWORD_MAX) return `Use at most ${PASSWORD_MAX} characters.`;
  if (hasUnsafeText(password)) return UNSAFE('A password');
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^a-zA-Z0-9]/].filter((re) =>
    re.test(password),
  ).length;
  if (classes < 2)
    return 'Mix at least two kinds of characters: lower case, upper case, digits or symbols.';
  if (/^(.)\1+$/.test(password)) return 'Do not repeat one character.';
  return null;
}

export const newPasswordSchema = z.string({ error: 'Enter a password.' }).superRefine((pw, ctx) => {
  const problem = passwordProblem(pw);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/**
 * A password being checked (sign-in, current password): only bounded, never judged, so that a
 * password set before a rule existed still works. It is only ever hashed, never stored or shown.
 */
export const passwordSchema = z
  .string({ error: 'Enter your password.' })
  .min(1, 'Enter your password.')
  .max(PASSWORD_MAX, `A password has at most ${PASSWORD_MAX} characters.`);

const DISPLAY_NAME_TOO_LONG = `A display name has at most ${DISPLAY_NAME_MAX} characters.`;

export const displayNameSchema = safeRaw(
  'A display name',
  'Enter a display name.',
  DISPLAY_NAME_MAX,
  DISPLAY_NAME_TOO_LONG,
).pipe(
  text('A display name', {
    max: DISPLAY_NAME_MAX,
    required: 'Enter a display name.',
    tooLong: DISPLAY_NAME_TOO_LONG,
  }).refine((s) => !/[<>]/.test(s), 'A display name cannot contain < >.'),
);

export const signUpInput = z.object({
  email: emailSchema,
  displayName: displayNameSchema,
  password: newPasswordSchema,
});
export type SignUpInput = z.input<typeof signUpInput>;

export const signInInput = z.object({
  email: emailSchema,
  password: passwordSchema,
});
