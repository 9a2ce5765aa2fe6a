// Authorization of every procedure, enumerated from the router so that a new procedure cannot be
// forgotten: anonymous callers get UNAUTHORIZED (except the listed public procedures), a second
// user gets NOT_FOUND or FORBIDDEN for the first user's account on every procedure whose input
// has an `accountId`, and admin procedures are FORBIDDEN below the admin role.
import { randomUUID } from 'node:crypto';
import type { AnyProcedure } from '@trpc/server';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { appRouter } from '../src/root.ts';
import { callerFor, createUser, type CreatedUser } from '../src/testing/index.ts';
import {
  createApiKey,
  placeOrder,
  setLeverage,
  setMarginMode,
  StaticPrices,
  systemActor,
} from '@lab/services';
import { tick } from '@lab/services/testing';
import { trpcError, useTestDb } from './helpers.ts';

const t = useTestDb();

const procedures = Object.entries(
  appRouter._def.procedures as unknown as Record<string, AnyProcedure>,
);

/** Procedures anyone may call. Adding one here is a security decision: say why. */
const PUBLIC = new Set([
  'health.check', // liveness of the platform
  'auth.signUp', // creating a user needs no session
  // Market data is public (the landing page and signed-out visitors see prices).
  'market.instruments',
  'market.tickers',
  'market.ticker',
  'market.candles',
]);

/** Whether a procedure's input has an account id (at the top level of any of its input objects). */
function isAccountScoped(proc: AnyProcedure): boolean {
  const inputs = (proc._def as { inputs: unknown[] }).inputs;
  return inputs.some(
    (i) => i instanceof z.ZodObject && Object.keys(i.shape).some((k) => /accountId$/i.test(k)),
  );
}

/** Live prices for the owner's calls, so that trading procedures run for real. */
const prices = new StaticPrices().set('BTCUSDT', { markPrice: '50000', lastPrice: '50000' });

/**
 * A resting order on the account to act on (placed by the system, as no user may on another's
 * account); an unknown account gets an id in the engine's format that matches nothing.
 */
async function sampleOrder(accountId: string): Promise<string> {
  if (!(await t.db.paperAccount.findUnique({ where: { id: accountId } }))) return `${accountId}-1`;
  const placed = await placeOrder(t.db, prices, systemActor('test'), accountId, {
    symbol: 'BTCUSDT',
    side: 'buy',
    type: 'limit',
    quantity: '0.01',
    price: '40000',
  });
  return placed.order.id;
}

/** A bot API key on the account, made by its owner (a made-up id for an unknown account). */
async function sampleKey(accountId: string): Promise<string> {
  const account = await t.db.paperAccount.findUnique({ where: { id: accountId } });
  if (!account) return randomUUID();
  process.env.LAB_API_KEY_SECRET ??= 'authorization-test-api-key-secret-0123456789';
  const key = await createApiKey(t.db, account.userId, accountId, {
    label: 'owner bot',
    permission: 'trade',
  });
  return key.id;
}

/**
 * A liquidation on the account: an isolated 50x SOL long of 20 at 150 (margin 60, maintenance
 * 1%) that a fall to 148 liquidates; an unknown account gets an id that matches nothing.
 */
async function sampleLiquidation(accountId: string): Promise<string> {
  if (!(await t.db.paperAccount.findUnique({ where: { id: accountId } }))) return '1';
  const sol = new StaticPrices().set('SOLUSDT', { markPrice: '150', lastPrice: '150' });
  const system = systemActor('test');
  await setMarginMode(t.db, sol, system, accountId, { symbol: 'SOLUSDT', marginMode: 'isolated' });
  await setLeverage(t.db, sol, system, accountId, { symbol: 'SOLUSDT', leverage: 50 });
  await placeOrder(t.db, sol, system, accountId, {
    symbol: 'SOLUSDT',
    side: 'buy',
    type: 'market',
    quantity: '20',
  });
  await tick(t.db, sol, accountId, 'SOLUSDT', '148');
  const row = await t.db.liquidation.findFirstOrThrow({
    where: { accountId },
    orderBy: { id: 'desc' },
  });
  return row.id.toString();
}

