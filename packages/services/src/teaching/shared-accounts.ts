// Who may trade a shared team account besides its owner: the members of the SHARED_ACCOUNT team
// that trades it (not removed ones). Kept apart from teams.ts so that the account locks
// (locks.ts) and the read models can ask without loading the teams' services.
import type { Db, Prisma } from '@lab/db';

type Tx = Prisma.TransactionClient;

/**
 * Whether `userId` may trade `accountId` as a member of the shared team that trades it (the
 * account's owner is checked elsewhere). A removed member may not.
 */
export async function tradesSharedAccount(
  db: Db | Tx,
  userId: string,
  accountId: string,
): Promise<boolean> {
  const rows = await db.$queryRaw<unknown[]>`
    SELECT 1 FROM competition_teams t
    JOIN competition_team_members m ON m.team_id = t.id
    JOIN competition_participants p ON p.id = m.participant_id
    WHERE t.account_id = ${accountId}::uuid AND t.kind = 'SHARED_ACCOUNT'
      AND p.user_id = ${userId}::uuid AND p.status <> 'REMOVED'
    LIMIT 1`;
  return rows.length > 0;
}

/** The shared accounts a user trades as a team member (beside their own accounts). */
export async function sharedAccountsOf(db: Db | Tx, userId: string) {
  return db.$queryRaw<Array<{ account_id: string; team: string; competition_id: string }>>`
    SELECT t.account_id::text AS account_id, t.name AS team, t.competition_id::text AS competition_id
    FROM competition_teams t
    JOIN competition_team_members m ON m.team_id = t.id
    JOIN competition_participants p ON p.id = m.participant_id
    WHERE t.kind = 'SHARED_ACCOUNT' AND t.account_id IS NOT NULL
      AND p.user_id = ${userId}::uuid AND p.status <> 'REMOVED' AND p.account_id <> t.account_id`;
}
