import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

/**
 * A real browser (Debian's chromium, headless) that opens an HTML file the
 * way a user opens a downloaded report, with every network request
 * blocked and recorded: a self-contained page makes none.
 */

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export interface OfflinePage {
  page: Page;
  /** Every request the page made other than loading its own file. */
  requests: string[];
  /** Uncaught errors and console errors (a CSP violation is one). */
  errors: string[];
  close(): Promise<void>;
}

export async function openOffline(browser: Browser, html: string): Promise<OfflinePage> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'strangler-html-'));
  const file = path.join(dir, 'report.html');
  await writeFile(file, html);
  const self = pathToFileURL(file).href;
  const context = await browser.newContext({ offline: true, javaScriptEnabled: true });
  const requests: string[] = [];
  const errors: string[] = [];
  // Blocked here, recorded by the request event (which sees requests no route does, such as a favicon).
  await context.route('**/*', (route) => (route.request().url() === self ? route.continue() : route.abort('blockedbyclient')));
  const page = await context.newPage();
  page.on('request', (r) => {
    if (r.url() !== self) requests.push(r.url());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(self, { waitUntil: 'load' });
  return {
    page,
    requests,
    errors,
    close: async () => {
      await context.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
