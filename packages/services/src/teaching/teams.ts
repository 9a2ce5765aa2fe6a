// Teams: students grouped by the hosts, before the competition starts. A SHARED_ACCOUNT team
// trades one competition account, its first member's: every member may trade it (each order
// records who placed it), the members' own accounts stay unused (the rules refuse them, naming
// the team), and the team's figures are that account's. An AVERAGE team's members keep their
// own accounts; the team's score is the average of their returns. The team board ranks teams by
// that score (shared: the account's return), every member's figures from the competition board.
import type { Db, Prisma } from '@lab/db';
import { Decimal } from '@lab/margin-engine';
import { accessOf, isHostLike, requireHost, type Viewer } from '../competitions/access.ts';
import { competitionBoard, type BoardRow } from '../competitions/board.ts';
import { effectiveState } from '../competitions/rules.ts';
import { AppError } from '../errors.ts';
import type { VenuePrices } from '../trading/prices.ts';

export { sharedAccountsOf, tradesSharedAccount } from './shared-accounts.ts';

type Tx = Prisma.TransactionClient;

export type TeamKind = 'SHARED_ACCOUNT' | 'AVERAGE';

export interface TeamInput {
  name: string;
  kind: TeamKind;
  /** Members in order: a shared team trades the first one's account. */
  participantIds: string[];
}

export interface TeamView {
  id: string;
  name: string;
  kind: TeamKind;
  /** The shared account (SHARED_ACCOUNT). */
  accountId: string | null;
  members: Array<{ participantId: string; displayName: string; accountId: string }>;
}

export const MAX_TEAMS = 200;
export const MAX_TEAM_SIZE = 50;

async function teamsOf(db: Db | Tx, competitionId: string): Promise<TeamView[]> {
  const rows = await db.competitionTeam.findMany({
    where: { competitionId },
    include: {
      members: {
        include: { participant: { include: { user: { select: { displayName: true } } } } },
        orderBy: { addedAt: 'asc' },
      },
    },
    orderBy: { name: 'asc' },
  });
  return rows.map((t) => ({
    id: t.id,
    name: t.name,
    kind: t.kind,
    accountId: t.accountId,
    members: t.members.map((m) => ({
      participantId: m.participantId,
      displayName: m.participant.user.displayName,
      accountId: m.participant.accountId,
    })),
  }));
}

/** The teams, as every member of the competition may read them (isMine: the viewer's team). */
export async function listTeams(
  db: Db,
  viewer: Viewer,
  competitionId: string,
): Promise<Array<TeamView & { isMine: boolean }>> {
  const access = await accessOf(db, viewer, competitionId);
  const teams = await teamsOf(db, competitionId);
  const mine = access.participant?.id;
  const host = isHostLike(access.relation);
  return teams.map((t) => {
    const isMine = t.members.some((m) => m.participantId === mine);
    // a student sees the accounts of their own team only
    return isMine || host
      ? { ...t, isMine }
      : {
          ...t,
          isMine,
          accountId: null,
          members: t.members.map((m) => ({ ...m, accountId: '' })),
        };
  });
}

const invalid = (field: string, message: string) => new AppError('VALIDATION', message, { field });

/**
 * Replaces the competition's teams, before it starts. Names are unique, every member is a
 * participant (not removed) in at most one team; a shared team trades its first member's account.
 */
export async function setTeams(
  db: Db,
  viewer: Viewer,
  competitionId: string,
  teams: readonly TeamInput[],
): Promise<TeamView[]> {
  await requireHost(db, viewer, competitionId);
  if (teams.length > MAX_TEAMS) throw invalid('teams', `At most ${MAX_TEAMS} teams.`);
  const names = new Set<string>();
  const seen = new Set<string>();
  teams.forEach((t, i) => {
    const name = t.name.trim();
    if (!name) throw invalid(`teams.${i}.name`, 'Give every team a name.');
    if (names.has(name.toLowerCase()))
      throw invalid(`teams.${i}.name`, `Two teams are called “${name}”.`);
    names.add(name.toLowerCase());
    if (t.participantIds.length === 0)
      throw invalid(`teams.${i}.participantIds`, `“${name}” has no members.`);
    if (t.participantIds.length > MAX_TEAM_SIZE)
      throw invalid(`teams.${i}.participantIds`, `A team has at most ${MAX_TEAM_SIZE} members.`);
    for (const p of t.participantIds) {
      if (seen.has(p))
        throw invalid(`teams.${i}.participantIds`, 'A student can be in one team only.');
      seen.add(p);
    }
  });
  await db.$transaction(async (tx) => {
    const c = await tx.$queryRaw<
      Array<{
        state: 'DRAFT' | 'SCHEDULED' | 'RUNNING' | 'FINISHED' | 'ARCHIVED';
        starts_at: Date;
        ends_at: Date;
        ended_at: Date | null;
      }>
    >`SELECT state::text AS state, starts_at, ends_at, ended_at FROM competitions
      WHERE id = ${competitionId}::uuid FOR UPDATE`;
    const row = c[0]!;
    const state = effectiveState(
      {
        state: row.state,
        startsAt: row.starts_at.getTime(),
        endsAt: row.ends_at.getTime(),
        endedAt: row.ended_at?.getTime() ?? null,
      },
      Date.now(),
    );
    if (state !== 'DRAFT' && state !== 'SCHEDULED')
      throw new AppError(
        'PRECONDITION',
        'Teams are formed before the competition starts (a shared account must start untouched).',
        { reason: 'COMPETITION_STARTED', field: 'teams' },
      );
    const participants = await tx.competitionParticipant.findMany({
      where: { competitionId, id: { in: [...seen] } },
      select: { id: true, accountId: true, status: true },
    });
    const byId = new Map(participants.map((p) => [p.id, p]));
    teams.forEach((t, i) => {
      for (const id of t.participantIds) {
        const p = byId.get(id);
        if (!p || p.status === 'REMOVED')
          throw invalid(
            `teams.${i}.participantIds`,
            'A member is not a participant of this competition.',
          );
      }
    });
    await tx.competitionTeam.deleteMany({ where: { competitionId } });
    for (const t of teams) {
      const team = await tx.competitionTeam.create({
        data: {
          competitionId,
          name: t.name.trim(),
          kind: t.kind,
          accountId: t.kind === 'SHARED_ACCOUNT' ? byId.get(t.participantIds[0]!)!.accountId : null,
        },
      });
      // members in the order given (addedAt keeps it)
      const base = Date.now();
      await tx.competitionTeamMember.createMany({
        data: t.participantIds.map((participantId, k) => ({
          teamId: team.id,
          participantId,
          addedAt: new Date(base + k),
        })),
      });
    }
    await tx.competitionChange.create({
      data: {
        competitionId,
        actorId: viewer.userId,
        field: 'teams',
        before: {},
        after: teams.map((t) => ({ name: t.name.trim(), kind: t.kind, members: t.participantIds })),
      },
    });
  });
  return teamsOf(db, competitionId);
}

