import { createDb } from '@lab/db';
import { formatAmount, formatSignedAmount } from '../../apps/web/src/lib/format.ts';
import { e2eState } from '../fixtures/state.ts';
import {
  expect,
  getCsrfToken,
  newUserData,
  screenshot,
  signInViaApi,
  signUpViaApi,
  test,
} from '../fixtures/accounts.ts';

test('sign up, sign out and sign in again through the pages', async ({
  page,
  context,
  browser,
}) => {
  const data = newUserData('journey');
  await page.goto('/sign-up');
  await expect(page.getByRole('heading', { name: 'Create your account' })).toBeVisible();
  await screenshot(page, 'sign-up');
  await page.getByLabel('Email').fill(`  ${data.email.toUpperCase()} `);
  await page.getByLabel('Display name').fill(data.displayName);
  await page.getByLabel('Password').fill(data.password);
  await page.getByRole('button', { name: 'Show' }).click();
  await expect(page.getByLabel('Password')).toHaveAttribute('type', 'text');
  await expect(page.getByRole('button', { name: 'Hide' })).toHaveAttribute('aria-pressed', 'true');
  await page.getByRole('button', { name: 'Create account' }).click();

  await expect(page).toHaveURL(/\/accounts$/);
  await expect(page.getByRole('heading', { name: 'Paper accounts' })).toBeVisible();
  const personal = page.getByRole('row', { name: /Personal/ });
  await expect(personal).toContainText('10,000.00');
  await expect(page.getByRole('navigation', { name: 'Main' })).toContainText(data.displayName);
  await screenshot(page, 'accounts-new-user');

  // Session cookie: HttpOnly and SameSite=Lax (Secure needs https; see apps/web/src/server/auth.ts).
  const cookie = (await context.cookies()).find((c) => c.name.endsWith('next-auth.session-token'));
  expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax' });

  const signedIn = await context.storageState();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('link', { name: 'Sign in' }).first()).toBeVisible();
  await page.goto('/accounts');
  await expect(page).toHaveURL(/\/sign-in\?callbackUrl=%2Faccounts/);
  // The sign-out button ended the session on the server: the cookie saved before is refused.
  const replay = await browser.newContext({ storageState: signedIn });
  expect((await replay.request.get('/api/trpc/user.me')).status()).toBe(401);
  await replay.close();

  await page.getByLabel('Email').fill(data.email);
  await page.getByLabel('Password').fill('not-the-Password-1');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('form', { name: 'Sign in' }).getByRole('alert')).toHaveText(
    'Wrong email or password.',
  );
  await screenshot(page, 'sign-in-wrong-password');

  await page.getByLabel('Password').fill(data.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/accounts$/);
  await expect(page.getByRole('row', { name: /Personal/ })).toBeVisible();
});

test('sign-up shows a specific message next to each bad field, and for a taken email', async ({
  page,
}) => {
  await page.goto('/sign-up');
  await page.getByLabel('Email').fill('not-an-email');
  await page.getByLabel('Display name').fill('   ');
  await page.getByLabel('Password').fill('short');
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByLabel('Email')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByText('Enter an email address like name@example.com.')).toBeVisible();
  await expect(page.getByText('Enter a display name.')).toBeVisible();
  await expect(page.getByText('Use at least 10 characters.')).toBeVisible();
  await screenshot(page, 'sign-up-errors');

  const taken = await signUpViaApi(page.request);
  await page.getByLabel('Email').fill(taken.email);
  await page.getByLabel('Display name').fill('Someone else');
  await page.getByLabel('Password').fill('Another-password-1');
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(
    page.getByText('An account with this email already exists. Sign in instead.'),
  ).toBeVisible();
  await expect(page.getByLabel('Password')).not.toHaveAttribute('aria-invalid', 'true');
});

