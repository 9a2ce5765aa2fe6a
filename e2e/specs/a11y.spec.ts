// Every page, in both themes: no axe-core violation of serious or critical impact, no console
// error, no failed request. And the keyboard: a skip link first, focus on the new page's content
// after a navigation.
import { expect, test } from '../fixtures/accounts.ts';
import { makeAdmin, seriousViolations, watchProblems } from '../fixtures/trading.ts';

const PUBLIC = [
  '/',
  '/markets',
  '/markets/BTCUSDT',
  '/trade/BTCUSDT',
  '/margin-lab',
  '/sign-in',
  '/sign-up',
];

for (const colorScheme of ['dark', 'light'] as const) {
  test(`public pages in the ${colorScheme} theme: no serious accessibility violation, console error or failed request`, async ({
    page,
  }) => {
    test.setTimeout(180_000);
    await page.emulateMedia({ colorScheme });
    const problems = watchProblems(page);
    const found: Record<string, string[]> = {};
    for (const path of PUBLIC) {
      await page.goto(path);
      await expect(page.getByRole('main')).toBeVisible();
      // let the live data arrive (prices flash, the book fills)
      await page.waitForTimeout(2_500);
      const v = await seriousViolations(page);
      if (v.length) found[path] = v;
    }
    expect(found).toEqual({});
    expect(problems).toEqual([]);
  });

  test(`a signed-in user's pages in the ${colorScheme} theme: no serious accessibility violation, console error or failed request`, async ({
    page,
    user,
  }) => {
    test.setTimeout(180_000);
    await page.emulateMedia({ colorScheme });
    await makeAdmin(user.userId);
    const problems = watchProblems(page);
    const found: Record<string, string[]> = {};
    for (const path of [
      '/accounts',
      `/accounts/${user.accountId}`,
      '/profile',
      '/admin/users',
      `/trade/BTCUSDT?account=${user.accountId}`,
      '/trade/ETHUSDT',
    ]) {
      await page.goto(path);
      await expect(page.getByRole('main')).toBeVisible();
      await page.waitForTimeout(2_500);
      const v = await seriousViolations(page);
      if (v.length) found[path] = v;
    }
    // the trade page's dialogs too
    await page.getByRole('button', { name: /^Leverage: \d+×/ }).click();
    await expect(page.getByRole('dialog')).toBeVisible();
    const dialog = await seriousViolations(page);
    if (dialog.length) found['leverage dialog'] = dialog;
    expect(found).toEqual({});
    expect(problems).toEqual([]);
  });
}

test('the keyboard: a skip link comes first, and focus moves to the new page after a navigation', async ({
  page,
}) => {
  await page.goto('/markets');
  await page.keyboard.press('Tab');
  const skip = page.getByRole('link', { name: 'Skip to content' });
  await expect(skip).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('main')).toBeFocused();
  // a client-side navigation puts focus on the new page's main content
  await page
    .getByRole('link', { name: /^BTCUSDT/ })
    .first()
    .click();
  await expect(page).toHaveURL(/\/markets\/BTCUSDT$/);
  await expect(page.getByRole('main')).toBeFocused();
  // the whole row of the markets list opens the market
  await page.goBack();
  await page.getByRole('row').filter({ hasText: 'ETHUSDT' }).getByRole('cell').nth(2).click();
  await expect(page).toHaveURL(/\/markets\/ETHUSDT$/);
});
