// readSessionUser: the server's read of next-auth's session cookie. Its agreement with next-auth's
// own session action is checked on every session read of next-auth.test.ts; these are the cookies
// next-auth never issues.
import { createDb } from '@lab/db';
import { encode } from 'next-auth/jwt';
import { describe, expect, it } from 'vitest';
import { createSession } from '../src/session.ts';
import { cookiesOfHeader, readSessionUser, sessionCookieName } from '../src/next-auth.ts';
import { sessionTokenOf } from '../src/session-cookie.ts';
import { encodeSessionToken } from '../src/jwt-codec.ts';
import { insertUser, useTestDb } from './helpers.ts';

const t = useTestDb();
const SECRET = 'test-secret-that-is-at-least-32-characters-long';
const NAME = 'next-auth.session-token';
const reader = () => ({ db: t.db, secret: SECRET, secureCookies: false });

async function signedIn() {
  const u = await insertUser(t.db);
  const sid = await createSession(t.db, u.id);
  const token = await encodeSessionToken({ secret: SECRET, token: { sid, sub: u.id } });
  return { u, sid, token };
}

describe('readSessionUser', () => {
  it("reads next-auth's own cookie format (next-auth/jwt's encode) and ours alike", async () => {
    const { u, sid, token } = await signedIn();
    const theirs = await encode({ secret: SECRET, token: { sid, sub: u.id } });
    for (const value of [token, theirs]) {
      expect(await readSessionUser(reader(), [{ name: NAME, value }])).toEqual({
        id: u.id,
        email: u.email,
        displayName: u.displayName,
        role: 'TRADER',
      });
    }
  });

  it('reads the __Secure- cookie only when cookies are secure, and the plain one only when not', async () => {
    const { token } = await signedIn();
    const secure = [{ name: sessionCookieName(true), value: token }];
    expect(sessionCookieName(true)).toBe(`__Secure-${NAME}`);
    expect(await readSessionUser({ ...reader(), secureCookies: true }, secure)).not.toBeNull();
    expect(await readSessionUser(reader(), secure)).toBeNull();
    expect(
      await readSessionUser({ ...reader(), secureCookies: true }, [{ name: NAME, value: token }]),
    ).toBeNull();
  });

  it('joins a cookie split in chunks in the order of their numbers, as next-auth does', async () => {
    const { u, token } = await signedIn();
    const third = Math.ceil(token.length / 3);
    const chunks = [2, 0, 1].map((i) => ({
      name: `${NAME}.${i}`,
      value: token.slice(i * third, (i + 1) * third),
    }));
    expect(sessionTokenOf(chunks, NAME)).toBe(token);
    expect((await readSessionUser(reader(), chunks))?.id).toBe(u.id);
  });

  it('gives null for no cookie, garbage, another secret, an expired token or an oversized cookie', async () => {
    const { sid, u, token } = await signedIn();
    const read = (value: string) => readSessionUser(reader(), [{ name: NAME, value }]);
    expect(await readSessionUser(reader(), [])).toBeNull();
    expect(await readSessionUser(reader(), [{ name: 'other', value: token }])).toBeNull();
    expect(await read('')).toBeNull();
    expect(await read('not.a.token')).toBeNull();
    expect(await read(`${token.slice(0, -4)}AAAA`)).toBeNull();
    const otherSecret = 'another-secret-that-is-at-least-32-characters';
    expect(
      await read(await encodeSessionToken({ secret: otherSecret, token: { sid } })),
    ).toBeNull();
    // past its expiry (and the 15 s of clock tolerance)
    const expired = await encodeSessionToken({ secret: SECRET, token: { sid }, maxAge: -60 });
    expect(await read(expired)).toBeNull();
    expect(await read(token + 'A'.repeat(20_000))).toBeNull();
    expect((await read(token))?.id).toBe(u.id);
  });

  it('throws when the database cannot answer: that is not a signed-out user', async () => {
    const { token } = await signedIn();
    const broken = createDb(t.url.replace(/\/([^/?]+)(\?|$)/, '/no_such_database_$1$2'), {
      max: 1,
    });
    try {
      await expect(
        readSessionUser({ ...reader(), db: broken }, [{ name: NAME, value: token }]),
      ).rejects.toThrow();
    } finally {
      await broken.$disconnect();
    }
  });
});

describe('cookiesOfHeader', () => {
  it('reads the pairs of a Cookie header as browsers send them', () => {
    expect(
      cookiesOfHeader('a=1; next-auth.session-token=x.y.z;b="q%20r" ; =nameless; flag'),
    ).toEqual([
      { name: 'a', value: '1' },
      { name: 'next-auth.session-token', value: 'x.y.z' },
      { name: 'b', value: 'q r' },
    ]);
    expect(cookiesOfHeader('bad=%E0%A4%A')).toEqual([{ name: 'bad', value: '%E0%A4%A' }]);
    expect(cookiesOfHeader(undefined)).toEqual([]);
    expect(cookiesOfHeader(`a=${'x'.repeat(40_000)}`)).toEqual([]);
  });
});
