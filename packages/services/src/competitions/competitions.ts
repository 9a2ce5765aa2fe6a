// Competitions: create (anyone signed in hosts), edit before the start, publish, read, list, join
// by code, co-hosts, archive. A competition on a market of its own gets a simulated venue (its own
// seed and speed) that only its participants' accounts trade on; the worker runs it while the
// competition is scheduled or running (apps/worker/src/venues).
import { randomBytes, randomUUID } from 'node:crypto';
import { MAIN_VENUE } from '@lab/contracts';
import { Prisma, type Db } from '@lab/db';
import { Decimal, SYMBOLS } from '@lab/margin-engine';
import { AppError } from '../errors.ts';
import { lockUser } from '../locks.ts';
import { createFundedAccount } from '../paper-accounts.ts';
import {
  accessOf,
  competitionNotFound,
  requireHost,
  requireOwner,
  type Relation,
  type Viewer,
} from './access.ts';
import { normalizeCode, withFreshCode } from './codes.ts';
import { competitionCatalogue, effectiveState, type CompetitionState } from './rules.ts';
import { checkSettings, type CompetitionSettings } from './settings.ts';
import { recordJoinSnapshot } from './snapshots.ts';

type Tx = Prisma.TransactionClient;
type Row = Prisma.CompetitionGetPayload<{ include: typeof viewInclude }>;

const viewInclude = {
  venue: true,
  hosts: {
    include: { user: { select: { id: true, displayName: true } } },
    orderBy: { addedAt: 'asc' },
  },
  _count: { select: { participants: { where: { status: { not: 'REMOVED' } } } } },
} as const satisfies Prisma.CompetitionInclude;

const isUniqueViolation = (e: unknown) =>
  e instanceof Prisma.PrismaClientKnownRequestError && e.code === 'P2002';

/** The venue id of a competition's own market. */
export const ownVenueId = (competitionId: string) => `c-${competitionId}`;

export interface CompetitionView {
  id: string;
  code: string;
  name: string;
  description: string;
  /** At the server's now (the stored state may lag by a second). */
  state: CompetitionState;
  startsAt: number;
  endsAt: number;
  endedAt: number | null;
  finalizedAt: number | null;
  startingBalance: string;
  symbols: string[];
  maxLeverage: number;
  marginModes: 'CROSS_ONLY' | 'ISOLATED_ONLY' | 'BOTH';
  makerFeeRate: string;
  takerFeeRate: string;
  allowLateJoin: boolean;
  allowResets: boolean;
  afterLiquidation: 'OUT' | 'RESET_WITH_PENALTY' | 'CONTINUE';
  resetPenalty: string | null;
  leaderboard: 'LIVE' | 'HIDDEN_UNTIL_END';
  ranking: 'RETURN' | 'RISK_ADJUSTED';
  snapshotSeconds: number;
  market: {
    venueId: string;
    kind: 'main' | 'own';
    /** Hosts only: a student with the seed could compute the market ahead. */
    seed?: string | null;
    /** The markets that have prices here (an own market simulates those chosen at creation). */
    symbols: string[];
    ticksPerSecond: number | null;
    fundingIntervalMinutes: number | null;
  };
  hosts: Array<{ userId: string; displayName: string; role: 'HOST' | 'COHOST' }>;
  participants: number;
  /** The viewer's relation (null: a visitor with the code, before joining). */
  relation: Relation | null;
  me: {
    participantId: string;
    accountId: string;
    status: 'ACTIVE' | 'OUT' | 'REMOVED';
    resets: number;
    penaltyWithheld: string;
  } | null;
  /** Server time of the answer, for countdowns on clients whose clock is off. */
  serverTime: number;
}

const ms = (d: Date | null) => (d ? d.getTime() : null);

function stateOf(
  row: { state: CompetitionState; startsAt: Date; endsAt: Date; endedAt: Date | null },
  now: number,
) {
  return effectiveState(
    {
      state: row.state,
      startsAt: row.startsAt.getTime(),
      endsAt: row.endsAt.getTime(),
      endedAt: ms(row.endedAt),
    },
    now,
  );
}

