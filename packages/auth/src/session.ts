// Server-side sessions. Signing in creates a row in `sessions` and puts a random id (32 bytes) in
// the session cookie; only the id's SHA-256 is stored, so reading the table gives no usable
// token. Every request needs the row and re-reads the user: sign-out deletes the row, a password
// change deletes every row of the user, a deleted user takes theirs along, and a session unused
// for SESSION_MAX_AGE_SECONDS ends. A saved cookie is worth nothing once its row is gone.
import { createHash, randomBytes } from 'node:crypto';
import { Prisma, queryRows, type Db } from '@lab/db';
import type { AuthUser } from './user.ts';

/** A session unused for this long ends (next-auth's cookie lives as long). */
export const SESSION_MAX_AGE_SECONDS = 30 * 24 * 60 * 60;
/** How often a session in use has its end moved forward (one write a day at most). */
export const SESSION_REFRESH_SECONDS = 24 * 60 * 60;

type Client = Db | Prisma.TransactionClient;

/** base64url of 32 random bytes. */
const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;

export const hashSessionId = (id: string): string => createHash('sha256').update(id).digest('hex');

const expiry = (from: number) => new Date(from + SESSION_MAX_AGE_SECONDS * 1000);

/**
 * Starts a session for the user; returns the id the cookie carries. The client address that
 * signed in is kept with it (a competition host's integrity signals), when known.
 */
export async function createSession(
  db: Db,
  userId: string,
  opts: { clientAddress?: string | undefined } = {},
): Promise<string> {
  const id = randomBytes(32).toString('base64url');
  const now = Date.now();
  await db.$transaction([
    // The user's ended sessions go when a new one starts (see also pruneExpiredSessions).
    db.session.deleteMany({ where: { userId, expiresAt: { lte: new Date(now) } } }),
    db.session.create({
      data: {
        tokenHash: hashSessionId(id),
        userId,
        expiresAt: expiry(now),
        clientAddress: opts.clientAddress?.slice(0, 64) ?? null,
      },
    }),
  ]);
  return id;
}

/** The user of a live session, re-read from the database; null for anything else. */
export async function resolveSession(db: Db, sessionId: unknown): Promise<AuthUser | null> {
  if (typeof sessionId !== 'string' || !SESSION_ID.test(sessionId)) return null;
  const tokenHash = hashSessionId(sessionId);
  const now = Date.now();
  // one statement on every signed-in request (Prisma's nested select would send two)
  const [row] = await queryRows<AuthUser & { expiresAt: Date }>(
    db,
    Prisma.sql`
    SELECT u.id::text AS id, u.email, u.display_name AS "displayName", u.role::text AS role,
           s.expires_at AS "expiresAt"
      FROM sessions s JOIN users u ON u.id = s.user_id
     WHERE s.token_hash = ${tokenHash}`,
  );
  if (!row || row.expiresAt.getTime() <= now) return null;
  const refreshBy = now + (SESSION_MAX_AGE_SECONDS - SESSION_REFRESH_SECONDS) * 1000;
  if (row.expiresAt.getTime() < refreshBy) {
    await db.session.updateMany({
      where: { tokenHash, expiresAt: { gt: new Date(now) } },
      data: { expiresAt: expiry(now) },
    });
  }
  return { id: row.id, email: row.email, displayName: row.displayName, role: row.role };
}

/** Ends one session (sign-out). Unknown or malformed ids are ignored. */
export async function endSession(db: Db, sessionId: unknown): Promise<void> {
  if (typeof sessionId !== 'string' || !SESSION_ID.test(sessionId)) return;
  await db.session.deleteMany({ where: { tokenHash: hashSessionId(sessionId) } });
}

/** Ends every session of the user (password change); returns how many there were. */
export async function endUserSessions(db: Client, userId: string): Promise<number> {
  return (await db.session.deleteMany({ where: { userId } })).count;
}

/** Deletes sessions that ended. Safe to call at any time. */
export async function pruneExpiredSessions(db: Db): Promise<number> {
  return (await db.session.deleteMany({ where: { expiresAt: { lte: new Date() } } })).count;
}
