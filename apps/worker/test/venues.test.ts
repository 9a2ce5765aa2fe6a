// The worker's competition manager on PostgreSQL with real simulators: a scheduled competition's
// own market starts, it becomes running at startsAt and snapshots its participants on the grid; a
// host's crash (a market command through the LISTEN channel) moves that competition's market only
// (not another competition's, not any personal account), its trading loop liquidates there and
// the after-liquidation rule takes the student out; at the end the market stops and the standings
// freeze (everything closed at the mark, the final snapshot).
import { MAIN_VENUE } from '@lab/contracts';
import { PgNotifyPublisher } from '@lab/market-data';
import {
  createCompetition,
  joinCompetition,
  placeOrder,
  sendScenarioEvent,
  setLeverage,
  setMarginMode,
  userActor,
  type CompetitionSettings,
  type Viewer,
} from '@lab/services';
import { createUser } from '@lab/services/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listenForCommands } from '../src/market/commands.ts';
import { pgTransactor } from '@lab/db';
import { CompetitionManager } from '../src/venues/manager.ts';
import { memoryLog, useWorkerDb, waitFor } from './helpers.ts';

const t = useWorkerDb();
const MIN = 60_000;

let manager: CompetitionManager;
let publisher: PgNotifyPublisher;
let stopCommands: () => Promise<void>;
const { lines, log } = memoryLog();

beforeAll(async () => {
  publisher = new PgNotifyPublisher(t.url);
  manager = new CompetitionManager({
    db: t.db,
    databaseUrl: t.url,
    pool: t.pool,
    publisher,
    tradingDb: t.db,
    transactor: pgTransactor(t.pool),
    log,
    backfillHours: 0,
    pollMs: 100,
    reportMs: 0,
  });
  manager.start();
  stopCommands = await listenForCommands(t.url, null, log, {
    venues: (v) => manager.simulatorOf(v),
  });
});

afterAll(async () => {
  if (process.env.SHOW_LOG) console.log(lines.join('\n'));
  await stopCommands?.();
  await manager?.stop();
  await publisher?.close();
});

function settings(over: Partial<CompetitionSettings> = {}): CompetitionSettings {
  const now = Date.now();
  return {
    name: 'Crash lesson',
    description: '',
    startsAt: now + 1500,
    endsAt: now + 1500 + 30 * MIN,
    startingBalance: '1000',
    symbols: ['BTCUSDT'],
    maxLeverage: 20,
    marginModes: 'BOTH',
    makerFeeRate: '0',
    takerFeeRate: '0',
    allowLateJoin: true,
    allowResets: false,
    afterLiquidation: 'OUT',
    resetPenalty: null,
    leaderboard: 'LIVE',
    ranking: 'RETURN',
    snapshotSeconds: 5,
    market: { kind: 'own', seed: 'same-seed', ticksPerSecond: 10, fundingIntervalMinutes: 1 },
    ...over,
  };
}

/** The ids of a venue's accounts. */
async function accountsOf(venueId: string): Promise<string[]> {
  const rows = await t.db.paperAccount.findMany({ where: { venueId }, select: { id: true } });
  return rows.map((r) => r.id);
}

async function mark(venue: string, symbol = 'BTCUSDT'): Promise<number | undefined> {
  const q = (await manager.prices.quotes(venue)).get(symbol);
  return q ? Number(q.markPrice) : undefined;
}

