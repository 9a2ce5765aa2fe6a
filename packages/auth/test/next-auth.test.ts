// The next-auth wiring, driven through next-auth's own request handler (no Next server needed):
// CSRF-protected credentials sign-in, cookie attributes, session re-validation and sign-in errors.
import { createRequire } from 'node:module';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { createDb } from '@lab/db';
import { encode } from 'next-auth/jwt';
import { describe, expect, it, vi } from 'vitest';
import {
  createAuthOptions,
  readSessionUser,
  secureCookiesFor,
  type SessionUserClaims,
} from '../src/next-auth.ts';
import { endUserSessions } from '../src/session.ts';
import { insertUser, useTestDb } from './helpers.ts';

// next-auth's core handler is not in its package exports; load it by file path.
const require = createRequire(import.meta.url);
const { AuthHandler } = require(
  path.join(path.dirname(require.resolve('next-auth/jwt')), '..', 'core/index.js'),
) as {
  AuthHandler: (params: { req: Record<string, unknown>; options: unknown }) => Promise<unknown>;
};

const t = useTestDb();
const SECRET = 'test-secret-that-is-at-least-32-characters-long';

interface Res {
  status?: number;
  body?: unknown;
  redirect?: string;
  cookies?: Array<{ name: string; value: string; options: Record<string, unknown> }>;
}

let clients = 0;
function handler(
  secureCookies: boolean,
  options = createAuthOptions({ db: t.db, secret: SECRET, secureCookies }),
) {
  clients += 1;
  const ip = `203.0.113.${clients}`;
  const jar = new Map<string, string>();
  async function request(
    method: 'GET' | 'POST',
    action: string,
    providerId?: string,
    body?: Record<string, string>,
  ): Promise<Res> {
    const res = (await AuthHandler({
      req: {
        method,
        action,
        providerId,
        body: body ?? {},
        query: {},
        cookies: Object.fromEntries(jar),
        headers: { host: 'localhost:3000', 'x-forwarded-for': ip },
      },
      options,
    })) as Res;
    for (const c of res.cookies ?? []) {
      if (c.value === '') jar.delete(c.name);
      else jar.set(c.name, c.value);
    }
    return res;
  }
  async function signIn(email: string, password: string, callbackUrl?: string) {
    const csrf = (await request('GET', 'csrf')).body as { csrfToken: string };
    return request('POST', 'callback', 'credentials', {
      csrfToken: csrf.csrfToken,
      email,
      password,
      json: 'true',
      ...(callbackUrl ? { callbackUrl } : {}),
    });
  }
  /**
   * The user of the jar's session as next-auth's session action gives it, checked against
   * readSessionUser (the server's own read of the cookie), which must always agree.
   */
  const session = async (): Promise<SessionUserClaims | null> => {
    const cookies = [...jar].map(([name, value]) => ({ name, value }));
    const direct = await readSessionUser({ db: t.db, secret: SECRET, secureCookies }, cookies);
    const body = (await request('GET', 'session')).body as { user?: SessionUserClaims } | null;
    const claims = body?.user ?? null;
    expect(
      direct && { id: direct.id, email: direct.email, name: direct.displayName, role: direct.role },
    ).toEqual(claims);
    return claims;
  };
  return { request, signIn, session, jar, options };
}

process.env.NEXTAUTH_URL = 'http://localhost:3000';

