import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startLedgerStack, waitFor, type LedgerStack, type StackUrls } from './helpers/ledger-stack.js';

/**
 * The admin API against a whole running stack: real legacy and service
 * servers, the rule file and its SQLite ledger in a temp folder, the data
 * plane and the admin API on their own ephemeral ports.
 */

const TOKEN = 'admin-token-for-tests-0123456789';

/**
 * Orders starts in legacy, users in shadow with its own sample guard; both
 * have a service. The global match rate is not the default, so that a route
 * guard that sets only minSamples shows where its minMatchRate comes from.
 */
function rules(u: StackUrls, o: { token?: string | null; ordersMode?: string; extra?: string } = {}): string {
  const token = o.token === undefined ? TOKEN : o.token;
  return `
legacy: ${u.legacy}
database: ./strangler.db
${token ? `admin:\n  token: ${token}\n` : ''}guard:
  minSamples: 200
  minMatchRate: 98.5
services:
  orders: ${u.services.orders}
  users: ${u.services.users}
routes:
  - name: orders
    match: { path: "/api/orders/{id}" }
    mode: ${o.ordersMode ?? 'legacy'}
    service: orders
    # No noise calls: they would reach legacy too and blur what these tests count there.
    shadow: { noisePercent: 0 }
  - name: users
    match: { path: "/api/users/**" }
    mode: shadow
    service: users
    guard: { minSamples: 50 }
${o.extra ?? ''}`;
}

const withStack = (extra: Parameters<typeof rules>[1] = {}) =>
  startLedgerStack({ services: ['orders', 'users'], token: extra.token === null ? undefined : TOKEN, rules: (u) => rules(u, extra) });

/** What a refused request must leave alone. */
async function snapshot(stack: LedgerStack) {
  const [routes, revisions, changes] = await Promise.all([stack.api('GET', '/api/routes'), stack.api('GET', '/api/revisions'), stack.api('GET', '/api/mode-changes')]);
  expect(routes.status).toBe(200);
  return { routes: routes.body, revisions: revisions.body, changes: changes.body, answeredBy: (await stack.proxy('GET', '/api/orders/1')).body.from };
}

const modeOf = (routesBody: { routes: Array<{ name: string; mode: string }> }, name: string) => routesBody.routes.find((r) => r.name === name)?.mode;

/** Every /api route, with a body where it takes one. */
const API_ROUTES: Array<[string, string, unknown?]> = [
  ['GET', '/api/routes'],
  ['PUT', '/api/routes', { routes: [] }],
  ['POST', '/api/routes/orders/mode', { mode: 'service', reason: 'x', force: true }],
  ['GET', '/api/revisions'],
  ['GET', '/api/revisions/1'],
  ['POST', '/api/revisions/1/restore', { reason: 'x' }],
  ['GET', '/api/mode-changes'],
  ['GET', '/api/endpoints'],
  ['GET', '/api/progress'],
  ['GET', '/api/no-such-thing'],
];