test('open a second paper account, then reset it after a loss', async ({
  page,
  user: _user,
  browser,
}) => {
  await page.goto('/accounts');
  await page.getByRole('button', { name: 'Open account' }).click();
  const dialog = page.getByRole('dialog', { name: 'Open a paper account' });
  await dialog.getByLabel('Name').fill('Second');
  await dialog.getByLabel('Starting balance (USDT)').fill('50');
  await dialog.getByRole('button', { name: 'Open account' }).click();
  await expect(
    dialog.getByText('The starting balance must be between 100 and 1,000,000 USDT.'),
  ).toBeVisible();
  await screenshot(page, 'open-account-error');
  await dialog.getByLabel('Starting balance (USDT)').fill('2,500');
  await dialog.getByRole('button', { name: 'Open account' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('status')).toContainText('“Second” was opened with 2,500.00 USDT.');
  const second = page.getByRole('row', { name: /Second/ });
  await expect(second).toContainText('2,500.00');

  // A losing round trip through the trading API: buy 0.01 BTC at market and sell it back at once
  // (the fees and the spread are the loss).
  const accountId = (
    (await (await page.request.get('/api/trpc/account.list')).json()) as {
      result: { data: Array<{ id: string; name: string }> };
    }
  ).result.data.find((a) => a.name === 'Second')!.id;
  for (const side of ['buy', 'sell'] as const) {
    const res = await page.request.post('/api/trpc/trade.placeOrder', {
      data: { accountId, symbol: 'BTCUSDT', side, type: 'market', quantity: '0.01' },
    });
    expect(res.status(), await res.text()).toBe(200);
  }
  const after = (
    (await (
      await page.request.get(
        `/api/trpc/account.get?input=${encodeURIComponent(JSON.stringify({ accountId }))}`,
      )
    ).json()) as { result: { data: { walletBalance: string; pnl: string; pnlPercent: string } } }
  ).result.data;
  expect(Number(after.pnl)).toBeLessThan(0);
  await page.reload();
  await expect(second).toContainText(formatAmount(after.walletBalance));
  await expect(second).toContainText(formatSignedAmount(after.pnl));
  await expect(second).toContainText(`${after.pnlPercent}%`);
  await screenshot(page, 'accounts-two-accounts');

  await second.getByRole('button', { name: 'Reset Second' }).click();
  const confirm = page.getByRole('dialog', { name: 'Reset “Second”?' });
  await expect(confirm).toContainText('2,500.00 USDT');
  await screenshot(page, 'reset-confirm');
  await confirm.getByRole('button', { name: 'Reset account' }).click();
  await expect(confirm).toBeHidden();
  await expect(page.getByRole('status')).toContainText('“Second” was reset to 2,500.00 USDT.');
  await expect(second).toContainText('2,500.00');
  await expect(second).not.toContainText(formatSignedAmount(after.pnl));

  // Its page shows the history, the reset included, and renames it.
  await second.getByRole('link', { name: 'Second' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Second' })).toBeVisible();
  const history = page.getByRole('region', { name: 'History' });
  // opened, bought, sold, reset (newest first)
  await expect(history.getByRole('listitem')).toHaveCount(4);
  await expect(history.getByRole('listitem').first()).toContainText(
    'Reset to the starting balance',
  );
  await expect(history.getByRole('listitem').first()).toContainText(
    `${formatAmount(after.walletBalance)} USDT → 2,500.00 USDT`,
  );
  await expect(history.getByRole('listitem').nth(1)).toContainText('Sold 0.01 BTCUSDT');
  await expect(history.getByRole('listitem').nth(2)).toContainText('Bought 0.01 BTCUSDT');
  await expect(history.getByRole('listitem').last()).toContainText('Opened with 2,500.00 USDT');
  await page.getByRole('textbox', { name: 'Account name' }).fill('Second try');
  await page.getByRole('button', { name: 'Rename' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Second try' })).toBeVisible();
  await expect(history.getByRole('listitem').first()).toContainText('Renamed to “Second try”');
  await screenshot(page, 'account-detail');
  await page.getByRole('textbox', { name: 'Account name' }).fill('Personal');
  await page.getByRole('button', { name: 'Rename' }).click();
  await expect(
    page.getByText('You already have an active account named "Personal".'),
  ).toBeVisible();
  await page.getByRole('textbox', { name: 'Account name' }).fill('Second');
  await page.getByRole('button', { name: 'Rename' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Second', exact: true })).toBeVisible();

  // Another user gets a 404 for this page, as for an account that does not exist.
  const accountUrl = page.url();
  const stranger = await browser.newContext({
    extraHTTPHeaders: { 'x-forwarded-for': '10.250.3.3' },
  });
  const strangerUser = await signUpViaApi(stranger.request);
  await signInViaApi(stranger.request, strangerUser);
  const strangerPage = await stranger.newPage();
  const res = await strangerPage.goto(accountUrl);
  expect(res?.status()).toBe(404);
  await stranger.close();

  await page.getByRole('link', { name: '← All accounts' }).click();

  // Archive it, then find it among the archived accounts.
  await second.getByRole('button', { name: 'Archive Second' }).click();
  await page
    .getByRole('dialog', { name: 'Archive “Second”?' })
    .getByRole('button', { name: 'Archive account' })
    .click();
  await expect(page.getByRole('row', { name: /Second/ })).toHaveCount(0);
  await page.getByRole('button', { name: /Show archived accounts \(1\)/ }).click();
  await expect(
    page
      .getByRole('table', { name: 'Archived paper accounts' })
      .getByRole('row', { name: /Second/ }),
  ).toBeVisible();
  await screenshot(page, 'accounts-archived');
});

test('profile: change the display name, and the password (which ends other sessions)', async ({
  page,
  user,
  browser,
}) => {
  const other = await browser.newContext({ extraHTTPHeaders: { 'x-forwarded-for': '10.250.1.1' } });
  await signInViaApi(other.request, user);
  const otherSession = async () =>
    ((await (await other.request.get('/api/auth/session')).json()) as { user?: unknown }).user;
  expect(await otherSession()).toBeTruthy();

  await page.goto('/profile');
  await expect(page.getByRole('heading', { name: 'Profile' })).toBeVisible();
  await page.getByRole('textbox', { name: 'Display name' }).fill('Renamed Trader');
  await page.getByRole('button', { name: 'Save name' }).click();
  await expect(page.getByText('Saved. You are now “Renamed Trader”.')).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Main' })).toContainText('Renamed Trader');

  await page.getByLabel('Current password').fill('wrong-Password-9');
  await page.getByLabel('New password', { exact: true }).fill('Brand-new-password-1');
  await page.getByLabel('Confirm new password').fill('Brand-new-password-1');
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByText('The current password is not correct.')).toBeVisible();
  await screenshot(page, 'profile-error');

  await page.getByLabel('Current password').fill(user.password);
  await page.getByLabel('New password', { exact: true }).fill('Brand-new-password-1');
  await page.getByLabel('Confirm new password').fill('Brand-new-password-1');
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(
    page.getByText('Password changed. Your other sessions have been signed out.'),
  ).toBeVisible();
  await screenshot(page, 'profile-changed');
  // This browser stays signed in (it signed in again); the other session has ended.
  await page.goto('/accounts');
  await expect(page.getByRole('heading', { name: 'Paper accounts' })).toBeVisible();
  expect(await otherSession()).toBeFalsy();
  await other.close();
});

test('failed sign-ins are throttled with a clear message', async ({ page }) => {
  const victim = await signUpViaApi(page.request);
  const csrf = await getCsrfToken(page.request);
  const attempts = await Promise.all(
    Array.from({ length: 10 }, () =>
      signInViaApi(page.request, { email: victim.email, password: 'wrong-Guess-123' }, csrf),
    ),
  );
  expect(attempts.map((u) => u.searchParams.get('error'))).toEqual(
    Array(10).fill('CredentialsSignin'),
  );
  await page.goto('/sign-in');
  await page.getByLabel('Email').fill(victim.email);
  await page.getByLabel('Password').fill(victim.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('form', { name: 'Sign in' }).getByRole('alert')).toHaveText(
    /^Too many sign-in attempts; try again in \d+ seconds?\.$/,
  );
  await screenshot(page, 'sign-in-throttled');
});

test('an admin sets a role; others cannot reach the admin page', async ({
  page,
  user,
  browser,
}) => {
  await page.goto('/admin/users');
  await expect(page.getByRole('heading', { name: 'Admins only' })).toBeVisible();

  const student = await signUpViaApi(page.request, newUserData('student'));
  const db = createDb(e2eState().databaseUrl, { max: 1 });
  try {
    await db.user.update({ where: { id: user.userId }, data: { role: 'ADMIN' } });
  } finally {
    await db.$disconnect();
  }
  // The role change reaches the existing session on the next request.
  await page.goto('/admin/users');
  await expect(page.getByRole('heading', { name: 'Users' })).toBeVisible();
  await expect(
    page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' }),
  ).toBeVisible();
  await page.getByLabel('Search users').fill(student.email);
  const row = page.getByRole('row', { name: new RegExp(student.displayName) });
  await expect(row).toBeVisible();
  await row
    .getByRole('combobox', { name: `Role of ${student.displayName}` })
    .selectOption('INSTRUCTOR');
  await row.getByRole('button', { name: `Save role of ${student.displayName}` }).click();
  await expect(row.getByRole('status')).toHaveText('Saved');
  await screenshot(page, 'admin-users');

  const studentContext = await browser.newContext({
    extraHTTPHeaders: { 'x-forwarded-for': '10.250.2.2' },
  });
  await signInViaApi(studentContext.request, student);
  const session = (await (await studentContext.request.get('/api/auth/session')).json()) as {
    user: { role: string };
  };
  expect(session.user.role).toBe('INSTRUCTOR');
  await studentContext.close();
});

test('signing out ends the session on the server: a saved session cookie is refused after it', async ({
  playwright,
  clientIp,
  baseURL,
}) => {
  const client = await playwright.request.newContext({
    baseURL,
    extraHTTPHeaders: { 'x-forwarded-for': clientIp },
  });
  const user = await signUpViaApi(client);
  const landed = await signInViaApi(client, user);
  expect(landed.searchParams.get('error')).toBeNull();
  const saved = await client.storageState();
  expect(saved.cookies.some((c) => c.name.endsWith('next-auth.session-token'))).toBe(true);

  const withSavedCookie = () =>
    playwright.request.newContext({
      baseURL,
      storageState: saved,
      extraHTTPHeaders: { 'x-forwarded-for': clientIp },
    });
  // Before signing out the saved cookie works (the replay itself is sound)...
  const before = await withSavedCookie();
  expect((await before.get('/api/trpc/user.me')).status()).toBe(200);
  await before.dispose();

  const signOut = await client.post('/api/auth/signout', {
    form: { csrfToken: await getCsrfToken(client), json: 'true' },
  });
  expect(signOut.ok()).toBe(true);
  expect((await client.get('/api/trpc/user.me')).status()).toBe(401);

  // ...and after it, it is refused: no profile, no new account.
  const after = await withSavedCookie();
  expect((await after.get('/api/trpc/user.me')).status()).toBe(401);
  const open = await after.post('/api/trpc/account.open', {
    data: { name: 'Replayed', startingBalance: '1000' },
  });
  expect(open.status()).toBe(401);
  await after.dispose();
  const db = createDb(e2eState().databaseUrl, { max: 1 });
  try {
    expect(await db.paperAccount.count({ where: { userId: user.userId } })).toBe(1);
    expect(await db.session.count({ where: { userId: user.userId } })).toBe(0);
  } finally {
    await db.$disconnect();
  }
  await client.dispose();
});

test('after signing in, a callbackUrl can only lead to a page of the app', async ({
  page,
  user,
  browser,
}) => {
  const stayed = (url: string) => new URL(url).origin === new URL(page.url()).origin;
  // Signed in: the page redirects at once. Tab and newline variants, and an overlong one.
  for (const cb of ['%2F%09%2Fevil.example', '%2F%0A%2Fevil.example', '%2F%5Cevil.example']) {
    const res = await page.goto(`/sign-in?callbackUrl=${cb}`);
    expect(res?.status()).toBe(200);
    await expect(page).toHaveURL(/\/accounts$/);
    expect(stayed(page.url())).toBe(true);
  }
  await page.goto(`/sign-in?callbackUrl=${encodeURIComponent('/profile')}`);
  await expect(page).toHaveURL(/\/profile$/);

  // Signing in through the form with a hostile callbackUrl lands on the accounts page.
  const anon = await browser.newContext({ extraHTTPHeaders: { 'x-forwarded-for': '10.250.4.4' } });
  const p = await anon.newPage();
  const res = await p.goto('/sign-in?callbackUrl=%2F%0A%2Fevil.example');
  expect(res?.status()).toBe(200);
  await p.goto('/sign-in?callbackUrl=%2F%09%2Fevil.example');
  await p.getByLabel('Email').fill(user.email);
  await p.getByLabel('Password').fill(user.password);
  await p.getByRole('button', { name: 'Sign in' }).click();
  await expect(p).toHaveURL(/\/accounts$/);
  expect(new URL(p.url()).host).toBe(new URL(page.url()).host);
  await expect(p.getByRole('heading', { name: 'Paper accounts' })).toBeVisible();
  await anon.close();
});

test('the sign-in page shows only the messages of known error codes', async ({ page }) => {
  const form = page.getByRole('form', { name: 'Sign in' });
  const planted = 'Your account is suspended. Call +1 555 0100 now';
  await page.goto(`/sign-in?error=${encodeURIComponent(planted)}`);
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await expect(page.getByText(planted)).toHaveCount(0);
  await expect(form.getByRole('alert')).toHaveCount(0);
  await page.goto('/sign-in?error=CredentialsSignin');
  await expect(form.getByRole('alert')).toHaveText('Wrong email or password.');
  await page.goto('/sign-in?error=Throttled-42');
  await expect(form.getByRole('alert')).toHaveText(
    'Too many sign-in attempts; try again in 42 seconds.',
  );
  await screenshot(page, 'sign-in-known-error');
});

// The e2e server's sign-up throttle (LAB_SIGNUPS_PER_ADDRESS_PER_HOUR, set in playwright.config.ts).
const SIGN_UP_LIMIT = Number(process.env.LAB_SIGNUPS_PER_ADDRESS_PER_HOUR);

test('sign-ups are throttled per client address', async ({ playwright, baseURL }) => {
  const ip = `10.251.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;
  const client = await playwright.request.newContext({
    baseURL,
    extraHTTPHeaders: { 'x-forwarded-for': ip },
  });
  const statuses: number[] = [];
  for (let i = 0; i <= SIGN_UP_LIMIT; i++) {
    const res = await client.post('/api/trpc/auth.signUp', { data: newUserData('bulk') });
    statuses.push(res.status());
  }
  expect(statuses.slice(0, SIGN_UP_LIMIT)).toEqual(Array(SIGN_UP_LIMIT).fill(200));
  expect(statuses[SIGN_UP_LIMIT]).toBe(429);
  // Another address still signs up.
  const other = await playwright.request.newContext({
    baseURL,
    extraHTTPHeaders: { 'x-forwarded-for': `${ip}1` },
  });
  expect((await other.post('/api/trpc/auth.signUp', { data: newUserData('bulk') })).status()).toBe(
    200,
  );
  await other.dispose();
  await client.dispose();
});

test.describe('on a phone', () => {
  test.use({ viewport: { width: 390, height: 844 } });
  test('the accounts page and the sign-in page fit a narrow screen', async ({ page, user }) => {
    await page.goto('/accounts');
    await expect(page.getByRole('heading', { name: 'Paper accounts' })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
    await screenshot(page, 'phone-accounts');
    // Nothing sticks out sideways: wide tables scroll inside their own box.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      390,
    );
    await page.goto('/profile');
    await expect(page.getByRole('heading', { name: 'Profile' })).toBeVisible();
    await screenshot(page, 'phone-profile');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page.getByRole('link', { name: 'Sign in' }).first()).toBeVisible();
    await page.goto(`/sign-in?callbackUrl=${encodeURIComponent('/profile')}`);
    await screenshot(page, 'phone-sign-in');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      390,
    );
    await page.getByLabel('Email').fill(user.email);
    await page.getByLabel('Password').fill(user.password);
    await page.keyboard.press('Enter');
    await expect(page).toHaveURL(/\/profile$/);
  });
});