describe('credentials sign-in through next-auth', () => {
  it('issues an HttpOnly, SameSite=Lax session cookie and a session carrying id and role', async () => {
    const u = await insertUser(t.db);
    const h = handler(false);
    const res = await h.signIn(u.email, u.password);
    expect(res.redirect).toBe('http://localhost:3000/');
    const cookie = res.cookies?.find((c) => c.name === 'next-auth.session-token');
    expect(cookie?.options).toMatchObject({
      httpOnly: true,
      sameSite: 'lax',
      secure: false,
      path: '/',
    });
    expect(await h.session()).toEqual({
      id: u.id,
      email: u.email,
      name: u.displayName,
      role: 'TRADER',
    });
  });

  it('uses Secure, prefixed cookies when secure cookies are on (production over https)', async () => {
    const u = await insertUser(t.db);
    const h = handler(true);
    const res = await h.signIn(u.email, u.password);
    const cookie = res.cookies?.find((c) => c.name === '__Secure-next-auth.session-token');
    expect(cookie?.options).toMatchObject({ httpOnly: true, sameSite: 'lax', secure: true });
  });

  it('refuses a sign-in without the CSRF token', async () => {
    const u = await insertUser(t.db);
    const h = handler(false);
    const res = await h.request('POST', 'callback', 'credentials', {
      email: u.email,
      password: u.password,
    });
    expect(res.redirect).toMatch(/csrf=true/);
    expect(await h.session()).toBeNull();
  });

  it('reports wrong passwords and throttling as codes, never as text', async () => {
    const u = await insertUser(t.db);
    const h = handler(false);
    const wrong = await h.signIn(u.email, 'wrong-Password-1');
    expect(new URL(wrong.redirect!).searchParams.get('error')).toBe('CredentialsSignin');
    for (let i = 0; i < 10; i++) await h.signIn(u.email, 'wrong-Password-1');
    const throttled = await h.signIn(u.email, u.password);
    expect(new URL(throttled.redirect!).searchParams.get('error')).toMatch(/^Throttled-\d+$/);
  });

  it('answers a NUL byte in the email as wrong credentials, not with database text', async () => {
    const h = handler(false);
    const res = await h.signIn('ada\u0000@example.io', 'whatever-Pass-1');
    expect(res.redirect).toBe('http://localhost:3000/api/auth/error?error=CredentialsSignin');
  });

  it('never puts an internal error in the URL (database down)', async () => {
    const broken = createDb(t.url.replace(/\/([^/?]+)(\?|$)/, '/no_such_database_$1$2'), {
      max: 1,
    });
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const h = handler(
        false,
        createAuthOptions({ db: broken, secret: SECRET, secureCookies: false }),
      );
      const res = await h.signIn('ada@example.io', 'whatever-Pass-1');
      expect(res.redirect).toBe('http://localhost:3000/api/auth/error?error=SignInUnavailable');
      expect(logged).toHaveBeenCalled();
    } finally {
      logged.mockRestore();
      await broken.$disconnect();
    }
  });

  it.each([
    ['/accounts?tab=open#top', 'http://localhost:3000/accounts?tab=open#top'],
    ['http://localhost:3000/profile', 'http://localhost:3000/profile'],
    ['/\t/evil.example', 'http://localhost:3000'],
    ['/\n/evil.example', 'http://localhost:3000'],
    ['//evil.example', 'http://localhost:3000'],
    ['/\\evil.example', 'http://localhost:3000'],
    ['/a/..//evil.example', 'http://localhost:3000'],
    ['https://evil.example/', 'http://localhost:3000'],
    ['http://localhost:3000@evil.example/', 'http://localhost:3000'],
    ['javascript:alert(1)', 'http://localhost:3000'],
  ])('redirects %j only within the app: %s', async (url, expected) => {
    const options = createAuthOptions({ db: t.db, secret: SECRET, secureCookies: false });
    expect(await options.callbacks!.redirect!({ url, baseUrl: 'http://localhost:3000' })).toBe(
      expected,
    );
  });

  it('sends the browser back to a same-origin callbackUrl after signing in, and nowhere else', async () => {
    const u = await insertUser(t.db);
    const h = handler(false);
    const evil = await h.signIn(u.email, u.password, '/\t/evil.example');
    expect(evil.redirect).toBe('http://localhost:3000');
    const good = await h.signIn(u.email, u.password, '/profile');
    expect(good.redirect).toBe('http://localhost:3000/profile');
  });

  it('re-validates the session on every request: role change, password change, deleted user', async () => {
    const u = await insertUser(t.db);
    const h = handler(false);
    await h.signIn(u.email, u.password);
    await t.db.user.update({
      where: { id: u.id },
      data: { role: 'ADMIN', displayName: 'Renamed' },
    });
    expect(await h.session()).toMatchObject({ role: 'ADMIN', name: 'Renamed' });
    // A password change ends every session of the user.
    await endUserSessions(t.db, u.id);
    expect(await h.session()).toBeNull();

    const v = await insertUser(t.db);
    const h2 = handler(false);
    await h2.signIn(v.email, v.password);
    expect(await h2.session()).not.toBeNull();
    await t.db.user.delete({ where: { id: v.id } });
    expect(await h2.session()).toBeNull();
  });

  it('ends the session on the server at sign-out: a saved copy of the cookie is refused', async () => {
    const u = await insertUser(t.db);
    const h = handler(false);
    await h.signIn(u.email, u.password);
    const saved = new Map(h.jar);
    expect(await h.session()).not.toBeNull();
    const csrf = (await h.request('GET', 'csrf')).body as { csrfToken: string };
    await h.request('POST', 'signout', undefined, { csrfToken: csrf.csrfToken });
    expect(h.jar.has('next-auth.session-token')).toBe(false);
    expect(await t.db.session.count({ where: { userId: u.id } })).toBe(0);
    // Replaying the cookie saved before signing out.
    for (const [k, v] of saved) h.jar.set(k, v);
    expect(await h.session()).toBeNull();
  });

  it('refuses tokens it did not issue a session for, even when signed with the secret', async () => {
    const u = await insertUser(t.db);
    const h = handler(false);
    const forged = async (claims: Record<string, unknown>) => {
      const token = await encode({ secret: SECRET, token: claims });
      h.jar.set('next-auth.session-token', token);
      return h.session();
    };
    const claims = { sub: u.id, email: u.email, name: 'x', role: 'ADMIN' };
    // A token of the former kind (user id and session version, no session id).
    expect(await forged({ ...claims, sv: 0 })).toBeNull();
    // A made-up session id.
    expect(await forged({ ...claims, sid: randomBytes(32).toString('base64url') })).toBeNull();
    // The stored hash used as an id.
    await h.signIn(u.email, u.password);
    const row = await t.db.session.findFirstOrThrow({ where: { userId: u.id } });
    expect(await forged({ ...claims, sid: row.tokenHash })).toBeNull();
  });

  it('signs every session in separately: two browsers, two sessions', async () => {
    const u = await insertUser(t.db);
    const a = handler(false);
    const b = handler(false);
    await a.signIn(u.email, u.password);
    await b.signIn(u.email, u.password);
    expect(await t.db.session.count({ where: { userId: u.id } })).toBe(2);
    const csrf = (await a.request('GET', 'csrf')).body as { csrfToken: string };
    await a.request('POST', 'signout', undefined, { csrfToken: csrf.csrfToken });
    expect(await a.session()).toBeNull();
    expect(await b.session()).toMatchObject({ id: u.id });
  });

  it('offers GitHub only when configured', () => {
    const base = { db: t.db, secret: SECRET, secureCookies: false };
    expect(createAuthOptions(base).providers.map((p) => p.id)).toEqual(['credentials']);
    expect(
      createAuthOptions({ ...base, github: { clientId: 'id', clientSecret: 's' } }).providers.map(
        (p) => p.id,
      ),
    ).toEqual(['credentials', 'github']);
  });
});

describe('secureCookiesFor', () => {
  it.each([
    ['production', 'https://lab.example.com', true],
    ['production', 'http://lab.example.com', true],
    ['production', undefined, false],
    ['production', 'http://localhost:3000', false],
    ['production', 'http://127.0.0.1:3000', false],
    ['development', 'http://localhost:3000', false],
    ['development', 'https://localhost:3000', true],
  ] as const)('%s at %s -> %s', (env, url, secure) => {
    expect(secureCookiesFor(env, url)).toBe(secure);
  });
});
