// What hosts do while a competition runs, and the reset a student may ask for: announcements,
// market events on the competition's own market (with a note the class sees), changing the caps
// (every change in the audit trail, and a notice to the students), resetting or removing a
// participant, ending early (which freezes the standings at once). Each checks who acts first
// (access.ts), then the state, then acts.
import type { ScenarioEventInput } from '@lab/contracts';
import type { Db, Prisma } from '@lab/db';
import { CATALOGUE } from '@lab/margin-engine';
import { AppError } from '../errors.ts';
import { sendScenarioEvent } from '../market.ts';
import type { VenuePrices } from '../trading/prices.ts';
import { requireHost, requireParticipant, type Viewer } from './access.ts';
import { invalidateBoard } from './board.ts';
import { freezeCompetition } from './lifecycle.ts';
import { applyMarginModeRule } from './margin-mode-rule.ts';
import { closeOutParticipant, participantOf, resetParticipant } from './participants.ts';
import { effectiveState, type CompetitionState } from './rules.ts';

type Tx = Prisma.TransactionClient;

async function competitionRow(db: Db | Tx, id: string) {
  const c = await db.competition.findUniqueOrThrow({ where: { id }, include: { venue: true } });
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

function requireState(state: CompetitionState, allowed: CompetitionState[], what: string) {
  if (!allowed.includes(state))
    throw new AppError(
      'PRECONDITION',
      `${what} ${allowed.length === 1 ? `only while the competition is ${allowed[0]!.toLowerCase()}` : `only while it is ${allowed.map((s) => s.toLowerCase()).join(' or ')}`}; it is ${state.toLowerCase()}.`,
      { reason: 'COMPETITION_STATE' },
    );
}

/** A message from the hosts to the class. */
export async function postAnnouncement(
  db: Db,
  viewer: Viewer,
  competitionId: string,
  text: string,
): Promise<{ id: string }> {
  await requireHost(db, viewer, competitionId);
  const { state } = await competitionRow(db, competitionId);
  if (state === 'ARCHIVED')
    throw new AppError('PRECONDITION', 'This competition is archived.', {
      reason: 'COMPETITION_STATE',
    });
  const row = await db.competitionAnnouncement.create({
    data: { competitionId, authorId: viewer.userId, kind: 'ANNOUNCEMENT', text },
  });
  return { id: row.id.toString() };
}

function describeEvent(e: ScenarioEventInput): string {
  const where = e.symbol ? ` on ${e.symbol}` : ' on every market';
  const over = `over ${Math.round(e.durationMs / 1000)} s`;
  switch (e.type) {
    case 'crash':
      return `Market event: a crash of ${e.percent}%${where}, ${over}.`;
    case 'rally':
      return `Market event: a rally of ${e.percent}%${where}, ${over}.`;
    case 'volSpike':
      return `Market event: volatility ×${e.multiplier}${where}, ${over}.`;
    case 'liquidityDrought':
      return `Market event: a liquidity drought${where} (spreads ×${e.spreadMultiplier}, depth ×${e.depthMultiplier}), ${over}.`;
  }
}

/**
 * A market event on the competition's own market (never the main one: that moves every user's
 * positions, and is for admins), announced to the class with the host's note.
 */
export async function triggerMarketEvent(
  db: Db,
  viewer: Viewer,
  competitionId: string,
  event: ScenarioEventInput,
  note: string,
): Promise<{ announcementId: string }> {
  await requireHost(db, viewer, competitionId);
  const { c, state } = await competitionRow(db, competitionId);
  if (c.venue.kind !== 'SIMULATED')
    throw new AppError(
      'PRECONDITION',
      'Market events need the competition’s own market; this competition trades on the platform’s main market.',
      { reason: 'COMPETITION_MAIN_MARKET' },
    );
  requireState(state, ['RUNNING'], 'Market events can be triggered');
  if (event.symbol && !c.venue.symbols.includes(event.symbol))
    throw new AppError('VALIDATION', `This competition’s market has no ${event.symbol}.`, {
      field: 'symbol',
    });
  await sendScenarioEvent(db, c.venueId, event);
  const text = note ? `${describeEvent(event)} ${note}` : describeEvent(event);
  const row = await db.competitionAnnouncement.create({
    data: {
      competitionId,
      authorId: viewer.userId,
      kind: 'MARKET_EVENT',
      text: text.slice(0, 2000),
    },
  });
  return { announcementId: row.id.toString() };
}

export interface RuleChanges {
  maxLeverage?: number | undefined;
  symbols?: string[] | undefined;
  marginModes?: 'CROSS_ONLY' | 'ISOLATED_ONLY' | 'BOTH' | undefined;
  allowLateJoin?: boolean | undefined;
  allowResets?: boolean | undefined;
}

const MODE_LABEL = {
  CROSS_ONLY: 'cross only',
  ISOLATED_ONLY: 'isolated only',
  BOTH: 'cross and isolated',
};
const yesNo = (b: boolean) => (b ? 'allowed' : 'not allowed');

/**
 * Changes the caps of a scheduled or running competition. Each changed field goes to the audit
 * trail (before, after, who), and one notice tells the class what changed. Positions opened
 * under the old caps stay; adding to them follows the new ones. A switch to one margin mode also
 * switches the participants' markets that hold nothing to it (margin-mode-rule.ts).
 */
export async function changeRules(
  db: Db,
  viewer: Viewer,
  competitionId: string,
  changes: RuleChanges,
): Promise<{ changed: string[] }> {
  await requireHost(db, viewer, competitionId);
  const changed: string[] = [];
  const then: { oneMode?: { modes: 'CROSS_ONLY' | 'ISOLATED_ONLY'; symbols: string[] } } = {};
  await db.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT id FROM competitions WHERE id = ${competitionId}::uuid FOR UPDATE`;
    const { c, state } = await competitionRow(tx, competitionId);
    requireState(state, ['SCHEDULED', 'RUNNING'], 'The caps can be changed');
    const symbols = changes.symbols ? [...new Set(changes.symbols)] : c.symbols;
    if (changes.symbols) {
      if (symbols.length === 0)
        throw new AppError('VALIDATION', 'Keep at least one market.', { field: 'symbols' });
      for (const s of symbols) {
        if (!CATALOGUE[s])
          throw new AppError('VALIDATION', `${s} is not a market of the platform.`, {
            field: 'symbols',
          });
        if (c.venue.kind === 'SIMULATED' && c.venue.symbols.length && !c.venue.symbols.includes(s))
          throw new AppError(
            'VALIDATION',
            `This competition’s own market simulates only ${c.venue.symbols.join(', ')}; ${s} has no prices on it.`,
            { field: 'symbols' },
          );
      }
    }
    const maxLeverage = changes.maxLeverage ?? c.maxLeverage;
    const cap = Math.min(...symbols.map((s) => CATALOGUE[s]!.maxLeverage));
    if (maxLeverage < 1 || maxLeverage > cap)
      throw new AppError(
        'VALIDATION',
        `The leverage cap is between 1× and ${cap}× for these markets.`,
        {
          field: 'maxLeverage',
        },
      );
    const notes: string[] = [];
    const audit: Array<{
      field: string;
      before: Prisma.InputJsonValue;
      after: Prisma.InputJsonValue;
    }> = [];
    const data: Prisma.CompetitionUpdateInput = {};
    if (changes.maxLeverage !== undefined && changes.maxLeverage !== c.maxLeverage) {
      data.maxLeverage = changes.maxLeverage;
      audit.push({ field: 'maxLeverage', before: c.maxLeverage, after: changes.maxLeverage });
      notes.push(`maximum leverage ${c.maxLeverage}× → ${changes.maxLeverage}×`);
    }
    if (changes.symbols && symbols.join() !== c.symbols.join()) {
      data.symbols = symbols;
      audit.push({ field: 'symbols', before: c.symbols, after: symbols });
      notes.push(`markets ${c.symbols.join(', ')} → ${symbols.join(', ')}`);
    }
    if (changes.marginModes !== undefined && changes.marginModes !== c.marginModes) {
      data.marginModes = changes.marginModes;
      audit.push({ field: 'marginModes', before: c.marginModes, after: changes.marginModes });
      notes.push(`margin modes ${MODE_LABEL[c.marginModes]} → ${MODE_LABEL[changes.marginModes]}`);
      if (changes.marginModes !== 'BOTH') {
        then.oneMode = { modes: changes.marginModes, symbols };
        notes.push(
          `markets without a position or an open order are now ${changes.marginModes === 'ISOLATED_ONLY' ? 'isolated' : 'cross'}`,
        );
      }
    }
    if (changes.allowLateJoin !== undefined && changes.allowLateJoin !== c.allowLateJoin) {
      data.allowLateJoin = changes.allowLateJoin;
      audit.push({ field: 'allowLateJoin', before: c.allowLateJoin, after: changes.allowLateJoin });
      notes.push(`late joining ${yesNo(changes.allowLateJoin)}`);
    }
    if (changes.allowResets !== undefined && changes.allowResets !== c.allowResets) {
      data.allowResets = changes.allowResets;
      audit.push({ field: 'allowResets', before: c.allowResets, after: changes.allowResets });
      notes.push(`account resets ${yesNo(changes.allowResets)}`);
    }
    if (audit.length === 0) return;
    await tx.competition.update({ where: { id: competitionId }, data });
    await tx.competitionChange.createMany({
      data: audit.map((a) => ({ competitionId, actorId: viewer.userId, ...a })),
    });
    await tx.competitionAnnouncement.create({
      data: {
        competitionId,
        authorId: viewer.userId,
        kind: 'RULE_CHANGE',
        text: `The hosts changed the rules: ${notes.join('; ')}. Positions already open stay; adding to them follows the new rules.`,
      },
    });
    changed.push(...audit.map((a) => a.field));
  });
  // after the rule commits: an order placed meanwhile in the old mode is already refused by it
  if (then.oneMode)
    await applyMarginModeRule(db, competitionId, then.oneMode.modes, then.oneMode.symbols);
  return { changed };
}

/** A host resets a participant: a fresh start at the full starting balance (an out participant comes back). */
export async function hostResetParticipant(
  db: Db,
  prices: VenuePrices,
  viewer: Viewer,
  competitionId: string,
  participantId: string,
): Promise<{ status: 'ACTIVE' | 'OUT' }> {
  await requireHost(db, viewer, competitionId);
  const p = await participantOf(db, competitionId, participantId);
  const { state } = await competitionRow(db, competitionId);
  requireState(state, ['SCHEDULED', 'RUNNING'], 'A participant can be reset');
  if (p.status === 'REMOVED')
    throw new AppError('PRECONDITION', 'This participant was removed from the competition.', {
      reason: 'COMPETITION_REMOVED',
    });
  await resetParticipant(db, prices, p, 'host');
  await db.competitionChange.create({
    data: {
      competitionId,
      actorId: viewer.userId,
      field: 'participantReset',
      before: { participantId, resets: p.resets },
      after: { participantId, resets: p.resets + 1 },
    },
  });
  invalidateBoard(competitionId);
  return { status: 'ACTIVE' };
}

/** A host removes a participant: their orders canceled and positions closed, no more trading, off the leaderboard. */
export async function removeParticipant(
  db: Db,
  prices: VenuePrices,
  viewer: Viewer,
  competitionId: string,
  participantId: string,
): Promise<{ status: 'REMOVED' }> {
  await requireHost(db, viewer, competitionId);
  const p = await participantOf(db, competitionId, participantId);
  if (p.status === 'REMOVED') return { status: 'REMOVED' };
  const { state } = await competitionRow(db, competitionId);
  requireState(state, ['SCHEDULED', 'RUNNING'], 'A participant can be removed');
  await closeOutParticipant(db, prices, p, 'REMOVED');
  await db.competitionChange.create({
    data: {
      competitionId,
      actorId: viewer.userId,
      field: 'participantStatus',
      before: { participantId, status: p.status },
      after: { participantId, status: 'REMOVED' },
    },
  });
  invalidateBoard(competitionId);
  return { status: 'REMOVED' };
}

/** A student resets their own account, when the rules allow it (each reset withholds the penalty). */
export async function resetMyAccount(
  db: Db,
  prices: VenuePrices,
  viewer: Viewer,
  competitionId: string,
): Promise<{ status: 'ACTIVE' | 'OUT' }> {
  const { participant } = await requireParticipant(db, viewer, competitionId);
  const { c, state } = await competitionRow(db, competitionId);
  if (!c.allowResets)
    throw new AppError('PRECONDITION', `“${c.name}” does not allow account resets.`, {
      reason: 'COMPETITION_NO_RESETS',
    });
  requireState(state, ['RUNNING'], 'Your account can be reset');
  if (participant.status !== 'ACTIVE')
    throw new AppError(
      'PRECONDITION',
      'You are out of this competition; only a host can bring you back.',
      {
        reason: 'COMPETITION_PARTICIPANT_OUT',
      },
    );
  const r = await resetParticipant(db, prices, { ...participant, competitionId }, 'student');
  invalidateBoard(competitionId);
  return { status: r === 'out' ? 'OUT' : 'ACTIVE' };
}

/** A host ends the competition now: trading stops at once and the standings are frozen. */
export async function endCompetitionEarly(
  db: Db,
  prices: VenuePrices,
  viewer: Viewer,
  competitionId: string,
): Promise<{ endedAt: number }> {
  await requireHost(db, viewer, competitionId);
  const now = Date.now();
  await db.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT id FROM competitions WHERE id = ${competitionId}::uuid FOR UPDATE`;
    const { state } = await competitionRow(tx, competitionId);
    requireState(state, ['SCHEDULED', 'RUNNING'], 'A competition can be ended');
    await tx.competition.update({
      where: { id: competitionId },
      data: { endedAt: new Date(now), state: 'FINISHED' },
    });
    await tx.competitionChange.create({
      data: {
        competitionId,
        actorId: viewer.userId,
        field: 'state',
        before: state,
        after: 'FINISHED',
      },
    });
    await tx.competitionAnnouncement.create({
      data: {
        competitionId,
        authorId: viewer.userId,
        kind: 'ANNOUNCEMENT',
        text: 'The hosts ended the competition early. Every position was closed at the mark; the standings are final.',
      },
    });
  });
  await freezeCompetition(db, prices, competitionId, { now });
  invalidateBoard(competitionId);
  return { endedAt: now };
}
