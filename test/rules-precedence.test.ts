import { describe, it, expect } from 'vitest';
import type { IncomingHttpHeaders } from 'node:http';
import { compileTable, type RouteTable } from '../src/rules/compile.js';
import { loadRuleText, formatRuleErrors } from '../src/rules/load.js';
import { RequestView } from '../src/rules/request-view.js';
import { RuleFileSchema, type RouteSpec } from '../src/rules/schema.js';

type RouteInput = { name: string; match: { path: string } & Partial<Omit<RouteSpec['match'], 'path'>> } & Partial<Omit<RouteSpec, 'name' | 'match'>>;

/** A table from routes written as data; the schema fills the defaults, as for a file. */
function table(routes: RouteInput[]): RouteTable {
  return compileTable(RuleFileSchema.parse({ legacy: 'http://127.0.0.1:3000', services: { svc: 'http://127.0.0.1:4001' }, routes }));
}

function req(method: string, url: string, headers: IncomingHttpHeaders = {}, remote = '127.0.0.1'): RequestView {
  return new RequestView(method, url, { host: 'shop.example.com', ...headers }, remote);
}

/** The name of the route that claims the request, or null for legacy. */
function claim(t: RouteTable, method: string, url: string, headers: IncomingHttpHeaders = {}): string | null {
  return t.match(req(method, url, headers))?.route.name ?? null;
}

describe('literal beats {param} beats ** at the first differing segment, whatever the file order', () => {
  const routes: RouteInput[] = [
    { name: 'rest', match: { path: '/api/orders/**' } },
    { name: 'param', match: { path: '/api/orders/{id}' } },
    { name: 'literal', match: { path: '/api/orders/export' } },
  ];

  it('in the order rest, param, literal', () => {
    const t = table(routes);
    expect(claim(t, 'GET', '/api/orders/export')).toBe('literal');
    expect(claim(t, 'GET', '/api/orders/7')).toBe('param');
    expect(claim(t, 'GET', '/api/orders/7/items')).toBe('rest');
    expect(claim(t, 'GET', '/api/orders')).toBe('rest');
  });

  it('in every other order too', () => {
    const orders = [
      [0, 1, 2],
      [0, 2, 1],
      [1, 0, 2],
      [1, 2, 0],
      [2, 0, 1],
      [2, 1, 0],
    ];
    for (const order of orders) {
      const t = table(order.map((i) => routes[i]!));
      expect(claim(t, 'GET', '/api/orders/export'), order.join()).toBe('literal');
      expect(claim(t, 'GET', '/api/orders/7'), order.join()).toBe('param');
      expect(claim(t, 'GET', '/api/orders/7/items'), order.join()).toBe('rest');
    }
  });

  it('the first differing segment decides, not the later ones', () => {
    // At segment 2 "orders" (literal) beats {kind}, though {kind}'s route is literal afterwards.
    const t = table([
      { name: 'kind-export', match: { path: '/api/{kind}/export' } },
      { name: 'orders-id', match: { path: '/api/orders/{id}' } },
    ]);
    expect(claim(t, 'GET', '/api/orders/export')).toBe('orders-id');
    expect(claim(t, 'GET', '/api/users/export')).toBe('kind-export');
  });

  it('a ** under a literal beats a {param} at that literal', () => {
    const t = table([
      { name: 'param-7', match: { path: '/api/{x}/7' } },
      { name: 'orders-rest', match: { path: '/api/orders/**' } },
    ]);
    expect(claim(t, 'GET', '/api/orders/7')).toBe('orders-rest');
    expect(claim(t, 'GET', '/api/users/7')).toBe('param-7');
  });

  it('a deeper {param} beats a shallower **', () => {
    const t = table([
      { name: 'api-rest', match: { path: '/api/**' } },
      { name: 'items', match: { path: '/api/{a}/{b}/items' } },
    ]);
    expect(claim(t, 'GET', '/api/orders/7/items')).toBe('items');
    expect(claim(t, 'GET', '/api/orders/7/other')).toBe('api-rest');
  });

  it('when the literal branch leads nowhere, the search backtracks to {param}, then to **', () => {
    const t = table([
      { name: 'api-rest', match: { path: '/api/**' } },
      { name: 'orders-items', match: { path: '/api/orders/{id}/items' } },
      { name: 'any-details', match: { path: '/api/{kind}/{id}/details' } },
    ]);
    expect(claim(t, 'GET', '/api/orders/7/items')).toBe('orders-items');
    expect(claim(t, 'GET', '/api/orders/7/details')).toBe('any-details');
    expect(claim(t, 'GET', '/api/orders/7/history')).toBe('api-rest');
  });

  it('a catch-all /** claims everything else, the root included', () => {
    const t = table([
      { name: 'all', match: { path: '/**' } },
      { name: 'root', match: { path: '/' } },
      { name: 'orders', match: { path: '/api/orders/{id}' } },
    ]);
    expect(claim(t, 'GET', '/')).toBe('root');
    expect(claim(t, 'GET', '/api/orders/7')).toBe('orders');
    expect(claim(t, 'GET', '/api/orders')).toBe('all');
    expect(claim(t, 'GET', '/anything/else')).toBe('all');
    expect(claim(table([{ name: 'all', match: { path: '/**' } }]), 'GET', '/')).toBe('all');
  });
});

