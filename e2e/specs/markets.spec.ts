import { expect, test, type Page } from '@playwright/test';

const SYMBOLS = ['BNBUSDT', 'BTCUSDT', 'DOGEUSDT', 'ETHUSDT', 'SOLUSDT', 'XRPUSDT'];
const PRICE = /\d[\d,]*\.\d+/;

/** On a fresh database the worker may still be writing its first tickers: reload until they are there. */
async function openMarkets(page: Page) {
  const table = page.getByRole('table', { name: /perpetuals/ });
  await expect(async () => {
    await page.goto('/markets');
    await expect(table.getByRole('rowheader')).toHaveCount(SYMBOLS.length, { timeout: 2_000 });
    for (const s of SYMBOLS) {
      await expect(lastPriceCell(page, s)).toHaveText(PRICE, { timeout: 2_000 });
      await expect(marketRow(page, s)).toContainText(/\d+\.\d{2}%/, { timeout: 2_000 }); // 24h stats are stored
    }
  }).toPass({ timeout: 90_000 });
  return table;
}

function marketRow(page: Page, symbol: string) {
  return page
    .getByRole('table', { name: /perpetuals/ })
    .getByRole('row')
    .filter({ has: page.getByRole('rowheader', { name: new RegExp(symbol) }) });
}

/** The "Last price" column is the first data cell after the row header. */
function lastPriceCell(page: Page, symbol: string) {
  return marketRow(page, symbol).getByRole('cell').first();
}

