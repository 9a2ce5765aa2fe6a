// Classroom competitions. Anyone signed in hosts; every procedure with a competitionId is checked
// in the service (hosts and co-hosts act on their own competitions, admins on all, participants
// read what students may read and act on their own account): see test/authorization.test.ts.
import {
  decimalString,
  epochMs,
  int,
  positiveDecimal,
  scenarioEventSchema,
  symbol,
  text,
  uuid,
} from '@lab/contracts';
import {
  addCohost,
  allCompetitions,
  archiveCompetition,
  changeRules,
  createCompetition,
  endCompetitionEarly,
  exportMyEquity,
  exportMyTrades,
  exportStandings,
  exportTrades,
  getCompetition,
  getDashboard,
  getLeaderboard,
  getParticipantDetail,
  hostResetParticipant,
  joinCompetition,
  listAnnouncements,
  listChanges,
  myCompetitions,
  myEquityCurve,
  postAnnouncement,
  previewByCode,
  publishCompetition,
  removeCohost,
  removeParticipant,
  resetMyAccount,
  triggerMarketEvent,
  updateCompetition,
  type Viewer,
} from '@lab/services';
import { emailSchema } from '@lab/auth';
import { z } from 'zod';
import type { SessionUser } from '../context.ts';
import { adminProcedure, protectedProcedure, router } from '../trpc.ts';

const viewer = (u: SessionUser): Viewer => ({ userId: u.id, role: u.role });

const marginModes = z.enum(['CROSS_ONLY', 'ISOLATED_ONLY', 'BOTH'], {
  error: 'marginModes must be CROSS_ONLY, ISOLATED_ONLY or BOTH',
});

const settings = z.object({
  name: text('name', { max: 100, required: 'Give the competition a name.' }),
  description: text('description', { max: 2000, min: 0 }).default(''),
  startsAt: epochMs('startsAt'),
  endsAt: epochMs('endsAt'),
  startingBalance: positiveDecimal('startingBalance'),
  symbols: z
    .array(symbol, { error: 'symbols must be a list of markets' })
    .max(20, 'at most 20 markets'),
  maxLeverage: int('maxLeverage', { min: 1, max: 125 }),
  marginModes,
  makerFeeRate: decimalString('makerFeeRate'),
  takerFeeRate: decimalString('takerFeeRate'),
  allowLateJoin: z.boolean({ error: 'allowLateJoin must be true or false' }),
  allowResets: z.boolean({ error: 'allowResets must be true or false' }),
  afterLiquidation: z.enum(['OUT', 'RESET_WITH_PENALTY', 'CONTINUE'], {
    error: 'afterLiquidation must be OUT, RESET_WITH_PENALTY or CONTINUE',
  }),
  resetPenalty: decimalString('resetPenalty').nullable(),
  leaderboard: z.enum(['LIVE', 'HIDDEN_UNTIL_END'], {
    error: 'leaderboard must be LIVE or HIDDEN_UNTIL_END',
  }),
  ranking: z.enum(['RETURN', 'RISK_ADJUSTED'], {
    error: 'ranking must be RETURN or RISK_ADJUSTED',
  }),
  snapshotSeconds: int('snapshotSeconds', { min: 5, max: 3600 }),
  market: z.discriminatedUnion(
    'kind',
    [
      z.object({ kind: z.literal('main') }),
      z.object({
        kind: z.literal('own'),
        seed: text('seed', { max: 100, min: 0 }).optional(),
        ticksPerSecond: int('ticksPerSecond', { min: 1, max: 20 }),
        fundingIntervalMinutes: int('fundingIntervalMinutes', { min: 1, max: 480 }).nullable(),
      }),
    ],
    { error: 'market.kind must be main or own' },
  ),
});

const byId = z.object({ competitionId: uuid('competitionId') });
const byParticipant = byId.extend({ participantId: uuid('participantId') });
const code = z.object({
  code: z
    .string({ error: 'Enter the join code.' })
    .max(40, 'A join code has 6 to 8 letters and digits.'),
});
const limit = (max: number) => int('limit', { min: 1, max }).default(Math.min(50, max));