describe('same pattern: more conditions beat fewer, then file order', () => {
  it('more conditions win, wherever they stand', () => {
    const t = table([
      { name: 'plain', match: { path: '/api/orders/{id}' } },
      { name: 'get', match: { path: '/api/orders/{id}', methods: ['GET'] } },
      { name: 'get-beta', match: { path: '/api/orders/{id}', methods: ['GET'], headers: { 'x-beta': '1' } } },
    ]);
    expect(claim(t, 'GET', '/api/orders/7', { 'x-beta': '1' })).toBe('get-beta');
    expect(claim(t, 'GET', '/api/orders/7')).toBe('get');
    expect(claim(t, 'DELETE', '/api/orders/7', { 'x-beta': '1' })).toBe('plain');
  });

  it('each header, query and cookie value counts one', () => {
    const t = table([
      { name: 'host-and-method', match: { path: '/a', host: 'shop.example.com', methods: ['GET'] } },
      { name: 'three-values', match: { path: '/a', headers: { 'x-a': '1' }, query: { q: '1' }, cookies: { c: '1' } } },
    ]);
    expect(claim(t, 'GET', '/a?q=1', { 'x-a': '1', cookie: 'c=1' })).toBe('three-values');
    expect(claim(t, 'GET', '/a?q=1', { 'x-a': '1' })).toBe('host-and-method');
  });

  it('param names do not make two patterns different', () => {
    const t = table([
      { name: 'by-id', match: { path: '/api/orders/{id}' } },
      { name: 'by-number', match: { path: '/api/orders/{number}', query: { v: '2' } } },
    ]);
    expect(t.match(req('GET', '/api/orders/7?v=2'))).toMatchObject({ route: { name: 'by-number' }, params: { number: '7' } });
    expect(t.match(req('GET', '/api/orders/7'))).toMatchObject({ route: { name: 'by-id' }, params: { id: '7' } });
  });

  it('equal patterns and equal condition counts: the first in the file wins', () => {
    const a: RouteInput = { name: 'a', match: { path: '/api/orders/{id}', methods: ['GET'] } };
    const b: RouteInput = { name: 'b', match: { path: '/api/orders/{id}', headers: { 'x-a': '1' } } };
    expect(claim(table([a, b]), 'GET', '/api/orders/7', { 'x-a': '1' })).toBe('a');
    expect(claim(table([b, a]), 'GET', '/api/orders/7', { 'x-a': '1' })).toBe('b');
    const r1: RouteInput = { name: 'r1', match: { path: '/api/**' } };
    const r2: RouteInput = { name: 'r2', match: { path: '/api/**' } };
    expect(claim(table([r1, r2]), 'GET', '/api/x')).toBe('r1');
    expect(claim(table([r2, r1]), 'GET', '/api/x')).toBe('r2');
  });
});

