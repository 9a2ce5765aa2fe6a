// Teaching with competitions (issue 18): risk-rule assignments and compliance, trade-note and
// benchmark settings, teams, integrity signals and the class report. Every procedure with a
// competitionId is checked in the service (hosts, co-hosts and admins; participants for their
// own compliance; members for what the class may read): see test/authorization.test.ts.
import { decimalString, int, symbol, text, uuid } from '@lab/contracts';
import {
  complianceReport,
  exportClassReport,
  exportOrders,
  getClassReport,
  getTeaching,
  integritySignals,
  listTeams,
  myCompliance,
  noteRequirement,
  participantOrders,
  ruleKinds,
  setRiskRules,
  setTeams,
  teamLeaderboard,
  updateTeachingSettings,
  type Viewer,
} from '@lab/services';
import { z } from 'zod';
import type { SessionUser } from '../context.ts';
import { accountProcedure, protectedProcedure, router } from '../trpc.ts';

const viewer = (u: SessionUser): Viewer => ({ userId: u.id, role: u.role });
const byId = z.object({ competitionId: uuid('competitionId') });

const ruleInput = z.object({
  kind: z
    .string({ error: 'kind must be a rule of the set' })
    .max(40, 'kind must be a rule of the set')
    .regex(/^[A-Z_]+$/, 'kind must be a rule of the set'),
  params: z
    .record(
      z
        .string()
        .max(40, 'a number’s name has at most 40 characters')
        .regex(/^[a-zA-Z]+$/),
      decimalString('params'),
      { error: 'params must map names to decimal strings' },
    )
    .default({}),
});

const teamInput = z.object({
  name: text('name', { max: 64, required: 'Give every team a name.' }),
  kind: z.enum(['SHARED_ACCOUNT', 'AVERAGE'], {
    error: 'kind must be SHARED_ACCOUNT or AVERAGE',
  }),
  participantIds: z
    .array(uuid('participantIds'), { error: 'participantIds must be a list of participants' })
    .max(50, 'A team has at most 50 members.'),
});

export const teachingRouter = router({
  /** The rule set a host picks from, with each rule's numbers. */
  ruleKinds: protectedProcedure.query(() => ruleKinds()),
  /** Whether orders on one of my accounts need a trade note (the order form asks for one). */
  noteRequirement: accountProcedure.query(({ ctx }) => noteRequirement(ctx.db, ctx.account.id)),

  // --- members ---
  get: protectedProcedure
    .input(byId)
    .query(({ ctx, input }) => getTeaching(ctx.db, viewer(ctx.user), input.competitionId)),
  teams: protectedProcedure
    .input(byId)
    .query(({ ctx, input }) => listTeams(ctx.db, viewer(ctx.user), input.competitionId)),
  teamLeaderboard: protectedProcedure
    .input(byId)
    .query(({ ctx, input }) =>
      teamLeaderboard(ctx.db, ctx.prices, viewer(ctx.user), input.competitionId),
    ),

  // --- the participant ---
  myCompliance: protectedProcedure
    .input(byId)
    .query(({ ctx, input }) => myCompliance(ctx.db, viewer(ctx.user), input.competitionId)),

  // --- hosts, co-hosts and admins ---
  updateSettings: protectedProcedure
    .input(
      byId.extend({
        notesRequired: z.boolean({ error: 'notesRequired must be true or false' }).optional(),
        benchmarkSymbol: symbol.nullable().optional(),
        mirrorSeconds: int('mirrorSeconds', { min: 1, max: 300 }).optional(),
      }),
    )
    .mutation(({ ctx, input: { competitionId, ...s } }) =>
      updateTeachingSettings(ctx.db, viewer(ctx.user), competitionId, s),
    ),
  setRules: protectedProcedure
    .input(byId.extend({ rules: z.array(ruleInput).max(10, 'At most 10 rules.') }))
    .mutation(({ ctx, input }) =>
      setRiskRules(ctx.db, viewer(ctx.user), input.competitionId, input.rules),
    ),
  compliance: protectedProcedure
    .input(byId)
    .query(({ ctx, input }) => complianceReport(ctx.db, viewer(ctx.user), input.competitionId)),
  /** A participant's orders with their trade notes and who placed them. */
  participantOrders: protectedProcedure
    .input(
      byId.extend({
        participantId: uuid('participantId'),
        limit: int('limit', { min: 1, max: 200 }).default(100),
        before: int('before', { min: 1, max: 2_147_483_647 }).optional(),
      }),
    )
    .query(({ ctx, input }) =>
      participantOrders(ctx.db, viewer(ctx.user), input.competitionId, input.participantId, {
        limit: input.limit,
        ...(input.before !== undefined ? { before: input.before } : {}),
      }),
    ),
  setTeams: protectedProcedure
    .input(byId.extend({ teams: z.array(teamInput).max(200, 'At most 200 teams.') }))
    .mutation(({ ctx, input }) =>
      setTeams(ctx.db, viewer(ctx.user), input.competitionId, input.teams),
    ),
  integrity: protectedProcedure
    .input(byId)
    .query(({ ctx, input }) => integritySignals(ctx.db, viewer(ctx.user), input.competitionId)),
  classReport: protectedProcedure
    .input(byId.extend({ recompute: z.boolean().default(false) }))
    .query(({ ctx, input }) =>
      getClassReport(ctx.db, ctx.prices, viewer(ctx.user), input.competitionId, {
        recompute: input.recompute,
      }),
    ),
  exportClassReport: protectedProcedure
    .input(byId)
    .query(({ ctx, input }) =>
      exportClassReport(ctx.db, ctx.prices, viewer(ctx.user), input.competitionId),
    ),
  exportOrders: protectedProcedure
    .input(byId)
    .query(({ ctx, input }) => exportOrders(ctx.db, viewer(ctx.user), input.competitionId)),
});