function view(
  row: Row,
  relation: Relation | null,
  me: CompetitionView['me'],
  now: number,
): CompetitionView {
  const own = row.venue.kind === 'SIMULATED';
  const hostLike = relation === 'host' || relation === 'cohost' || relation === 'admin';
  return {
    id: row.id,
    code: row.code,
    name: row.name,
    description: row.description,
    state: stateOf(row, now),
    startsAt: row.startsAt.getTime(),
    endsAt: row.endsAt.getTime(),
    endedAt: ms(row.endedAt),
    finalizedAt: ms(row.finalizedAt),
    startingBalance: row.startingBalance.toFixed(),
    symbols: row.symbols,
    maxLeverage: row.maxLeverage,
    marginModes: row.marginModes,
    makerFeeRate: row.makerFeeRate.toFixed(),
    takerFeeRate: row.takerFeeRate.toFixed(),
    allowLateJoin: row.allowLateJoin,
    allowResets: row.allowResets,
    afterLiquidation: row.afterLiquidation,
    resetPenalty: row.resetPenalty?.toFixed() ?? null,
    leaderboard: row.leaderboard,
    ranking: row.ranking,
    snapshotSeconds: row.snapshotSeconds,
    market: {
      venueId: row.venueId,
      kind: own ? 'own' : 'main',
      ...(hostLike && own ? { seed: row.venue.seed } : {}),
      symbols: own && row.venue.symbols.length ? row.venue.symbols : [...SYMBOLS],
      ticksPerSecond: row.venue.ticksPerSecond,
      fundingIntervalMinutes: row.venue.fundingIntervalMinutes,
    },
    hosts: row.hosts.map((h) => ({
      userId: h.userId,
      displayName: h.user.displayName,
      role: h.role,
    })),
    participants: row._count.participants,
    relation,
    me,
    serverTime: now,
  };
}

async function meOf(
  db: Db | Tx,
  competitionId: string,
  userId: string,
): Promise<CompetitionView['me']> {
  const p = await db.competitionParticipant.findUnique({
    where: { competitionId_userId: { competitionId, userId } },
  });
  return p
    ? {
        participantId: p.id,
        accountId: p.accountId,
        status: p.status,
        resets: p.resets,
        penaltyWithheld: p.penaltyWithheld.toFixed(),
      }
    : null;
}

/** The columns a competition's settings set (shared by create and edit). */
function columns(s: CompetitionSettings, checked: ReturnType<typeof checkSettings>) {
  return {
    name: s.name,
    description: s.description,
    startsAt: new Date(s.startsAt),
    endsAt: new Date(s.endsAt),
    startingBalance: checked.startingBalance,
    symbols: checked.symbols,
    maxLeverage: s.maxLeverage,
    marginModes: s.marginModes,
    makerFeeRate: checked.makerFeeRate,
    takerFeeRate: checked.takerFeeRate,
    allowLateJoin: s.allowLateJoin,
    allowResets: s.allowResets,
    afterLiquidation: s.afterLiquidation,
    resetPenalty: checked.resetPenalty,
    leaderboard: s.leaderboard,
    ranking: s.ranking,
    snapshotSeconds: s.snapshotSeconds,
  };
}

function venueColumns(
  s: CompetitionSettings & { market: { kind: 'own' } },
  symbols: string[],
  name: string,
) {
  return {
    name: `${name}`.slice(0, 100),
    kind: 'SIMULATED' as const,
    seed: s.market.seed?.trim() || randomBytes(8).toString('hex'),
    ticksPerSecond: s.market.ticksPerSecond,
    fundingIntervalMinutes: s.market.fundingIntervalMinutes,
    symbols,
  };
}

const isOwn = (s: CompetitionSettings): s is CompetitionSettings & { market: { kind: 'own' } } =>
  s.market.kind === 'own';

/**
 * Creates a competition as a draft (or published at once), its host being the creator; with a
 * market of its own, its simulated venue too. A fresh join code is drawn until one is free.
 */
