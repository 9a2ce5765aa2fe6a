import 'server-only';
import type { SessionUser } from '@lab/api';
import { sessionClaims } from '@lab/auth/next-auth';
import { getServerSession } from 'next-auth';
import { redirect } from 'next/navigation';
import { connection } from 'next/server';
import { cache } from 'react';
import { authOptions } from './auth';

/**
 * The signed-in user of this request, verified on the server: next-auth decrypts the session
 * cookie and its jwt callback looks up the server-side session it names and re-reads the user
 * (@lab/auth's resolveSession), so a sign-out, a password change, a role change or a deleted user
 * takes effect on the next request.
 */
export const getSessionUser = cache(async (): Promise<SessionUser | null> => {
  await connection(); // per request, never prerendered
  const claims = sessionClaims(await getServerSession(authOptions()));
  return claims
    ? { id: claims.id, email: claims.email, displayName: claims.name, role: claims.role }
    : null;
});

/** For pages that need a user: sends anonymous visitors to sign in, then back to `path`. */
export async function requireSessionUser(path: string): Promise<SessionUser> {
  const user = await getSessionUser();
  if (!user) redirect(`/sign-in?callbackUrl=${encodeURIComponent(path)}`);
  return user;
}
