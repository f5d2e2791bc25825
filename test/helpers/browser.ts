import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { REPO } from './strangler-process.js';

/**
 * A real Chromium for the dashboard's tests: Debian's /usr/bin/chromium
 * (`apt-get install -y chromium`; .ci/run installs it), or CHROMIUM_PATH.
 * Missing, it is a failure, not a skip: a dashboard test that silently does
 * not run in CI tests nothing.
 */

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const ARTIFACTS = path.join(REPO, 'test', 'artifacts');

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: install it (apt-get install -y chromium, as .ci/run does) or set CHROMIUM_PATH`);
  }
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** A browser with one laptop-sized page, 15 s to find anything on it, and its errors collected (watchErrors). */
export async function openPage(height = 860): Promise<{ browser: Browser; page: Page; errors: string[] }> {
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1280, height } });
  page.setDefaultTimeout(15_000);
  return { browser, page, errors: watchErrors(page) };
}

/** A full-page PNG under test/artifacts/ (git-ignored), or at `to` when given. */
export async function screenshot(page: Page, name: string, to?: string): Promise<string> {
  const file = to ?? path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** The browser's console errors and failed requests, to name in a failure. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`page: ${e.message}`));
  return errors;
}
