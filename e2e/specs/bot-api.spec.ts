// The bot API on the production server: a trader creates an API key on the account page (the
// secret shown once), a bot then reaches /fapi/v1/ping, makes a signed call with the key, and the
// browser opens a market stream over WebSocket; the revoked key is refused with -2015.
import { createHmac } from 'node:crypto';
import { expect, screenshot, test } from '../fixtures/accounts.ts';

const sign = (secret: string, q: string) => createHmac('sha256', secret).update(q).digest('hex');

test('API keys on the account page drive /fapi: ping, a signed balance, a stream, revocation', async ({
  page,
  user,
}) => {
  const ping = await page.request.get('/fapi/v1/ping');
  expect(ping.status()).toBe(200);
  expect(await ping.json()).toEqual({});
  expect(Number(ping.headers()['x-mbx-used-weight-1m'])).toBeGreaterThan(0);

  await page.goto(`/accounts/${user.accountId}`);
  const section = page.getByRole('region', { name: 'API keys' });
  await expect(section).toContainText('No API keys yet.');
  const form = section.getByRole('form', { name: 'Create an API key' });
  await form.getByLabel('Key name').fill('e2e bot');
  await form.getByLabel('Read only').check();
  await form.getByRole('button', { name: 'Create API key' }).click();
  const shown = section.getByRole('status', { name: 'New API key' });
  await expect(shown).toContainText('shown only this once');
  const key = (await shown.getByTestId('api-key').textContent())!.trim();
  const secret = (await shown.getByTestId('api-secret').textContent())!.trim();
  expect(key).toMatch(/^[A-Za-z0-9]{64}$/);
  await expect(section.getByRole('row', { name: /e2e bot/ })).toContainText('Read only');
  await screenshot(page, 'account-api-keys');

  // a bot: the signed balance of this account
  const query = `timestamp=${Date.now()}&recvWindow=10000`;
  const balance = await page.request.get(
    `/fapi/v2/balance?${query}&signature=${sign(secret, query)}`,
    { headers: { 'X-MBX-APIKEY': key } },
  );
  expect(balance.status(), await balance.text()).toBe(200);
  const [usdt] = (await balance.json()) as Array<{ asset: string; balance: string }>;
  expect(usdt).toMatchObject({ asset: 'USDT', balance: '10000' });
  // the read-only key may not trade
  const order = `symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.01&timestamp=${Date.now()}`;
  const refused = await page.request.post('/fapi/v1/order', {
    headers: { 'X-MBX-APIKEY': key, 'content-type': 'application/x-www-form-urlencoded' },
    data: `${order}&signature=${sign(secret, order)}`,
  });
  expect(await refused.json()).toMatchObject({ code: -2015 });

  // the market stream over WebSocket, from the browser, on the same server
  const event = await page.evaluate(async () => {
    const ws = new WebSocket(`${location.origin.replace(/^http/, 'ws')}/ws/btcusdt@markPrice@1s`);
    return new Promise<Record<string, unknown>>((resolve, reject) => {
      setTimeout(() => reject(new Error('no mark price event within 10 s')), 10_000);
      ws.onmessage = (m) => {
        ws.close();
        resolve(JSON.parse(String(m.data)) as Record<string, unknown>);
      };
      ws.onerror = () => reject(new Error('websocket error'));
    });
  });
  expect(event).toMatchObject({ e: 'markPriceUpdate', s: 'BTCUSDT' });
  expect(Number(event.p)).toBeGreaterThan(0);

  // revoked on the page: refused at once
  await page.reload();
  await section.getByRole('button', { name: 'Revoke e2e bot' }).click();
  await section.getByRole('button', { name: 'Revoke “e2e bot” now' }).click();
  await expect(section.getByRole('row', { name: /e2e bot/ })).toContainText('Revoked');
  const q2 = `timestamp=${Date.now()}`;
  const after = await page.request.get(`/fapi/v2/balance?${q2}&signature=${sign(secret, q2)}`, {
    headers: { 'X-MBX-APIKEY': key },
  });
  expect(after.status()).toBe(401);
  expect(await after.json()).toMatchObject({ code: -2015 });
});
