// Teams on PostgreSQL: an average team's score is the average of its members' returns (checked
// against figures computed by hand), a shared team trades one account (every member may, each
// order recorded with its author; a member's own account is refused naming the team; nobody
// else gets in), teams are formed before the start only.
import { describe, expect, it } from 'vitest';
import { listAccounts, requireOwnedAccount } from '../src/paper-accounts.ts';
import { placeOrder } from '../src/trading/orders.ts';
import { getTradingSummary } from '../src/trading/read-models.ts';
import { averageReturn, listTeams, setTeams, teamLeaderboard } from '../src/teaching/teams.ts';
import { expectConsistent, useTestDb } from './helpers.ts';
import { classroom } from './teaching-fixture.ts';
import { testPrices } from './trading-helpers.ts';

const t = useTestDb();

const refusal = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    return e as { code: string; reason?: string; field?: string; message: string };
  }
  throw new Error('expected a refusal');
};

describe('average teams', () => {
  it('a team’s score is the average of its members’ returns, as computed by hand', async () => {
    const prices = testPrices();
    const room = await classroom(t.db, { students: ['Ann', 'Bob', 'Cat'] });
    const [ann, bob, cat] = room.students;
    await setTeams(t.db, room.host.viewer, room.competitionId, [
      { name: 'Bulls', kind: 'AVERAGE', participantIds: [ann!.participantId, bob!.participantId] },
      { name: 'Bears', kind: 'AVERAGE', participantIds: [cat!.participantId] },
    ]);
    await room.start();
    // no fees. Ann buys 1 BTC at 50,000, Bob sells 0.5, Cat buys 10 ETH at 3,000
    for (const [s, symbol, side, quantity] of [
      [ann!, 'BTCUSDT', 'buy', '1'],
      [bob!, 'BTCUSDT', 'sell', '0.5'],
      [cat!, 'ETHUSDT', 'buy', '10'],
    ] as const)
      await placeOrder(t.db, prices, s.actor, s.accountId, {
        symbol,
        side,
        type: 'market',
        quantity,
      });
    // BTC to 51,000, ETH to 3,030:
    //   Ann 10,000 + 1,000 = 11,000: +10%     Bob 10,000 - 500 = 9,500: -5%
    //   Cat 10,000 + 300 = 10,300: +3%
    //   Bulls (10% - 5%) / 2 = 2.5%, Bears 3%: Bears first
    prices.set('BTCUSDT', { markPrice: '51000', lastPrice: '51000' });
    prices.set('ETHUSDT', { markPrice: '3030', lastPrice: '3030' });
    await new Promise((r) => setTimeout(r, 1100)); // the board is shared for a second
    const board = await teamLeaderboard(t.db, prices, room.host.viewer, room.competitionId);
    expect(board.teams.map((x) => [x.rank, x.name, x.score])).toEqual([
      [1, 'Bears', '0.03'],
      [2, 'Bulls', '0.025'],
    ]);
    expect(board.teams[1]!.members.map((m) => [m.displayName, m.return])).toEqual([
      ['Ann', '0.1'],
      ['Bob', '-0.05'],
    ]);
    // a student sees the board with their own team marked
    const seen = await teamLeaderboard(t.db, prices, bob!.viewer, room.competitionId);
    expect(seen.teams.find((x) => x.isMine)?.name).toBe('Bulls');
  });

  it('averageReturn rounds half-even to 8 places', () => {
    expect(averageReturn(['0.1', '-0.05']).toFixed()).toBe('0.025');
    expect(averageReturn(['0.00000001', '0', '0']).toFixed()).toBe('0');
    expect(averageReturn(['0.00000002', '0.00000001', '0']).toFixed()).toBe('0.00000001');
    expect(averageReturn([]).toFixed()).toBe('0');
  });
});

