// The error contract forms rely on, seen over HTTP: `data.field` names the input field and
// `data.issues` lists zod issues; internals never leak.
import { storedPrices } from '@lab/services';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { describe, expect, it } from 'vitest';
import { appRouter } from '../src/root.ts';
import { createUser } from '../src/testing/index.ts';
import { useTestDb } from './helpers.ts';

const t = useTestDb();

async function post(path: string, input: unknown) {
  const res = await fetchRequestHandler({
    endpoint: '/api/trpc',
    req: new Request(`http://localhost/api/trpc/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(input),
    }),
    router: appRouter,
    createContext: () => ({ db: t.db, user: null, ip: '127.0.0.1', prices: storedPrices(t.db) }),
  });
  return {
    status: res.status,
    body: (await res.json()) as { error: { message: string; data: Record<string, unknown> } },
  };
}

describe('errors over HTTP', () => {
  it('validation errors carry the field and every issue', async () => {
    const { status, body } = await post('auth.signUp', {
      email: 'nope',
      displayName: '',
      password: 'short',
    });
    expect(status).toBe(400);
    expect(body.error.data).toMatchObject({ code: 'BAD_REQUEST', field: 'email' });
    expect(body.error.data.issues).toEqual(
      expect.arrayContaining([
        { field: 'email', message: 'Enter an email address like name@example.com.' },
        { field: 'displayName', message: 'Enter a display name.' },
        { field: 'password', message: 'Use at least 10 characters.' },
      ]),
    );
    expect(body.error.data.stack).toBeUndefined();
  });

  it('domain errors carry their field', async () => {
    const u = await createUser(t.db);
    const { status, body } = await post('auth.signUp', {
      email: u.email,
      displayName: 'Again',
      password: 'another-Pass-1',
    });
    expect(status).toBe(409);
    expect(body.error.message).toBe('An account with this email already exists. Sign in instead.');
    expect(body.error.data).toMatchObject({ code: 'CONFLICT', field: 'email' });
  });
});