/**
 * The participant whose account a participant trades: the first member of their shared team,
 * else themselves.
 */
export async function tradingParticipant(db: Db | Tx, participantId: string): Promise<string> {
  const rows = await db.$queryRaw<Array<{ id: string }>>`
    SELECT a.id::text AS id FROM competition_team_members m
    JOIN competition_teams t ON t.id = m.team_id AND t.kind = 'SHARED_ACCOUNT'
    JOIN competition_participants a ON a.account_id = t.account_id
    WHERE m.participant_id = ${participantId}::uuid`;
  return rows[0]?.id ?? participantId;
}

export interface TeamStanding {
  rank: number;
  teamId: string;
  name: string;
  kind: TeamKind;
  /** Shared: the account's return; average: the mean of the members' returns (8 places). */
  score: string;
  /** Fractions, per member, as the leaderboard shows them. */
  members: Array<{ displayName: string; return: string; status: 'ACTIVE' | 'OUT' }>;
  equity: string | null;
  isMine: boolean;
}

/** The mean of the members' returns (decimal strings), to 8 places, half-even. */
export function averageReturn(returns: readonly string[]): Decimal {
  if (!returns.length) return new Decimal(0);
  return returns
    .reduce((s, r) => s.plus(r), new Decimal(0))
    .div(returns.length)
    .toDecimalPlaces(8, Decimal.ROUND_HALF_EVEN);
}

/** Teams ranked by their score (ties: name), from the competition board's figures. */
export function rankTeams(
  teams: readonly TeamView[],
  rows: readonly BoardRow[],
  me: string | null,
): TeamStanding[] {
  const byParticipant = new Map(rows.map((r) => [r.participantId, r]));
  const standings = teams.flatMap((t) => {
    const members = t.members
      .map((m) => byParticipant.get(m.participantId))
      .filter((r): r is BoardRow => r !== undefined && r.status !== 'REMOVED');
    if (!members.length) return [];
    const anchor =
      t.kind === 'SHARED_ACCOUNT' ? byParticipant.get(t.members[0]!.participantId) : undefined;
    const score =
      t.kind === 'SHARED_ACCOUNT'
        ? new Decimal(anchor?.return ?? '0')
        : averageReturn(members.map((m) => m.return));
    return [
      {
        rank: 0,
        teamId: t.id,
        name: t.name,
        kind: t.kind,
        score: score.toFixed(),
        members: members.map((m) => ({
          displayName: m.displayName,
          return: t.kind === 'SHARED_ACCOUNT' ? (anchor?.return ?? '0') : m.return,
          status: m.status === 'OUT' ? ('OUT' as const) : ('ACTIVE' as const),
        })),
        equity: anchor ? anchor.equity : null,
        isMine:
          me !== null && t.members.some((m) => byParticipant.get(m.participantId)?.userId === me),
        _score: score,
      },
    ];
  });
  standings.sort((a, b) => b._score.cmp(a._score) || a.name.localeCompare(b.name));
  return standings.map(({ _score, ...s }, i) => {
    void _score;
    return { ...s, rank: i + 1 };
  });
}

/** The team board; a hidden-until-end board shows a student only their own team, unranked. */
export async function teamLeaderboard(
  db: Db,
  prices: VenuePrices,
  viewer: Viewer,
  competitionId: string,
): Promise<{ hidden: boolean; teams: TeamStanding[] }> {
  const access = await accessOf(db, viewer, competitionId);
  const [teams, board] = await Promise.all([
    teamsOf(db, competitionId),
    competitionBoard(db, prices, competitionId),
  ]);
  const ranked = rankTeams(teams, board.rows, viewer.userId);
  const hidden =
    !isHostLike(access.relation) &&
    board.leaderboard === 'HIDDEN_UNTIL_END' &&
    board.state !== 'FINISHED' &&
    board.state !== 'ARCHIVED';
  return {
    hidden,
    teams: hidden ? ranked.filter((t) => t.isMine).map((t) => ({ ...t, rank: 0 })) : ranked,
  };
}
