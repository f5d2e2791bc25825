import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explainMatch } from '../src/cli/match-command.js';
import type { RunningProxy } from '../src/router/proxy.js';
import { RuleFileSchema } from '../src/rules/schema.js';
import { proxyFor, rawExchange, startUpstream, type Upstream } from './helpers/transparency-upstream.js';

/**
 * Attack: spelling a path or a Host so that the proxy and the server behind
 * it read it as two different things, to reach a route's paths on the side
 * the route does not send them to: `/admin/**` (retired: only the new
 * service answers) and `/api/internal/**` (service) pulled into legacy; or,
 * the other way, `/api/billing/**` (kept on legacy) pushed into the
 * orders service that the rest of `/api/**` goes to.
 *
 * The proxy matches the path the RFC 3986 way (unreserved escapes decoded,
 * dot segments resolved, empty segments dropped, case kept) and forwards the
 * raw path. Servers behind it read paths in other ways too: Node and
 * Express leave dot segments alone; Django, Flask and old Go decode `%2F`;
 * IIS and some Java stacks take `\` for `/`, old ones decode overlong UTF-8,
 * Tomcat drops `;parameters`; Express and IIS ignore case. A request whose
 * route changes under any of these readings is refused (400,
 * `X-Strangler-Error: ambiguous-path`); every other request goes where the
 * proxy's own reading says, with its raw path.
 */

let legacy: Upstream;
let service: Upstream;
let orders: Upstream;
let proxy: RunningProxy;

beforeAll(async () => {
  legacy = await startUpstream();
  service = await startUpstream();
  orders = await startUpstream();
  proxy = await proxyFor(legacy.url, {
    services: { next: service.url, orders: orders.url },
    routes: [
      { name: 'admin', match: { path: '/admin/**' }, mode: 'retired', service: 'next' },
      { name: 'internal', match: { path: '/api/internal/**' }, mode: 'service', service: 'next' },
      { name: 'billing', match: { path: '/api/billing/**' }, mode: 'legacy' },
      { name: 'api', match: { path: '/api/**' }, mode: 'service', service: 'orders' },
      { name: 'ops', match: { path: '/ops/**', host: 'internal.example.com' }, mode: 'retired', service: 'next' },
    ],
  });
});
afterAll(async () => {
  await proxy?.close();
  await legacy?.close();
  await service?.close();
  await orders?.close();
});

/** `service`: the next service (admin, internal, ops); `orders`: the rest of /api/**. */
type Where = 'service' | 'orders' | 'legacy' | 'refused';

