// Who may do what in a competition, checked in the service for every call: its hosts and co-hosts
// act on it, platform admins act on every competition, a participant reads what students may read
// and acts on their own account only. Anyone else gets NOT_FOUND, exactly as for a competition
// that does not exist (the join code is what makes a competition findable).
import type { Db, Prisma } from '@lab/db';
import { AppError } from '../errors.ts';

export interface Viewer {
  userId: string;
  role: 'TRADER' | 'INSTRUCTOR' | 'ADMIN';
}

export type Relation = 'host' | 'cohost' | 'admin' | 'participant';

type Tx = Db | Prisma.TransactionClient;

export const competitionNotFound = () => new AppError('NOT_FOUND', 'Competition not found.');

export interface Access {
  competitionId: string;
  relation: Relation;
  /** The viewer's participation, when they joined. */
  participant: { id: string; accountId: string; status: 'ACTIVE' | 'OUT' | 'REMOVED' } | null;
}

/** The viewer's relation to the competition; NOT_FOUND when they have none (or it does not exist). */
export async function accessOf(db: Tx, viewer: Viewer, competitionId: string): Promise<Access> {
  const rows = await db.$queryRaw<
    Array<{
      host_role: 'HOST' | 'COHOST' | null;
      participant_id: string | null;
      account_id: string | null;
      status: 'ACTIVE' | 'OUT' | 'REMOVED' | null;
    }>
  >`
    SELECT h.role::text AS host_role, p.id::text AS participant_id, p.account_id::text AS account_id,
      p.status::text AS status
    FROM competitions c
    LEFT JOIN competition_hosts h ON h.competition_id = c.id AND h.user_id = ${viewer.userId}::uuid
    LEFT JOIN competition_participants p ON p.competition_id = c.id AND p.user_id = ${viewer.userId}::uuid
    WHERE c.id = ${competitionId}::uuid`;
  const row = rows[0];
  if (!row) throw competitionNotFound();
  const participant =
    row.participant_id && row.account_id && row.status
      ? { id: row.participant_id, accountId: row.account_id, status: row.status }
      : null;
  const relation: Relation | null =
    row.host_role === 'HOST'
      ? 'host'
      : row.host_role === 'COHOST'
        ? 'cohost'
        : viewer.role === 'ADMIN'
          ? 'admin'
          : participant
            ? 'participant'
            : null;
  if (!relation) throw competitionNotFound();
  return { competitionId, relation, participant };
}

export const isHostLike = (r: Relation) => r === 'host' || r === 'cohost' || r === 'admin';

/** Hosts, co-hosts and admins; a participant is told it is for the hosts (FORBIDDEN). */
export async function requireHost(db: Tx, viewer: Viewer, competitionId: string): Promise<Access> {
  const access = await accessOf(db, viewer, competitionId);
  if (!isHostLike(access.relation))
    throw new AppError('FORBIDDEN', 'Only the hosts of this competition can do this.');
  return access;
}

/** The host who created it, and admins: managing co-hosts. */
export async function requireOwner(db: Tx, viewer: Viewer, competitionId: string): Promise<Access> {
  const access = await accessOf(db, viewer, competitionId);
  if (access.relation !== 'host' && access.relation !== 'admin')
    throw new AppError('FORBIDDEN', 'Only the host who created this competition can do this.');
  return access;
}

/** A participant acting on their own competition account. */
export async function requireParticipant(
  db: Tx,
  viewer: Viewer,
  competitionId: string,
): Promise<Access & { participant: NonNullable<Access['participant']> }> {
  const access = await accessOf(db, viewer, competitionId);
  if (!access.participant)
    throw new AppError('FORBIDDEN', 'You have not joined this competition.', {
      reason: 'COMPETITION_NOT_JOINED',
    });
  return access as Access & { participant: NonNullable<Access['participant']> };
}
