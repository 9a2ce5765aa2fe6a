// What a failed sign-in tells the browser. next-auth puts the reason in the `error` parameter of a
// URL anyone can craft (/sign-in?error=...), so the reason is always a code from this closed set,
// and the page shows the message of a known code, never the parameter itself. Browser-safe: the
// sign-in form imports it (as '@lab/auth/sign-in-errors').

/** Our own codes. `CredentialsSignin` is next-auth's own name for wrong credentials. */
export const SIGN_IN_ERROR = {
  invalidCredentials: 'CredentialsSignin',
  /** Followed by `-<seconds>`, e.g. `Throttled-42`. */
  throttled: 'Throttled',
  /** Something failed on the server (it is logged there, never shown). */
  unavailable: 'SignInUnavailable',
  oauthNoEmail: 'OAuthNoEmail',
  oauthEmailTaken: 'OAuthEmailTaken',
} as const;

export type OAuthProvisionFailure =
  typeof SIGN_IN_ERROR.oauthNoEmail | typeof SIGN_IN_ERROR.oauthEmailTaken;

export const INVALID_CREDENTIALS_MESSAGE = 'Wrong email or password.';
const DEFAULT_MESSAGE = 'Sign-in failed. Try again.';

/** Seconds below two minutes, whole minutes above (a per-email window lasts an hour). */
export function throttledMessage(seconds: number): string {
  if (seconds < 120)
    return `Too many sign-in attempts; try again in ${seconds} second${seconds === 1 ? '' : 's'}.`;
  return `Too many sign-in attempts; try again in ${Math.ceil(seconds / 60)} minutes.`;
}

export const throttledCode = (seconds: number): string =>
  `${SIGN_IN_ERROR.throttled}-${Math.max(1, Math.ceil(seconds))}`;

const MESSAGES: Readonly<Record<string, string>> = {
  [SIGN_IN_ERROR.invalidCredentials]: INVALID_CREDENTIALS_MESSAGE,
  [SIGN_IN_ERROR.unavailable]: 'Sign-in failed on our side. Try again in a moment.',
  [SIGN_IN_ERROR.oauthNoEmail]: 'Your GitHub account has no public verified email address.',
  [SIGN_IN_ERROR.oauthEmailTaken]:
    'An account with this email already exists: sign in with your password.',
  // next-auth's own codes.
  OAuthSignin: 'Could not start signing in with GitHub. Try again.',
  OAuthCallback: 'GitHub sign-in did not complete. Try again.',
  OAuthCreateAccount: 'GitHub sign-in did not complete. Try again.',
  OAuthAccountNotLinked: 'This email already has an account: sign in with your password.',
  AccessDenied: 'Sign-in was refused.',
  SessionRequired: 'Sign in to continue.',
  Callback: 'Sign-in did not complete. Try again.',
  Configuration: 'Sign-in is not available right now. Try again later.',
  Default: DEFAULT_MESSAGE,
};

const THROTTLED = new RegExp(`^${SIGN_IN_ERROR.throttled}-(\\d{1,5})$`);

/**
 * The message of a known `error` code, or null for anything else. The code itself is never shown,
 * so a crafted link cannot put its own words on the page.
 */
export function signInErrorMessage(code: unknown): string | null {
  if (typeof code !== 'string') return null;
  const throttled = THROTTLED.exec(code);
  if (throttled) return throttledMessage(Number(throttled[1]));
  return Object.hasOwn(MESSAGES, code) ? MESSAGES[code]! : null;
}

/** For a sign-in that just failed: a known code's message, else a generic one. */
export const failedSignInMessage = (code: unknown): string =>
  signInErrorMessage(code) ?? DEFAULT_MESSAGE;