const order = { symbol: 'BTCUSDT', side: 'buy', quantity: '0.01' } as const;
const page = (accountId: string) => ({ accountId, limit: 10 });

/**
 * A valid input for each account-scoped procedure, given the account id. A new account-scoped
 * procedure fails the suite until it has an entry here.
 */
const SAMPLE_INPUT: Record<string, (accountId: string) => unknown> = {
  'account.get': (accountId) => ({ accountId }),
  'teaching.noteRequirement': (accountId) => ({ accountId }),
  'account.events': (accountId) => ({ accountId, limit: 10 }),
  'account.reset': (accountId) => ({ accountId }),
  'account.archive': (accountId) => ({ accountId }),
  'account.restore': (accountId) => ({ accountId }),
  'account.rename': (accountId) => ({ accountId, name: 'Stolen' }),
  'trade.placeOrder': (accountId) => ({ accountId, ...order, type: 'limit', price: '40000' }),
  'trade.previewOrder': (accountId) => ({ accountId, ...order, type: 'market' }),
  'trade.amendOrder': async (accountId) => ({
    accountId,
    orderId: await sampleOrder(accountId),
    price: '40100',
  }),
  'trade.cancelOrder': async (accountId) => ({ accountId, orderId: await sampleOrder(accountId) }),
  'trade.cancelAllOrders': (accountId) => ({ accountId, symbol: 'BTCUSDT' }),
  'trade.closePosition': (accountId) => ({ accountId, symbol: 'BTCUSDT' }),
  'trade.setLeverage': (accountId) => ({ accountId, symbol: 'BTCUSDT', leverage: 10 }),
  'trade.setMarginMode': (accountId) => ({ accountId, symbol: 'ETHUSDT', marginMode: 'isolated' }),
  'trade.adjustMargin': (accountId) => ({
    accountId,
    symbol: 'BTCUSDT',
    action: 'add',
    amount: '10',
  }),
  'trade.summary': (accountId) => ({ accountId }),
  'trade.positions': (accountId) => ({ accountId }),
  'trade.settings': (accountId) => ({ accountId }),
  'trade.order': async (accountId) => ({ accountId, orderId: await sampleOrder(accountId) }),
  'trade.openOrders': page,
  'trade.orderHistory': page,
  'trade.fills': page,
  'trade.fundingPayments': page,
  'trade.liquidations': page,
  'trade.liquidationStory': async (accountId) => ({
    accountId,
    liquidationId: await sampleLiquidation(accountId),
  }),
  'trade.ledger': page,
  'apiKeys.list': (accountId) => ({ accountId }),
  'apiKeys.create': (accountId) => ({ accountId, label: 'stolen bot', permission: 'trade' }),
  'apiKeys.revoke': async (accountId) => ({ accountId, apiKeyId: await sampleKey(accountId) }),
};

/** Inputs for the other non-public procedures (only needs to pass validation for the role checks). */
const OTHER_INPUT: Record<string, unknown> = {
  'account.open': { name: 'Mine', startingBalance: '1000' },
  'user.updateProfile': { displayName: 'New name' },
  'user.changePassword': { currentPassword: 'whatever-1', newPassword: 'another-Pass-2' },
  'admin.users': {},
  'admin.setRole': { userId: randomUUID(), role: 'INSTRUCTOR' },
  'admin.houseBooks': undefined,
  'admin.insuranceMovements': {},
};

function call(caller: unknown, path: string, input: unknown): Promise<unknown> {
  const fn = path
    .split('.')
    .reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], caller);
  return (fn as (i: unknown) => Promise<unknown>)(input);
}

const accountScoped = procedures.filter(([, p]) => isAccountScoped(p)).map(([path]) => path);
const adminOnly = procedures.filter(([path]) => path.startsWith('admin.')).map(([path]) => path);

let owner: CreatedUser;
let intruder: CreatedUser;
let extraAccountId: string;

beforeAll(async () => {
  owner = await createUser(t.db, { displayName: 'Owner' });
  intruder = await createUser(t.db, { displayName: 'Intruder' });
  extraAccountId = (
    await callerFor(t.db, owner.user).account.open({ name: 'Extra', startingBalance: '1000' })
  ).id;
});

