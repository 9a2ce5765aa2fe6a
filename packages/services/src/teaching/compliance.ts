// Checking the risk rules while a competition runs. Each participant's account history (its
// stored engine events) is evaluated by every rule of the competition; what a rule finds is
// stored: its violations (once each, by key, so reports stay what they were) and the
// participant's status per rule (rule_checks, with the event seq it reached and when the answer
// can next change without a new event). Only participants whose account moved since, whose
// recheck time came, or whose competition has ended since their last check are evaluated again,
// so a pass over 500 quiet students reads one row each. The worker runs a pass every few
// seconds; a student's own read brings their row up to date first.
import type { Prisma } from '@lab/db';
import { type Db } from '@lab/db';
import { engineEvents, type Catalogue } from '@lab/margin-engine';
import { requireHost, requireParticipant, type Viewer } from '../competitions/access.ts';
import { competitionCatalogue, effectiveState, rulesOf } from '../competitions/rules.ts';
import { competitionRules, ruleView, type RuleView } from './settings.ts';
import { ruleHistory } from './rules/history.ts';
import type { RuleStatus, Violation } from './rules/types.ts';
import { tradingParticipant } from './teams.ts';

type Tx = Prisma.TransactionClient;

export const COMPLIANCE_BATCH = 50;

interface StoredStatus {
  ruleId: string;
  kind: string;
  status: RuleStatus;
  progress: string;
}

function windowOf(c: {
  state: 'DRAFT' | 'SCHEDULED' | 'RUNNING' | 'FINISHED' | 'ARCHIVED';
  startsAt: Date;
  endsAt: Date;
  endedAt: Date | null;
}) {
  return {
    startsAt: c.startsAt.getTime(),
    endsAt: (c.endedAt ?? c.endsAt).getTime(),
    state: effectiveState(
      {
        state: c.state,
        startsAt: c.startsAt.getTime(),
        endsAt: c.endsAt.getTime(),
        endedAt: c.endedAt?.getTime() ?? null,
      },
      Date.now(),
    ),
  };
}

/** The competition's instruments (its fees and leverage cap), as its accounts trade them. */
export function catalogueOf(c: {
  id: string;
  name: string;
  symbols: string[];
  maxLeverage: number;
  makerFeeRate: Prisma.Decimal;
  takerFeeRate: Prisma.Decimal;
}): Catalogue {
  return competitionCatalogue(
    rulesOf({
      competition_id: c.id,
      name: c.name,
      state: 'RUNNING',
      starts_at: new Date(0),
      ends_at: new Date(0),
      ended_at: null,
      symbols: c.symbols,
      max_leverage: c.maxLeverage,
      margin_modes: 'BOTH',
      maker_fee_rate: c.makerFeeRate.toFixed(),
      taker_fee_rate: c.takerFeeRate.toFixed(),
      allow_bots: false,
      participant_status: 'ACTIVE',
    }),
  );
}

/** Engine events of the accounts, by account, and the last seq of each stream read. */
export async function loadStreams(db: Db | Tx, accountIds: readonly string[]) {
  const rows = accountIds.length
    ? await db.accountEvent.findMany({
        where: { accountId: { in: [...accountIds] } },
        orderBy: [{ accountId: 'asc' }, { seq: 'asc' }],
        select: { accountId: true, seq: true, type: true, payload: true },
      })
    : [];
  const out = new Map<string, { rows: typeof rows; last: number }>();
  for (const r of rows) {
    const s = out.get(r.accountId) ?? { rows: [], last: 0 };
    s.rows.push(r);
    s.last = r.seq;
    out.set(r.accountId, s);
  }
  return out;
}

/**
 * Evaluates the rules for the participants that need it (or only those given) and stores what
 * was found. Returns how many were evaluated and how many violations were new.
 */
