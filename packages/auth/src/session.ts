import type { Db } from '@lab/db';
import { authUserSelect, type AuthUser } from './user.ts';

/**
 * The user behind a session token, re-read from the database on every request: a deleted user, a
 * changed password (sessionVersion bumped) or a changed role takes effect at once.
 */
export async function resolveSessionUser(
  db: Db,
  claims: { userId: unknown; sessionVersion: unknown },
): Promise<AuthUser | null> {
  if (typeof claims.userId !== 'string' || typeof claims.sessionVersion !== 'number') return null;
  if (!/^[0-9a-f-]{36}$/i.test(claims.userId)) return null;
  const user = await db.user.findUnique({ where: { id: claims.userId }, select: authUserSelect });
  if (!user || user.sessionVersion !== claims.sessionVersion) return null;
  return user;
}