export async function createCompetition(
  db: Db,
  viewer: Viewer,
  settings: CompetitionSettings,
  opts: { publish?: boolean } = {},
): Promise<CompetitionView> {
  const now = Date.now();
  const checked = checkSettings(settings, now);
  const id = await withFreshCode(
    (code) =>
      db.$transaction(async (tx) => {
        const competitionId = randomUUID();
        const venueId = isOwn(settings) ? ownVenueId(competitionId) : MAIN_VENUE;
        if (isOwn(settings))
          await tx.venue.create({
            data: { id: venueId, ...venueColumns(settings, checked.symbols, settings.name) },
          });
        await tx.competition.create({
          data: {
            id: competitionId,
            code,
            ...columns(settings, checked),
            state: opts.publish ? 'SCHEDULED' : 'DRAFT',
            venueId,
            createdById: viewer.userId,
            hosts: { create: { userId: viewer.userId, role: 'HOST' } },
          },
        });
        return competitionId;
      }),
    (e) =>
      isUniqueViolation(e) && JSON.stringify((e as { meta?: unknown }).meta ?? {}).includes('code'),
  );
  return getCompetition(db, viewer, id);
}

/**
 * Changes the settings before the start (draft or scheduled). Once students joined, the market and
 * the starting balance stay (their accounts were opened on it, with it).
 */
export async function updateCompetition(
  db: Db,
  viewer: Viewer,
  competitionId: string,
  settings: CompetitionSettings,
): Promise<CompetitionView> {
  await requireHost(db, viewer, competitionId);
  const now = Date.now();
  const checked = checkSettings(settings, now);
  await db.$transaction(async (tx) => {
    const row = await lockCompetition(tx, competitionId);
    const state = stateOf(row, now);
    if (state !== 'DRAFT' && state !== 'SCHEDULED')
      throw new AppError(
        'PRECONDITION',
        'Only a competition that has not started can be edited; change its caps from the dashboard instead.',
        { reason: 'COMPETITION_STARTED' },
      );
    const joined = await tx.competitionParticipant.count({ where: { competitionId } });
    const venue = await tx.venue.findUniqueOrThrow({ where: { id: row.venueId } });
    const wasOwn = venue.kind === 'SIMULATED';
    if (joined > 0) {
      if (wasOwn !== isOwn(settings))
        throw new AppError(
          'PRECONDITION',
          'Students have joined: the market cannot change any more.',
          {
            field: 'market',
          },
        );
      if (!checked.startingBalance.eq(row.startingBalance))
        throw new AppError(
          'PRECONDITION',
          'Students have joined: the starting balance cannot change any more.',
          {
            field: 'startingBalance',
          },
        );
    }
    let venueId = row.venueId;
    if (isOwn(settings)) {
      venueId = ownVenueId(competitionId);
      const data = venueColumns(settings, checked.symbols, settings.name);
      // a seed left empty on edit keeps the one drawn before
      if (!settings.market.seed?.trim() && wasOwn && venue.seed) data.seed = venue.seed;
      await tx.venue.upsert({
        where: { id: venueId },
        create: { id: venueId, ...data },
        update: data,
      });
    } else venueId = MAIN_VENUE;
    await tx.competition.update({
      where: { id: competitionId },
      data: { ...columns(settings, checked), venueId },
    });
    if (wasOwn && !isOwn(settings)) await tx.venue.delete({ where: { id: row.venueId } });
  });
  return getCompetition(db, viewer, competitionId);
}

async function lockCompetition(tx: Tx, competitionId: string) {
  const locked = await tx.$queryRaw<unknown[]>`
    SELECT id FROM competitions WHERE id = ${competitionId}::uuid FOR UPDATE`;
  if (locked.length === 0) throw competitionNotFound();
  return tx.competition.findUniqueOrThrow({ where: { id: competitionId } });
}

