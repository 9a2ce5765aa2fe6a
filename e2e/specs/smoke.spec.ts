import { expect, test } from '@playwright/test';

test('the landing page introduces the platform and leads to sign-up', async ({ page }) => {
  await page.goto('/');
  await expect(page).toHaveTitle(/Leverage Lab/);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('leverage');
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
  await page.getByRole('link', { name: 'Open a paper account' }).click();
  await expect(page).toHaveURL(/\/sign-up/);
});

test('the health route reports the database up', async ({ request }) => {
  const res = await request.get('/api/health');
  expect(res.status()).toBe(200);
  const body = (await res.json()) as { database: string; migrations: number };
  expect(body.database).toBe('up');
  expect(body.migrations).toBeGreaterThan(0);
});

test('tRPC answers over HTTP with the same health report', async ({ request }) => {
  const res = await request.get('/api/trpc/health.check');
  expect(res.status()).toBe(200);
  const body = (await res.json()) as { result: { data: { database: string } } };
  expect(body.result.data.database).toBe('up');
});
