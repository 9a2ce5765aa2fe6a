// next-auth (v4) options: email + password through the credentials provider, GitHub only when it
// is configured. The session cookie (an encrypted JWT) carries the id of a server-side session
// (src/session.ts), checked, with the user re-read, on every request; signing out deletes it.
import { decodeSessionToken, encodeSessionToken } from './jwt-codec.ts';
import type { Db } from '@lab/db';
import type { NextAuthOptions, Session } from 'next-auth';
import CredentialsImport from 'next-auth/providers/credentials';
import GitHubImport from 'next-auth/providers/github';
import { clientIp } from './client-ip.ts';
import { authenticate, SignInError } from './credentials.ts';
import { sameOriginPath } from './redirect.ts';
import {
  createSession,
  endSession,
  resolveSession,
  SESSION_MAX_AGE_SECONDS,
  SESSION_REFRESH_SECONDS,
} from './session.ts';
import { SIGN_IN_ERROR, throttledCode, type OAuthProvisionFailure } from './sign-in-errors.ts';
import type { SignInRules } from './throttle.ts';
import type { AuthUser, Role } from './user.ts';

// next-auth ships CommonJS; under plain Node ESM the default import is the module object.
const interop = <T>(m: T): T => (m as { default?: T }).default ?? m;
const Credentials = interop(CredentialsImport);
const GitHub = interop(GitHubImport);

export interface OAuthIdentity {
  provider: string;
  providerAccountId: string;
  email: string | null;
  name: string | null;
}
export type OAuthProvisionResult =
  { ok: true; user: AuthUser } | { ok: false; error: OAuthProvisionFailure };

export interface AuthConfig {
  db: Db;
  secret: string;
  /** Secure cookies (with the __Secure-/__Host- prefixes): on in production over https. */
  secureCookies: boolean;
  github?: { clientId: string; clientSecret: string } | undefined;
  /** Finds or creates the user of an OAuth identity (the API owns user creation). */
  provisionOAuthUser?: (identity: OAuthIdentity) => Promise<OAuthProvisionResult>;
  signInRules?: SignInRules;
}

/** What the session carries to the browser; the server re-reads the user on every request. */
export interface SessionUserClaims {
  id: string;
  email: string;
  name: string;
  role: Role;
}

interface UserForToken {
  id: string;
  email?: string | null;
  name?: string | null;
  role?: Role;
  /** The address that signed in (credentials), kept with the session. */
  clientAddress?: string;
}

export { SESSION_MAX_AGE_SECONDS };
export {
  cookiesOfHeader,
  readSessionUser,
  sessionCookieName,
  type SessionReader,
} from './session-cookie.ts';

/**
 * Secure cookies (with the __Secure-/__Host- prefixes) over https and in production, except for a
 * plain-http loopback URL (a local `npm start`), where browsers other than Chromium would drop
 * Secure cookies and signing in would silently fail.
 */
export function secureCookiesFor(
  nodeEnv: string | undefined,
  publicUrl: string | undefined,
): boolean {
  if (publicUrl?.startsWith('https://')) return true;
  if (nodeEnv !== 'production') return false;
  let host = 'localhost';
  try {
    if (publicUrl) host = new URL(publicUrl).hostname;
  } catch {
    return true;
  }
  return !['localhost', '127.0.0.1', '[::1]', '::1'].includes(host);
}

export function createAuthOptions(config: AuthConfig): NextAuthOptions {
  const { db } = config;
  const providers: NextAuthOptions['providers'] = [
    Credentials({
      id: 'credentials',
      name: 'Email and password',
      credentials: {
        email: { label: 'Email', type: 'email' },
        password: { label: 'Password', type: 'password' },
      },
      async authorize(credentials, req) {
        try {
          const ip = clientIp(req.headers ?? {});
          const user = await authenticate(
            db,
            { email: credentials?.email, password: credentials?.password, ip },
            config.signInRules,
          );
          return {
            id: user.id,
            email: user.email,
            name: user.displayName,
            role: user.role,
            ...(ip !== 'unknown' ? { clientAddress: ip } : {}),
          };
        } catch (e) {
          // next-auth puts the message of a thrown error in the URL as `error`: only codes go there.
          throw new Error(signInFailureCode(e));
        }
      },
    }),
  ];
  if (config.github) {
    providers.push(
      GitHub({ clientId: config.github.clientId, clientSecret: config.github.clientSecret }),
    );
  }

  return {
    secret: config.secret,
    providers,
    session: {
      strategy: 'jwt',
      maxAge: SESSION_MAX_AGE_SECONDS,
      updateAge: SESSION_REFRESH_SECONDS,
    },
    // next-auth's cookie format, with the key derived once (see jwt-codec.ts)
    jwt: { encode: encodeSessionToken, decode: decodeSessionToken },
    useSecureCookies: config.secureCookies,
    pages: { signIn: '/sign-in', error: '/sign-in' },
    events: {
      // The cookie is cleared by next-auth; this ends the session itself, so a saved copy of the
      // cookie is refused from now on.
      async signOut({ token }) {
        await endSession(db, (token as { sid?: unknown } | null)?.sid);
      },
    },
    callbacks: {
      // Only paths of the app itself (a callbackUrl is chosen by whoever made the link).
      redirect({ url, baseUrl }) {
        const path = sameOriginPath(url, baseUrl);
        return path ? `${baseUrl}${path}` : baseUrl;
      },
      async signIn({ user, account }) {
        if (!account || account.provider === 'credentials') return true;
        if (!config.provisionOAuthUser) return false;
        let result: OAuthProvisionResult;
        try {
          result = await config.provisionOAuthUser({
            provider: account.provider,
            providerAccountId: account.providerAccountId,
            email: user.email ?? null,
            name: user.name ?? null,
          });
        } catch (e) {
          return `/sign-in?error=${signInFailureCode(e)}`;
        }
        if (!result.ok) return `/sign-in?error=${result.error}`;
        // Swap the provider's profile for our user; the jwt callback below receives this object.
        const u = user as UserForToken;
        u.id = result.user.id;
        u.email = result.user.email;
        u.name = result.user.displayName;
        u.role = result.user.role;
        return true;
      },
      async jwt({ token, user }) {
        if (user) {
          // Signing in: a new server-side session; the token carries only its id and what the
          // browser may show (refreshed from the database on every request).
          const u = user as UserForToken;
          return {
            sid: await createSession(db, u.id, { clientAddress: u.clientAddress }),
            sub: u.id,
            email: u.email ?? null,
            name: u.name ?? null,
            role: u.role,
          };
        }
        const fresh = await resolveSession(db, token.sid);
        if (!fresh) return { revoked: true };
        return {
          sid: token.sid,
          sub: fresh.id,
          email: fresh.email,
          name: fresh.displayName,
          role: fresh.role,
        };
      },
      session({ session, token }) {
        if (token.revoked || typeof token.sub !== 'string') return {} as Session;
        const user: SessionUserClaims = {
          id: token.sub,
          email: String(token.email ?? ''),
          name: String(token.name ?? ''),
          role: token.role as Role,
        };
        return { expires: session.expires, user };
      },
    },
  };
}

/** The code a failed sign-in reports to the browser; anything unexpected is logged, never shown. */
function signInFailureCode(e: unknown): string {
  if (e instanceof SignInError) {
    return e.code === 'THROTTLED'
      ? throttledCode(e.retryAfterSeconds ?? 1)
      : SIGN_IN_ERROR.invalidCredentials;
  }
  console.error('[auth] sign-in failed:', e);
  return SIGN_IN_ERROR.unavailable;
}