describe('a route whose pattern fits but whose conditions do not is passed over', () => {
  it('a POST-only literal falls through to a {param} route for GET', () => {
    const t = table([
      { name: 'export-post', match: { path: '/api/orders/export', methods: ['POST'] } },
      { name: 'order-get', match: { path: '/api/orders/{id}', methods: ['GET'] } },
    ]);
    expect(claim(t, 'POST', '/api/orders/export')).toBe('export-post');
    expect(t.match(req('GET', '/api/orders/export'))).toMatchObject({ route: { name: 'order-get' }, params: { id: 'export' } });
    expect(claim(t, 'PUT', '/api/orders/export')).toBeNull();
  });

  it('then to ** when the {param} route does not fit either', () => {
    const t = table([
      { name: 'rest', match: { path: '/api/orders/**' } },
      { name: 'beta', match: { path: '/api/orders/{id}', headers: { 'x-beta': '1' } } },
      { name: 'export', match: { path: '/api/orders/export', methods: ['POST'] } },
    ]);
    expect(claim(t, 'GET', '/api/orders/export')).toBe('rest');
    expect(claim(t, 'GET', '/api/orders/export', { 'x-beta': '1' })).toBe('beta');
  });

  it('then to a shorter ** higher up the path', () => {
    const t = table([
      { name: 'api', match: { path: '/api/**' } },
      { name: 'orders-beta', match: { path: '/api/orders/**', cookies: { beta: 'yes' } } },
    ]);
    expect(claim(t, 'GET', '/api/orders/7', { cookie: 'beta=yes' })).toBe('orders-beta');
    expect(claim(t, 'GET', '/api/orders/7', { cookie: 'beta=no' })).toBe('api');
  });

  it('methods are the listed ones only (GET does not imply HEAD), written in any case', () => {
    const t = table([{ name: 'r', match: { path: '/r', methods: ['get', 'Post'] } }]);
    expect(claim(t, 'GET', '/r')).toBe('r');
    expect(claim(t, 'POST', '/r')).toBe('r');
    expect(claim(t, 'HEAD', '/r')).toBeNull();
    expect(claim(t, 'DELETE', '/r')).toBeNull();
  });
});

describe('** matches zero or more segments', () => {
  const t = table([{ name: 'users', match: { path: '/api/users/**' } }]);

  it('zero: /api/users and /api/users/', () => {
    expect(claim(t, 'GET', '/api/users')).toBe('users');
    expect(claim(t, 'GET', '/api/users/')).toBe('users');
  });

  it('one and many', () => {
    expect(claim(t, 'GET', '/api/users/42')).toBe('users');
    expect(claim(t, 'GET', '/api/users/42/orders/7/items')).toBe('users');
  });

  it('but only whole segments, and not the parent', () => {
    expect(claim(t, 'GET', '/api/usersx')).toBeNull();
    expect(claim(t, 'GET', '/api/user')).toBeNull();
    expect(claim(t, 'GET', '/api')).toBeNull();
    expect(claim(t, 'GET', '/')).toBeNull();
  });

  it('{param} takes exactly one segment', () => {
    const p = table([{ name: 'one', match: { path: '/api/orders/{id}' } }]);
    expect(claim(p, 'GET', '/api/orders')).toBeNull();
    expect(claim(p, 'GET', '/api/orders/7/items')).toBeNull();
    expect(claim(p, 'GET', '/api/orders/7')).toBe('one');
  });
});

