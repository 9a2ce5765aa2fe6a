import 'server-only';
import { provisionOAuthUser } from '@lab/services';
import type { SessionUser } from '@lab/api';
import {
  cookiesOfHeader,
  createAuthOptions,
  readSessionUser,
  secureCookiesFor,
  type SessionReader,
} from '@lab/auth/next-auth';
import type { NextAuthOptions } from 'next-auth';
import { env } from '@/env';
import { db } from './db';

const DEV_SECRET = 'leverage-lab-development-only-secret-do-not-use';

let reader: SessionReader | undefined;
let options: NextAuthOptions | undefined;

/** What reads a session cookie: built on first use (not at import: `next build` has no secrets). */
export function sessionReader(): SessionReader {
  if (reader) return reader;
  const e = env();
  const secureCookies = secureCookiesFor(e.NODE_ENV, e.NEXTAUTH_URL);
  if (secureCookies && e.NEXTAUTH_URL?.startsWith('http://')) {
    console.warn(
      `[auth] NEXTAUTH_URL is ${e.NEXTAUTH_URL}: session cookies are Secure in production, so browsers keep them only over https. Serve the app over https (or from localhost).`,
    );
  }
  reader = { db: db(), secret: e.NEXTAUTH_SECRET ?? DEV_SECRET, secureCookies };
  return reader;
}

/**
 * The signed-in user of a request, from its Cookie header alone (no request scope of Next's), so
 * that a handler answers the same whether Next routes the request or the HTTP server hands it
 * straight over (direct-routes.ts).
 */
export function sessionUserOf(headers: Headers): Promise<SessionUser | null> {
  return readSessionUser(sessionReader(), cookiesOfHeader(headers.get('cookie')));
}

/** next-auth options, built on first use, with the same secret and cookies as sessionReader. */
export function authOptions(): NextAuthOptions {
  if (options) return options;
  const e = env();
  const github =
    e.GITHUB_ID && e.GITHUB_SECRET
      ? { clientId: e.GITHUB_ID, clientSecret: e.GITHUB_SECRET }
      : undefined;
  options = createAuthOptions({
    ...sessionReader(),
    github,
    provisionOAuthUser: (identity) => provisionOAuthUser(db(), identity),
  });
  return options;
}

export function githubEnabled(): boolean {
  const e = env();
  return Boolean(e.GITHUB_ID && e.GITHUB_SECRET);
}