export async function evaluateCompliance(
  db: Db,
  competitionId: string,
  opts: { participantIds?: readonly string[]; now?: number; batchSize?: number } = {},
): Promise<{ evaluated: number; newViolations: number }> {
  const now = opts.now ?? Date.now();
  const c = await db.competition.findUnique({ where: { id: competitionId } });
  if (!c) return { evaluated: 0, newViolations: 0 };
  const w = windowOf(c);
  if (w.state === 'DRAFT' || w.state === 'SCHEDULED') return { evaluated: 0, newViolations: 0 };
  const rules = await competitionRules(db, competitionId);
  if (!rules.length) return { evaluated: 0, newViolations: 0 };
  const final = now >= w.endsAt;
  const only = opts.participantIds ? [...opts.participantIds] : null;
  const due = await db.$queryRaw<Array<{ id: string; account_id: string }>>`
    SELECT p.id::text AS id, p.account_id::text AS account_id
    FROM competition_participants p
    JOIN paper_accounts a ON a.id = p.account_id
    LEFT JOIN rule_checks rc ON rc.participant_id = p.id
    WHERE p.competition_id = ${competitionId}::uuid
      AND (${only}::uuid[] IS NULL OR p.id = ANY(${only}::uuid[]))
      AND (rc.participant_id IS NULL OR a.last_event_seq > rc.evaluated_seq
        OR rc.recheck_at <= ${new Date(now)}
        OR (${final} AND rc.evaluated_at < ${new Date(w.endsAt)}))
    ORDER BY p.id`;
  const instruments = catalogueOf(c);
  let fresh = 0;
  const size = opts.batchSize ?? COMPLIANCE_BATCH;
  for (let i = 0; i < due.length; i += size) {
    const batch = due.slice(i, i + size);
    const streams = await loadStreams(
      db,
      batch.map((p) => p.account_id),
    );
    const violations: Prisma.RuleViolationCreateManyInput[] = [];
    const checks: Array<{
      participantId: string;
      seq: number;
      recheckAt: number | null;
      status: StoredStatus[];
    }> = [];
    for (const p of batch) {
      const stream = streams.get(p.account_id);
      const history = ruleHistory(p.account_id, engineEvents(stream?.rows ?? []), {
        instruments,
        startsAt: w.startsAt,
        endsAt: w.endsAt,
        now,
      });
      const status: StoredStatus[] = [];
      let recheckAt: number | null = null;
      for (const r of rules) {
        const e = r.kind.evaluate(history, r.params);
        status.push({ ruleId: r.id, kind: r.kind.kind, status: e.status, progress: e.progress });
        if (e.recheckAt !== undefined) recheckAt = Math.min(recheckAt ?? Infinity, e.recheckAt);
        for (const v of e.violations)
          violations.push(violationRow(competitionId, r.id, r.kind.kind, p.id, v));
      }
      checks.push({ participantId: p.id, seq: stream?.last ?? 0, recheckAt, status });
    }
    await db.$transaction(async (tx) => {
      if (violations.length)
        fresh += (await tx.ruleViolation.createMany({ data: violations, skipDuplicates: true }))
          .count;
      for (const ch of checks) {
        const data = {
          evaluatedSeq: ch.seq,
          recheckAt: ch.recheckAt === null ? null : new Date(ch.recheckAt),
          status: ch.status as unknown as Prisma.InputJsonArray,
          evaluatedAt: new Date(now),
        };
        await tx.ruleCheck.upsert({
          where: { participantId: ch.participantId },
          create: { participantId: ch.participantId, competitionId, ...data },
          update: data,
        });
      }
    });
  }
  return { evaluated: due.length, newViolations: fresh };
}

const violationRow = (
  competitionId: string,
  ruleId: string,
  kind: string,
  participantId: string,
  v: Violation,
): Prisma.RuleViolationCreateManyInput => ({
  competitionId,
  ruleId,
  participantId,
  key: v.key.slice(0, 120),
  kind,
  at: new Date(v.at),
  symbol: v.symbol ?? null,
  orderId: v.orderId ?? null,
  eventSeq: v.eventSeq ?? null,
  message: v.message.slice(0, 500),
  figures: v.figures,
});

export interface ViolationView {
  id: string;
  ruleId: string;
  kind: string;
  at: number;
  symbol: string | null;
  orderId: string | null;
  eventSeq: number | null;
  message: string;
  figures: Record<string, string>;
  /** The note of the order behind it, when it has one. */
  note: string | null;
}

export interface RuleCompliance extends RuleView {
  status: RuleStatus;
  progress: string;
  violations: ViolationView[];
}

export interface ParticipantCompliance {
  participantId: string;
  displayName: string;
  status: 'ACTIVE' | 'OUT' | 'REMOVED';
  /** Not evaluated yet (the competition has not started). */
  checked: boolean;
  evaluatedAt: number | null;
  violations: number;
  rules: RuleCompliance[];
}

