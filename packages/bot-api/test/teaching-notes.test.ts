// A competition that requires trade notes refuses a bot's order (the bot API sends none) with
// the same sentence the web app shows, as Binance's rejection (-2010), and stores nothing.
import { createHmac } from 'node:crypto';
import { createApiKey } from '@lab/services';
import { createCompetitionAccount } from '@lab/services/testing';
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
    const { student, accountId } = await createCompetitionAccount(h.db, {
      name: 'Notes week',
      takerFeeRate: '0',
      allowBots: true,
      teaching: { create: { notesRequired: true } },
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