describe('the router', () => {
  it('has account-scoped procedures, each with a sample input here', () => {
    expect(accountScoped.length).toBeGreaterThanOrEqual(6);
    const missing = accountScoped.filter((p) => !SAMPLE_INPUT[p]);
    expect(missing, 'add a SAMPLE_INPUT entry for these account-scoped procedures').toEqual([]);
  });
});

describe.each(procedures.filter(([path]) => !PUBLIC.has(path)).map(([path]) => path))(
  '%s',
  (path) => {
    it('rejects anonymous callers with UNAUTHORIZED', async () => {
      const input = (await SAMPLE_INPUT[path]?.(owner.accountId)) ?? OTHER_INPUT[path];
      const err = await trpcError(call(callerFor(t.db, null), path, input));
      expect(err.code).toBe('UNAUTHORIZED');
    });
  },
);

describe.each(accountScoped)('%s (account-scoped)', (path) => {
  it("gives another user NOT_FOUND or FORBIDDEN for the owner's accounts and changes nothing", async () => {
    const sample = SAMPLE_INPUT[path]!;
    for (const accountId of [owner.accountId, extraAccountId]) {
      const input = await sample(accountId);
      const before = await t.db.paperAccount.findUniqueOrThrow({ where: { id: accountId } });
      const events = await t.db.accountEvent.count({ where: { accountId } });
      const err = await trpcError(
        call(callerFor(t.db, intruder.user, '127.0.0.1', prices), path, input),
      );
      expect(['NOT_FOUND', 'FORBIDDEN']).toContain(err.code);
      expect(await t.db.paperAccount.findUniqueOrThrow({ where: { id: accountId } })).toEqual(
        before,
      );
      expect(await t.db.accountEvent.count({ where: { accountId } })).toBe(events);
    }
  });

  it('answers an unknown account id exactly like a foreign one', async () => {
    const err = await trpcError(
      call(callerFor(t.db, intruder.user), path, await SAMPLE_INPUT[path]!(randomUUID())),
    );
    expect(err.code).toBe('NOT_FOUND');
    expect(err.message).toBe('Account not found.');
  });

  it('does not deny the owner (the sample input is valid)', async () => {
    try {
      await call(
        callerFor(t.db, owner.user, '127.0.0.1', prices),
        path,
        await SAMPLE_INPUT[path]!(owner.accountId),
      );
    } catch (e) {
      // A business rule may refuse (e.g. the personal account cannot be archived); access may not.
      expect((e as { code: string }).code).not.toMatch(
        /NOT_FOUND|FORBIDDEN|UNAUTHORIZED|BAD_REQUEST/,
      );
    }
  });
});

describe.each(adminOnly)('%s (admin only)', (path) => {
  it.each(['TRADER', 'INSTRUCTOR'] as const)('is FORBIDDEN for a %s', async (role) => {
    const u = await createUser(t.db, { role });
    const err = await trpcError(call(callerFor(t.db, u.user), path, OTHER_INPUT[path]));
    expect(err.code).toBe('FORBIDDEN');
  });
});

// --- Competitions (issue 17) ---
// Every procedure whose input has a `competitionId` is competition-scoped, and says here who may
// call it: members (hosts, co-hosts, admins and participants), the participant (their own
// account), the hosts (hosts, co-hosts, admins), or the owner (the host who created it, admins).
// An outsider gets NOT_FOUND exactly as for an unknown id and changes nothing; a participant gets
// FORBIDDEN on the hosts' procedures, a host who has not joined FORBIDDEN on the participant's.

type CompetitionScope = 'member' | 'participant' | 'host' | 'owner';

interface CompetitionFixture {
  competitionId: string;
  participantId: string;
  host: CreatedUser;
  cohost: CreatedUser;
  student: CreatedUser;
}