/** A draft becomes scheduled: students can join with the code; trading opens at startsAt. */
export async function publishCompetition(
  db: Db,
  viewer: Viewer,
  competitionId: string,
): Promise<CompetitionView> {
  await requireHost(db, viewer, competitionId);
  await db.$transaction(async (tx) => {
    const row = await lockCompetition(tx, competitionId);
    if (row.state !== 'DRAFT')
      throw new AppError('PRECONDITION', 'This competition is already published.');
    if (row.endsAt.getTime() <= Date.now())
      throw new AppError(
        'PRECONDITION',
        'Its end is in the past; move the end before publishing.',
        {
          field: 'endsAt',
        },
      );
    await tx.competition.update({ where: { id: competitionId }, data: { state: 'SCHEDULED' } });
    await tx.competitionChange.create({
      data: {
        competitionId,
        actorId: viewer.userId,
        field: 'state',
        before: 'DRAFT',
        after: 'SCHEDULED',
      },
    });
  });
  return getCompetition(db, viewer, competitionId);
}

/** A finished competition (or a draft nobody will run) is put away; its accounts are archived. */
export async function archiveCompetition(
  db: Db,
  viewer: Viewer,
  competitionId: string,
): Promise<CompetitionView> {
  await requireHost(db, viewer, competitionId);
  await db.$transaction(async (tx) => {
    const row = await lockCompetition(tx, competitionId);
    const state = stateOf(row, Date.now());
    if (state !== 'FINISHED' && state !== 'DRAFT')
      throw new AppError(
        'PRECONDITION',
        'Only a finished competition or a draft can be archived; end it first.',
      );
    if (state === 'FINISHED' && !row.finalizedAt)
      throw new AppError(
        'PRECONDITION',
        'The final standings are still being computed; try again in a moment.',
      );
    await tx.competition.update({ where: { id: competitionId }, data: { state: 'ARCHIVED' } });
    await tx.competitionChange.create({
      data: {
        competitionId,
        actorId: viewer.userId,
        field: 'state',
        before: state,
        after: 'ARCHIVED',
      },
    });
    // the accounts (closed at the end) leave their owners' account lists
    await tx.$executeRaw`
      UPDATE paper_accounts SET status = 'ARCHIVED', archived_at = now(), version = version + 1
      WHERE id IN (SELECT account_id FROM competition_participants WHERE competition_id = ${competitionId}::uuid)
        AND status = 'ACTIVE'`;
  });
  return getCompetition(db, viewer, competitionId);
}

export async function getCompetition(
  db: Db,
  viewer: Viewer,
  competitionId: string,
): Promise<CompetitionView> {
  const access = await accessOf(db, viewer, competitionId);
  const row = await db.competition.findUnique({
    where: { id: competitionId },
    include: viewInclude,
  });
  if (!row) throw competitionNotFound();
  return view(row, access.relation, await meOf(db, competitionId, viewer.userId), Date.now());
}

export interface CompetitionListItem {
  id: string;
  code: string;
  name: string;
  state: CompetitionState;
  startsAt: number;
  endsAt: number;
  participants: number;
  market: 'main' | 'own';
  relation: Relation;
  /** The viewer's competition account (participants). */
  accountId: string | null;
}

function listItem(
  row: Row,
  relation: Relation,
  accountId: string | null,
  now: number,
): CompetitionListItem {
  return {
    id: row.id,
    code: row.code,
    name: row.name,
    state: stateOf(row, now),
    startsAt: row.startsAt.getTime(),
    endsAt: row.endsAt.getTime(),
    participants: row._count.participants,
    market: row.venue.kind === 'SIMULATED' ? 'own' : 'main',
    relation,
    accountId,
  };
}

