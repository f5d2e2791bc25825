import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPage, screenshot } from './helpers/browser.js';
import { ruleYaml, shadowRoute } from './helpers/rule-yaml.js';
import { ensureBuilt } from './helpers/strangler-process.js';
import { json, reset, startShadowStack, waitFor, type ShadowStack } from './helpers/shadow-stack.js';

/**
 * A shadow service that fails every copy: after five in a row its copies
 * pause (the lane's circuit breaker). The operator sees it in the admin API
 * and at the top of the dashboard's overview, not only in the logs and
 * /metrics, because it is why the route's comparisons stopped coming.
 */

const TOKEN = 'dashboard-paused-token-0123456789';

let stack: ShadowStack;
let browser: Browser;
let page: Page;
let errors: string[];

beforeAll(async () => {
  await ensureBuilt();
  stack = await startShadowStack({
    legacy: (req, res) => json(res, 200, { from: 'legacy', url: req.url }),
    services: { flaky: reset },
    token: TOKEN,
    rules: (u) => ruleYaml(u, { token: TOKEN, routes: [shadowRoute('flaky', { service: 'flaky' })] }),
  });
  ({ browser, page, errors } = await openPage());
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

describe('a shadow service whose copies are paused', { timeout: 60_000 }, () => {
  it('the admin API lists no paused target before any copy has failed', async () => {
    const r = await stack.api('GET', '/api/shadow/paused');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ paused: [] });
  });

  it('after its copies fail five times in a row, GET /api/shadow/paused names it; clients still get legacy', async () => {
    for (let i = 0; i < 8; i++) {
      const a = await stack.proxy('GET', `/flaky/${i}`);
      expect(a.status).toBe(200);
      expect(a.body).toEqual({ from: 'legacy', url: `/flaky/${i}` });
    }
    await waitFor(async () => (await stack.api('GET', '/api/shadow/paused')).body.paused.length > 0, 'the target to be paused');
    expect((await stack.api('GET', '/api/shadow/paused')).body).toEqual({ paused: [{ target: 'flaky', processes: 1 }] });
  });

  it('the overview says so above its cards', async () => {
    await page.goto(`${stack.app.admin.url}/`);
    await page.getByLabel('Admin token').fill(TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const notice = page.locator('[data-paused-target="flaky"]');
    await notice.waitFor({ state: 'visible' });
    expect(await notice.getAttribute('role')).toBe('status');
    expect(await notice.textContent()).toContain('Shadow copies to flaky are paused.');
    expect(await notice.textContent()).toContain('Clients are not affected.');
    // The empty match-rate chart no longer tells the user to put a route in shadow mode: it is, and says why nothing was compared.
    expect(await page.locator('[data-empty="match-rate"]').textContent()).toBe(
      'No shadow comparisons in this window for route flaky: copies to flaky are paused (see above).',
    );
    await screenshot(page, 'dashboard-overview-paused');
    expect(errors).toEqual([]);
  });
});
