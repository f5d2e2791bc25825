import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import nodePath from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startLegacyShop } from '../fixtures/demo/legacy-shop.js';
import { startOrdersService } from '../fixtures/demo/orders-service.js';
import type { RunningFixture } from '../fixtures/demo/shop-http.js';
import { startUsersService } from '../fixtures/demo/users-service.js';
import { databasePath } from '../src/cli/database-path.js';
import { startFromFile, type StartedStrangler } from '../src/cli/start.js';
import { silentLogger } from '../src/log.js';
import { startProxy, type RunningProxy } from '../src/router/proxy.js';
import { readRuleFile } from '../src/router/rule-file-watch.js';
import { formatRuleErrors, loadRuleText } from '../src/rules/load.js';
import type { RuleFile, TargetSpec } from '../src/rules/schema.js';

/**
 * The demo as `npm start` wires it (the real fixtures/demo/strangler.yaml,
 * the real fixture servers), on ephemeral ports so it runs beside anything.
 */

const RULE_FILE = new URL('../fixtures/demo/strangler.yaml', import.meta.url);

let legacy: RunningFixture;
let orders: RunningFixture;
let users: RunningFixture;
let proxy: RunningProxy;

const retarget = (spec: TargetSpec, url: string): TargetSpec => (typeof spec === 'string' ? url : { ...spec, url });

async function get(base: string, path: string, headers: Record<string, string> = {}) {
  const res = await fetch(base + path, { headers });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) as Record<string, unknown> };
}

/** Leaf values by JSON path (`users[0].createdAt`). */
function leaves(value: unknown, path = '', out = new Map<string, unknown>()): Map<string, unknown> {
  if (Array.isArray(value)) value.forEach((v, i) => leaves(v, `${path}[${i}]`, out));
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) leaves(v, path ? `${path}.${k}` : k, out);
  } else out.set(path, value);
  return out;
}

// generatedAt is stamped per call: it differs between two legacy answers to the same request, so it is noise, not a difference.
const NOISE = /(^|\.)generatedAt$/;

function differingPaths(a: unknown, b: unknown): string[] {
  const la = leaves(a);
  const lb = leaves(b);
  const paths = new Set([...la.keys(), ...lb.keys()]);
  return [...paths].filter((p) => !NOISE.test(p) && (!la.has(p) || !lb.has(p) || la.get(p) !== lb.get(p))).sort();
}

beforeAll(async () => {
  [legacy, orders, users] = await Promise.all([
    startLegacyShop({ port: 0, slowMs: 300 }),
    startOrdersService({ port: 0 }),
    startUsersService({ port: 0 }),
  ]);
  // An empty environment, so the file's ${DEMO_*:-default} ports resolve the same on every machine.
  const loaded = loadRuleText(await readFile(RULE_FILE, 'utf8'), 'fixtures/demo/strangler.yaml', {});
  if (!loaded.ok) throw new Error(formatRuleErrors(loaded.errors));
  expect(Object.keys(loaded.rules.services).sort()).toEqual(['orders', 'users']);
  const rules: RuleFile = {
    ...loaded.rules,
    legacy: retarget(loaded.rules.legacy, legacy.url),
    services: {
      orders: retarget(loaded.rules.services.orders!, orders.url),
      users: retarget(loaded.rules.services.users!, users.url),
    },
  };
  proxy = await startProxy({ rules, listen: '127.0.0.1:0' });
});

afterAll(async () => {
  await proxy?.close();
  await Promise.all([legacy?.close(), orders?.close(), users?.close()]);
});

