// Risk-rule assignments and trade notes through the real services on PostgreSQL: the host sets
// rules before the start, students trade through the trading services, the rules are checked
// from the stored history and the violations stored once, with the order behind them; trade
// notes are required where the host says so (refused naming the rule, nothing changed), kept
// with the order and shown in the exports.
import { describe, expect, it } from 'vitest';
import { exportTrades } from '../src/competitions/exports.ts';
import { closePosition, placeOrder, setLeverage } from '../src/trading/orders.ts';
import { previewOrder } from '../src/trading/preview.ts';
import { complianceReport, evaluateCompliance, myCompliance } from '../src/teaching/compliance.ts';
import { exportOrders } from '../src/teaching/exports.ts';
import { participantOrders } from '../src/teaching/notes.ts';
import { getTeaching, setRiskRules, updateTeachingSettings } from '../src/teaching/settings.ts';
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

describe('risk rules checked on the stored history', () => {
  it('a student who breaks the leverage limit sees it; the host sees the violation, its time and its order', async () => {
    const prices = testPrices();
    const room = await classroom(t.db, {
      students: ['Ada', 'Ben'],
      rules: [
        { kind: 'MAX_LEVERAGE', params: { max: '10' } },
        { kind: 'MIN_TRADES', params: { count: '3' } },
      ],
    });
    await room.start();
    const [ada, ben] = room.students;
    // Ada trades at 20x: a violation naming her order; Ben at 5x: none
    await setLeverage(t.db, prices, ada!.actor, ada!.accountId, {
      symbol: 'BTCUSDT',
      leverage: 20,
    });
    const placed = await placeOrder(t.db, prices, ada!.actor, ada!.accountId, {
      symbol: 'BTCUSDT',
      side: 'buy',
      type: 'market',
      quantity: '0.1',
    });
    await setLeverage(t.db, prices, ben!.actor, ben!.accountId, { symbol: 'ETHUSDT', leverage: 5 });
    await placeOrder(t.db, prices, ben!.actor, ben!.accountId, {
      symbol: 'ETHUSDT',
      side: 'buy',
      type: 'market',
      quantity: '1',
    });

    const mine = await myCompliance(t.db, ada!.viewer, room.competitionId);
    const lev = mine.rules.find((r) => r.kind === 'MAX_LEVERAGE')!;
    expect(lev.status).toBe('violated');
    expect(lev.violations).toEqual([
      expect.objectContaining({
        orderId: placed.order.id,
        symbol: 'BTCUSDT',
        message: `Order ${placed.order.id} added to the BTCUSDT position at 20× leverage; the limit is 10×.`,
      }),
    ]);
    expect(Math.abs(lev.violations[0]!.at - placed.order.createdAt)).toBeLessThan(1000);
    const trades = mine.rules.find((r) => r.kind === 'MIN_TRADES')!;
    expect(trades).toMatchObject({ status: 'pending', progress: '1 of 3 trades so far' });

    const report = await complianceReport(t.db, room.host.viewer, room.competitionId);
    const byName = new Map(report.participants.map((p) => [p.displayName, p]));
    expect(byName.get('Ada')!.violations).toBe(1);
    expect(byName.get('Ben')!.violations).toBe(0);
    expect(byName.get('Ben')!.rules.map((r) => r.status)).toEqual(['ok', 'pending']);
    expect(report.mostBroken[0]).toMatchObject({
      kind: 'MAX_LEVERAGE',
      students: 1,
      violations: 1,
    });

    // evaluated again (nothing moved, then everything forced): the violation is stored once
    expect((await evaluateCompliance(t.db, room.competitionId)).evaluated).toBe(0);
    await t.db.ruleCheck.deleteMany({ where: { competitionId: room.competitionId } });
    expect(await evaluateCompliance(t.db, room.competitionId)).toEqual({
      evaluated: 2,
      newViolations: 0,
    });
    expect(await t.db.ruleViolation.count({ where: { competitionId: room.competitionId } })).toBe(
      1,
    );

    // at the end, fewer than three trades is a violation for both, at the end time
    const endAt = Date.now();
    await room.end(endAt);
    await evaluateCompliance(t.db, room.competitionId, { now: endAt + 1 });
    const final = await complianceReport(t.db, room.host.viewer, room.competitionId);
    for (const p of final.participants) {
      const r = p.rules.find((x) => x.kind === 'MIN_TRADES')!;
      expect(r.status).toBe('violated');
      expect(r.violations[0]!.at).toBe(endAt);
    }
    await expectConsistent(t.db, ada!.accountId);
  });

  it('a stop-loss rule: pending during the grace, a violation once it runs out without a stop', async () => {
    const prices = testPrices();
    const room = await classroom(t.db, {
      students: ['Cleo'],
      rules: [{ kind: 'STOP_LOSS', params: { maxPercent: '5', graceSeconds: '30' } }],
    });
    await room.start();
    const [cleo] = room.students;
    await setLeverage(t.db, prices, cleo!.actor, cleo!.accountId, {
      symbol: 'BTCUSDT',
      leverage: 10,
    });
    const placed = await placeOrder(t.db, prices, cleo!.actor, cleo!.accountId, {
      symbol: 'BTCUSDT',
      side: 'buy',
      type: 'market',
      quantity: '0.1',
    });
    const opened = placed.order.createdAt;
    await evaluateCompliance(t.db, room.competitionId, { now: opened + 10_000 });
    const check = await t.db.ruleCheck.findFirstOrThrow({
      where: { competitionId: room.competitionId },
    });
    expect(check.recheckAt!.getTime()).toBe(opened + 30_001);
    // nothing moved, but the grace ran out: evaluated again, one violation
    const later = await evaluateCompliance(t.db, room.competitionId, { now: opened + 31_000 });
    expect(later).toEqual({ evaluated: 1, newViolations: 1 });
    const v = await t.db.ruleViolation.findFirstOrThrow({
      where: { competitionId: room.competitionId },
    });
    expect(v).toMatchObject({ orderId: placed.order.id, symbol: 'BTCUSDT', kind: 'STOP_LOSS' });
    expect(v.at.getTime()).toBe(opened + 30_000);
  });

  it('rules are fixed once trading opens, and bad numbers are refused naming the field', async () => {
    const room = await classroom(t.db, { students: [] });
    const bad = await refusal(
      setRiskRules(t.db, room.host.viewer, room.competitionId, [
        { kind: 'STOP_LOSS', params: { maxPercent: '0' } },
      ]),
    );
    expect(bad).toMatchObject({ code: 'VALIDATION', field: 'rules.0.params.maxPercent' });
    const twice = await refusal(
      setRiskRules(t.db, room.host.viewer, room.competitionId, [
        { kind: 'NO_LIQUIDATION', params: {} },
        { kind: 'NO_LIQUIDATION', params: {} },
      ]),
    );
    expect(twice).toMatchObject({ code: 'VALIDATION', field: 'rules' });
    const set = await setRiskRules(t.db, room.host.viewer, room.competitionId, [
      { kind: 'NO_LIQUIDATION', params: {} },
    ]);
    expect(set.rules.map((r) => r.description)).toEqual(['Never be liquidated.']);
    await room.start();
    const late = await refusal(
      setRiskRules(t.db, room.host.viewer, room.competitionId, [
        { kind: 'MAX_LEVERAGE', params: { max: '3' } },
      ]),
    );
    expect(late).toMatchObject({ code: 'PRECONDITION', reason: 'COMPETITION_STARTED' });
    expect((await getTeaching(t.db, room.host.viewer, room.competitionId)).rules).toHaveLength(1);
  });
});

