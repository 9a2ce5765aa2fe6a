import { decode, encode } from 'next-auth/jwt';
import { describe, expect, it } from 'vitest';
import { decodeSessionToken, encodeSessionToken } from '../src/jwt-codec.ts';

const secret = 'a-test-secret-of-at-least-thirty-two-characters';
const token = { sid: 'abc', sub: 'user-1', email: 'a@example.test', name: 'A', role: 'TRADER' };

describe('the session token codec', () => {
  it("reads next-auth's tokens and next-auth reads its tokens (same format, same key)", async () => {
    const ours = await encodeSessionToken({ token, secret });
    expect(await decode({ token: ours, secret })).toMatchObject(token);
    const theirs = await encode({ token, secret });
    expect(await decodeSessionToken({ token: theirs, secret })).toMatchObject(token);
    // the salted variant next-auth uses for some cookies
    const salted = await encode({ token, secret, salt: 'x' });
    expect(await decodeSessionToken({ token: salted, secret, salt: 'x' })).toMatchObject(token);
  });

  it('refuses a token made with another secret, or tampered with', async () => {
    const t = await encodeSessionToken({ token, secret });
    await expect(decodeSessionToken({ token: t, secret: `${secret}-other` })).rejects.toThrow();
    const tampered = `${t.slice(0, -4)}${t.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`;
    await expect(decodeSessionToken({ token: tampered, secret })).rejects.toThrow();
  });

  it('a token past its maxAge is refused', async () => {
    const t = await encodeSessionToken({ token, secret, maxAge: -60 });
    await expect(decodeSessionToken({ token: t, secret })).rejects.toThrow();
  });
});