describe('admin API: token, ports, health', () => {
  let stack: LedgerStack;
  beforeAll(async () => {
    stack = await withStack();
  });
  afterAll(() => stack?.close());

  it.each(API_ROUTES)('%s %s is 401 without a token, with a wrong one, and with another scheme', async (method, path, body) => {
    const before = await snapshot(stack);
    const wrong = TOKEN.slice(0, -1) + (TOKEN.endsWith('9') ? '8' : '9');
    expect(wrong).toHaveLength(TOKEN.length);
    for (const headers of [{} as Record<string, string>, { authorization: `Bearer ${wrong}` }, { authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}` }, { authorization: TOKEN }]) {
      const res = await stack.api(method, path, body, { token: null, headers });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(JSON.stringify(res.body)).not.toContain(TOKEN);
    }
    expect(await snapshot(stack)).toEqual(before);
  });

  it('accepts the configured token, whatever the case of "Bearer"', async () => {
    expect((await stack.api('GET', '/api/routes')).status).toBe(200);
    expect((await stack.api('GET', '/api/routes', undefined, { token: null, headers: { authorization: `bearer ${TOKEN}` } })).status).toBe(200);
  });

  it('serves /healthz and /metrics without a token', async () => {
    const health = await stack.api('GET', '/healthz', undefined, { token: null });
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ ok: true, revision: 1, routes: 2 });
    const metrics = await stack.api('GET', '/metrics', undefined, { token: null });
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(metrics.body).toContain('# TYPE strangler_requests_total counter');
  });

  it('runs on its own port: the data plane never answers admin paths', async () => {
    expect(new URL(stack.app.admin.url).port).not.toBe(new URL(stack.app.proxy.url).port);
    // /api/routes through the data plane is just a request for the monolith.
    const through = await stack.proxy('GET', '/api/routes');
    expect(through.body).toMatchObject({ from: 'legacy', url: '/api/routes' });
    const health = await stack.proxy('GET', '/healthz');
    expect(health.body.from).toBe('legacy');
    // …and the admin port does not proxy.
    const seen = stack.legacy.seen.length;
    const notProxied = await stack.api('GET', '/api/orders/1');
    expect(notProxied.status).toBe(404);
    expect(stack.legacy.seen).toHaveLength(seen);
  });

  it('answers unknown admin routes with 404 JSON', async () => {
    for (const [method, path] of [
      ['GET', '/api/no-such-thing'],
      ['DELETE', '/api/routes'],
      ['GET', '/api/revisions/999'],
      ['GET', '/api/revisions/abc'],
    ] as const) {
      const res = await stack.api(method, path);
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.body.error).toEqual(expect.any(String));
    }
    // Outside /api no token is asked for, and an unknown path is still a JSON 404.
    const outside = await stack.api('GET', '/nope', undefined, { token: null });
    expect(outside.status).toBe(404);
    expect(outside.headers.get('content-type')).toMatch(/^application\/json/);
    expect(outside.body.error).toEqual(expect.any(String));
  });

  it('GET /api/revisions takes a limit, and ignores one that is not a count', async () => {
    expect((await stack.api('GET', '/api/revisions?limit=1')).body.revisions).toHaveLength(1);
    for (const limit of ['-1', '0', 'abc']) {
      const res = await stack.api('GET', `/api/revisions?limit=${limit}`);
      expect(res.status).toBe(200);
      expect(res.body.revisions, `limit=${limit}`).toHaveLength(1);
    }
  });
});

describe('admin API: the rule table', () => {
  let stack: LedgerStack;
  beforeAll(async () => {
    stack = await withStack();
  });
  afterAll(() => stack?.close());

  it('GET /api/routes gives the revision in force and its routes', async () => {
    const res = await stack.api('GET', '/api/routes');
    expect(res.status).toBe(200);
    expect(res.body.revision).toBe(1);
    expect(res.body.routes).toEqual([
      expect.objectContaining({ name: 'orders', mode: 'legacy', service: 'orders', match: { path: '/api/orders/{id}' } }),
      expect.objectContaining({ name: 'users', mode: 'shadow', service: 'users', match: { path: '/api/users/**' }, guard: { minSamples: 50 } }),
    ]);
    expect(res.body.services).toEqual({ orders: stack.urls.services.orders, users: stack.urls.services.users });
  });

  const invalid: Array<[string, unknown, string]> = [
    ['an unknown mode', { routes: [{ name: 'orders', match: { path: '/api/orders/{id}' }, mode: 'sideways', service: 'orders' }] }, 'routes[0].mode'],
    ['an unknown service', { routes: [{ name: 'orders', match: { path: '/api/orders/{id}' }, mode: 'legacy', service: 'nope' }] }, 'routes[0].service'],
    ['a route without a match', { routes: [{ name: 'orders', mode: 'legacy' }] }, 'routes[0].match'],
    ['a bad path pattern', { routes: [{ name: 'orders', match: { path: 'api/orders' } }] }, 'routes[0].match.path'],
    [
      'a duplicate route name',
      {
        routes: [
          { name: 'orders', match: { path: '/a' } },
          { name: 'orders', match: { path: '/b' } },
        ],
      },
      'routes[1].name',
    ],
    ['an unknown field', { routes: [], colour: 'blue' }, 'colour'],
    ['an unknown field in a route', { routes: [{ name: 'orders', match: { path: '/a' }, moed: 'legacy' }] }, 'routes[0].moed'],
    ['a process setting', { listen: '127.0.0.1:1' }, 'listen'],
    ['the admin settings', { admin: { token: 'another-token-0123456789' } }, 'admin'],
    ['a bad legacy URL', { legacy: 'ftp://example.com' }, 'legacy'],
    ['routes that are not a list', { routes: { orders: {} } }, 'routes'],
    ['a list instead of a table', [], ''],
    ['null', null, ''],
  ];

  it.each(invalid)('PUT with %s is 400 with { path, message } and changes nothing', async (_what, body, path) => {
    const before = await snapshot(stack);
    const res = await stack.api('PUT', '/api/routes', body === null ? 'null' : body);
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual(expect.arrayContaining([{ path, message: expect.any(String) }]));
    for (const e of res.body.errors) expect(Object.keys(e).sort()).toEqual(['message', 'path']);
    expect(await snapshot(stack)).toEqual(before);
  });

  it('PUT with a body that is not JSON, or not sent as JSON, is 400 and changes nothing', async () => {
    const before = await snapshot(stack);
    const broken = await stack.api('PUT', '/api/routes', '{"routes": [');
    expect(broken.status).toBe(400);
    expect(broken.body.errors).toEqual([{ path: '', message: expect.stringMatching(/JSON/) }]);
    const text = await stack.api('PUT', '/api/routes', 'routes: []', { headers: { 'content-type': 'text/yaml' } });
    expect(text.status).toBe(400);
    expect(text.body.errors[0]).toEqual({ path: '', message: expect.any(String) });
    expect(await snapshot(stack)).toEqual(before);
  });

  it('PUT with an oversized body is 413 and changes nothing', async () => {
    const before = await snapshot(stack);
    const huge = { routes: [{ name: 'orders', match: { path: '/api/orders/{id}' }, shadow: { pad: 'x'.repeat(1_100_000) } }] };
    const res = await stack.api('PUT', '/api/routes', huge);
    expect(res.status).toBe(413);
    expect(res.body.errors[0]).toEqual({ path: '', message: expect.stringMatching(/over/) });
    expect(await snapshot(stack)).toEqual(before);
  });

  it('PUT that moves a route forward without evidence is 409 with the evidence, and changes nothing', async () => {
    const before = await snapshot(stack);
    const current = (await stack.api('GET', '/api/routes')).body;
    const routes = current.routes.map((r: { name: string }) => (r.name === 'orders' ? { ...r, mode: 'service' } : r));
    const res = await stack.api('PUT', '/api/routes', { routes });
    expect(res.status).toBe(409);
    expect(res.body.errors).toEqual([{ path: 'routes.orders.mode', message: expect.stringContaining('at least 200') }]);
    expect(res.body.checks[0]).toMatchObject({ allowed: false, direction: 'forward', guard: { minSamples: 200, minMatchRate: 98.5 }, evidence: { route: 'orders', compared: 0, netMatchRate: null } });
    expect(await snapshot(stack)).toEqual(before);
  });

  it('PUT of what GET returned, edited, is a new revision, and the data plane routes by it', async () => {
    const current = (await stack.api('GET', '/api/routes')).body;
    const routes = current.routes.map((r: { name: string }) => (r.name === 'orders' ? { ...r, mode: 'service' } : r));
    const res = await stack.api('PUT', '/api/routes?force=true&message=orders%20to%20the%20service', { ...current, routes }, { headers: { 'x-strangler-author': 'alice' } });
    expect(res.status).toBe(200);
    expect(res.body.revision).toBe(2);

    const after = (await stack.api('GET', '/api/routes')).body;
    expect(after.revision).toBe(2);
    expect(modeOf(after, 'orders')).toBe('service');
    const answer = await stack.proxy('GET', '/api/orders/7');
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ from: 'orders', method: 'GET', url: '/api/orders/7' });
    expect(stack.services.orders!.seen).toContain('GET /api/orders/7');

    const rev = (await stack.api('GET', '/api/revisions/2')).body;
    expect(rev).toMatchObject({ n: 2, source: 'api', author: 'alice', message: 'orders to the service' });
    // The forced move is in the mode-change log, with the evidence that was overridden.
    const changes = (await stack.api('GET', '/api/mode-changes')).body;
    expect(changes[0]).toMatchObject({ route: 'orders', fromMode: 'legacy', toMode: 'service', forced: true, author: 'alice', revision: 2 });
  });

  it('PUT that is stale (its revision is not the one in force) is 409 and changes nothing', async () => {
    const before = await snapshot(stack);
    const res = await stack.api('PUT', '/api/routes', { revision: 1, routes: before.routes.routes });
    expect(res.status).toBe(409);
    expect(res.body.errors).toEqual([{ path: 'revision', message: expect.stringContaining('revision 2') }]);
    expect(await snapshot(stack)).toEqual(before);
  });

  it('PUT that only moves a route back needs no force', async () => {
    const current = (await stack.api('GET', '/api/routes')).body;
    const routes = current.routes.map((r: { name: string }) => (r.name === 'orders' ? { ...r, mode: 'legacy' } : r));
    const res = await stack.api('PUT', '/api/routes', { routes });
    expect(res.status).toBe(200);
    expect(res.body.revision).toBe(3);
    expect((await stack.proxy('GET', '/api/orders/8')).body.from).toBe('legacy');
    const changes = (await stack.api('GET', '/api/mode-changes')).body;
    expect(changes[0]).toMatchObject({ route: 'orders', fromMode: 'service', toMode: 'legacy', forced: false, revision: 3 });
  });
});

describe('admin API: mode changes and the guard', () => {
  let stack: LedgerStack;
  beforeAll(async () => {
    stack = await withStack();
  });
  afterAll(() => stack?.close());

  const bad: Array<[string, unknown, string]> = [
    ['no reason', { mode: 'shadow' }, 'reason'],
    ['an empty reason', { mode: 'shadow', reason: '  ' }, 'reason'],
    ['a reason that is not text', { mode: 'shadow', reason: 42 }, 'reason'],
    ['an unknown mode', { mode: 'sideways', reason: 'x' }, 'mode'],
    ['no mode', { reason: 'x' }, 'mode'],
    ['a percent over 100', { mode: 'canary', percent: 150, reason: 'x' }, 'percent'],
    ['a percent that is text', { mode: 'canary', percent: '10', reason: 'x' }, 'percent'],
    ['canary without a percent', { mode: 'canary', reason: 'x' }, 'percent'],
    ['force that is not a boolean', { mode: 'service', reason: 'x', force: 'yes' }, 'force'],
    ['an unknown field', { mode: 'service', reason: 'x', forse: true }, 'forse'],
    ['a list', [], ''],
  ];

  it.each(bad)('POST mode with %s is 400 and changes nothing', async (_what, body, path) => {
    const before = await snapshot(stack);
    const res = await stack.api('POST', '/api/routes/orders/mode', body);
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual(expect.arrayContaining([{ path, message: expect.any(String) }]));
    expect(await snapshot(stack)).toEqual(before);
  });

  it('POST mode with broken JSON is 400, with an oversized body 413, and changes nothing', async () => {
    const before = await snapshot(stack);
    expect((await stack.api('POST', '/api/routes/orders/mode', '{"mode":')).status).toBe(400);
    expect((await stack.api('POST', '/api/routes/orders/mode', { mode: 'service', reason: 'x'.repeat(1_100_000), force: true })).status).toBe(413);
    expect(await snapshot(stack)).toEqual(before);
  });

  it('POST mode for an unknown route is 404 and changes nothing', async () => {
    const before = await snapshot(stack);
    const res = await stack.api('POST', '/api/routes/nope/mode', { mode: 'shadow', reason: 'x' });
    expect(res.status).toBe(404);
    expect(res.body.error).toContain('nope');
    expect(await snapshot(stack)).toEqual(before);
  });

  it('legacy → shadow needs no evidence: 200, a revision and a mode-change row', async () => {
    const res = await stack.api('POST', '/api/routes/orders/mode', { mode: 'shadow', reason: 'start comparing' }, { headers: { 'x-strangler-author': 'bob' } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ revision: 2, route: 'orders', check: { direction: 'forward', guarded: false, allowed: true, forced: false } });
    expect(modeOf((await stack.api('GET', '/api/routes')).body, 'orders')).toBe('shadow');
    const changes = (await stack.api('GET', '/api/mode-changes')).body;
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ route: 'orders', fromMode: 'legacy', toMode: 'shadow', author: 'bob', reason: 'start comparing', forced: false, revision: 2 });
  });

  it('shadow → canary with too little evidence is 409 with the evidence (compared requests and the net match rate)', async () => {
    // Traffic on the route so that the evidence has counts to show (earlier snapshots sent some too).
    for (let i = 0; i < 3; i++) expect((await stack.proxy('GET', `/api/orders/${i}`)).body.from).toBe('legacy');
    const sent = stack.legacy.seen.filter((s) => s.startsWith('GET /api/orders/')).length;
    await waitFor(async () => (await stack.api('GET', '/api/endpoints')).body.find((e: { path: string }) => e.path === '/api/orders/{id}')?.requests === sent, 'the ledger');

    const before = await snapshot(stack);
    const res = await stack.api('POST', '/api/routes/orders/mode', { mode: 'canary', percent: 10, reason: 'first users' });
    expect(res.status).toBe(409);
    expect(res.body.error).toContain('orders');
    // The route is in shadow mode, so its requests were compared; the orders service answers differently from legacy.
    expect(res.body.evidence).toMatchObject({ route: 'orders', netMatchRate: 0, requests: sent, byTarget: { legacy: sent }, window: '24h' });
    expect(res.body.evidence.compared).toBeGreaterThanOrEqual(3);
    expect(res.body.evidence.compared).toBeLessThanOrEqual(sent);
    expect(res.body.check).toMatchObject({ allowed: false, guarded: true, forced: false, guard: { minSamples: 200, minMatchRate: 98.5 } });
    expect(res.body.check.reasons.join(' ')).toMatch(/\d+ compared samples; the guard needs at least 200/);
    expect(res.body.check.reasons.join(' ')).toMatch(/net match rate 0% is under the guard's 98.5%/);
    expect(await snapshot(stack)).toEqual(before);
  });

  it("a route's own guard is the one applied", async () => {
    const res = await stack.api('POST', '/api/routes/users/mode', { mode: 'service', reason: 'go' });
    expect(res.status).toBe(409);
    expect(res.body.check.guard).toEqual({ minSamples: 50, minMatchRate: 98.5 });
    expect(res.body.check.reasons.join(' ')).toContain('at least 50');
  });

  it('force overrides the guard, is recorded, and the service answers', async () => {
    const res = await stack.api('POST', '/api/routes/orders/mode', { mode: 'service', reason: 'we accept the risk', force: true }, { headers: { 'x-strangler-author': 'carol' } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ revision: 3, check: { allowed: true, forced: true } });
    expect(modeOf((await stack.api('GET', '/api/routes')).body, 'orders')).toBe('service');
    expect((await stack.proxy('GET', '/api/orders/41')).body).toEqual({ from: 'orders', method: 'GET', url: '/api/orders/41' });

    const [latest] = (await stack.api('GET', '/api/mode-changes')).body;
    expect(latest).toMatchObject({ route: 'orders', fromMode: 'shadow', toMode: 'service', author: 'carol', reason: 'we accept the risk', forced: true, revision: 3 });
    expect(latest.evidence).toMatchObject({ allowed: true, forced: true, evidence: { route: 'orders', compared: expect.any(Number), netMatchRate: 0, requests: expect.any(Number) } });
    expect(latest.evidence.evidence.requests).toBeGreaterThanOrEqual(3);
    expect((await stack.api('GET', '/api/revisions/3')).body.message).toMatch(/orders: shadow → service: we accept the risk \(forced\)/);
  });

  it('canary share is sticky-split by percent; raising it is forward, lowering it is back', async () => {
    const back = await stack.api('POST', '/api/routes/orders/mode', { mode: 'canary', percent: 100, reason: 'ease off' });
    expect(back.status).toBe(200);
    expect(back.body.check.direction).toBe('back');
    expect((await stack.proxy('GET', '/api/orders/5')).body.from).toBe('orders');
    const lower = await stack.api('POST', '/api/routes/orders/mode', { mode: 'canary', percent: 0, reason: 'ease off more' });
    expect(lower.status).toBe(200);
    expect((await stack.proxy('GET', '/api/orders/5')).body.from).toBe('legacy');
    const raise = await stack.api('POST', '/api/routes/orders/mode', { mode: 'canary', percent: 20, reason: 'more' });
    expect(raise.status).toBe(409);
    expect(raise.body.check.direction).toBe('forward');
  });

  it('moving back is always allowed, without force', async () => {
    const res = await stack.api('POST', '/api/routes/orders/mode', { mode: 'legacy', reason: 'rollback' });
    expect(res.status).toBe(200);
    expect(res.body.check).toMatchObject({ direction: 'back', allowed: true, forced: false });
    expect((await stack.proxy('GET', '/api/orders/42')).body.from).toBe('legacy');
  });

  it('GET /api/mode-changes lists every change, newest first, and filters by route', async () => {
    const all = (await stack.api('GET', '/api/mode-changes')).body;
    expect(all.map((c: { toMode: string }) => c.toMode)).toEqual(['legacy', 'canary', 'canary', 'service', 'shadow']);
    const revisions = (await stack.api('GET', '/api/revisions')).body;
    // Every change is a revision.
    expect(all.map((c: { revision: number }) => c.revision)).toEqual([6, 5, 4, 3, 2]);
    expect(revisions.inForce).toBe(6);
    expect((await stack.api('GET', '/api/mode-changes?route=users')).body).toEqual([]);
    expect((await stack.api('GET', '/api/mode-changes?route=orders')).body).toHaveLength(5);
  });
});

describe('admin API: revisions', () => {
  let stack: LedgerStack;
  beforeAll(async () => {
    stack = await withStack();
    const res = await stack.api('POST', '/api/routes/orders/mode', { mode: 'service', reason: 'cut over', force: true });
    expect(res.status).toBe(200);
    const res2 = await stack.api('POST', '/api/routes/users/mode', { mode: 'legacy', reason: 'not yet' });
    expect(res2.status).toBe(200);
  });
  afterAll(() => stack?.close());

  it('GET /api/revisions lists them newest first, with source, author, message and time', async () => {
    const res = await stack.api('GET', '/api/revisions');
    expect(res.status).toBe(200);
    expect(res.body.inForce).toBe(3);
    expect(res.body.revisions.map((r: { n: number; source: string }) => [r.n, r.source])).toEqual([
      [3, 'api'],
      [2, 'api'],
      [1, 'file'],
    ]);
    for (const r of res.body.revisions) {
      expect(r).toMatchObject({ author: expect.any(String), message: expect.any(String), routes: 2 });
      expect(Date.parse(r.createdAt)).not.toBeNaN();
    }
  });

  it('GET /api/revisions/:n gives the full table', async () => {
    const res = await stack.api('GET', '/api/revisions/1');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ n: 1, source: 'file', author: 'file', table: { legacy: stack.urls.legacy, guard: { minSamples: 200, minMatchRate: 98.5 } } });
    expect(res.body.table.routes.map((r: { name: string; mode: string }) => [r.name, r.mode])).toEqual([
      ['orders', 'legacy'],
      ['users', 'shadow'],
    ]);
    expect(res.body.table).not.toHaveProperty('admin');
  });

  it('restoring an unknown revision is 404; a bad body is 400; neither changes anything', async () => {
    const before = await snapshot(stack);
    expect((await stack.api('POST', '/api/revisions/999/restore', { reason: 'x' })).status).toBe(404);
    expect((await stack.api('POST', '/api/revisions/abc/restore', { reason: 'x' })).status).toBe(404);
    const bad = await stack.api('POST', '/api/revisions/1/restore', { reason: 5 });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([{ path: 'reason', message: expect.any(String) }]);
    expect((await stack.api('POST', '/api/revisions/1/restore', '{"reason"')).status).toBe(400);
    expect(await snapshot(stack)).toEqual(before);
  });

  it('restoring revision 1 brings back its modes as a new revision, and the data plane follows', async () => {
    expect((await stack.proxy('GET', '/api/orders/1')).body.from).toBe('orders');
    const res = await stack.api('POST', '/api/revisions/1/restore', { reason: 'back to the start' }, { headers: { 'x-strangler-author': 'dave' } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ revision: 4, restored: 1 });
    const routes = (await stack.api('GET', '/api/routes')).body;
    expect(routes.revision).toBe(4);
    expect(modeOf(routes, 'orders')).toBe('legacy');
    expect(modeOf(routes, 'users')).toBe('shadow');
    expect((await stack.proxy('GET', '/api/orders/1')).body.from).toBe('legacy');
    expect((await stack.api('GET', '/api/revisions/4')).body).toMatchObject({ source: 'restore', author: 'dave', message: 'restore revision 1: back to the start' });
    const changes = (await stack.api('GET', '/api/mode-changes')).body;
    expect(changes.filter((c: { revision: number }) => c.revision === 4).map((c: { route: string; toMode: string; forced: boolean }) => [c.route, c.toMode, c.forced])).toEqual(
      expect.arrayContaining([
        ['orders', 'legacy', false],
        ['users', 'shadow', false],
      ]),
    );
  });

  it('restoring a revision that moves a route forward meets the guard: 409 unless forced', async () => {
    const before = await snapshot(stack);
    const refused = await stack.api('POST', '/api/revisions/2/restore', { reason: 'again' });
    expect(refused.status).toBe(409);
    expect(refused.body.errors).toEqual([{ path: 'routes.orders.mode', message: expect.stringContaining('at least 200') }]);
    expect(refused.body.checks[0].evidence).toMatchObject({ route: 'orders', compared: 0 });
    expect(await snapshot(stack)).toEqual(before);

    const forced = await stack.api('POST', '/api/revisions/2/restore', { reason: 'again', force: true });
    expect(forced.status).toBe(200);
    expect(forced.body).toMatchObject({ revision: 5, restored: 2 });
    expect((await stack.proxy('GET', '/api/orders/1')).body.from).toBe('orders');
    const [latest] = (await stack.api('GET', '/api/mode-changes?route=orders')).body;
    expect(latest).toMatchObject({ toMode: 'service', forced: true, revision: 5 });
  });
});

describe('admin API: endpoints, progress and metrics from real traffic', () => {
  let stack: LedgerStack;
  beforeAll(async () => {
    stack = await withStack();
    expect((await stack.api('POST', '/api/routes/orders/mode', { mode: 'service', reason: 'cut over', force: true })).status).toBe(200);
    // 3 order reads served by the service; 4 customer reads and 1 missing page by the monolith.
    for (const id of [1, 2, 3]) expect((await stack.proxy('GET', `/api/orders/${id}`)).body.from).toBe('orders');
    for (const id of [41, 42, 43, 44]) expect((await stack.proxy('GET', `/api/customers/${id}`)).body.from).toBe('legacy');
    expect((await stack.proxy('GET', '/pages/status/404')).status).toBe(404);
    await waitFor(async () => (await stack.api('GET', '/api/progress')).body.traffic.total === 8, 'the ledger to count 8 requests');
  });
  afterAll(() => stack?.close());

  it('GET /api/endpoints shows learned templates with targets, status classes and latency', async () => {
    const res = await stack.api('GET', '/api/endpoints');
    expect(res.status).toBe(200);
    const byPath = new Map(res.body.map((e: { method: string; path: string }) => [`${e.method} ${e.path}`, e]));
    expect(byPath.get('GET /api/orders/{id}')).toMatchObject({
      method: 'GET',
      path: '/api/orders/{id}',
      route: 'orders',
      mode: 'service',
      requests: 3,
      byTarget: { orders: 3 },
      statusClasses: { '2xx': 3, '4xx': 0, '5xx': 0 },
      p50Ms: expect.any(Number),
      p95Ms: expect.any(Number),
    });
    const customers = byPath.get('GET /api/customers/{id}') as Record<string, unknown>;
    expect(customers).toMatchObject({ route: null, mode: 'legacy', requests: 4, byTarget: { legacy: 4 }, statusClasses: { '2xx': 4 } });
    expect(Date.now() - Date.parse(customers.lastSeen as string)).toBeLessThan(60_000);
    expect(byPath.get('GET /pages/status/{id}')).toMatchObject({ requests: 1, statusClasses: { '4xx': 1, '2xx': 0 } });
    for (const e of res.body) {
      expect(Object.keys(e)).toEqual(expect.arrayContaining(['method', 'path', 'route', 'mode', 'requests', 'byTarget', 'statusClasses', 'p50Ms', 'p95Ms', 'lastSeen']));
    }
    expect((await stack.api('GET', '/api/endpoints?since=soon')).status).toBe(400);
  });

  it('GET /api/progress counts endpoints by mode and the share served by services', async () => {
    const res = await stack.api('GET', '/api/progress');
    expect(res.status).toBe(200);
    expect(res.body.endpoints).toEqual({ total: 3, byMode: { legacy: 2, shadow: 0, canary: 0, service: 1, retired: 0 } });
    expect(res.body.traffic).toEqual({ window: '24h', total: 8, byTarget: { orders: 3, legacy: 5 }, servedByServicesShare: 37.5 });
    const all = await stack.api('GET', '/api/progress?since=all');
    expect(all.body.traffic).toMatchObject({ window: 'all', total: 8 });
    const bad = await stack.api('GET', '/api/progress?since=yesterday-ish');
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([{ path: 'since', message: expect.any(String) }]);
  });

  it('GET /metrics has requests per route and target, latency histograms, fallbacks and the ledger', async () => {
    const text = (await stack.api('GET', '/metrics', undefined, { token: null })).body as string;
    expect(text).toMatch(/^strangler_requests_total\{route="orders",target="orders",class="2xx"\} 3$/m);
    expect(text).toMatch(/^strangler_requests_total\{route="",target="legacy",class="2xx"\} 4$/m);
    expect(text).toMatch(/^strangler_requests_total\{route="",target="legacy",class="4xx"\} 1$/m);
    expect(text).toMatch(/^strangler_request_duration_seconds_count\{route="orders",target="orders"\} 3$/m);
    expect(text).toMatch(/^strangler_request_duration_seconds_bucket\{le="\+Inf",route="orders",target="orders"\} 3$/m);
    expect(text).toContain('# TYPE strangler_fallbacks_total counter');
    expect(text).toMatch(/^strangler_ledger_records_dropped 0$/m);
    expect(text).toMatch(/^strangler_ledger_records_written 8$/m);
    expect(text).toContain('# TYPE strangler_rule_reloads_total counter');
  });
});

describe('rule file edits while running', () => {
  let stack: LedgerStack;
  beforeAll(async () => {
    stack = await withStack();
  });
  afterAll(() => stack?.close());

  it('a valid edit becomes a revision from the file, counted in strangler_rule_reloads_total', async () => {
    expect((await stack.api('POST', '/api/routes/orders/mode', { mode: 'shadow', reason: 'compare' })).status).toBe(200);
    await stack.writeRules(rules(stack.urls, { ordersMode: 'service' }));
    const routes = await waitFor(async () => {
      const r = (await stack.api('GET', '/api/routes')).body;
      return r.revision === 3 && r;
    }, 'the file edit to become revision 3');
    expect(modeOf(routes, 'orders')).toBe('service');
    expect((await stack.api('GET', '/api/revisions/3')).body).toMatchObject({ source: 'file', message: 'rule file changed' });
    expect((await stack.proxy('GET', '/api/orders/3')).body.from).toBe('orders');
    const text = (await stack.api('GET', '/metrics', undefined, { token: null })).body as string;
    expect(Number(/^strangler_rule_reloads_total\{result="applied"\} (\d+)$/m.exec(text)?.[1])).toBeGreaterThanOrEqual(1);
  });

  it('an invalid edit is rejected, counted, and changes nothing', async () => {
    const before = await snapshot(stack);
    await stack.writeRules(rules(stack.urls, { ordersMode: 'sideways' }));
    await waitFor(async () => /^strangler_rule_reloads_total\{result="rejected"\} [1-9]/m.test((await stack.api('GET', '/metrics', undefined, { token: null })).body), 'the rejected reload');
    expect(await snapshot(stack)).toEqual(before);
  });
});

describe('restart: which revision is in force, and why', () => {
  let stack: LedgerStack;
  const inForceLine = () => stack.logs.filter((l) => typeof l.msg === 'string' && l.msg.startsWith('rules in force')).at(-1)?.msg;
  beforeAll(async () => {
    stack = await withStack();
  });
  afterAll(() => stack?.close());

  it('the first start makes the file revision 1 and says so', () => {
    expect(inForceLine()).toMatch(/^rules in force: revision 1: first start with this database/);
  });

  it('an unchanged file keeps the API revision in force, and the log says why', async () => {
    expect((await stack.api('POST', '/api/routes/orders/mode', { mode: 'service', reason: 'cut over', force: true }, { headers: { 'x-strangler-author': 'erin' } })).status).toBe(200);
    await stack.restart();
    expect(inForceLine()).toMatch(/^rules in force: revision 2: the rule file is unchanged since revision 1; revision 2 \(api by erin: orders: legacy → service: cut over \(forced\)\) is newer and stays in force until the file changes/);
    const routes = (await stack.api('GET', '/api/routes')).body;
    expect(routes.revision).toBe(2);
    expect(modeOf(routes, 'orders')).toBe('service');
    expect((await stack.proxy('GET', '/api/orders/1')).body.from).toBe('orders');
    expect((await stack.api('GET', '/api/revisions')).body.revisions).toHaveLength(2);
  });

  it('a changed file wins over the API revision at the next start', async () => {
    await stack.restart(() => stack.writeRules(rules(stack.urls, { extra: '  - name: reports\n    match: { path: "/api/reports/**" }\n' })));
    expect(inForceLine()).toMatch(/^rules in force: revision 3: the rule file changed since revision 1, the last one it produced/);
    const routes = (await stack.api('GET', '/api/routes')).body;
    expect(routes.revision).toBe(3);
    expect(routes.routes.map((r: { name: string }) => r.name)).toEqual(['orders', 'users', 'reports']);
    expect(modeOf(routes, 'orders')).toBe('legacy');
    expect((await stack.proxy('GET', '/api/orders/1')).body.from).toBe('legacy');
    // The file's return to legacy is a mode change too.
    const [latest] = (await stack.api('GET', '/api/mode-changes')).body;
    expect(latest).toMatchObject({ route: 'orders', fromMode: 'service', toMode: 'legacy', revision: 3, author: 'file' });
  });

  it('restarting again with the same file keeps that revision', async () => {
    await stack.restart();
    expect(inForceLine()).toMatch(/^rules in force: revision 3: the rule file is unchanged: revision 3, from the file, stays in force/);
    expect((await stack.api('GET', '/api/revisions')).body.inForce).toBe(3);
  });
});

describe('a generated admin token', () => {
  let stack: LedgerStack;
  let printed: string[];
  beforeAll(async () => {
    printed = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      printed.push(String(chunk));
      return true;
    });
    try {
      stack = await withStack({ token: null });
    } finally {
      spy.mockRestore();
    }
  });
  afterAll(() => stack?.close());

  it('is printed once, works, and only its SHA-256 is stored', async () => {
    const token = stack.app.generatedToken!;
    expect(token).toMatch(/^[\w-]{24,}$/);
    expect(printed.join('')).toContain(token);
    expect((await stack.api('GET', '/api/routes', undefined, { token })).status).toBe(200);

    const wrong = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');
    expect((await stack.api('GET', '/api/routes', undefined, { token: wrong })).status).toBe(401);

    const stored = stack.app.db.prepare(`SELECT value FROM meta WHERE key = 'admin_token_sha256'`).get() as { value: string };
    expect(stored.value).toBe(createHash('sha256').update(token).digest('hex'));
    stack.app.db.pragma('wal_checkpoint(TRUNCATE)');
    expect((await readFile(`${stack.dir}/strangler.db`)).includes(Buffer.from(token))).toBe(false);
  });

  it('survives a restart without being printed again', async () => {
    const token = stack.app.generatedToken!;
    printed = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      printed.push(String(chunk));
      return true;
    });
    try {
      await stack.restart();
    } finally {
      spy.mockRestore();
    }
    expect(stack.app.generatedToken).toBeNull();
    expect(printed.join('')).not.toContain(token);
    expect((await stack.api('GET', '/api/routes', undefined, { token })).status).toBe(200);
    expect((await stack.api('GET', '/api/routes', undefined, { token: null })).status).toBe(401);
  });
});