describe('trade notes', () => {
  it('required: an order that adds risk without a note is refused naming the rule and changes nothing; a close is not', async () => {
    const prices = testPrices();
    const room = await classroom(t.db, { students: ['Dora'], notesRequired: true });
    await room.start();
    const [dora] = room.students;
    const before = await t.db.accountEvent.count({ where: { accountId: dora!.accountId } });
    const refused = await refusal(
      placeOrder(t.db, prices, dora!.actor, dora!.accountId, {
        symbol: 'BTCUSDT',
        side: 'buy',
        type: 'market',
        quantity: '0.1',
        note: '   ',
      }),
    );
    expect(refused).toMatchObject({
      code: 'PRECONDITION',
      reason: 'COMPETITION_NOTE_REQUIRED',
      field: 'note',
      message:
        '“Risk week” asks for a trade note on every order that opens or adds to a position: say in a sentence why you are placing it.',
    });
    expect(await t.db.accountEvent.count({ where: { accountId: dora!.accountId } })).toBe(before);
    expect(await t.db.order.count({ where: { accountId: dora!.accountId } })).toBe(0);

    // a preview is not an order: it is not asked for a note
    const preview = await previewOrder(t.db, prices, dora!.actor, dora!.accountId, {
      symbol: 'BTCUSDT',
      side: 'buy',
      type: 'market',
      quantity: '0.1',
    });
    expect(preview.accepted).toBe(true);
    const placed = await placeOrder(t.db, prices, dora!.actor, dora!.accountId, {
      symbol: 'BTCUSDT',
      side: 'buy',
      type: 'market',
      quantity: '0.1',
      note: '  Breakout above 49,800; stop below the range.  ',
    });
    // cutting risk is never refused for want of a note
    const closed = await closePosition(t.db, prices, dora!.actor, dora!.accountId, {
      symbol: 'BTCUSDT',
    });
    const stored = await t.db.orderNote.findMany({
      where: { accountId: dora!.accountId },
      orderBy: { createdAt: 'asc' },
    });
    expect(stored.map((n) => [n.orderId, n.note, n.authorId])).toEqual([
      [placed.order.id, 'Breakout above 49,800; stop below the range.', dora!.user.id],
      [closed.order.id, null, dora!.user.id],
    ]);

    // the host sees it next to the order, and in both exports
    const orders = await participantOrders(
      t.db,
      room.host.viewer,
      room.competitionId,
      dora!.participantId,
      { limit: 10 },
    );
    expect(orders.items.map((o) => [o.id, o.note, o.placedBy])).toEqual([
      [closed.order.id, null, 'Dora'],
      [placed.order.id, 'Breakout above 49,800; stop below the range.', 'Dora'],
    ]);
    const trades = await exportTrades(t.db, room.host.viewer, room.competitionId);
    const header = trades.csv.split('\r\n')[0]!.split(',');
    expect(header.slice(-2)).toEqual(['note', 'placed_by']);
    expect(trades.csv).toContain(
      `${placed.order.id},"Breakout above 49,800; stop below the range.",Dora`,
    );
    const all = await exportOrders(t.db, room.host.viewer, room.competitionId);
    expect(all.rows).toBe(2);
    expect(all.csv).toContain('Dora,"Breakout above 49,800; stop below the range."');
    await expectConsistent(t.db, dora!.accountId);
  });

  it('a note that a spreadsheet would run as a formula is neutralised in the export', async () => {
    const prices = testPrices();
    const room = await classroom(t.db, { students: ['Eve'] });
    await room.start();
    const [eve] = room.students;
    const placed = await placeOrder(t.db, prices, eve!.actor, eve!.accountId, {
      symbol: 'ETHUSDT',
      side: 'sell',
      type: 'market',
      quantity: '1',
      note: '=HYPERLINK("http://x")',
    });
    const csv = (await exportOrders(t.db, room.host.viewer, room.competitionId)).csv;
    expect(csv).toContain(`"'=HYPERLINK(""http://x"")"`);
    expect(csv).toContain(placed.order.id);
  });

  it('notes required can be switched on while it runs (audit trail), not after the end', async () => {
    const room = await classroom(t.db, { students: [] });
    await room.start();
    const v = await updateTeachingSettings(t.db, room.host.viewer, room.competitionId, {
      notesRequired: true,
      benchmarkSymbol: 'BTCUSDT',
    });
    expect(v).toMatchObject({ notesRequired: true, benchmarkSymbol: 'BTCUSDT' });
    const changes = await t.db.competitionChange.findMany({
      where: {
        competitionId: room.competitionId,
        field: { in: ['notesRequired', 'benchmarkSymbol'] },
      },
    });
    expect(changes.map((c) => [c.field, c.after])).toEqual([
      ['notesRequired', true],
      ['benchmarkSymbol', 'BTCUSDT'],
    ]);
    await room.end();
    expect(
      await refusal(
        updateTeachingSettings(t.db, room.host.viewer, room.competitionId, {
          notesRequired: false,
        }),
      ),
    ).toMatchObject({ code: 'PRECONDITION' });
  });
});
