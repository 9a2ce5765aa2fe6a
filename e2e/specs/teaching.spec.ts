// Teaching with competitions (issue 18) end to end, in Chromium against the production server and
// the real worker: a host sets two risk rules (a leverage limit, a stop-loss) and asks for trade
// notes on a competition with a market of its own; a student's order without a note is refused
// naming the rule, with a note it goes through at 10× cross and breaks the leverage limit; the
// student sees the broken rule on the competition page and the host sees the violation, its order
// and its note; the host crashes the class's market by 20%, ends the competition, and the class
// report shows the student's counterfactual: under isolated margin the engine liquidates the
// position and keeps the rest of the wallet. Every step is photographed at desktop and phone
// width (test-results/.../screens).
import { readFile } from 'node:fs/promises';
import { expect, test, type APIRequestContext } from '@playwright/test';
import { signedInContext as signedIn } from '../fixtures/accounts.ts';
import { screens, waitForLive, watchProblems } from '../fixtures/trading.ts';

async function trpcPost<T>(request: APIRequestContext, procedure: string, input: unknown) {
  const res = await request.post(`/api/trpc/${procedure}`, { data: input });
  const body = await res.text();
  expect(res.status(), body).toBe(200);
  return (JSON.parse(body) as { result: { data: T } }).result.data;
}

