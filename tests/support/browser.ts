import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { H5_DIST, startH5Preview } from '../../mock/src/dev/h5-preview';
import type { TestStack } from './stack';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SHOTS = path.resolve(__dirname, '../e2e/screenshots');

export interface H5Session {
  page: Page;
  url: string;
  /** waits until page transitions have finished, then saves tests/e2e/screenshots/<name> */
  shot(name: string, fullPage?: boolean): Promise<void>;
  close(): Promise<void>;
}

/** The h5 build served with /api and /mock forwarded to a test stack, in headless Debian Chromium. */
export async function openH5(stack: TestStack, opts: { fixedTime?: Date } = {}): Promise<H5Session> {
  if (!fs.existsSync(path.join(H5_DIST, 'index.html')))
    throw new Error('no h5 build: run `npm run build:h5` first (npm run test:e2e does)');
  if (!fs.existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium (.ci/run does)`);
  fs.mkdirSync(SHOTS, { recursive: true });
  const preview = await startH5Preview({ apiUrl: stack.url, port: 0, mockUrl: stack.mock.url });
  const profileDir = fs.mkdtempSync(path.join(os.tmpdir(), 'citysport-chromium-'));
  const context: BrowserContext = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 375, height: 812 },
    deviceScaleFactor: 2,
    locale: 'zh-CN',
  });
  const page = context.pages()[0] ?? (await context.newPage());
  if (opts.fixedTime) await page.clock.install({ time: opts.fixedTime });
  return {
    page,
    url: preview.url,
    async shot(name, fullPage = false) {
      // page transitions finish; endless ones (the ticket's live pulse) are part of the page
      await page.waitForFunction(() =>
        document.getAnimations().every((a) => a.playState !== 'running' || a.effect?.getTiming().iterations === Infinity),
      );
      await page.screenshot({ path: path.join(SHOTS, name), fullPage });
    },
    async close() {
      await context.close();
      await preview.stop();
      fs.rmSync(profileDir, { recursive: true, force: true });
    },
  };
}

/** Logs in on the h5 login page with a seeded demo account (`mock:<openid>` through the stand-in). */
export async function loginAs(h5: H5Session, account: string) {
  // a fresh document: reaching login by a hash change on top of an earlier page stack, the
  // switchTab back to home left the home page hidden on CI (home-recommendations-h5, 30 s)
  await h5.page.goto('about:blank');
  await h5.page.goto(`${h5.url}/#/pages/login/index`);
  const done = h5.page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/login'));
  await h5.page.locator(`.login-demo-${account}`).click();
  if ((await done).status() !== 200) throw new Error(`demo login ${account} failed`);
  // staff land on the gate page (issue 10); everyone else on the home page
  await h5.page.waitForURL(account === 'staff' ? /#\/packages\/staff\/index/ : /#\/pages\/home\/index/);
  // the URL changes before the router has mounted the landing page; a test that navigates in
  // between has its page replaced by the landing one on a slow machine (seen on CI)
  await h5.page.locator(account === 'staff' ? '.staff-page:visible' : '.home-page:visible').waitFor();
}