/** The competitions the viewer hosts and those they joined, newest first. */
export async function myCompetitions(
  db: Db,
  viewer: Viewer,
): Promise<{ hosting: CompetitionListItem[]; joined: CompetitionListItem[] }> {
  const now = Date.now();
  const [hosting, joined] = await Promise.all([
    db.competition.findMany({
      where: { hosts: { some: { userId: viewer.userId } } },
      include: { ...viewInclude, hosts: { ...viewInclude.hosts } },
      orderBy: { startsAt: 'desc' },
      take: 200,
    }),
    db.competitionParticipant.findMany({
      where: { userId: viewer.userId },
      include: { competition: { include: viewInclude } },
      orderBy: { joinedAt: 'desc' },
      take: 200,
    }),
  ]);
  return {
    hosting: hosting.map((r) =>
      listItem(
        r,
        r.hosts.find((h) => h.userId === viewer.userId)?.role === 'HOST' ? 'host' : 'cohost',
        null,
        now,
      ),
    ),
    joined: joined.map((p) => listItem(p.competition, 'participant', p.accountId, now)),
  };
}

/** Every competition (platform admins), newest first. */
export async function allCompetitions(
  db: Db,
  opts: { limit: number },
): Promise<CompetitionListItem[]> {
  const now = Date.now();
  const rows = await db.competition.findMany({
    include: viewInclude,
    orderBy: { createdAt: 'desc' },
    take: opts.limit,
  });
  return rows.map((r) => listItem(r, 'admin', null, now));
}

/** What a student sees before joining: the rules, by the code the host gave them. */
export async function previewByCode(
  db: Db,
  viewer: Viewer,
  rawCode: string,
): Promise<CompetitionView> {
  const code = normalizeCode(rawCode);
  const row = await db.competition.findUnique({ where: { code }, include: viewInclude });
  if (!row || row.state === 'DRAFT' || row.state === 'ARCHIVED')
    throw new AppError(
      'NOT_FOUND',
      `No open competition has the code ${code}; check it with your host.`,
      {
        field: 'code',
      },
    );
  let relation: Relation | null = null;
  try {
    relation = (await accessOf(db, viewer, row.id)).relation;
  } catch {
    relation = null;
  }
  return view(row, relation, await meOf(db, row.id, viewer.userId), Date.now());
}

/**
 * Joins by code: one competition account per student, funded with the starting balance, on the
 * competition's market. Joining again returns the participation already there.
 */
export async function joinCompetition(
  db: Db,
  viewer: Viewer,
  rawCode: string,
): Promise<{ competitionId: string; accountId: string; alreadyJoined: boolean }> {
  const code = normalizeCode(rawCode);
  const notOpen = () =>
    new AppError(
      'NOT_FOUND',
      `No open competition has the code ${code}; check it with your host.`,
      {
        field: 'code',
      },
    );
  try {
    return await db.$transaction(async (tx) => {
      if (!(await lockUser(tx, viewer.userId)))
        throw new AppError('UNAUTHORIZED', 'Sign in to do this.');
      const found = await tx.competition.findUnique({ where: { code }, select: { id: true } });
      if (!found) throw notOpen();
      const c = await lockCompetition(tx, found.id);
      const existing = await tx.competitionParticipant.findUnique({
        where: { competitionId_userId: { competitionId: c.id, userId: viewer.userId } },
      });
      if (existing) {
        if (existing.status === 'REMOVED')
          throw new AppError('FORBIDDEN', 'A host removed you from this competition.', {
            reason: 'COMPETITION_REMOVED',
          });
        return { competitionId: c.id, accountId: existing.accountId, alreadyJoined: true };
      }
      const now = Date.now();
      const state = stateOf(c, now);
      if (state === 'DRAFT' || state === 'ARCHIVED') throw notOpen();
      if (state === 'FINISHED')
        throw new AppError('PRECONDITION', `“${c.name}” has ended; it takes no new students.`, {
          reason: 'COMPETITION_NOT_RUNNING',
        });
      if (state === 'RUNNING' && !c.allowLateJoin)
        throw new AppError('PRECONDITION', `“${c.name}” has started and takes no late joiners.`, {
          reason: 'COMPETITION_NO_LATE_JOIN',
        });
      const host = await tx.competitionHost.findUnique({
        where: { competitionId_userId: { competitionId: c.id, userId: viewer.userId } },
      });
      if (host)
        throw new AppError(
          'PRECONDITION',
          'You host this competition; hosts run it and do not trade in it.',
          {
            reason: 'COMPETITION_HOST_CANNOT_JOIN',
          },
        );
      const accountId = await createFundedAccount(tx, viewer.userId, {
        name: c.name.slice(0, 64),
        kind: 'COMPETITION',
        startingBalance: c.startingBalance,
        venueId: c.venueId,
        // an isolated-only class: the student's markets start isolated, so the first order is
        // not refused for a mode they never chose
        ...(c.marginModes === 'ISOLATED_ONLY'
          ? {
              isolated: {
                symbols: c.symbols,
                catalogue: competitionCatalogue({
                  maxLeverage: c.maxLeverage,
                  makerFeeRate: new Decimal(c.makerFeeRate.toFixed()),
                  takerFeeRate: new Decimal(c.takerFeeRate.toFixed()),
                }),
              },
            }
          : {}),
      });
      const participant = await tx.competitionParticipant.create({
        data: { competitionId: c.id, userId: viewer.userId, accountId },
      });
      // a late joiner's series starts now, at the starting balance (the others' at startsAt)
      if (state === 'RUNNING')
        await recordJoinSnapshot(
          tx,
          { competitionId: c.id, participantId: participant.id, accountId },
          c.startingBalance,
          now,
        );
      return { competitionId: c.id, accountId, alreadyJoined: false };
    });
  } catch (e) {
    // two joins of one student raced (the user lock serialises them within one database)
    if (isUniqueViolation(e)) {
      const found = await db.competition.findUnique({ where: { code }, select: { id: true } });
      const p = found
        ? await db.competitionParticipant.findUnique({
            where: { competitionId_userId: { competitionId: found.id, userId: viewer.userId } },
          })
        : null;
      if (p) return { competitionId: p.competitionId, accountId: p.accountId, alreadyJoined: true };
    }
    throw e;
  }
}