test('a host sets two rules; a student breaks one; both see it; the class report shows the counterfactual', async ({
  browser,
}) => {
  test.setTimeout(300_000);
  const host = await signedIn(browser, 'teacher');
  const problems = watchProblems(host.page);
  const name = `Risk lesson ${Math.floor(Math.random() * 1000)}`;

  // a draft competition on the main market (its form is the competitions spec's)
  const c = await trpcPost<{ id: string; code: string }>(
    host.context.request,
    'competition.create',
    {
      name,
      description: 'Manage your risk: a stop within 5%, at most 5× leverage.',
      startsAt: Date.now(),
      endsAt: Date.now() + 3_600_000,
      startingBalance: '10000',
      symbols: ['BTCUSDT'],
      maxLeverage: 20,
      marginModes: 'BOTH',
      makerFeeRate: '0.0002',
      takerFeeRate: '0.0005',
      allowLateJoin: true,
      allowResets: false,
      afterLiquidation: 'CONTINUE',
      resetPenalty: null,
      leaderboard: 'LIVE',
      ranking: 'RISK_ADJUSTED',
      snapshotSeconds: 10,
      market: { kind: 'own', ticksPerSecond: 10, fundingIntervalMinutes: null },
      publish: false,
    },
  );

  // --- the host sets two rules, trade notes and the benchmark on the teaching page
  await host.page.goto(`/competitions/${c.id}/host`);
  await host.page.getByRole('link', { name: 'Teaching: rules, notes, teams' }).click();
  await expect(
    host.page.getByRole('heading', { level: 1, name: `Teaching: ${name}` }),
  ).toBeVisible();
  const rules = host.page.getByRole('region', { name: 'Risk rules' });
  await rules.getByRole('checkbox', { name: 'A leverage limit' }).check();
  await rules.getByLabel('A leverage limit: At most (×)').fill('5');
  await rules.getByRole('checkbox', { name: 'A stop-loss on every leveraged position' }).check();
  await rules.getByLabel('A stop-loss on every leveraged position: Stop within (%)').fill('5');
  await rules
    .getByLabel('A stop-loss on every leveraged position: Time to place it (s)')
    .fill('900');
  await rules.getByRole('button', { name: 'Save the rules' }).click();
  await expect(rules.getByRole('status')).toHaveText('Rules saved.');
  await expect(rules).toContainText('Never trade above 5× leverage.');
  await expect(rules).toContainText(
    'Every position above 1× leverage carries a stop-loss within 5% of its entry (900 s to place it).',
  );
  const notes = host.page.getByRole('region', { name: 'Trade notes and the benchmark' });
  await notes.getByRole('checkbox', { name: /^Require a trade note/ }).check();
  await notes.getByRole('combobox', { name: /^Benchmark/ }).selectOption('BTCUSDT');
  await notes.getByRole('button', { name: 'Save notes and benchmark' }).click();
  await expect(notes.getByRole('status')).toHaveText('Saved.');
  await screens(host.page, 'teaching-01-host-rules');
  await trpcPost(host.context.request, 'competition.publish', { competitionId: c.id });

  // --- a student joins: the assignment is on the competition page
  const s = await signedIn(browser, 'pupil');
  const studentProblems = watchProblems(s.page);
  const joined = await trpcPost<{ accountId: string }>(s.context.request, 'competition.join', {
    code: c.code,
  });
  await s.page.goto(`/competitions/${c.id}`);
  const assignment = s.page.getByRole('region', { name: 'My assignment' });
  await expect(assignment).toContainText('Never trade above 5× leverage.');
  await expect(assignment).toContainText(/needs a trade\s+note/);
  await screens(s.page, 'teaching-02-student-assignment');

  // --- on the trade page: 10× (the competition allows 20×, the assignment 5×)
  await s.page.getByRole('link', { name: 'Trade BTCUSDT' }).click();
  await expect(s.page).toHaveURL(new RegExp(`/trade/BTCUSDT\\?account=${joined.accountId}`));
  await waitForLive(s.context.request, joined.accountId, 'BTCUSDT');
  await s.page.getByRole('button', { name: /^Leverage: \d+×/ }).click();
  const dialog = s.page.getByRole('dialog', { name: 'Leverage · BTCUSDT' });
  await dialog.getByLabel(/^Leverage \(1× to \d+×\)$/).fill('10');
  await dialog.getByRole('button', { name: 'Set 10×' }).click();
  await expect(s.page.getByRole('button', { name: /^Leverage: 10×/ })).toBeVisible();
  const form = s.page.getByRole('form', { name: 'Order on BTCUSDT' });
  await form
    .getByRole('group', { name: 'Side' })
    .getByRole('button', { name: 'Buy / Long' })
    .click();
  await form
    .getByRole('group', { name: 'Order type' })
    .getByRole('button', { name: 'Market' })
    .click();
  await form.getByLabel('Quantity', { exact: true }).fill('0.3');
  const note = form.getByLabel(/^Trade note \(required\)/);
  await expect(note).toBeVisible();
  // without a note: refused, the rule named under the note
  await form.getByRole('button', { name: 'Buy / Long BTCUSDT' }).click();
  await expect(form).toContainText(
    `“${name}” asks for a trade note on every order that opens or adds to a position: say in a sentence why you are placing it.`,
  );
  await screens(s.page, 'teaching-03-note-required');
  await note.fill('Breaking out of the morning range; I will cut it below 95% of entry.');
  await form.getByRole('button', { name: 'Buy / Long BTCUSDT' }).click();
  await expect(form.getByRole('status').filter({ hasText: 'Bought' })).toHaveText(
    /^Bought 0\.30* BTC at [\d,]+\.\d\.$/,
  );

  // --- the student sees the broken rule, live
  await s.page.goto(`/competitions/${c.id}`);
  const leverageRule = assignment
    .getByRole('listitem')
    .filter({ hasText: 'Never trade above 5× leverage.' });
  await expect(leverageRule).toContainText('Broken', { timeout: 20_000 });
  await expect(leverageRule).toContainText(
    /added to the BTCUSDT position at 10× leverage; the limit is 5×\./,
  );
  const stopRule = assignment.getByRole('listitem').filter({ hasText: 'stop-loss within 5%' });
  await expect(stopRule).toContainText('Pending');
  await expect(s.page.getByRole('table', { name: `Leaderboard of ${name}` })).toContainText(
    'BTCUSDT buy & hold',
  );
  await screens(s.page, 'teaching-04-student-broken-rule');

  // --- the host sees it: the violation, the order behind it and its note
  await host.page.reload();
  const compliance = host.page.getByRole('region', { name: 'Compliance' });
  const row = compliance
    .getByRole('row')
    .filter({ has: host.page.getByRole('rowheader', { name: new RegExp(s.data.displayName) }) });
  await expect(row).toContainText('Broken', { timeout: 20_000 });
  await expect(row).toContainText('highest leverage used: 10×');
  await row.getByRole('button', { name: `Details of ${s.data.displayName}` }).click();
  await expect(compliance).toContainText(/added to the BTCUSDT position at 10× leverage/);
  await expect(compliance).toContainText(
    'Their note: “Breaking out of the morning range; I will cut it below 95% of entry.”',
  );
  await expect(
    compliance.getByRole('table', { name: `Orders of ${s.data.displayName} with their notes` }),
  ).toContainText('Breaking out of the morning range');
  await screens(host.page, 'teaching-05-host-compliance');

  // --- a 20% crash on the class's market: 10x cross survives it (the wallet carries the loss),
  // an isolated 10x position would not; then the end freezes the standings
  await trpcPost(host.context.request, 'competition.marketEvent', {
    competitionId: c.id,
    event: { type: 'crash', percent: 20, durationMs: 5000 },
    note: 'Breaking: an exchange halts withdrawals.',
  });
  await expect
    .poll(
      async () => {
        const res = await s.context.request.get(
          `/api/trpc/trade.positions?input=${encodeURIComponent(JSON.stringify({ accountId: joined.accountId }))}`,
        );
        const body = (await res.json()) as {
          result?: { data: Array<{ entryPrice: string; markPrice: string }> };
        };
        const p = body.result?.data[0];
        return p ? Number(p.markPrice) / Number(p.entryPrice) : 1;
      },
      { timeout: 60_000, intervals: [1000] },
    )
    .toBeLessThan(0.86);
  // the minute candle that holds the fall is stored as it grows: a little time for the last write
  await host.page.waitForTimeout(3000);
  await trpcPost(host.context.request, 'competition.endEarly', { competitionId: c.id });
  await host.page.goto(`/competitions/${c.id}/report`);
  await expect(
    host.page.getByRole('heading', { level: 1, name: `Class report: ${name}` }),
  ).toBeVisible();
  const students = host.page.getByRole('table', {
    name: 'Each student’s figures and counterfactual',
  });
  const mine = students
    .getByRole('row')
    .filter({ has: host.page.getByRole('rowheader', { name: new RegExp(s.data.displayName) }) });
  await expect(mine).toContainText(
    /In isolated margin you would have kept [\d,.]+ USDT of the [\d,.]+ you lost\./,
    { timeout: 60_000 },
  );
  await expect(mine).toContainText(
    /Replayed in cross: [\d,.]+ USDT; in isolated: [\d,.]+ USDT, 1 liquidation\./,
  );
  await expect(host.page.getByRole('region', { name: 'Rules most often broken' })).toContainText(
    'A leverage limit: broken by 1 student, 1 time',
  );
  await screens(host.page, 'teaching-06-class-report');
  const [download] = await Promise.all([
    host.page.waitForEvent('download'),
    host.page.getByRole('link', { name: 'Download the report (CSV)' }).click(),
  ]);
  const csv = await readFile(await download.path(), 'utf8');
  const [header, line] = csv.trim().split('\r\n');
  expect(header).toContain('counterfactual_mode');
  expect(line).toContain(s.data.email);
  expect(line).toMatch(/,cross,isolated,/);
  expect(line).toContain('In isolated margin you would have kept');

  expect(problems.filter((p) => !p.includes('/api/stream/'))).toEqual([]);
  // the refused order is the one 412 the student's page shows (the response and the console's line)
  const expected = (p: string) =>
    p.includes('/api/stream/') ||
    /^412: .*trade\.placeOrder/.test(p) ||
    p ===
      'console: Failed to load resource: the server responded with a status of 412 (Precondition Failed)';
  expect(studentProblems.filter((p) => !expected(p))).toEqual([]);
  expect(studentProblems.filter((p) => p.startsWith('412: '))).toHaveLength(1);
  for (const x of [host.context, s.context]) await x.close();
});
