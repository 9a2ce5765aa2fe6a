// A competition's teaching settings and its risk-rule assignments. The hosts set them; rules are
// fixed once trading opens (a rule checked from the start is the same rule at the end, and every
// student knew it before their first order); trade notes, the benchmark and the integrity window
// may change while it runs (each change in the competition's audit trail).
import { Prisma, type Db } from '@lab/db';
import { CATALOGUE } from '@lab/margin-engine';
import { accessOf, requireHost, type Viewer } from '../competitions/access.ts';
import { effectiveState, type CompetitionState } from '../competitions/rules.ts';
import { AppError } from '../errors.ts';
import { parseParams, RULE_KINDS, ruleKind, storedParams } from './rules/registry.ts';
import type { ParamSpec } from './rules/types.ts';

type Tx = Prisma.TransactionClient;

export interface TeachingSettings {
  notesRequired: boolean;
  benchmarkSymbol: string | null;
  mirrorSeconds: number;
}

export const DEFAULT_TEACHING: TeachingSettings = {
  notesRequired: false,
  benchmarkSymbol: null,
  mirrorSeconds: 5,
};

export interface RuleView {
  id: string;
  kind: string;
  title: string;
  /** Decimal strings by name. */
  params: Record<string, string>;
  description: string;
}

export interface RuleKindView {
  kind: string;
  title: string;
  params: readonly ParamSpec[];
}

/** The rule set a host picks from (the form is built from each kind's numbers). */
export const ruleKinds = (): RuleKindView[] =>
  RULE_KINDS.map((k) => ({ kind: k.kind, title: k.title, params: k.params }));

export async function teachingSettingsOf(db: Db | Tx, competitionId: string) {
  const row = await db.competitionTeaching.findUnique({ where: { competitionId } });
  return row
    ? {
        notesRequired: row.notesRequired,
        benchmarkSymbol: row.benchmarkSymbol,
        mirrorSeconds: row.mirrorSeconds,
      }
    : { ...DEFAULT_TEACHING };
}

/** The competition's rules as stored (an unknown kind, from a newer version, is skipped). */
export async function competitionRules(db: Db | Tx, competitionId: string) {
  const rows = await db.competitionRiskRule.findMany({
    where: { competitionId },
    orderBy: { createdAt: 'asc' },
  });
  return rows.flatMap((r) => {
    const kind = RULE_KINDS.find((k) => k.kind === r.kind);
    if (!kind) return [];
    const params = storedParams(kind, r.params);
    return [{ id: r.id, kind, params }];
  });
}

export const ruleView = (r: Awaited<ReturnType<typeof competitionRules>>[number]): RuleView => ({
  id: r.id,
  kind: r.kind.kind,
  title: r.kind.title,
  params: Object.fromEntries(Object.entries(r.params).map(([k, v]) => [k, v.toFixed()])),
  description: r.kind.describe(r.params),
});

async function competitionState(db: Db | Tx, competitionId: string) {
  const c = await db.competition.findUniqueOrThrow({ where: { id: competitionId } });
  const state = effectiveState(
    {
      state: c.state,
      startsAt: c.startsAt.getTime(),
      endsAt: c.endsAt.getTime(),
      endedAt: c.endedAt?.getTime() ?? null,
    },
    Date.now(),
  );
  return { c, state };
}

export interface TeachingView extends TeachingSettings {
  competitionId: string;
  state: CompetitionState;
  /** Rules can still change (the competition has not started). */
  rulesEditable: boolean;
  rules: RuleView[];
}

/** What every member reads: the rules, whether notes are required, the benchmark. */
export async function getTeaching(
  db: Db,
  viewer: Viewer,
  competitionId: string,
): Promise<TeachingView> {
  await accessOf(db, viewer, competitionId);
  const [{ state }, settings, rules] = await Promise.all([
    competitionState(db, competitionId),
    teachingSettingsOf(db, competitionId),
    competitionRules(db, competitionId),
  ]);
  return {
    competitionId,
    state,
    rulesEditable: state === 'DRAFT' || state === 'SCHEDULED',
    ...settings,
    rules: rules.map(ruleView),
  };
}

export interface TeachingSettingsInput {
  notesRequired?: boolean;
  benchmarkSymbol?: string | null;
  mirrorSeconds?: number;
}

