// A classroom for the teaching tests: a host, a competition on the main market (BTC and ETH, no
// fees unless asked), its rules set while it is a draft, then students who join; the start can
// be moved to now once teams are formed (teams are formed before the start).
import type { Db } from '@lab/db';
import {
  createCompetition,
  joinCompetition,
  publishCompetition,
  type CompetitionSettings,
  type Viewer,
} from '../src/competitions/index.ts';
import { setRiskRules, updateTeachingSettings } from '../src/teaching/settings.ts';
import { userActor } from '../src/trading/run.ts';
import { createUser } from '../src/testing/index.ts';

const MIN = 60_000;

export function classSettings(over: Partial<CompetitionSettings> = {}): CompetitionSettings {
  const now = Date.now();
  return {
    name: 'Risk week',
    description: '',
    startsAt: now + 10 * MIN,
    endsAt: now + 60 * MIN,
    startingBalance: '10000',
    symbols: ['BTCUSDT', 'ETHUSDT'],
    maxLeverage: 50,
    marginModes: 'BOTH',
    makerFeeRate: '0',
    takerFeeRate: '0',
    allowLateJoin: true,
    allowResets: false,
    afterLiquidation: 'CONTINUE',
    resetPenalty: null,
    leaderboard: 'LIVE',
    ranking: 'RETURN',
    snapshotSeconds: 60,
    market: { kind: 'main' },
    ...over,
  };
}

export async function person(db: Db, name: string) {
  const u = await createUser(db, { displayName: name });
  const viewer: Viewer = { userId: u.user.id, role: 'TRADER' };
  return { ...u, viewer, actor: userActor(u.user.id) };
}

export type Person = Awaited<ReturnType<typeof person>>;

/**
 * A published competition (starting in 10 minutes) with its rules and notes setting, and
 * `students` joined; `start()` moves its start to now (it runs from then on).
 */
export async function classroom(
  db: Db,
  o: {
    students: string[];
    rules?: Array<{ kind: string; params: Record<string, string> }>;
    notesRequired?: boolean;
    benchmarkSymbol?: string;
    settings?: Partial<CompetitionSettings>;
  },
) {
  const host = await person(db, 'Host');
  const c = await createCompetition(db, host.viewer, classSettings(o.settings));
  if (o.rules) await setRiskRules(db, host.viewer, c.id, o.rules);
  if (o.notesRequired !== undefined || o.benchmarkSymbol !== undefined)
    await updateTeachingSettings(db, host.viewer, c.id, {
      ...(o.notesRequired !== undefined ? { notesRequired: o.notesRequired } : {}),
      ...(o.benchmarkSymbol !== undefined ? { benchmarkSymbol: o.benchmarkSymbol } : {}),
    });
  await publishCompetition(db, host.viewer, c.id);
  const students: Array<Person & { accountId: string; participantId: string }> = [];
  for (const name of o.students) {
    const s = await person(db, name);
    const joined = await joinCompetition(db, s.viewer, c.code);
    const p = await db.competitionParticipant.findUniqueOrThrow({
      where: { accountId: joined.accountId },
    });
    students.push({ ...s, accountId: joined.accountId, participantId: p.id });
  }
  return {
    host,
    competitionId: c.id,
    code: c.code,
    students,
    start: async (at = Date.now() - 1000) => {
      await db.competition.update({
        where: { id: c.id },
        data: { startsAt: new Date(at), state: 'RUNNING' },
      });
    },
    end: async (at = Date.now()) => {
      await db.competition.update({ where: { id: c.id }, data: { endedAt: new Date(at) } });
    },
  };
}