const settingsInput = () => ({
  name: 'Authz class',
  description: '',
  startsAt: Date.now(),
  endsAt: Date.now() + 3_600_000,
  startingBalance: '10000',
  symbols: ['BTCUSDT'],
  maxLeverage: 10,
  marginModes: 'BOTH',
  makerFeeRate: '0',
  takerFeeRate: '0.0005',
  allowLateJoin: true,
  allowResets: true,
  afterLiquidation: 'CONTINUE',
  resetPenalty: '0.1',
  leaderboard: 'LIVE',
  ranking: 'RETURN',
  snapshotSeconds: 60,
  market: { kind: 'own', ticksPerSecond: 4, fundingIntervalMinutes: 5 },
});

const COMPETITION_SCOPE: Record<string, CompetitionScope> = {
  'competition.get': 'member',
  'competition.leaderboard': 'member',
  'competition.announcements': 'member',
  'competition.equityCurve': 'participant',
  'competition.resetMine': 'participant',
  'competition.exportMyTrades': 'participant',
  'competition.exportMyEquity': 'participant',
  'competition.update': 'host',
  'competition.publish': 'host',
  'competition.archive': 'host',
  'competition.dashboard': 'host',
  'competition.participant': 'host',
  'competition.changes': 'host',
  'competition.announce': 'host',
  'competition.marketEvent': 'host',
  'competition.changeRules': 'host',
  'competition.resetParticipant': 'host',
  'competition.removeParticipant': 'host',
  'competition.endEarly': 'host',
  'competition.exportStandings': 'host',
  'competition.exportTrades': 'host',
  'competition.addCohost': 'owner',
  'competition.removeCohost': 'owner',
  // teaching (issue 18)
  'teaching.get': 'member',
  'teaching.teams': 'member',
  'teaching.teamLeaderboard': 'member',
  'teaching.myCompliance': 'participant',
  'teaching.updateSettings': 'host',
  'teaching.setRules': 'host',
  'teaching.compliance': 'host',
  'teaching.participantOrders': 'host',
  'teaching.setTeams': 'host',
  'teaching.integrity': 'host',
  'teaching.classReport': 'host',
  'teaching.exportClassReport': 'host',
  'teaching.exportOrders': 'host',
};