async function complianceOf(
  db: Db,
  competitionId: string,
  participantIds: readonly string[] | null,
): Promise<ParticipantCompliance[]> {
  const [rules, participants, checks, violations] = await Promise.all([
    competitionRules(db, competitionId),
    db.competitionParticipant.findMany({
      where: { competitionId, ...(participantIds ? { id: { in: [...participantIds] } } : {}) },
      include: { user: { select: { displayName: true } } },
      orderBy: { joinedAt: 'asc' },
    }),
    db.ruleCheck.findMany({
      where: {
        competitionId,
        ...(participantIds ? { participantId: { in: [...participantIds] } } : {}),
      },
    }),
    db.ruleViolation.findMany({
      where: {
        competitionId,
        ...(participantIds ? { participantId: { in: [...participantIds] } } : {}),
      },
      orderBy: [{ at: 'asc' }, { id: 'asc' }],
      take: 20_000,
    }),
  ]);
  const notes = new Map(
    (
      await db.orderNote.findMany({
        where: { orderId: { in: violations.flatMap((v) => (v.orderId ? [v.orderId] : [])) } },
        select: { orderId: true, note: true },
      })
    ).map((n) => [n.orderId, n.note]),
  );
  const checkOf = new Map(checks.map((c) => [c.participantId, c]));
  return participants.map((p) => {
    const check = checkOf.get(p.id);
    const stored = (check?.status ?? []) as unknown as StoredStatus[];
    const mine = violations.filter((v) => v.participantId === p.id);
    return {
      participantId: p.id,
      displayName: p.user.displayName,
      status: p.status,
      checked: Boolean(check),
      evaluatedAt: check?.evaluatedAt.getTime() ?? null,
      violations: mine.length,
      rules: rules.map((r) => {
        const s = stored.find((x) => x.ruleId === r.id);
        const list = mine
          .filter((v) => v.ruleId === r.id)
          .map((v) => ({
            id: v.id.toString(),
            ruleId: v.ruleId,
            kind: v.kind,
            at: v.at.getTime(),
            symbol: v.symbol,
            orderId: v.orderId,
            eventSeq: v.eventSeq,
            message: v.message,
            figures: v.figures as Record<string, string>,
            note: v.orderId ? (notes.get(v.orderId) ?? null) : null,
          }));
        return {
          ...ruleView(r),
          // a stored violation stands even if a later check has not been stored yet
          status: list.length ? 'violated' : (s?.status ?? 'pending'),
          progress: s?.progress ?? 'not checked yet',
          violations: list,
        };
      }),
    };
  });
}

/**
 * The participant's own compliance, live: their account (or their shared team's) checked first
 * when it moved since the last check.
 */
export async function myCompliance(
  db: Db,
  viewer: Viewer,
  competitionId: string,
): Promise<ParticipantCompliance> {
  const { participant } = await requireParticipant(db, viewer, competitionId);
  const trading = await tradingParticipant(db, participant.id);
  await evaluateCompliance(db, competitionId, { participantIds: [trading] });
  const [mine] = await complianceOf(db, competitionId, [trading]);
  return mine!;
}

export interface ComplianceReport {
  participants: ParticipantCompliance[];
  /** Rules by how often they were broken: violations and students. */
  mostBroken: Array<{
    ruleId: string;
    kind: string;
    title: string;
    violations: number;
    students: number;
  }>;
}

/** Every participant's compliance with each violation, for the hosts. */
export async function complianceReport(
  db: Db,
  viewer: Viewer,
  competitionId: string,
): Promise<ComplianceReport> {
  await requireHost(db, viewer, competitionId);
  await evaluateCompliance(db, competitionId);
  const participants = await complianceOf(db, competitionId, null);
  return { participants, mostBroken: mostBroken(participants) };
}

export function mostBroken(participants: readonly ParticipantCompliance[]) {
  const first = participants[0];
  if (!first) return [];
  return first.rules
    .map((r) => {
      let violations = 0;
      let students = 0;
      for (const p of participants) {
        if (p.status === 'REMOVED') continue;
        const n = p.rules.find((x) => x.id === r.id)?.violations.length ?? 0;
        violations += n;
        if (n) students++;
      }
      return { ruleId: r.id, kind: r.kind, title: r.title, violations, students };
    })
    .sort((a, b) => b.students - a.students || b.violations - a.violations);
}
