// Reads the signed-in user of a request straight from next-auth's session cookie: the same answer
// as getServerSession with the callbacks of next-auth.ts, without the work a server-side read of
// it throws away. Called where the cookie cannot be set (a server component, a route handler),
// getServerSession still runs next-auth's whole session action: a new CSRF token, the callbacks,
// and a freshly encrypted cookie that is discarded. On the place-order benchmark that was about a
// tenth of the web server's CPU for every signed-in request. The browser's cookie is renewed where
// it always was: the client's fetch of /api/auth/session, which next-auth's route answers.
import type { Db } from '@lab/db';
import { decodeSessionToken } from './jwt-codec.ts';
import { resolveSession } from './session.ts';
import type { AuthUser } from './user.ts';

/** next-auth's name for the session cookie (v4: `next-auth.session-token`, __Secure- over https). */
export const sessionCookieName = (secureCookies: boolean): string =>
  `${secureCookies ? '__Secure-' : ''}next-auth.session-token`;

/** Longer cookies than this are not ours (next-auth splits at 4 KB; ours are well under one). */
const MAX_TOKEN_LENGTH = 16 * 1024;

export interface Cookie {
  name: string;
  value: string;
}

/** Longest Cookie header read (browsers send at most a few KB per site). */
const MAX_COOKIE_HEADER = 32 * 1024;

/**
 * The cookies of a Cookie request header (RFC 6265: `name=value` pairs joined by `; `; a quoted
 * value is unquoted, a percent-encoded one decoded when it decodes). A header beyond 32 KB is
 * read as no cookies.
 */
export function cookiesOfHeader(header: string | null | undefined): Cookie[] {
  if (!header || header.length > MAX_COOKIE_HEADER) return [];
  const out: Cookie[] = [];
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    let value = part.slice(eq + 1).trim();
    if (!name) continue;
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"'))
      value = value.slice(1, -1);
    if (value.includes('%')) {
      try {
        value = decodeURIComponent(value);
      } catch {
        // kept as sent
      }
    }
    out.push({ name, value });
  }
  return out;
}

/**
 * The token from the cookie, joined from its chunks as next-auth's SessionStore joins them (every
 * cookie whose name starts with the cookie's name, ordered by the number after its last dot).
 */
export function sessionTokenOf(cookies: Iterable<Cookie>, name: string): string | undefined {
  const chunks: Cookie[] = [];
  for (const c of cookies) if (c.name.startsWith(name)) chunks.push(c);
  if (chunks.length === 0) return undefined;
  const suffix = (n: string) => parseInt(n.split('.').pop() ?? '0');
  chunks.sort((a, b) => suffix(a.name) - suffix(b.name));
  const token = chunks.map((c) => c.value).join('');
  return token && token.length <= MAX_TOKEN_LENGTH ? token : undefined;
}

export interface SessionReader {
  db: Db;
  secret: string;
  secureCookies: boolean;
}

/**
 * The user of the session the cookies carry, re-read from the database (a signed-out, expired or
 * revoked session, and a cookie that does not decrypt, give null). A database failure throws: it
 * is not a signed-out user.
 */
export async function readSessionUser(
  reader: SessionReader,
  cookies: Iterable<Cookie>,
): Promise<AuthUser | null> {
  const token = sessionTokenOf(cookies, sessionCookieName(reader.secureCookies));
  if (!token) return null;
  let sid: unknown;
  try {
    sid = (await decodeSessionToken({ token, secret: reader.secret }))?.sid;
  } catch {
    return null; // forged, from another secret, expired or garbled
  }
  return resolveSession(reader.db, sid);
}