/** A valid input of each competition-scoped procedure for the fixture. */
const COMPETITION_INPUT: Record<string, (fx: CompetitionFixture) => unknown> = {
  'competition.get': (fx) => ({ competitionId: fx.competitionId }),
  'competition.leaderboard': (fx) => ({ competitionId: fx.competitionId }),
  'competition.announcements': (fx) => ({ competitionId: fx.competitionId, limit: 10 }),
  'competition.equityCurve': (fx) => ({ competitionId: fx.competitionId }),
  'competition.resetMine': (fx) => ({ competitionId: fx.competitionId }),
  'competition.exportMyTrades': (fx) => ({ competitionId: fx.competitionId }),
  'competition.exportMyEquity': (fx) => ({ competitionId: fx.competitionId }),
  'competition.update': (fx) => ({ competitionId: fx.competitionId, ...settingsInput() }),
  'competition.publish': (fx) => ({ competitionId: fx.competitionId }),
  'competition.archive': (fx) => ({ competitionId: fx.competitionId }),
  'competition.dashboard': (fx) => ({ competitionId: fx.competitionId }),
  'competition.participant': (fx) => ({
    competitionId: fx.competitionId,
    participantId: fx.participantId,
  }),
  'competition.changes': (fx) => ({ competitionId: fx.competitionId, limit: 10 }),
  'competition.announce': (fx) => ({ competitionId: fx.competitionId, text: 'Hijacked' }),
  'competition.marketEvent': (fx) => ({
    competitionId: fx.competitionId,
    event: { type: 'crash', percent: 30, durationMs: 5000 },
    note: 'Hijacked',
  }),
  'competition.changeRules': (fx) => ({ competitionId: fx.competitionId, maxLeverage: 2 }),
  'competition.resetParticipant': (fx) => ({
    competitionId: fx.competitionId,
    participantId: fx.participantId,
  }),
  'competition.removeParticipant': (fx) => ({
    competitionId: fx.competitionId,
    participantId: fx.participantId,
  }),
  'competition.endEarly': (fx) => ({ competitionId: fx.competitionId }),
  'competition.exportStandings': (fx) => ({ competitionId: fx.competitionId }),
  'competition.exportTrades': (fx) => ({ competitionId: fx.competitionId }),
  'competition.addCohost': (fx) => ({ competitionId: fx.competitionId, email: intruder.email }),
  'competition.removeCohost': async (fx) => {
    // the co-host is there again for each call (a call that was allowed removed them)
    await t.db.competitionHost.upsert({
      where: {
        competitionId_userId: { competitionId: fx.competitionId, userId: fx.cohost.user.id },
      },
      create: { competitionId: fx.competitionId, userId: fx.cohost.user.id, role: 'COHOST' },
      update: {},
    });
    return { competitionId: fx.competitionId, userId: fx.cohost.user.id };
  },
  'teaching.get': (fx) => ({ competitionId: fx.competitionId }),
  'teaching.teams': (fx) => ({ competitionId: fx.competitionId }),
  'teaching.teamLeaderboard': (fx) => ({ competitionId: fx.competitionId }),
  'teaching.myCompliance': (fx) => ({ competitionId: fx.competitionId }),
  'teaching.updateSettings': (fx) => ({ competitionId: fx.competitionId, notesRequired: true }),
  'teaching.setRules': (fx) => ({
    competitionId: fx.competitionId,
    rules: [{ kind: 'MAX_LEVERAGE', params: { max: '2' } }],
  }),
  'teaching.compliance': (fx) => ({ competitionId: fx.competitionId }),
  'teaching.participantOrders': (fx) => ({
    competitionId: fx.competitionId,
    participantId: fx.participantId,
  }),
  'teaching.setTeams': (fx) => ({
    competitionId: fx.competitionId,
    teams: [{ name: 'Hijacked', kind: 'AVERAGE', participantIds: [fx.participantId] }],
  }),
  'teaching.integrity': (fx) => ({ competitionId: fx.competitionId }),
  'teaching.classReport': (fx) => ({ competitionId: fx.competitionId }),
  'teaching.exportClassReport': (fx) => ({ competitionId: fx.competitionId }),
  'teaching.exportOrders': (fx) => ({ competitionId: fx.competitionId }),
};

const isCompetitionScoped = (proc: AnyProcedure): boolean =>
  (proc._def as { inputs: unknown[] }).inputs.some(
    (i) => i instanceof z.ZodObject && 'competitionId' in i.shape,
  );
const competitionScoped = procedures
  .filter(([, p]) => isCompetitionScoped(p))
  .map(([path]) => path);

/** A running competition on its own market with a host, a co-host and one student who traded. */
async function competitionFixture(): Promise<CompetitionFixture> {
  const host = await createUser(t.db, { displayName: 'Host' });
  const cohost = await createUser(t.db, { displayName: 'TA' });
  const student = await createUser(t.db, { displayName: 'Student' });
  const asHost = callerFor(t.db, host.user, '127.0.0.1', prices);
  const c = await asHost.competition.create({ ...settingsInput(), publish: true } as never);
  await asHost.competition.addCohost({ competitionId: c.id, email: cohost.email });
  const joined = await callerFor(t.db, student.user).competition.join({ code: c.code });
  const participant = await t.db.competitionParticipant.findUniqueOrThrow({
    where: { accountId: joined.accountId },
  });
  return { competitionId: c.id, participantId: participant.id, host, cohost, student };
}

/** Everything an unauthorised call could change about the competition and its participants. */
async function competitionState(fx: CompetitionFixture) {
  const id = fx.competitionId;
  return {
    competition: await t.db.competition.findUniqueOrThrow({ where: { id } }),
    hosts: await t.db.competitionHost.findMany({ where: { competitionId: id } }),
    participants: await t.db.competitionParticipant.findMany({ where: { competitionId: id } }),
    announcements: await t.db.competitionAnnouncement.count({ where: { competitionId: id } }),
    changes: await t.db.competitionChange.count({ where: { competitionId: id } }),
    events: await t.db.accountEvent.count({
      where: {
        accountId: {
          in: (
            await t.db.competitionParticipant.findMany({
              where: { competitionId: id },
              select: { accountId: true },
            })
          ).map((p) => p.accountId),
        },
      },
    }),
    teaching: await t.db.competitionTeaching.findUnique({ where: { competitionId: id } }),
    riskRules: await t.db.competitionRiskRule.count({ where: { competitionId: id } }),
    teams: await t.db.competitionTeam.count({ where: { competitionId: id } }),
  };
}

