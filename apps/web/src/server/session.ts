import 'server-only';
import type { SessionUser } from '@lab/api';
import { readSessionUser } from '@lab/auth/next-auth';
import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import { cache } from 'react';
import { sessionReader } from './auth';

/**
 * The signed-in user of this request, verified on the server: the session cookie is decrypted,
 * the server-side session it names looked up and the user re-read (@lab/auth's readSessionUser,
 * the answer next-auth's getServerSession gives), so a sign-out, a password change, a role change
 * or a deleted user takes effect on the next request. Reading cookies makes the page dynamic.
 */
export const getSessionUser = cache(async (): Promise<SessionUser | null> =>
  readSessionUser(sessionReader(), (await cookies()).getAll()),
);

/** For pages that need a user: sends anonymous visitors to sign in, then back to `path`. */
export async function requireSessionUser(path: string): Promise<SessionUser> {
  const user = await getSessionUser();
  if (!user) redirect(`/sign-in?callbackUrl=${encodeURIComponent(path)}`);
  return user;
}
