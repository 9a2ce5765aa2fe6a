import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, launchBrowser, resolveBrowser } from '../src/index.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lab-browser-test-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A real executable file, to stand where a system Chromium would be. */
function executable(name: string): string {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, '#!/bin/sh\n', { mode: 0o755 });
  return file;
}

describe('which browser', () => {
  const npmOnly = { env: {}, systemPaths: [], cacheRoot: path.join(tmp, 'unused') };

  it('CHROMIUM_PATH wins over a system Chromium', async () => {
    const mine = executable('my-chromium');
    const system = executable('system-chromium');
    const b = await resolveBrowser({
      ...npmOnly,
      env: { CHROMIUM_PATH: mine },
      systemPaths: [system],
    });
    expect(b).toMatchObject({ executablePath: mine, source: 'CHROMIUM_PATH', env: {} });
    expect(b.args).toEqual(CHROMIUM_ARGS);
  });

  it('a wrong CHROMIUM_PATH is an error that names it, not a silent fallback', async () => {
    const missing = path.join(tmp, 'nowhere', 'chromium');
    await expect(
      resolveBrowser({
        ...npmOnly,
        env: { CHROMIUM_PATH: missing },
        systemPaths: [executable('s')],
      }),
    ).rejects.toThrow(`CHROMIUM_PATH=${missing}: no executable file there`);
  });

  it('the first executable system path wins over the npm browser', async () => {
    const notExecutable = path.join(tmp, 'plain-file');
    fs.writeFileSync(notExecutable, '', { mode: 0o644 });
    const system = executable('chromium');
    const b = await resolveBrowser({
      ...npmOnly,
      systemPaths: [path.join(tmp, 'absent'), notExecutable, system],
    });
    expect(b).toMatchObject({ executablePath: system, source: 'system' });
    expect(fs.existsSync(npmOnly.cacheRoot)).toBe(false);
  });
});

describe('the npm browser', () => {
  const cacheRoot = path.join(tmp, 'cache');
  const options = { env: {}, systemPaths: [], cacheRoot };

  it('two runs at once unpack it into one complete folder, which later runs reuse', async () => {
    const [a, b] = await Promise.all([resolveBrowser(options), resolveBrowser(options)]);
    expect(a.source).toBe('npm');
    expect(b.executablePath).toBe(a.executablePath);
    const dir = path.dirname(a.executablePath);
    expect(fs.readdirSync(cacheRoot)).toEqual([path.basename(dir)]); // no partial folder left
    const inode = fs.statSync(a.executablePath).ino;

    const again = await resolveBrowser(options);
    expect(again.executablePath).toBe(a.executablePath);
    expect(fs.statSync(again.executablePath).ino).toBe(inode); // not unpacked a second time
    expect(again.env.LD_LIBRARY_PATH?.split(':')[0]).toBe(path.join(dir, 'lib'));
  });

  it('launches and renders a page that role locators and screenshots work on', async () => {
    const browser = await launchBrowser(options);
    try {
      expect(browser.version()).toMatch(/^153\./);
      const page = await browser.newPage();
      await page.setContent('<main><h1>Leverage Lab</h1><button>Buy 0.010 BTC</button></main>');
      expect(await page.getByRole('button', { name: 'Buy 0.010 BTC' }).isVisible()).toBe(true);
      const heading = await page.getByRole('heading', { name: 'Leverage Lab' }).boundingBox();
      expect(heading?.width).toBeGreaterThan(50); // text was laid out with a real font
      const png = await page.screenshot();
      expect(png.subarray(1, 4).toString()).toBe('PNG');
    } finally {
      await browser.close();
    }
  });

  it('replaces a partial unpack left by a killed process once it is stale', async () => {
    const stale = path.join(cacheRoot, 'sparticuz-chromium-0.0.0.partial-abc');
    fs.mkdirSync(stale);
    fs.utimesSync(stale, new Date(0), new Date(0));
    const fresh = path.join(cacheRoot, 'sparticuz-chromium-0.0.0.partial-def');
    fs.mkdirSync(fresh); // still being written by someone else: left alone
    const before = await resolveBrowser(options);
    fs.rmSync(path.dirname(before.executablePath), { recursive: true }); // as after `npm ci`

    const b = await resolveBrowser(options);
    expect(b.executablePath).toBe(before.executablePath);
    expect(fs.existsSync(b.executablePath)).toBe(true);
    expect(fs.existsSync(stale)).toBe(false);
    expect(fs.existsSync(fresh)).toBe(true);
  });
});