const DENIED = /NOT_FOUND|FORBIDDEN|UNAUTHORIZED|BAD_REQUEST/;

async function expectAllowed(p: Promise<unknown>) {
  try {
    await p;
  } catch (e) {
    // a business rule may refuse (e.g. archiving a running competition); access may not
    expect((e as { code: string }).code).not.toMatch(DENIED);
  }
}

describe('the competition procedures', () => {
  it('are competition-scoped with a scope and a sample input here', () => {
    expect(competitionScoped.length).toBeGreaterThanOrEqual(20);
    const missing = competitionScoped.filter((p) => !COMPETITION_SCOPE[p] || !COMPETITION_INPUT[p]);
    expect(missing, 'add COMPETITION_SCOPE and COMPETITION_INPUT entries').toEqual([]);
  });

  it('competition.all is for admins only', async () => {
    for (const role of ['TRADER', 'INSTRUCTOR'] as const) {
      const u = await createUser(t.db, { role });
      const err = await trpcError(callerFor(t.db, u.user).competition.all({ limit: 10 }));
      expect(err.code).toBe('FORBIDDEN');
    }
    const admin = await createUser(t.db, { role: 'ADMIN' });
    await expect(
      callerFor(t.db, admin.user).competition.all({ limit: 10 }),
    ).resolves.toBeInstanceOf(Array);
  });
});

describe.each(competitionScoped)('%s (competition-scoped)', (path) => {
  let fx: CompetitionFixture;
  beforeAll(async () => {
    fx = await competitionFixture();
  });
  const as = (u: CreatedUser) => callerFor(t.db, u.user, '127.0.0.1', prices);

  it('gives an outsider NOT_FOUND and changes nothing', async () => {
    const before = await competitionState(fx);
    const err = await trpcError(call(as(intruder), path, await COMPETITION_INPUT[path]!(fx)));
    expect(err.code).toBe('NOT_FOUND');
    expect(err.message).toBe('Competition not found.');
    expect(await competitionState(fx)).toEqual(before);
  });

  it('answers an unknown competition id exactly like a foreign one', async () => {
    const input = {
      ...((await COMPETITION_INPUT[path]!(fx)) as object),
      competitionId: randomUUID(),
    };
    const err = await trpcError(call(as(fx.host), path, input));
    expect(err.code).toBe('NOT_FOUND');
    expect(err.message).toBe('Competition not found.');
  });

  it('refuses members who are not in its scope (FORBIDDEN) and changes nothing', async () => {
    const scope = COMPETITION_SCOPE[path]!;
    const refused =
      scope === 'participant'
        ? [fx.host, fx.cohost]
        : scope === 'host'
          ? [fx.student]
          : scope === 'owner'
            ? [fx.student, fx.cohost]
            : [];
    for (const u of refused) {
      const before = await competitionState(fx);
      const err = await trpcError(call(as(u), path, await COMPETITION_INPUT[path]!(fx)));
      expect(err.code).toBe('FORBIDDEN');
      expect(await competitionState(fx)).toEqual(before);
    }
  });

  it('does not deny those in its scope, admins included for the hosts’ procedures', async () => {
    const scope = COMPETITION_SCOPE[path]!;
    const admin = await createUser(t.db, { role: 'ADMIN' });
    const allowed =
      scope === 'participant'
        ? [fx.student]
        : scope === 'member'
          ? [fx.student, fx.cohost, fx.host, admin]
          : scope === 'host'
            ? [fx.cohost, admin, fx.host]
            : [admin, fx.host];
    for (const u of allowed)
      await expectAllowed(call(as(u), path, await COMPETITION_INPUT[path]!(fx)));
  });
});
