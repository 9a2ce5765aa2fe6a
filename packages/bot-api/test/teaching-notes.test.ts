// A competition that requires trade notes refuses a bot's order (the bot API sends none) with
// the same sentence the web app shows, as Binance's rejection (-2010), and stores nothing.
import { createHmac, randomBytes } from 'node:crypto';
import { Prisma } from '@lab/db';
import { createApiKey, createFundedAccount } from '@lab/services';
import { createUser } from '@lab/services/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ trustProxy: true });
  h.market('BTCUSDT', '50000');
});
afterAll(async () => {
  await h?.close();
});

const hmac = (secret: string, s: string) => createHmac('sha256', secret).update(s).digest('hex');

describe('trade notes required', () => {
  it('a bot’s order is refused naming the rule (-2010), and nothing is stored', async () => {
    const host = await createUser(h.db);
    const student = await createUser(h.db);
    const competition = await h.db.competition.create({
      data: {
        code: randomBytes(3).toString('hex').toUpperCase().slice(0, 6),
        name: 'Notes week',
        state: 'RUNNING',
        startsAt: new Date(Date.now() - 3_600_000),
        endsAt: new Date(Date.now() + 3_600_000),
        startingBalance: '1000',
        symbols: ['BTCUSDT'],
        maxLeverage: 10,
        makerFeeRate: '0',
        takerFeeRate: '0',
        allowBots: true,
        venueId: 'main',
        createdById: host.user.id,
        teaching: { create: { notesRequired: true } },
      },
    });
    const accountId = await h.db.$transaction((tx) =>
      createFundedAccount(tx, student.user.id, {
        name: 'Notes week',
        kind: 'COMPETITION',
        startingBalance: new Prisma.Decimal(1000),
      }),
    );
    await h.db.competitionParticipant.create({
      data: { competitionId: competition.id, userId: student.user.id, accountId },
    });
    const key = await createApiKey(h.db, student.user.id, accountId, {
      label: 'bot',
      permission: 'trade',
    });
    const q = `symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.01&timestamp=${Date.now()}`;
    const r = await fetch(`${h.url}/fapi/v1/order`, {
      method: 'POST',
      headers: {
        'X-MBX-APIKEY': key.key,
        'x-forwarded-for': '127.0.0.9',
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: `${q}&signature=${hmac(key.secret, q)}`,
    });
    expect(await r.json()).toEqual({
      code: -2010,
      msg: '“Notes week” asks for a trade note on every order that opens or adds to a position: say in a sentence why you are placing it.',
    });
    expect(await h.db.order.count({ where: { accountId } })).toBe(0);
  });
});
