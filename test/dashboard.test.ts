import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPage, screenshot } from './helpers/browser.js';
import { legacyRoute, ruleYaml, shadowRoute, type RuleUrls } from './helpers/rule-yaml.js';
import { ensureBuilt } from './helpers/strangler-process.js';
import { json, startShadowStack, waitFor, type Handler, type ShadowStack } from './helpers/shadow-stack.js';

/**
 * The dashboard in a real Chromium, against a running proxy with real
 * legacy and service servers and real shadow traffic: what an operator
 * sees and does, page by page. Assertions are on what is on the screen
 * (text, badges, highlighted paths); each page is saved as a screenshot
 * under test/artifacts/.
 */

const TOKEN = 'dashboard-browser-token-0123456789';
const N = 30;
const USERS = 'GET /users/{id}';

/** The users service writes createdAt as ISO 8601, legacy did not: a planted regression. Orders match. */
function answer(side: 'legacy' | 'service'): Handler {
  return (req, res) => {
    const [, kind, id] = (req.url ?? '/').split('/');
    if (kind === 'users') return json(res, 200, { id: Number(id), name: `user ${id}`, createdAt: side === 'legacy' ? '2019-12-09 17:02:11' : '2019-12-09T17:02:11Z' });
    if (kind === 'orders') return json(res, 200, { id: Number(id), total: 42 });
    json(res, 200, { id, page: kind });
  };
}

function rules(u: RuleUrls): string {
  const shadowed = (name: string) => shadowRoute(name, { service: name, guard: { minSamples: 20 } });
  return ruleYaml(u, { token: TOKEN, routes: [shadowed('users'), shadowed('orders'), legacyRoute('catalog', '/catalog/{id}')] });
}

let stack: ShadowStack;
let browser: Browser;
let page: Page;
let errors: string[];

async function send(path: string, n: number): Promise<void> {
  for (let i = 0; i < n; i++) expect((await stack.proxy('GET', path.replace('#', String(i + 1)))).status).toBe(200);
}

const row = (table: string, key: string) => page.locator(`table[data-table="${table}"] tr[data-${table === 'routes' ? 'route' : 'endpoint'}="${key}"]`);
const nav = (name: string) => page.locator('header nav').getByRole('link', { name, exact: true }).click();
const visible = (selector: string) => page.locator(selector).first().waitFor({ state: 'visible' });
const text = async (selector: string) => (await page.locator(selector).first().textContent())?.trim();

