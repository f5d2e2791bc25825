import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLegacyShop } from '../fixtures/demo/legacy-shop.js';
import { startOrdersService } from '../fixtures/demo/orders-service.js';
import { createShopStore } from '../fixtures/demo/shop-data.js';
import type { RunningFixture } from '../fixtures/demo/shop-http.js';
import { startUsersService } from '../fixtures/demo/users-service.js';
import { startFromFile, type StartedStrangler } from '../src/cli/start.js';
import { silentLogger } from '../src/log.js';
import { openPage, screenshot } from './helpers/browser.js';
import { REPO, ensureBuilt } from './helpers/strangler-process.js';
import { waitFor } from './helpers/ledger-stack.js';

/**
 * The demo as `npm start` runs it (its rule file, its three servers), with
 * the users route put in shadow from the dashboard's API: the regression
 * the demo plants (the users service writes createdAt as ISO 8601) shows on
 * the Diffs page, highlighted. The README's screenshots come from here:
 * `UPDATE_DOCS_SCREENSHOTS=1 npx vitest run test/dashboard-demo.test.ts`
 * writes them to docs/.
 */

const DEMO_TOKEN = 'demo-admin-token-change-me';
const DOCS = process.env.UPDATE_DOCS_SCREENSHOTS === '1';

let dir: string;
let fixtures: RunningFixture[] = [];
let app: StartedStrangler;
let browser: Browser;
let page: Page;

async function proxied(p: string, sid: string): Promise<void> {
  const res = await fetch(app.proxy.url + p, { headers: { cookie: `sid=${sid}` } });
  await res.arrayBuffer();
  expect(res.status).toBe(200);
}

beforeAll(async () => {
  await ensureBuilt();
  const store = createShopStore();
  fixtures = await Promise.all([startLegacyShop({ port: 0, store, slowMs: 10 }), startOrdersService({ port: 0, store }), startUsersService({ port: 0, store })]);
  const [legacy, orders, users] = fixtures;
  // The rule file reads its ports and database from these, as under npm start.
  dir = await mkdtemp(path.join(os.tmpdir(), 'strangler-demo-dash-'));
  const ruleFile = path.join(dir, 'strangler.yaml');
  await copyFile(path.join(REPO, 'fixtures/demo/strangler.yaml'), ruleFile);
  Object.assign(process.env, { DEMO_LEGACY_PORT: String(legacy!.port), DEMO_ORDERS_PORT: String(orders!.port), DEMO_USERS_PORT: String(users!.port), DEMO_DB: './demo.db' });
  delete process.env.STRANGLER_ADMIN_TOKEN;
  app = await startFromFile(ruleFile, { listen: '127.0.0.1:0', adminListen: '127.0.0.1:0', signals: false, logger: silentLogger });

  const res = await fetch(`${app.admin.url}/api/routes/users/mode`, {
    method: 'POST',
    headers: { authorization: `Bearer ${DEMO_TOKEN}`, 'content-type': 'application/json', 'x-strangler-author': 'demo' },
    body: JSON.stringify({ mode: 'shadow', reason: 'compare the users service before more visitors see it' }),
  });
  expect(res.status).toBe(200);
  const visitors = ['alice', 'bob', 'carol', 'dave', 'erin'];
  const skus = ['TEA-001', 'TEA-002', 'MUG-010', 'POT-100'];
  for (let round = 0; round < 10; round++) {
    for (const [i, sid] of visitors.entries()) {
      await proxied(`/api/users/${i + 1}`, sid);
      await proxied(`/api/orders/${(i % 3) + 1}`, sid);
    }
    await proxied('/api/users', 'alice');
    await proxied('/api/orders', 'bob');
    await proxied('/api/catalog', 'carol');
    await proxied(`/api/catalog/${skus[round % skus.length]}`, 'dave');
    await proxied('/', 'erin');
  }
  await waitFor(async () => {
    const r = await fetch(`${app.admin.url}/api/report`, { headers: { authorization: `Bearer ${DEMO_TOKEN}` } });
    const doc = (await r.json()) as { endpoints: Array<{ method: string; path: string; compared: number }> };
    return doc.endpoints.find((e) => e.path === '/api/users/{id}')?.compared === 50;
  }, 'the users comparisons', 10_000);

  ({ browser, page } = await openPage(800));
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await Promise.all(fixtures.map((f) => f.close()));
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the dashboard on the demo', { timeout: 60_000 }, () => {
  it('the overview: the orders service answers its share; users are compared in shadow', async () => {
    await page.goto(`${app.admin.url}/`);
    await page.getByLabel('Admin token').fill(DEMO_TOKEN);
    await page.getByLabel('Your name, for the history of changes').fill('demo');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByLabel('Time window').selectOption('1h');
    await page.locator('svg.chart rect.bar[data-target="orders"]').first().waitFor();
    expect(await page.locator('[data-card="served-by-services"] .card-value').textContent()).not.toBe('0%');
    await page.locator('svg.chart circle.point[data-series="users"]').first().waitFor();
    await screenshot(page, 'demo-overview', DOCS ? path.join(REPO, 'docs/dashboard-overview.png') : undefined);
  });

  it('the diffs: createdAt differs in every comparison, highlighted on both sides; the ignored fields do not show', async () => {
    await page.locator('header nav').getByRole('link', { name: 'Diffs', exact: true }).click();
    await page.locator('.endpoint-list a[data-endpoint="GET /api/users/{id}"]').click();
    const group = page.locator('section.group[data-group="$.createdAt"]');
    await group.waitFor();
    expect(await group.locator('[data-verdict]').textContent()).toBe('regression');
    expect(await page.locator('section.group').evaluateAll((gs) => gs.map((g) => g.getAttribute('data-group')))).toEqual(['$.createdAt']);
    await group.getByRole('button', { name: /Show samples/ }).click();
    await group.locator('[data-side="other"] mark.diff[data-path="$.createdAt"]').waitFor();
    expect(await group.locator('[data-side="legacy"] mark.diff').textContent()).toMatch(/"createdAt": "\d{4}-\d\d-\d\d \d\d:\d\d:\d\d"/);
    expect(await group.locator('[data-side="other"] mark.diff').textContent()).toMatch(/"createdAt": "\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"/);
    await group.getByRole('button', { name: 'Copy as curl: users' }).click();
    await group.locator('pre.curl[data-side="service"]').waitFor();
    await screenshot(page, 'demo-diffs', DOCS ? path.join(REPO, 'docs/dashboard.png') : undefined);
  });
});