describe('the demo behind the proxy', () => {
  it('serves an order from the orders service, with the body legacy would send', async () => {
    const viaProxy = await get(proxy.url, '/api/orders/7');
    expect(viaProxy.status).toBe(200);
    expect(viaProxy.headers.get('x-served-by')).toBe('orders-service');
    expect(viaProxy.headers.get('x-request-id')).toBeTruthy();
    expect(viaProxy.json()).toMatchObject({ id: 7, userId: 2, placedAt: '2024-06-18 09:05:42', total: 61.25 });

    const fromLegacy = await get(legacy.url, '/api/orders/7');
    expect(fromLegacy.headers.get('x-served-by')).toBe('legacy-shop');
    expect(differingPaths(fromLegacy.json(), viaProxy.json())).toEqual([]);
  });

  it('serves the order list from the orders service too', async () => {
    const list = await get(proxy.url, '/api/orders');
    expect(list.headers.get('x-served-by')).toBe('orders-service');
    expect(list.json()).toMatchObject({ count: 8 });
  });

  it('leaves the catalog on legacy, prices as plain numbers, unknown skus as 404 JSON', async () => {
    const item = await get(proxy.url, '/api/catalog/TEA-001');
    expect(item.status).toBe(200);
    expect(item.headers.get('x-served-by')).toBe('legacy-shop');
    expect(item.json()).toMatchObject({ sku: 'TEA-001', price: 12.5 });
    expect(typeof item.json().generatedAt).toBe('string');

    const missing = await get(proxy.url, '/api/catalog/NOPE-404');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('x-served-by')).toBe('legacy-shop');
    expect(missing.json()).toMatchObject({ error: 'not_found' });
  });

  it('hands a first-time visitor a sid cookie through the proxy, and none once they have one', async () => {
    const first = await get(proxy.url, '/');
    expect(first.headers.get('content-type')).toMatch(/^text\/html/);
    expect(first.headers.get('set-cookie')).toMatch(/^sid=[0-9a-f]+;/);
    const again = await get(proxy.url, '/', { cookie: 'sid=alice' });
    expect(again.headers.get('set-cookie')).toBeNull();
  });

  it('keeps creating orders on legacy: POST answers 201 with a Location', async () => {
    const res = await fetch(`${proxy.url}/api/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userId: 1, items: [{ sku: 'TEA-001', qty: 2 }] }),
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('x-served-by')).toBe('legacy-shop');
    const created = (await res.json()) as { id: number; total: number };
    expect(res.headers.get('location')).toBe(`/api/orders/${created.id}`);
    expect(created.total).toBe(25);
  });

  it('splits users by the sid cookie, the same visitor always on the same side (the sids the demo prints)', async () => {
    for (let i = 0; i < 3; i++) {
      expect((await get(proxy.url, '/api/users/1', { cookie: 'sid=carol' })).headers.get('x-served-by')).toBe('users-service');
      expect((await get(proxy.url, '/api/users/1', { cookie: 'sid=alice' })).headers.get('x-served-by')).toBe('legacy-shop');
    }
  });

  it('answers the slow endpoint from legacy after its delay', async () => {
    const started = performance.now();
    const slow = await get(proxy.url, '/api/slow');
    expect(slow.status).toBe(200);
    expect(slow.headers.get('x-served-by')).toBe('legacy-shop');
    expect(performance.now() - started).toBeGreaterThanOrEqual(280);
  });
});

describe('the users service against legacy', () => {
  it('differs in exactly one field of a user: createdAt', async () => {
    const fromLegacy = (await get(legacy.url, '/api/users/2')).json();
    const fromService = await get(users.url, '/api/users/2');
    expect(fromService.headers.get('x-served-by')).toBe('users-service');
    expect(differingPaths(fromLegacy, fromService.json())).toEqual(['createdAt']);
    expect(fromLegacy.createdAt).toBe('2019-12-09 17:02:11');
    expect(fromService.json().createdAt).toBe('2019-12-09T17:02:11Z');
  });

  it('differs in the list only in that same field, once per user', async () => {
    const fromLegacy = (await get(legacy.url, '/api/users')).json();
    const fromService = (await get(users.url, '/api/users')).json();
    const paths = differingPaths(fromLegacy, fromService);
    expect(paths).toHaveLength(fromLegacy.count as number);
    for (const p of paths) expect(p).toMatch(/^users\[\d+\]\.createdAt$/);
  });

  it('agrees with legacy on a missing user', async () => {
    const a = await get(legacy.url, '/api/users/99');
    const b = await get(users.url, '/api/users/99');
    expect([a.status, b.status]).toEqual([404, 404]);
    expect(b.json()).toEqual(a.json());
  });
});

describe('the demo ledger and admin API, as npm start runs them', () => {
  // The rule file itself, through startFromFile as run.ts calls it; its ${DEMO_*_PORT} read this process's environment.
  const file = fileURLToPath(RULE_FILE);
  const PORT_VARS = ['DEMO_LEGACY_PORT', 'DEMO_ORDERS_PORT', 'DEMO_USERS_PORT'] as const;
  const saved = new Map<string, string | undefined>();
  let app: StartedStrangler;
  let dir: string;
  let token: string;

  const api = async (method: string, p: string, body?: unknown, bearer: string | null = token) => {
    const headers: Record<string, string> = {};
    if (bearer !== null) headers.authorization = `Bearer ${bearer}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(app.admin.url + p, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as any };
  };

  beforeAll(async () => {
    for (const v of [...PORT_VARS, 'STRANGLER_ADMIN_TOKEN']) saved.set(v, process.env[v]);
    process.env.DEMO_LEGACY_PORT = String(legacy.port);
    process.env.DEMO_ORDERS_PORT = String(orders.port);
    process.env.DEMO_USERS_PORT = String(users.port);
    // The demo's own default token, as a fresh shell gets it.
    delete process.env.STRANGLER_ADMIN_TOKEN;
    const loaded = await readRuleFile(file);
    if (!loaded.ok) throw new Error(formatRuleErrors(loaded.errors));
    token = loaded.rules.admin.token!;
    dir = await mkdtemp(nodePath.join(os.tmpdir(), 'strangler-demo-'));
    app = await startFromFile(file, {
      listen: '127.0.0.1:0',
      adminListen: '127.0.0.1:0',
      database: nodePath.join(dir, 'demo.db'),
      signals: false,
      logger: silentLogger,
    });
  });

  afterAll(async () => {
    await app?.stop();
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('keeps the ledger in fixtures/demo/.data/demo.db, next to the rule file, and the admin API on 127.0.0.1:8081', async () => {
    const loaded = loadRuleText(await readFile(RULE_FILE, 'utf8'), file, {});
    if (!loaded.ok) throw new Error(formatRuleErrors(loaded.errors));
    expect(databasePath(file, loaded.rules)).toBe(nodePath.join(nodePath.dirname(file), '.data', 'demo.db'));
    expect(loaded.rules.admin).toEqual({ listen: '127.0.0.1:8081', token: 'demo-admin-token-change-me' });
    expect(token).toBe('demo-admin-token-change-me');
  });

  it('answers /api with the demo token and refuses a request without it', async () => {
    expect((await api('GET', '/api/routes', undefined, null)).status).toBe(401);
    const routes = await api('GET', '/api/routes');
    expect(routes.status).toBe(200);
    expect(routes.body.routes.map((r: { name: string }) => r.name)).toEqual(['orders-read', 'orders-list', 'users', 'catalog']);
  });

  it('counts the traffic by endpoint template', async () => {
    for (const id of [1, 2, 7]) expect((await get(app.proxy.url, `/api/orders/${id}`)).headers.get('x-served-by')).toBe('orders-service');
    await get(app.proxy.url, '/api/users/1', { cookie: 'sid=alice' });
    app.ledger!.flush();
    const endpoints = (await api('GET', '/api/endpoints')).body as Array<{ method: string; path: string; requests: number; mode: string; byTarget: Record<string, number> }>;
    expect(endpoints.find((e) => e.path === '/api/orders/{id}')).toMatchObject({ method: 'GET', requests: 3, mode: 'service', byTarget: { orders: 3 } });
    expect(endpoints.find((e) => e.path === '/api/users/{id}')).toMatchObject({ requests: 1, mode: 'canary', byTarget: { legacy: 1 } });
  });

  it('refuses to promote users without shadow evidence, lets --force through on the record, and never refuses the rollback', async () => {
    const refused = await api('POST', '/api/routes/users/mode', { mode: 'service', reason: 'users service is ready' });
    expect(refused.status).toBe(409);
    expect(refused.body.evidence).toMatchObject({ route: 'users', compared: 0, netMatchRate: null });

    const forced = await api('POST', '/api/routes/users/mode', { mode: 'service', reason: 'demo', force: true });
    expect(forced.status).toBe(200);
    expect((await get(app.proxy.url, '/api/users/1', { cookie: 'sid=alice' })).headers.get('x-served-by')).toBe('users-service');

    const back = await api('POST', '/api/routes/users/mode', { mode: 'canary', percent: 50, reason: 'back to the canary' });
    expect(back.status).toBe(200);
    expect((await get(app.proxy.url, '/api/users/1', { cookie: 'sid=alice' })).headers.get('x-served-by')).toBe('legacy-shop');

    const changes = (await api('GET', '/api/mode-changes?route=users')).body as Array<{ toMode: string; forced: boolean }>;
    expect(changes.map((c) => [c.toMode, c.forced])).toEqual([
      ['canary', false],
      ['service', true],
    ]);
  });
});

describe('when the orders service is down', () => {
  it('falls back to legacy for reads', async () => {
    await orders.close();
    const res = await get(proxy.url, '/api/orders/7');
    expect(res.status).toBe(200);
    expect(res.headers.get('x-served-by')).toBe('legacy-shop');
    expect(res.json()).toMatchObject({ id: 7, total: 61.25 });
  });
});