describe('host', () => {
  const t = table([
    { name: 'shop', match: { path: '/x', host: 'shop.example.com' } },
    { name: 'wild', match: { path: '/x', host: '*.example.com' } },
    { name: 'upper', match: { path: '/y', host: 'Admin.Example.COM' } },
    { name: 'v6', match: { path: '/z', host: '[::1]' } },
  ]);
  const byHost = (path: string, host: string | undefined) =>
    t.match(new RequestView('GET', path, host === undefined ? {} : { host }, ''))?.route.name ?? null;

  it('is case-insensitive, ignores the port and a trailing dot', () => {
    for (const host of ['shop.example.com', 'SHOP.Example.Com', 'shop.example.com:8080', 'shop.example.com.', 'Shop.Example.com.:443']) {
      expect(byHost('/x', host), host).toBe('shop');
    }
    expect(byHost('/y', 'admin.example.com')).toBe('upper');
    expect(byHost('/y', 'ADMIN.EXAMPLE.COM:80')).toBe('upper');
  });

  it('*.example.com matches subdomains, at any depth, but not example.com or lookalikes', () => {
    expect(byHost('/x', 'api.example.com')).toBe('wild');
    expect(byHost('/x', 'a.b.example.com:8443')).toBe('wild');
    expect(byHost('/x', 'API.EXAMPLE.COM.')).toBe('wild');
    expect(byHost('/x', 'example.com')).toBeNull();
    expect(byHost('/x', 'badexample.com')).toBeNull();
    expect(byHost('/x', 'shop.example.com.evil.net')).toBeNull();
    expect(byHost('/x', '.example.com')).toBeNull();
  });

  it('an exact host and a wildcard are one condition each: file order decides between them', () => {
    expect(byHost('/x', 'shop.example.com')).toBe('shop');
    const reversed = table([
      { name: 'wild', match: { path: '/x', host: '*.example.com' } },
      { name: 'shop', match: { path: '/x', host: 'shop.example.com' } },
    ]);
    expect(reversed.match(new RequestView('GET', '/x', { host: 'shop.example.com' }))?.route.name).toBe('wild');
  });

  it('IPv6 literals keep their brackets; the port is ignored', () => {
    expect(byHost('/z', '[::1]:8080')).toBe('v6');
    expect(byHost('/z', '[::1]')).toBe('v6');
    expect(byHost('/z', '[::2]')).toBeNull();
  });

  it('no Host header matches no host rule', () => {
    expect(byHost('/x', undefined)).toBeNull();
    expect(byHost('/x', '')).toBeNull();
  });
});

describe('headers, query and cookies are exact values', () => {
  const t = table([
    { name: 'hdr', match: { path: '/h', headers: { 'X-Beta': 'On' } } },
    { name: 'q', match: { path: '/q', query: { view: 'full', v: '2' } } },
    { name: 'c', match: { path: '/c', cookies: { tier: 'gold' } } },
  ]);

  it('a header name is case-insensitive, its value is exact', () => {
    expect(claim(t, 'GET', '/h', { 'x-beta': 'On' })).toBe('hdr');
    expect(claim(t, 'GET', '/h', { 'x-beta': 'on' })).toBeNull();
    expect(claim(t, 'GET', '/h', { 'x-beta': 'Onward' })).toBeNull();
    expect(claim(t, 'GET', '/h', { 'x-beta': '' })).toBeNull();
    expect(claim(t, 'GET', '/h')).toBeNull();
  });

  it('every query value must be present, exactly; any of a repeated parameter may carry it', () => {
    expect(claim(t, 'GET', '/q?view=full&v=2')).toBe('q');
    expect(claim(t, 'GET', '/q?v=2&x=y&view=full')).toBe('q');
    expect(claim(t, 'GET', '/q?view=full&v=1&v=2')).toBe('q');
    expect(claim(t, 'GET', '/q?view=full%20')).toBeNull();
    expect(claim(t, 'GET', '/q?view=Full&v=2')).toBeNull();
    expect(claim(t, 'GET', '/q?view=full')).toBeNull();
    expect(claim(t, 'GET', '/q')).toBeNull();
    expect(claim(t, 'GET', '/q?view=%66ull&v=2')).toBe('q');
  });

  it('a cookie must carry the value exactly, among others', () => {
    expect(claim(t, 'GET', '/c', { cookie: 'tier=gold' })).toBe('c');
    expect(claim(t, 'GET', '/c', { cookie: 'sid=abc; tier=gold; x=1' })).toBe('c');
    expect(claim(t, 'GET', '/c', { cookie: 'tier=Gold' })).toBeNull();
    expect(claim(t, 'GET', '/c', { cookie: 'mytier=gold' })).toBeNull();
    expect(claim(t, 'GET', '/c', { cookie: 'tier=golden' })).toBeNull();
    expect(claim(t, 'GET', '/c')).toBeNull();
  });
});