/** Sends one request with `rawTarget` exactly as written; says who got it and the path they got. */
async function send(rawTarget: string, host = 'app.example'): Promise<{ where: Where; path: string | null; reason?: string }> {
  const before = { legacy: legacy.seen.length, service: service.seen.length, orders: orders.seen.length };
  const res = await rawExchange(proxy.port, `GET ${rawTarget} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
  const got: Array<[Where, string]> = [
    ...legacy.seen.slice(before.legacy).map((s) => ['legacy', s.url] as [Where, string]),
    ...service.seen.slice(before.service).map((s) => ['service', s.url] as [Where, string]),
    ...orders.seen.slice(before.orders).map((s) => ['orders', s.url] as [Where, string]),
  ];
  if (res.status === 400) {
    expect(got, `${rawTarget} refused, and forwarded nowhere`).toEqual([]);
    const reason = res.headers.find(([n]) => n.toLowerCase() === 'x-strangler-error')?.[1];
    return { where: 'refused', path: null, reason };
  }
  expect(res.status).toBe(200);
  expect(got, `${rawTarget} reached exactly one upstream, once`).toHaveLength(1);
  return { where: got[0]![0], path: got[0]![1] };
}

describe('into legacy: the retired /admin/** and the /api/internal/** service are not reached through legacy', () => {
  const cases: Array<[string, Where, string]> = [
    ['/admin/users', 'service', 'the plain path'],
    ['/%61dmin/users', 'service', 'an unreserved letter percent-encoded'],
    ['/%61%64%6D%69%6E/users', 'service', 'every letter percent-encoded'],
    ['//admin/users', 'service', 'a doubled leading slash'],
    ['/admin//users', 'service', 'a doubled inner slash'],
    ['/admin/./users', 'service', 'a dot segment inside the route'],
    ['/admin?/../public', 'service', 'dot segments in the query'],
    ['http://app.example/admin/users', 'service', 'the absolute form'],
    ['/ADMIN/users', 'refused', 'upper case (Express and IIS ignore case)'],
    ['/Admin/users', 'refused', 'mixed case'],
    ['/%41dmin/users', 'refused', 'an encoded upper-case letter'],
    ['/admin/../public', 'refused', 'dot-dot out of the route (Node and Express do not resolve it)'],
    ['/admin/%2e%2e/public', 'refused', 'encoded dot-dot out of the route'],
    ['/admin/%2E%2E/public', 'refused', 'encoded dot-dot, upper-case hex'],
    ['/admin/.%2e/public', 'refused', 'half-encoded dot-dot'],
    ['/public/../admin/users', 'refused', 'dot-dot into the route'],
    ['/public/%2e%2e/admin/users', 'refused', 'encoded dot-dot into the route'],
    ['/./admin/users', 'refused', 'a dot segment in front of the route'],
    ['/admin%2Fusers', 'refused', 'an encoded slash (Django, Flask, old Go decode it)'],
    ['/admin%2fusers', 'refused', 'an encoded slash, lower-case hex'],
    ['/public%2F..%2Fadmin/users', 'refused', 'encoded slashes around dot-dot'],
    ['/admin\\users', 'refused', 'a backslash (IIS reads it as a slash)'],
    ['/admin%5Cusers', 'refused', 'an encoded backslash'],
    ['/public/%c0%ae%c0%ae/admin/users', 'refused', 'overlong UTF-8 dots into the route'],
    ['/admin/%c0%ae%c0%ae/public', 'refused', 'overlong UTF-8 dots out of the route'],
    ['/admin%c0%afusers', 'refused', 'an overlong UTF-8 slash'],
    ['/admin/%e0%80%ae%e0%80%ae/public', 'refused', 'three-byte overlong dots'],
    ['/public/..;/admin/users', 'refused', 'Tomcat ..; (path parameters dropped)'],
    ['/admin;x=1/users', 'refused', 'a path parameter on the route segment'],
    ['/api/internal/keys', 'service', 'the plain internal path'],
    ['/api/%69nternal/keys', 'service', 'internal with an encoded letter'],
    ['/api/Internal/keys', 'refused', 'internal, mixed case'],
    ['/api/internal%2Fkeys', 'refused', 'internal with an encoded slash'],
    ['/api/x/../internal/keys', 'refused', 'dot-dot into internal'],
  ];

  it.each(cases)('%s → %s (%s)', async (target, where) => {
    const r = await send(target);
    expect(r.where).toBe(where);
    if (where === 'refused') expect(r.reason).toBe('ambiguous-path');
    // Forwarded exactly as the client wrote it (the absolute form as its path).
    else expect(r.path).toBe(target.replace(/^http:\/\/[^/]+/, ''));
  });
});

describe('nor the other way: /api/billing/** stays on legacy, whatever the spelling', () => {
  const cases: Array<[string, Where]> = [
    ['/api/billing/invoices', 'legacy'],
    ['/api/%62illing/invoices', 'legacy'],
    ['/api//billing/invoices', 'legacy'],
    ['/api/BILLING/invoices', 'refused'],
    ['/api/billing%2Finvoices', 'refused'],
    ['/api/billing/../orders', 'refused'],
    ['/api/billing\\invoices', 'refused'],
    ['/api/orders/7', 'orders'],
  ];

  it.each(cases)('%s → %s', async (target, where) => {
    const r = await send(target);
    expect(r.where).toBe(where);
    if (where !== 'refused') expect(r.path).toBe(target);
  });
});

describe('Host variants reach the host route /ops/** on internal.example.com', () => {
  const cases: Array<[string, Where]> = [
    ['internal.example.com', 'service'],
    ['INTERNAL.Example.COM', 'service'],
    ['internal.example.com.', 'service'],
    ['internal.example.com:8080', 'service'],
    ['internal.example.com.:80', 'service'],
    ['Internal.Example.Com.:443', 'service'],
    ['internal.example.com.evil', 'legacy'],
    ['evil-internal.example.com', 'legacy'],
    ['sub.internal.example.com', 'legacy'],
  ];

  it.each(cases)('Host: %s → %s', async (host, where) => {
    expect((await send('/ops/deploy', host)).where).toBe(where);
  });
});

describe('ordinary paths are not refused', () => {
  const cases: Array<[string, Where]> = [
    ['/administrator', 'legacy'],
    ['/admin-old/x', 'legacy'],
    ['/api/internalx', 'orders'],
    ['/api/orders/ABC-123', 'orders'],
    ['/Public/Page', 'legacy'],
    ['/files/a%2Fb.txt', 'legacy'],
    ['/shop/cart;jsessionid=ABC123', 'legacy'],
    ['/docs/../guide', 'legacy'],
    ['/search?q=..%2F..%2Fadmin', 'legacy'],
    ['/caf%E9', 'legacy'],
  ];

  it.each(cases)('%s → %s, raw path kept', async (target, where) => {
    const r = await send(target);
    expect(r.where).toBe(where);
    expect(r.path).toBe(target);
  });
});

describe('upgrade requests are read the same way', () => {
  it('a WebSocket upgrade to /admin/%2e%2e/public is refused before any tunnel opens', async () => {
    const before = legacy.seen.length + service.seen.length;
    const res = await rawExchange(
      proxy.port,
      `GET /admin/%2e%2e/public HTTP/1.1\r\nHost: app.example\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`,
    );
    expect(res.status).toBe(400);
    expect(res.headers).toContainEqual(['X-Strangler-Error', 'ambiguous-path']);
    expect(JSON.parse(res.body.toString()).message).toMatch(/route "admin"/);
    expect(legacy.seen.length + service.seen.length).toBe(before);
  });
});

describe('the refusal says what was read how', () => {
  it('names both readings, never an address', async () => {
    const res = await rawExchange(proxy.port, `GET /admin/..%2Fpublic HTTP/1.1\r\nHost: app.example\r\nConnection: close\r\n\r\n`);
    expect(res.status).toBe(400);
    const body = JSON.parse(res.body.toString());
    expect(body).toMatchObject({ error: 'bad_request', reason: 'ambiguous-path' });
    expect(body.message).toContain('route "admin"');
    expect(body.message).not.toContain('127.0.0.1');
  });
});

describe('strangler match says so before any traffic does', () => {
  it('explains a refused spelling with both readings', () => {
    const rules = RuleFileSchema.parse({
      legacy: 'http://127.0.0.1:3000',
      services: { next: 'http://127.0.0.1:4001' },
      routes: [{ name: 'admin', match: { path: '/admin/**' }, mode: 'retired', service: 'next' }],
    });
    const text = explainMatch(rules, { method: 'GET', url: '/ADMIN/users' });
    expect(text).toContain('→ refused with 400 (ambiguous-path): the path "/ADMIN/users" is no route (legacy) as the proxy reads it, but route "admin" read with case ignored');
    expect(explainMatch(rules, { method: 'GET', url: '/admin/users' })).toContain('→ route admin, mode retired');
  });
});