test.describe('markets', () => {
  test('the overview lists the six perpetuals with prices, funding and status, server-rendered', async ({
    page,
  }, testInfo) => {
    const table = await openMarkets(page);
    await expect(page.getByRole('heading', { level: 1, name: 'Markets' })).toBeVisible();
    for (const name of [
      'Last price',
      '24h change',
      '24h high',
      '24h low',
      '24h volume (USDT)',
      'Mark price',
      'Funding / countdown',
      'Status',
    ]) {
      await expect(table.getByRole('columnheader', { name })).toBeVisible();
    }
    for (const s of SYMBOLS) {
      const row = marketRow(page, s);
      await expect(row.getByRole('link', { name: new RegExp(s) })).toHaveAttribute(
        'href',
        `/markets/${s}`,
      );
      await expect(row).toContainText(/[+-]?\d+\.\d{2}%/); // 24h change
      await expect(row).toContainText(/-?\d+\.\d{4}% \/ \d{2}:\d{2}:\d{2}/); // funding and countdown
      await expect(row).toContainText(/Live|Stale|Halted|Connecting/);
    }
    // Prices are at tick precision: BTC has a 0.1 tick, DOGE a 0.00001 tick.
    await expect(lastPriceCell(page, 'BTCUSDT')).toHaveText(/^\s*[\d,]+\.\d\b/);
    await expect(lastPriceCell(page, 'DOGEUSDT')).toHaveText(/^\s*\d+\.\d{5}\b/);
    await page.screenshot({ path: testInfo.outputPath('markets.png') });

    // Sortable by keyboard: the header says how the table is sorted.
    const change = table.getByRole('columnheader', { name: '24h change' });
    await change.getByRole('button').focus();
    await page.keyboard.press('Enter');
    await expect(change).toHaveAttribute('aria-sort', 'descending');
    await page.keyboard.press('Enter');
    await expect(change).toHaveAttribute('aria-sort', 'ascending');
    await expect(table.getByRole('rowheader')).toHaveCount(SYMBOLS.length);
  });

  test('the page is useful without JavaScript', async ({ browser, page }) => {
    await openMarkets(page);
    const context = await browser.newContext({ javaScriptEnabled: false });
    const noJs = await context.newPage();
    await noJs.goto('/markets');
    const table = noJs.getByRole('table', { name: /perpetuals/ });
    await expect(table.getByRole('rowheader')).toHaveCount(SYMBOLS.length);
    await expect(table.getByRole('row').filter({ hasText: 'BTCUSDT' })).toContainText(PRICE);
    await context.close();
  });

  test('prices change live within a few seconds', async ({ page }) => {
    await openMarkets(page);
    const before = await Promise.all(SYMBOLS.map((s) => lastPriceCell(page, s).innerText()));
    await expect
      .poll(
        async () => {
          const now = await Promise.all(SYMBOLS.map((s) => lastPriceCell(page, s).innerText()));
          return now.filter((p, i) => p !== before[i]).length;
        },
        { timeout: 10_000 },
      )
      .toBeGreaterThan(0);
    await expect(page.getByRole('status').filter({ hasText: 'Streaming' })).toBeVisible();
  });

  test('a market shows its chart, intervals switch, and the book, trades and specs are there', async ({
    page,
  }, testInfo) => {
    await openMarkets(page);
    await marketRow(page, 'BTCUSDT')
      .getByRole('link', { name: /BTCUSDT/ })
      .click();
    await expect(page).toHaveURL(/\/markets\/BTCUSDT$/);
    await expect(page.getByRole('heading', { level: 1 })).toContainText('BTCUSDT');

    const chart = page.getByRole('img', { name: /BTCUSDT 15m candlestick chart/ });
    await expect(chart.locator('canvas').first()).toBeVisible();
    await expect(page.getByText('Loading candles…')).toBeHidden();

    const intervals = page.getByRole('group', { name: 'Candle interval' });
    await expect(intervals.getByRole('button')).toHaveText(['1m', '5m', '15m', '1h', '4h', '1d']);
    await expect(intervals.getByRole('button', { name: '15m' })).toHaveAttribute(
      'aria-pressed',
      'true',
    );
    await intervals.getByRole('button', { name: '1h' }).click();
    await expect(intervals.getByRole('button', { name: '1h' })).toHaveAttribute(
      'aria-pressed',
      'true',
    );
    await expect(intervals.getByRole('button', { name: '15m' })).toHaveAttribute(
      'aria-pressed',
      'false',
    );
    await expect(
      page
        .getByRole('img', { name: /BTCUSDT 1h candlestick chart/ })
        .locator('canvas')
        .first(),
    ).toBeVisible();
    await expect(page.getByText('Loading candles…')).toBeHidden();
    await intervals.getByRole('button', { name: '1m' }).press('Enter');
    await expect(intervals.getByRole('button', { name: '1m' })).toHaveAttribute(
      'aria-pressed',
      'true',
    );

    // Order book (ten levels a side plus the last price) and the tape fill from the live stream.
    const book = page.getByRole('table', { name: /Order book of BTCUSDT/ });
    await expect(book.getByRole('row').filter({ hasText: PRICE })).not.toHaveCount(0);
    await expect(
      page
        .getByRole('table', { name: /Latest trades of BTCUSDT/ })
        .getByRole('row')
        .nth(1),
    ).toContainText(/\d{2}:\d{2}:\d{2}/);

    const specs = page.getByRole('region', { name: 'Contract specifications' });
    await expect(specs).toContainText('0.1 USDT');
    await expect(specs).toContainText('0.001 BTC');
    await expect(specs).toContainText('125×');
    await expect(
      specs.getByRole('table', { name: /Maintenance margin tiers/ }).getByRole('rowheader'),
    ).toHaveCount(10);

    // Anonymous visitors never see the instructor's market-event form.
    await expect(page.getByRole('region', { name: /Market event/ })).toHaveCount(0);
    await page.screenshot({ path: testInfo.outputPath('market-btcusdt.png') });
  });

  test('an unknown market is a 404', async ({ page }) => {
    const res = await page.goto('/markets/NOPEUSDT');
    expect(res?.status()).toBe(404);
    await expect(page.getByRole('heading', { name: 'No such market' })).toBeVisible();
    await page.getByRole('link', { name: 'See all markets' }).click();
    await expect(page).toHaveURL(/\/markets$/);
  });

  test('a lower-case symbol redirects to the market', async ({ page }) => {
    await openMarkets(page);
    await page.goto('/markets/ethusdt');
    await expect(page).toHaveURL(/\/markets\/ETHUSDT$/);
  });

  test('the landing page has a live price strip leading to each market', async ({
    page,
  }, testInfo) => {
    await openMarkets(page);
    await page.goto('/');
    const strip = page.getByRole('navigation', { name: 'Live prices' });
    await expect(strip.getByRole('link')).toHaveCount(SYMBOLS.length);
    await expect(strip.getByRole('link', { name: /ETH/ })).toContainText(PRICE);
    await page.screenshot({ path: testInfo.outputPath('landing.png') });
    await strip.getByRole('link', { name: /ETH/ }).click();
    await expect(page).toHaveURL(/\/markets\/ETHUSDT$/);
    await expect(
      page
        .getByRole('img', { name: /ETHUSDT 15m candlestick chart/ })
        .locator('canvas')
        .first(),
    ).toBeVisible();
  });
});