export const competitionRouter = router({
  // --- anyone signed in ---
  create: protectedProcedure
    .input(settings.extend({ publish: z.boolean().default(false) }))
    .mutation(({ ctx, input: { publish, ...s } }) =>
      createCompetition(ctx.db, viewer(ctx.user), s, { publish }),
    ),
  /** The competitions I host and the ones I joined. */
  mine: protectedProcedure.query(({ ctx }) => myCompetitions(ctx.db, viewer(ctx.user))),
  /** What a student sees before joining, by the code their host gave them. */
  preview: protectedProcedure
    .input(code)
    .query(({ ctx, input }) => previewByCode(ctx.db, viewer(ctx.user), input.code)),
  join: protectedProcedure
    .input(code)
    .mutation(({ ctx, input }) => joinCompetition(ctx.db, viewer(ctx.user), input.code)),

  // --- members (hosts, co-hosts, admins, participants) ---
  get: protectedProcedure
    .input(byId)
    .query(({ ctx, input }) => getCompetition(ctx.db, viewer(ctx.user), input.competitionId)),
  leaderboard: protectedProcedure
    .input(byId)
    .query(({ ctx, input }) =>
      getLeaderboard(ctx.db, ctx.prices, viewer(ctx.user), input.competitionId),
    ),
  announcements: protectedProcedure
    .input(byId.extend({ limit: limit(100) }))
    .query(({ ctx, input }) =>
      listAnnouncements(ctx.db, viewer(ctx.user), input.competitionId, input),
    ),

  // --- the participant, on their own account ---
  equityCurve: protectedProcedure
    .input(byId)
    .query(({ ctx, input }) => myEquityCurve(ctx.db, viewer(ctx.user), input.competitionId)),
  resetMine: protectedProcedure
    .input(byId)
    .mutation(({ ctx, input }) =>
      resetMyAccount(ctx.db, ctx.prices, viewer(ctx.user), input.competitionId),
    ),
  exportMyTrades: protectedProcedure
    .input(byId)
    .query(({ ctx, input }) => exportMyTrades(ctx.db, viewer(ctx.user), input.competitionId)),
  exportMyEquity: protectedProcedure
    .input(byId)
    .query(({ ctx, input }) => exportMyEquity(ctx.db, viewer(ctx.user), input.competitionId)),

  // --- hosts, co-hosts and admins ---
  update: protectedProcedure
    .input(settings.extend({ competitionId: uuid('competitionId') }))
    .mutation(({ ctx, input: { competitionId, ...s } }) =>
      updateCompetition(ctx.db, viewer(ctx.user), competitionId, s),
    ),
  publish: protectedProcedure
    .input(byId)
    .mutation(({ ctx, input }) =>
      publishCompetition(ctx.db, viewer(ctx.user), input.competitionId),
    ),
  archive: protectedProcedure
    .input(byId)
    .mutation(({ ctx, input }) =>
      archiveCompetition(ctx.db, viewer(ctx.user), input.competitionId),
    ),
  dashboard: protectedProcedure
    .input(byId)
    .query(({ ctx, input }) =>
      getDashboard(ctx.db, ctx.prices, viewer(ctx.user), input.competitionId),
    ),
  /** One participant's account, read-only: positions, orders, fills, liquidations. */
  participant: protectedProcedure
    .input(byParticipant)
    .query(({ ctx, input }) =>
      getParticipantDetail(
        ctx.db,
        ctx.prices,
        viewer(ctx.user),
        input.competitionId,
        input.participantId,
      ),
    ),
  changes: protectedProcedure
    .input(byId.extend({ limit: limit(200) }))
    .query(({ ctx, input }) => listChanges(ctx.db, viewer(ctx.user), input.competitionId, input)),
  announce: protectedProcedure
    .input(byId.extend({ text: text('text', { max: 2000, required: 'Write the announcement.' }) }))
    .mutation(({ ctx, input }) =>
      postAnnouncement(ctx.db, viewer(ctx.user), input.competitionId, input.text),
    ),
  /** A crash, rally, volatility spike or liquidity drought on the competition's own market. */
  marketEvent: protectedProcedure
    .input(
      byId.extend({
        event: scenarioEventSchema,
        note: text('note', { max: 500, min: 0 }).default(''),
      }),
    )
    .mutation(({ ctx, input }) =>
      triggerMarketEvent(ctx.db, viewer(ctx.user), input.competitionId, input.event, input.note),
    ),
  changeRules: protectedProcedure
    .input(
      byId.extend({
        maxLeverage: int('maxLeverage', { min: 1, max: 125 }).optional(),
        symbols: z.array(symbol).min(1, 'Keep at least one market.').max(20).optional(),
        marginModes: marginModes.optional(),
        allowLateJoin: z.boolean().optional(),
        allowResets: z.boolean().optional(),
      }),
    )
    .mutation(({ ctx, input: { competitionId, ...changes } }) =>
      changeRules(ctx.db, viewer(ctx.user), competitionId, changes),
    ),
  resetParticipant: protectedProcedure
    .input(byParticipant)
    .mutation(({ ctx, input }) =>
      hostResetParticipant(
        ctx.db,
        ctx.prices,
        viewer(ctx.user),
        input.competitionId,
        input.participantId,
      ),
    ),
  removeParticipant: protectedProcedure
    .input(byParticipant)
    .mutation(({ ctx, input }) =>
      removeParticipant(
        ctx.db,
        ctx.prices,
        viewer(ctx.user),
        input.competitionId,
        input.participantId,
      ),
    ),
  endEarly: protectedProcedure
    .input(byId)
    .mutation(({ ctx, input }) =>
      endCompetitionEarly(ctx.db, ctx.prices, viewer(ctx.user), input.competitionId),
    ),
  exportStandings: protectedProcedure
    .input(byId)
    .query(({ ctx, input }) =>
      exportStandings(ctx.db, ctx.prices, viewer(ctx.user), input.competitionId),
    ),
  exportTrades: protectedProcedure
    .input(byId)
    .query(({ ctx, input }) => exportTrades(ctx.db, viewer(ctx.user), input.competitionId)),
  addCohost: protectedProcedure
    .input(byId.extend({ email: emailSchema }))
    .mutation(({ ctx, input }) =>
      addCohost(ctx.db, viewer(ctx.user), input.competitionId, input.email),
    ),
  removeCohost: protectedProcedure
    .input(byId.extend({ userId: uuid('userId') }))
    .mutation(({ ctx, input }) =>
      removeCohost(ctx.db, viewer(ctx.user), input.competitionId, input.userId),
    ),

  // --- platform admins ---
  all: adminProcedure
    .input(z.object({ limit: limit(200) }))
    .query(({ ctx, input }) => allCompetitions(ctx.db, input)),
});