describe('params', () => {
  it('are extracted by name from the normalised path', () => {
    const t = table([{ name: 'item', match: { path: '/api/orders/{orderId}/items/{itemId}' } }]);
    expect(t.match(req('GET', '/api/orders/o-17/items/3?x=1'))).toMatchObject({
      route: { name: 'item', template: '/api/orders/{orderId}/items/{itemId}' },
      params: { orderId: 'o-17', itemId: '3' },
    });
    expect(t.match(req('GET', '/api/orders/%6F-17/items/3'))!.params).toEqual({ orderId: 'o-17', itemId: '3' });
  });

  it('a ** route has no params; a literal route has none either', () => {
    const t = table([
      { name: 'rest', match: { path: '/api/**' } },
      { name: 'lit', match: { path: '/health' } },
    ]);
    expect(t.match(req('GET', '/api/a/b'))!.params).toEqual({});
    expect(t.match(req('GET', '/health'))!.params).toEqual({});
  });

  it('a {param} before a ** is extracted', () => {
    const t = table([{ name: 'tenant', match: { path: '/t/{tenant}/**' } }]);
    expect(t.match(req('GET', '/t/acme/a/b'))!.params).toEqual({ tenant: 'acme' });
    expect(t.match(req('GET', '/t/acme'))!.params).toEqual({ tenant: 'acme' });
  });
});

describe('explain()', () => {
  const t = table([
    { name: 'export-post', match: { path: '/api/orders/export', methods: ['POST'] } },
    { name: 'order-beta', match: { path: '/api/orders/{id}', headers: { 'x-beta': '1' } } },
    { name: 'order-shop', match: { path: '/api/orders/{id}', host: 'other.example.com' } },
    { name: 'orders-rest', match: { path: '/api/orders/**' } },
    { name: 'unrelated', match: { path: '/api/users/{id}' } },
  ]);

  it('lists the passed-over candidates in search order, with the reason, then the one taken', () => {
    const { result, candidates } = t.explain(req('GET', '/api/orders/export'));
    expect(result?.route.name).toBe('orders-rest');
    expect(candidates.map((c) => c.route)).toEqual(['export-post', 'order-beta', 'order-shop', 'orders-rest']);
    expect(candidates[0]).toEqual({ route: 'export-post', pattern: '/api/orders/export', failed: expect.stringMatching(/method GET/) });
    expect(candidates[0]!.failed).toContain('POST');
    expect(candidates[1]!.failed).toMatch(/header x-beta/);
    expect(candidates[2]!.failed).toMatch(/host "shop.example.com"/);
    expect(candidates[3]).toEqual({ route: 'orders-rest', pattern: '/api/orders/**', failed: '' });
  });

  it('gives the same answer as match()', () => {
    for (const [method, url, headers] of [
      ['GET', '/api/orders/7', { 'x-beta': '1' }],
      ['POST', '/api/orders/export', {}],
      ['GET', '/api/users/1', {}],
      ['GET', '/nowhere', {}],
    ] as const) {
      const view = req(method, url, headers);
      expect(t.explain(view).result?.route.name ?? null).toBe(t.match(view)?.route.name ?? null);
    }
  });

  it('an unclaimed request explains the candidates that did not fit and matches nothing', () => {
    const strict = table([{ name: 'only-post', match: { path: '/api/orders/{id}', methods: ['POST'] } }]);
    const { result, candidates } = strict.explain(req('GET', '/api/orders/7'));
    expect(result).toBeNull();
    expect(candidates).toEqual([{ route: 'only-post', pattern: '/api/orders/{id}', failed: expect.stringMatching(/method GET/) }]);
    expect(strict.explain(req('GET', '/elsewhere'))).toEqual({ result: null, candidates: [] });
  });
});

describe('unclaimed requests', () => {
  it('return null: they go to legacy', () => {
    const t = table([{ name: 'orders', match: { path: '/api/orders/{id}' } }]);
    expect(t.match(req('GET', '/'))).toBeNull();
    expect(t.match(req('GET', '/api/users/7'))).toBeNull();
    expect(t.match(req('GET', '*'))).toBeNull();
  });

  it('an empty table claims nothing', () => {
    const t = table([]);
    expect(t.match(req('GET', '/api/orders/7'))).toBeNull();
    expect(t.routes).toEqual([]);
  });
});