describe('shared-account teams', () => {
  it('every member trades the first member’s account, each order recorded with its author', async () => {
    const prices = testPrices();
    const room = await classroom(t.db, { students: ['Dee', 'Eli', 'Fay'] });
    const [dee, eli, fay] = room.students;
    const teams = await setTeams(t.db, room.host.viewer, room.competitionId, [
      {
        name: 'Desk',
        kind: 'SHARED_ACCOUNT',
        participantIds: [dee!.participantId, eli!.participantId],
      },
    ]);
    expect(teams[0]!.accountId).toBe(dee!.accountId);
    await room.start();

    // Eli trades the team's account (Dee's): accepted, recorded as Eli's
    const byEli = await placeOrder(t.db, prices, eli!.actor, dee!.accountId, {
      symbol: 'BTCUSDT',
      side: 'buy',
      type: 'market',
      quantity: '0.1',
      note: 'Eli: momentum',
    });
    const byDee = await placeOrder(t.db, prices, dee!.actor, dee!.accountId, {
      symbol: 'BTCUSDT',
      side: 'buy',
      type: 'market',
      quantity: '0.1',
    });
    const authors = await t.db.orderNote.findMany({
      where: { orderId: { in: [byEli.order.id, byDee.order.id] } },
      include: { author: { select: { displayName: true } } },
    });
    expect(new Map(authors.map((a) => [a.orderId, a.author!.displayName]))).toEqual(
      new Map([
        [byEli.order.id, 'Eli'],
        [byDee.order.id, 'Dee'],
      ]),
    );
    // Eli reads it too and finds it among their accounts
    await expect(requireOwnedAccount(t.db, eli!.user.id, dee!.accountId)).resolves.toMatchObject({
      id: dee!.accountId,
    });
    const summary = await getTradingSummary(t.db, prices, eli!.actor, dee!.accountId);
    expect(summary).toBeTruthy();
    const eliAccounts = await listAccounts(t.db, prices, eli!.user.id);
    expect(eliAccounts.find((a) => a.id === dee!.accountId)?.sharedTeam).toBe('Desk');

    // Eli's own account is refused, naming the team; Fay (not in the team) cannot get in
    const own = await refusal(
      placeOrder(t.db, prices, eli!.actor, eli!.accountId, {
        symbol: 'BTCUSDT',
        side: 'buy',
        type: 'market',
        quantity: '0.1',
      }),
    );
    expect(own).toMatchObject({
      code: 'PRECONDITION',
      reason: 'COMPETITION_TEAM_ACCOUNT',
      message: 'In “Risk week” you trade your team “Desk”’s shared account, not this one.',
    });
    for (const call of [
      () =>
        placeOrder(t.db, prices, fay!.actor, dee!.accountId, {
          symbol: 'BTCUSDT',
          side: 'buy',
          type: 'market',
          quantity: '0.1',
        }),
      () => getTradingSummary(t.db, prices, fay!.actor, dee!.accountId),
      () => requireOwnedAccount(t.db, fay!.user.id, dee!.accountId),
    ])
      expect(await refusal(call())).toMatchObject({ code: 'NOT_FOUND' });

    // the team's score is the shared account's return
    prices.set('BTCUSDT', { markPrice: '55000', lastPrice: '55000' });
    await new Promise((r) => setTimeout(r, 1100));
    const board = await teamLeaderboard(t.db, prices, room.host.viewer, room.competitionId);
    // 0.2 BTC bought at 50,000, marked at 55,000: +1,000 on 10,000 = 10%
    expect(board.teams).toEqual([
      expect.objectContaining({
        name: 'Desk',
        kind: 'SHARED_ACCOUNT',
        score: '0.1',
        equity: '11000',
      }),
    ]);

    // a removed member loses access at once
    await t.db.competitionParticipant.update({
      where: { id: eli!.participantId },
      data: { status: 'REMOVED' },
    });
    expect(
      await refusal(
        placeOrder(t.db, prices, eli!.actor, dee!.accountId, {
          symbol: 'BTCUSDT',
          side: 'sell',
          type: 'market',
          quantity: '0.1',
        }),
      ),
    ).toMatchObject({ code: 'NOT_FOUND' });
    await expectConsistent(t.db, dee!.accountId);
  });

  it('teams are formed before the start, each student in one team, members of the competition', async () => {
    const room = await classroom(t.db, { students: ['Gus', 'Hal'] });
    const other = await classroom(t.db, { students: ['Ivy'] });
    const [gus, hal] = room.students;
    expect(
      await refusal(
        setTeams(t.db, room.host.viewer, room.competitionId, [
          { name: 'A', kind: 'AVERAGE', participantIds: [gus!.participantId] },
          { name: 'B', kind: 'AVERAGE', participantIds: [gus!.participantId, hal!.participantId] },
        ]),
      ),
    ).toMatchObject({ code: 'VALIDATION', field: 'teams.1.participantIds' });
    expect(
      await refusal(
        setTeams(t.db, room.host.viewer, room.competitionId, [
          { name: 'A', kind: 'AVERAGE', participantIds: [other.students[0]!.participantId] },
        ]),
      ),
    ).toMatchObject({ code: 'VALIDATION', field: 'teams.0.participantIds' });
    expect(
      await refusal(
        setTeams(t.db, room.host.viewer, room.competitionId, [
          { name: 'Same', kind: 'AVERAGE', participantIds: [gus!.participantId] },
          { name: 'same', kind: 'AVERAGE', participantIds: [hal!.participantId] },
        ]),
      ),
    ).toMatchObject({ code: 'VALIDATION', field: 'teams.1.name' });
    // a student may not form teams
    expect(
      await refusal(
        setTeams(t.db, gus!.viewer, room.competitionId, [
          {
            name: 'Us',
            kind: 'SHARED_ACCOUNT',
            participantIds: [gus!.participantId, hal!.participantId],
          },
        ]),
      ),
    ).toMatchObject({ code: 'FORBIDDEN' });
    await setTeams(t.db, room.host.viewer, room.competitionId, [
      {
        name: 'Pair',
        kind: 'SHARED_ACCOUNT',
        participantIds: [hal!.participantId, gus!.participantId],
      },
    ]);
    // a student sees the teams; their own team's account only
    const seen = await listTeams(t.db, gus!.viewer, room.competitionId);
    expect(seen[0]).toMatchObject({ name: 'Pair', accountId: hal!.accountId });
    await room.start();
    expect(await refusal(setTeams(t.db, room.host.viewer, room.competitionId, []))).toMatchObject({
      code: 'PRECONDITION',
      reason: 'COMPETITION_STARTED',
    });
  });
});