/** Adds a co-host (a teaching assistant) by the email they signed up with. */
export async function addCohost(
  db: Db,
  viewer: Viewer,
  competitionId: string,
  email: string,
): Promise<CompetitionView> {
  await requireOwner(db, viewer, competitionId);
  const user = await db.user.findUnique({
    where: { email: email.trim().toLowerCase() },
    select: { id: true },
  });
  if (!user)
    throw new AppError(
      'NOT_FOUND',
      'Nobody has signed up with this email; ask them to sign up first.',
      {
        field: 'email',
      },
    );
  const joined = await db.competitionParticipant.findUnique({
    where: { competitionId_userId: { competitionId, userId: user.id } },
  });
  if (joined)
    throw new AppError(
      'PRECONDITION',
      'This person competes in the competition; a participant cannot co-host it.',
      {
        field: 'email',
      },
    );
  await db.$transaction(async (tx) => {
    await tx.competitionHost.upsert({
      where: { competitionId_userId: { competitionId, userId: user.id } },
      create: { competitionId, userId: user.id, role: 'COHOST' },
      update: {},
    });
    await tx.competitionChange.create({
      data: {
        competitionId,
        actorId: viewer.userId,
        field: 'cohosts',
        before: Prisma.JsonNull,
        after: { added: user.id },
      },
    });
  });
  return getCompetition(db, viewer, competitionId);
}

export async function removeCohost(
  db: Db,
  viewer: Viewer,
  competitionId: string,
  userId: string,
): Promise<CompetitionView> {
  await requireOwner(db, viewer, competitionId);
  const host = await db.competitionHost.findUnique({
    where: { competitionId_userId: { competitionId, userId } },
  });
  if (!host || host.role !== 'COHOST')
    throw new AppError('NOT_FOUND', 'This person is not a co-host of the competition.', {
      field: 'userId',
    });
  await db.$transaction(async (tx) => {
    await tx.competitionHost.delete({ where: { competitionId_userId: { competitionId, userId } } });
    await tx.competitionChange.create({
      data: {
        competitionId,
        actorId: viewer.userId,
        field: 'cohosts',
        before: { removed: userId },
        after: Prisma.JsonNull,
      },
    });
  });
  return getCompetition(db, viewer, competitionId);
}