describe('the compiled table', () => {
  it('finds routes by name and keeps them in file order with their mode', () => {
    const t = table([
      { name: 'b', match: { path: '/b' }, mode: 'service', service: 'svc' },
      { name: 'a', match: { path: '/a' } },
    ]);
    expect(t.routes.map((r) => [r.name, r.index, r.mode])).toEqual([
      ['b', 0, 'service'],
      ['a', 1, 'legacy'],
    ]);
    expect(t.byName('b')?.template).toBe('/b');
    expect(t.byName('missing')).toBeUndefined();
  });

  it('compiles a loaded rule file: the issue example', () => {
    const loaded = loadRuleText(
      `legacy: http://127.0.0.1:3000
services:
  orders: http://127.0.0.1:4001
  users: { url: http://127.0.0.1:4002, timeoutMs: 10000 }
routes:
  - name: orders-read
    match:
      path: /api/orders/{id}
      methods: [GET, HEAD]
      host: shop.example.com
    mode: service
    service: orders
    fallback: legacy
  - name: users
    match: { path: /api/users/** }
    mode: canary
    service: users
    canary: { percent: 10, stickyBy: "cookie:sid" }
`,
      'strangler.yaml',
      {},
    );
    if (!loaded.ok) throw new Error(formatRuleErrors(loaded.errors));
    const t = compileTable(loaded.rules);
    expect(t.match(req('HEAD', '/api/orders/7'))).toMatchObject({ route: { name: 'orders-read', mode: 'service' }, params: { id: '7' } });
    expect(t.match(req('POST', '/api/orders/7'))).toBeNull();
    expect(t.match(req('GET', '/api/orders/7', { host: 'other.example.com' }))).toBeNull();
    expect(t.match(req('DELETE', '/api/users'))?.route.mode).toBe('canary');
  });

  it('refuses a bad pattern handed to it directly', () => {
    const rules = RuleFileSchema.parse({ legacy: 'http://127.0.0.1:3000' });
    const bad = { ...rules, routes: [{ name: 'x', match: { path: '/a/**/b' }, mode: 'legacy' as const }] };
    expect(() => compileTable(bad)).toThrow(/routes\[0\]\.match\.path/);
  });
});

describe('10,000 routes', () => {
  const N = 10_000;
  const routes: RouteInput[] = [];
  for (let i = 0; i < N; i++) {
    switch (i % 4) {
      case 0:
        routes.push({ name: `lit-${i}`, match: { path: `/svc${i}/items/export` } });
        break;
      case 1:
        routes.push({ name: `param-${i}`, match: { path: `/svc${i - 1}/items/{id}` } });
        break;
      case 2:
        routes.push({ name: `rest-${i}`, match: { path: `/svc${i - 2}/**` } });
        break;
      default:
        routes.push({ name: `get-${i}`, match: { path: `/svc${i - 3}/items/{id}`, methods: ['GET'] } });
    }
  }
  // The generic routes come last, so file order would pick them first if it were the rule.
  routes.push({ name: 'catch-all', match: { path: '/**' } });
  routes.push({ name: 'any-items', match: { path: '/{svc}/items/{id}', headers: { 'x-any': '1' } } });
  const t = table(routes);

  it('compiles every route', () => {
    expect(t.routes).toHaveLength(N + 2);
    expect(t.byName('param-9997')?.template).toBe('/svc9996/items/{id}');
  });

  it('picks the right route for a few lookups', () => {
    expect(claim(t, 'GET', '/svc0/items/export')).toBe('lit-0');
    expect(claim(t, 'GET', '/svc9996/items/export')).toBe('lit-9996');
    expect(t.match(req('GET', '/svc4000/items/55'))).toMatchObject({ route: { name: 'get-4003' }, params: { id: '55' } });
    expect(t.match(req('POST', '/svc4000/items/55'))).toMatchObject({ route: { name: 'param-4001' }, params: { id: '55' } });
    expect(claim(t, 'GET', '/svc4000/other/thing')).toBe('rest-4002');
    expect(claim(t, 'GET', '/svc4000')).toBe('rest-4002');
    expect(claim(t, 'GET', '/svc4001/items/1')).toBe('catch-all');
    expect(claim(t, 'GET', '/svc4001/items/1', { 'x-any': '1' })).toBe('any-items');
    expect(claim(t, 'GET', '/svc4000/items/1', { 'x-any': '1' })).toBe('get-4003');
    expect(claim(t, 'GET', '/nowhere')).toBe('catch-all');
    expect(claim(t, 'GET', '/%73vc8/items/export')).toBe('lit-8');
  });

  it('explains a lookup by the few candidates on its path, not the whole table', () => {
    const { result, candidates } = t.explain(req('PUT', '/svc12/items/export'));
    expect(result?.route.name).toBe('lit-12');
    expect(candidates).toHaveLength(1);
  });
});