export async function updateTeachingSettings(
  db: Db,
  viewer: Viewer,
  competitionId: string,
  input: TeachingSettingsInput,
): Promise<TeachingView> {
  await requireHost(db, viewer, competitionId);
  const { c, state } = await competitionState(db, competitionId);
  if (state === 'FINISHED' || state === 'ARCHIVED')
    throw new AppError('PRECONDITION', 'The competition has ended; its settings are final.', {
      reason: 'COMPETITION_STATE',
    });
  if (input.benchmarkSymbol != null && !CATALOGUE[input.benchmarkSymbol])
    throw new AppError('VALIDATION', `${input.benchmarkSymbol} is not a market of the platform.`, {
      field: 'benchmarkSymbol',
    });
  if (input.mirrorSeconds !== undefined && (input.mirrorSeconds < 1 || input.mirrorSeconds > 300))
    throw new AppError('VALIDATION', 'The mirrored-order window is 1 to 300 seconds.', {
      field: 'mirrorSeconds',
    });
  await db.$transaction(async (tx) => {
    const before = await teachingSettingsOf(tx, competitionId);
    const after: TeachingSettings = {
      notesRequired: input.notesRequired ?? before.notesRequired,
      benchmarkSymbol:
        input.benchmarkSymbol === undefined ? before.benchmarkSymbol : input.benchmarkSymbol,
      mirrorSeconds: input.mirrorSeconds ?? before.mirrorSeconds,
    };
    await tx.competitionTeaching.upsert({
      where: { competitionId },
      create: { competitionId, ...after },
      update: after,
    });
    for (const field of ['notesRequired', 'benchmarkSymbol', 'mirrorSeconds'] as const)
      if (before[field] !== after[field])
        await tx.competitionChange.create({
          data: {
            competitionId: c.id,
            actorId: viewer.userId,
            field,
            before: before[field] ?? Prisma.JsonNull,
            after: after[field] ?? Prisma.JsonNull,
          },
        });
  });
  return getTeaching(db, viewer, competitionId);
}

/**
 * Replaces the competition's rules with `rules` (one of each kind at most), before the start
 * only. Every number is checked by its kind; a refusal names the rule and the field, and changes
 * nothing.
 */
export async function setRiskRules(
  db: Db,
  viewer: Viewer,
  competitionId: string,
  rules: ReadonlyArray<{ kind: string; params: Readonly<Record<string, string>> }>,
): Promise<TeachingView> {
  await requireHost(db, viewer, competitionId);
  const parsed = rules.map((r, i) => {
    try {
      const kind = ruleKind(r.kind);
      return { kind, params: parseParams(kind, r.params) };
    } catch (e) {
      if (e instanceof AppError)
        throw new AppError(e.code, e.message, { field: `rules.${i}.${e.field ?? 'kind'}` });
      throw e;
    }
  });
  const kinds = parsed.map((p) => p.kind.kind);
  const twice = kinds.find((k, i) => kinds.indexOf(k) !== i);
  if (twice)
    throw new AppError('VALIDATION', `“${ruleKind(twice).title}” is listed twice; keep one.`, {
      field: 'rules',
    });
  await db.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT id FROM competitions WHERE id = ${competitionId}::uuid FOR UPDATE`;
    const { state } = await competitionState(tx, competitionId);
    if (state !== 'DRAFT' && state !== 'SCHEDULED')
      throw new AppError(
        'PRECONDITION',
        'Risk rules are set before the competition starts; once trading opens they stay as the class was told.',
        { reason: 'COMPETITION_STARTED', field: 'rules' },
      );
    const before = (await competitionRules(tx, competitionId)).map(ruleView);
    await tx.competitionRiskRule.deleteMany({ where: { competitionId } });
    for (const p of parsed)
      await tx.competitionRiskRule.create({
        data: {
          competitionId,
          kind: p.kind.kind,
          params: Object.fromEntries(Object.entries(p.params).map(([k, v]) => [k, v.toFixed()])),
        },
      });
    await tx.competitionChange.create({
      data: {
        competitionId,
        actorId: viewer.userId,
        field: 'riskRules',
        before: before.map((r) => ({ kind: r.kind, params: r.params })),
        after: parsed.map((p) => ({
          kind: p.kind.kind,
          params: Object.fromEntries(Object.entries(p.params).map(([k, v]) => [k, v.toFixed()])),
        })),
      },
    });
  });
  return getTeaching(db, viewer, competitionId);
}