describe('the competition manager', () => {
  it('runs an own market per competition; a crash moves only its own; the rules and the freeze apply', async () => {
    const hostUser = await createUser(t.db);
    const host: Viewer = { userId: hostUser.user.id, role: 'TRADER' };
    const a = await createCompetition(t.db, host, settings(), { publish: true });
    const b = await createCompetition(t.db, host, settings({ name: 'Calm class' }), {
      publish: true,
    });
    const draft = await createCompetition(t.db, host, settings({ name: 'Not yet' }));
    const venueA = a.market.venueId;
    const venueB = b.market.venueId;

    // both published markets run (scheduled), the draft's does not
    await waitFor(async () => (await mark(venueA)) && (await mark(venueB)), 'both markets', 15_000);
    expect(manager.venue(draft.market.venueId)).toBeUndefined();
    expect(manager.simulatorOf(venueA)).toBeDefined();

    // a personal account on the main market holds a position (no main market runs here)
    const bystander = await createUser(t.db);
    const eventsBefore = await t.db.accountEvent.count({
      where: { accountId: bystander.accountId },
    });

    const student = await createUser(t.db);
    const me: Viewer = { userId: student.user.id, role: 'TRADER' };
    const { accountId } = await joinCompetition(t.db, me, a.code);
    const calm = await createUser(t.db);
    const calmJoin = await joinCompetition(t.db, { userId: calm.user.id, role: 'TRADER' }, b.code);

    // running at startsAt (the manager moves the stored state; the first snapshot on the grid)
    // (both: b was created a moment after a, so it starts a moment later)
    await waitFor(
      async () =>
        (await t.db.competition.findMany({ where: { id: { in: [a.id, b.id] } } })).every(
          (c) => c.state === 'RUNNING',
        ),
      'the start',
      10_000,
    );
    await waitFor(
      async () => (await t.db.equitySnapshot.count({ where: { accountId } })) > 0,
      'the first snapshot',
      10_000,
    );

    // 20x isolated long of 0.01 BTC: a fall of about 5% liquidates it
    const actor = userActor(student.user.id);
    await setMarginMode(t.db, manager.prices, actor, accountId, {
      symbol: 'BTCUSDT',
      marginMode: 'isolated',
    });
    await setLeverage(t.db, manager.prices, actor, accountId, { symbol: 'BTCUSDT', leverage: 20 });
    await placeOrder(t.db, manager.prices, actor, accountId, {
      symbol: 'BTCUSDT',
      side: 'buy',
      type: 'market',
      quantity: '0.01',
    });
    await placeOrder(t.db, manager.prices, userActor(calm.user.id), calmJoin.accountId, {
      symbol: 'BTCUSDT',
      side: 'buy',
      type: 'market',
      quantity: '0.002',
    });

    const beforeA = (await mark(venueA))!;
    const beforeB = (await mark(venueB))!;
    // the host's crash goes to the worker as a market command of venue A
    await sendScenarioEvent(t.db, venueA, { type: 'crash', percent: 30, durationMs: 2000 });
    await waitFor(
      () => lines.some((l) => l.startsWith('scenario event') && l.includes(venueA)),
      'the command to reach venue A',
    );
    await waitFor(async () => (await mark(venueA))! < beforeA * 0.8, 'the crash on A', 10_000);
    // liquidated by A's trading loop, then out by the competition's rule
    await waitFor(
      async () =>
        (await t.db.competitionParticipant.findUniqueOrThrow({ where: { accountId } })).status ===
        'OUT',
      'the student out after the liquidation',
      10_000,
    );
    expect(await t.db.liquidation.count({ where: { accountId } })).toBe(1);

    // B's market did not crash, its student was not liquidated, the personal account untouched
    const afterB = (await mark(venueB))!;
    expect(Math.abs(afterB / beforeB - 1)).toBeLessThan(0.05);
    expect(await t.db.liquidation.count({ where: { accountId: calmJoin.accountId } })).toBe(0);
    expect(await t.db.accountEvent.count({ where: { accountId: bystander.accountId } })).toBe(
      eventsBefore,
    );
    expect(
      await t.db.liquidation.count({ where: { accountId: { in: await accountsOf(MAIN_VENUE) } } }),
    ).toBe(0);

    // the end comes: B's market stops, its positions are closed at the mark, the final snapshot
    const endsAt = Date.now() + 300;
    await t.db.competition.update({ where: { id: b.id }, data: { endsAt: new Date(endsAt) } });
    await waitFor(
      async () =>
        (await t.db.competition.findUniqueOrThrow({ where: { id: b.id } })).finalizedAt !== null,
      'the freeze of B',
      10_000,
    );
    const frozen = await t.db.competition.findUniqueOrThrow({ where: { id: b.id } });
    expect(frozen.state).toBe('FINISHED');
    expect(manager.simulatorOf(venueB)).toBeUndefined();
    expect(await t.db.position.count({ where: { accountId: calmJoin.accountId } })).toBe(0);
    const final = await t.db.equitySnapshot.findUnique({
      where: { accountId_at: { accountId: calmJoin.accountId, at: new Date(endsAt) } },
    });
    const wallet = await t.db.paperAccount.findUniqueOrThrow({ where: { id: calmJoin.accountId } });
    expect(final?.equity.toFixed()).toBe(wallet.walletBalance.toFixed());
    // nothing moves after the end
    const onB = { accountId: { in: await accountsOf(venueB) } };
    const fills = await t.db.fill.count({ where: onB });
    await new Promise((r) => setTimeout(r, 1000));
    expect(await t.db.fill.count({ where: onB })).toBe(fills);
    // A still runs
    expect(manager.simulatorOf(venueA)).toBeDefined();
  }, 90_000);
});