beforeAll(async () => {
  await ensureBuilt();
  stack = await startShadowStack({ legacy: answer('legacy'), services: { users: answer('service'), orders: answer('service') }, rules, token: TOKEN });
  await send('/users/#', N);
  await send('/orders/#', N);
  await send('/catalog/#', 10);
  await send('/home', 3);
  await waitFor(async () => {
    const doc = await stack.report();
    return ['users', 'orders'].every((r) => doc.endpoints.find((e: { route: string }) => e.route === r)?.compared === N);
  }, 'the shadow comparisons');
  ({ browser, page, errors } = await openPage());
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

describe('the dashboard in a browser', { timeout: 60_000 }, () => {
  it('refuses a wrong token at sign-in', async () => {
    await page.goto(`${stack.app.admin.url}/`);
    await page.getByLabel('Admin token').fill('not-the-token-at-all');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'That is not the admin token' }).waitFor();
    expect(await page.locator('header nav').count()).toBe(0);
    expect(await page.evaluate(() => sessionStorage.getItem('strangler.token'))).toBeNull();
  });

  it('signs in with the admin token, kept for the session only; the overview shows endpoints by mode and the charts', async () => {
    await page.getByLabel('Admin token').fill(TOKEN);
    await page.getByLabel('Your name, for the history of changes').fill('Ada Tester');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await visible('header nav a[aria-current="page"][data-page="overview"]');
    expect(await page.evaluate(() => [sessionStorage.getItem('strangler.token'), localStorage.length, document.cookie])).toEqual([TOKEN, 0, '']);
    await visible('[data-mode-count="shadow"]');
    expect(await text('[data-mode-count="shadow"]')).toBe('shadow 2');
    expect(await text('[data-mode-count="legacy"]')).toBe('legacy 2');
    expect(await text('[data-card="served-by-services"] .card-value')).toBe('0%');
    // Traffic share by target: every request so far was answered by legacy.
    await visible('svg.chart rect.bar[data-target="legacy"]');
    expect(await page.locator('svg.chart rect.bar:not([data-target="legacy"])').count()).toBe(0);
    // Net match rate per route: orders at 100%, users at 0%.
    expect(await page.locator('svg.chart circle.point[data-series="orders"] title').first().textContent()).toMatch(/orders: 100%$/);
    expect(await page.locator('svg.chart circle.point[data-series="users"] title').first().textContent()).toMatch(/users: 0%$/);
    expect(await page.locator('main').textContent()).toContain('GET /catalog/{id}');
    await screenshot(page, 'dashboard-overview');
  });

  it('lists the endpoints with mode and readiness badges, filters and sorts them, and ranks legacy ones as the work queue', async () => {
    await nav('Endpoints');
    await row('endpoints', USERS).waitFor();
    expect(await row('endpoints', USERS).locator('[data-mode]').textContent()).toBe('shadow');
    expect(await row('endpoints', USERS).locator('[data-readiness]').getAttribute('data-readiness')).toBe('not-ready');
    expect(await row('endpoints', USERS).textContent()).toContain("net match rate 0% is under the guard's 99%");
    expect(await row('endpoints', 'GET /orders/{id}').locator('[data-readiness]').textContent()).toBe('ready');
    expect(await row('endpoints', 'GET /catalog/{id}').locator('[data-readiness]').textContent()).toBe('unknown');

    await page.getByRole('button', { name: 'Requests' }).click();
    expect(await page.locator('th[aria-sort="ascending"]').textContent()).toBe('Requests');
    const firstPaths = await page.locator('table[data-table="endpoints"] tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-endpoint')));
    expect(firstPaths[0]).toBe('GET /home');

    await page.getByLabel('Filter endpoints').fill('orders');
    await page.locator('table[data-table="endpoints"] tbody tr').first().waitFor();
    expect(await page.locator('table[data-table="endpoints"] tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-endpoint')))).toEqual(['GET /orders/{id}']);
    await page.getByLabel('Filter endpoints').fill('');
    await page.getByLabel('Readiness').selectOption('not-ready');
    expect(await page.locator('table[data-table="endpoints"] tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-endpoint')))).toEqual([USERS]);
    await page.getByLabel('Readiness').selectOption('');

    const queue = await page.locator('table[data-table="work-queue"] tbody tr').evaluateAll((rows) => rows.map((r) => r.textContent));
    expect(queue[0]).toContain('GET /catalog/{id}');
    expect(queue[0]).toContain('10');
    expect(queue[1]).toContain('GET /home');
    await screenshot(page, 'dashboard-endpoints');
  });

  it('opens a diff: the differing path highlighted on both sides, and the sample as curl', async () => {
    await row('endpoints', USERS).getByRole('link').click();
    const group = page.locator('section.group[data-group="$.createdAt"]');
    await group.waitFor();
    expect(await group.locator('[data-verdict]').textContent()).toBe('regression');
    await group.getByRole('button', { name: /Show samples/ }).click();
    const marks = group.locator('mark.diff[data-path="$.createdAt"]');
    await marks.first().waitFor();
    expect(await marks.count()).toBe(2);
    expect(await group.locator('[data-side="legacy"] mark.diff').textContent()).toContain('"2019-12-09 17:02:11"');
    expect(await group.locator('[data-side="other"] mark.diff').textContent()).toContain('"2019-12-09T17:02:11Z"');
    // Nothing else is highlighted: id and name are the same on both sides.
    expect(await group.locator('mark.diff').count()).toBe(2);

    await group.getByRole('button', { name: 'Copy as curl: legacy' }).click();
    await group.locator('pre.curl[data-side="legacy"]').waitFor();
    expect(await group.locator('pre.curl').textContent()).toMatch(new RegExp(`^curl .*${stack.urls.legacy}/users/\\d+$`));
    await group.getByRole('button', { name: 'Copy as curl: users' }).click();
    await group.locator('pre.curl[data-side="service"]').waitFor();
    expect(await group.locator('pre.curl').textContent()).toContain(`${stack.urls.services.users}/users/`);
    await screenshot(page, 'dashboard-diffs');
  });

  it('promoting a route the evidence does not support: the guard refuses and shows its evidence', async () => {
    await nav('Routes');
    await row('routes', 'users').waitFor();
    expect(await row('routes', 'users').locator('[data-readiness]').textContent()).toBe('not ready');
    await row('routes', 'users').getByRole('button', { name: 'Change mode…' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Mode').selectOption('canary');
    await dialog.getByLabel('Canary percent').fill('10');
    await dialog.getByLabel('Reason (kept in the history)').fill('try users on 10%');
    await dialog.getByRole('button', { name: 'Apply' }).click();
    const refusal = dialog.locator('[data-refusal]');
    await refusal.waitFor();
    expect(await refusal.textContent()).toContain('the guard refuses users: shadow → canary 10%');
    expect(await refusal.locator('ul.reasons').textContent()).toContain("net match rate 0% is under the guard's 99%");
    expect(await refusal.locator('ul.reasons').textContent()).toContain('regression group');
    const evidence = await refusal.locator('table.evidence tbody tr').evaluateAll((rows) => rows.map((r) => r.textContent));
    expect(evidence).toEqual(expect.arrayContaining([expect.stringMatching(/^compared samples30at least 20$/), expect.stringMatching(/^net match rate0%at least 99%$/)]));
    await screenshot(page, 'dashboard-guard-refusal');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(await row('routes', 'users').locator('[data-mode]').textContent()).toBe('shadow');
  });

  it('promotes a ready route, then rolls it back in one click with confirmation', async () => {
    await row('routes', 'orders').getByRole('button', { name: 'Change mode…' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Mode').selectOption('canary');
    await dialog.getByLabel('Canary percent').fill('10');
    await dialog.getByLabel('Reason (kept in the history)').fill('orders matched in shadow');
    await dialog.getByRole('button', { name: 'Apply' }).click();
    await page.locator('.flash').filter({ hasText: 'orders shadow → canary 10%' }).waitFor();
    await row('routes', 'orders').locator('[data-mode="canary"]').waitFor();
    expect(await row('routes', 'orders').locator('[data-mode]').textContent()).toBe('canary 10%');

    await row('routes', 'orders').getByRole('button', { name: 'Roll back' }).click();
    const confirm = page.getByRole('dialog', { name: 'Roll back orders to legacy?' });
    await confirm.waitFor();
    await confirm.getByRole('button', { name: 'Roll back' }).click();
    await page.locator('.flash').filter({ hasText: 'orders canary 10% → legacy' }).waitFor();
    await row('routes', 'orders').locator('[data-mode="legacy"]').waitFor();
    const routes = (await stack.api('GET', '/api/routes')).body.routes;
    expect(routes.find((r: { name: string }) => r.name === 'orders').mode).toBe('legacy');
    const [latest] = (await stack.api('GET', '/api/mode-changes')).body;
    expect(latest).toMatchObject({ route: 'orders', fromMode: 'canary', toMode: 'legacy', author: 'Ada Tester', reason: 'rollback from the dashboard' });
  });

  it('marks a path ignored: a new revision, and the page says so with its number', async () => {
    const before = (await stack.api('GET', '/api/routes')).body.revision;
    await page.goto(`${stack.app.admin.url}/#/diffs/${encodeURIComponent(USERS)}`);
    const group = page.locator('section.group[data-group="$.createdAt"]');
    await group.getByRole('button', { name: 'Ignore this path' }).click();
    const dialog = page.getByRole('dialog', { name: 'Ignore $.createdAt on route users?' });
    await dialog.getByLabel('Reason (kept in the history)').fill('the users service writes ISO 8601 on purpose');
    await dialog.getByRole('button', { name: 'Ignore this path' }).click();
    await page.locator('.flash').filter({ hasText: `Revision ${before + 1}: route users now ignores $.createdAt in shadow comparisons.` }).waitFor();
    const users = (await stack.api('GET', '/api/routes')).body.routes.find((r: { name: string }) => r.name === 'users');
    expect(users.shadow.compare.ignore).toEqual(['$.createdAt']);
  });

  it('history: the revision with who, when and why, the diff between revisions, and restore', async () => {
    await page.locator('.flash').getByRole('link', { name: 'See it in History' }).click();
    const { inForce } = (await stack.api('GET', '/api/revisions')).body;
    const top = page.locator(`table[data-table="revisions"] tr[data-revision="${inForce}"]`);
    await top.waitFor();
    expect(await top.textContent()).toContain('Ada Tester');
    expect(await top.textContent()).toContain('users: ignore $.createdAt in shadow comparisons: the users service writes ISO 8601 on purpose');
    expect(await top.locator('.in-force').textContent()).toBe('in force');
    // By default, the revision in force against the one before it.
    const diff = page.locator(`pre.diff[data-diff="${inForce - 1}..${inForce}"]`);
    await diff.waitFor();
    expect(await diff.locator('.op-add').allTextContents()).toEqual(expect.arrayContaining([expect.stringMatching(/^\+ +- \$\.createdAt\n$/)]));
    expect(await diff.locator('.op-del').allTextContents()).toEqual(expect.arrayContaining([expect.stringMatching(/^- +ignore: \[\]\n$/)]));
    // Any two: the first revision against the one in force shows both mode changes' net result and the ignore.
    await page.getByLabel('From revision').selectOption(String(1));
    await page.getByLabel('To revision').selectOption(String(inForce));
    await page.getByRole('button', { name: 'Compare' }).click();
    await page.locator(`pre.diff[data-diff="1..${inForce}"]`).waitFor();
    expect(await page.locator('table[data-table="mode-changes"]').textContent()).toContain('rollback from the dashboard');
    await screenshot(page, 'dashboard-history');

    await page.locator(`table[data-table="revisions"] tr[data-revision="${inForce - 1}"]`).getByRole('button', { name: 'Restore…' }).click();
    const dialog = page.getByRole('dialog', { name: `Restore revision ${inForce - 1}?` });
    await dialog.getByRole('button', { name: `Restore revision ${inForce - 1}` }).click();
    await page.locator('.flash').filter({ hasText: `Revision ${inForce + 1} restores revision ${inForce - 1}.` }).waitFor();
    await page.locator(`table[data-table="revisions"] tr[data-revision="${inForce + 1}"] .in-force`).waitFor();
    const users = (await stack.api('GET', '/api/routes')).body.routes.find((r: { name: string }) => r.name === 'users');
    expect(users.shadow.compare.ignore).toEqual([]);
  });

  it('updates without a reload when new traffic arrives', async () => {
    await nav('Endpoints');
    const catalog = row('endpoints', 'GET /catalog/{id}');
    await catalog.waitFor();
    expect(await catalog.locator('td').nth(3).textContent()).toBe('10');
    const marker = await page.evaluate(() => ((window as unknown as { marker: number }).marker = Math.random()));
    await send('/catalog/#', 7);
    await send('/fresh', 2);
    await catalog.locator('td').nth(3).filter({ hasText: /^17$/ }).waitFor();
    await row('endpoints', 'GET /fresh').waitFor();
    // The same document: no reload happened.
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(marker);
  });

  it('raised no error in the page', () => {
    // Refused calls (the wrong token, the guard's 409) log "Failed to load resource"; anything else is a bug.
    expect(errors.filter((e) => !e.includes('Failed to load resource'))).toEqual([]);
  });
});
