import 'server-only';
import { provisionOAuthUser } from '@lab/api';
import { createAuthOptions } from '@lab/auth/next-auth';
import type { NextAuthOptions } from 'next-auth';
import { env } from '@/env';
import { db } from './db';

const DEV_SECRET = 'leverage-lab-development-only-secret-do-not-use';

/**
 * Secure cookies in production, except for a plain-http loopback URL (a local `npm start`), where a
 * browser would otherwise be asked to keep Secure cookies from an insecure origin.
 */
export function useSecureCookies(nodeEnv: string, url: string | undefined): boolean {
  if (url?.startsWith('https://')) return true;
  if (nodeEnv !== 'production') return false;
  const host = url ? new URL(url).hostname : 'localhost';
  return !['localhost', '127.0.0.1', '[::1]', '::1'].includes(host);
}

let options: NextAuthOptions | undefined;

/** next-auth options, built on first use (not at import: `next build` has no secrets). */
export function authOptions(): NextAuthOptions {
  if (options) return options;
  const e = env();
  const github =
    e.GITHUB_ID && e.GITHUB_SECRET
      ? { clientId: e.GITHUB_ID, clientSecret: e.GITHUB_SECRET }
      : undefined;
  options = createAuthOptions({
    db: db(),
    secret: e.NEXTAUTH_SECRET ?? DEV_SECRET,
    secureCookies: useSecureCookies(e.NODE_ENV, e.NEXTAUTH_URL),
    github,
    provisionOAuthUser: (identity) => provisionOAuthUser(db(), identity),
  });
  return options;
}

export function githubEnabled(): boolean {
  const e = env();
  return Boolean(e.GITHUB_ID && e.GITHUB_SECRET);
}
