import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ruleYaml, shadowRoute, type RuleUrls } from './helpers/rule-yaml.js';
import { json, startShadowStack, waitFor, type Handler, type ShadowStack } from './helpers/shadow-stack.js';

/**
 * What shadow comparison finds, end to end: real legacy and service
 * servers that differ in known ways, the real proxy copying each request,
 * the real SQLite ledger grouping the differences, and the report
 * (GET /api/report, GET /api/samples/:id) telling regressions from noise.
 */

const TOKEN = 'shadow-differences-token-0123456789';
/** The verdict's default minCompared is 30: each endpoint gets as many comparisons. */
const N = 30;

const order = (id: string, bump: number) => ({
  id,
  status: 'paid',
  items: [
    { sku: 'A-1', price: 10 + bump, qty: 1 },
    { sku: 'B-2', price: 5 + bump, qty: 2 },
  ],
  total: 20,
});

const idOf = (url: string) => url.split('/')[2]!.split('?')[0]!;

/** Legacy and the service answer the same, except where each endpoint says otherwise. */
function answer(side: 'legacy' | 'service'): Handler {
  const service = side === 'service';
  return (req, res) => {
    const url = req.url ?? '/';
    const id = idOf(url);
    const kind = url.split('/')[1];
    switch (kind) {
      case 'orders':
        return json(res, 200, order(id, service ? 1 : 0));
      case 'customers':
        return json(res, 200, service ? { id, name: 'Ada', loyalty: 'gold' } : { id, name: 'Ada' });
      case 'tags':
      case 'tagset':
        return json(res, 200, { id, tags: service ? ['c', 'a', 'b'] : ['a', 'b', 'c'] });
      case 'gone':
        return json(res, service ? 404 : 200, { id });
      case 'cors':
        return json(res, 200, { id }, service ? {} : { 'access-control-allow-origin': '*' });
      case 'quotes':
        // A volatile field: legacy itself answers another value on every call.
        return json(res, 200, { id, requestId: randomUUID(), price: 3 });
      case 'zipped': {
        // Legacy compresses when asked, the service never does: the bodies mean the same.
        const body = JSON.stringify({ id, items: ['x', 'y'] });
        if (!service && /gzip/.test(String(req.headers['accept-encoding']))) {
          res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip', vary: 'Accept-Encoding' });
          return res.end(gzipSync(body));
        }
        res.writeHead(200, { 'content-type': 'application/json', vary: 'accept-encoding' });
        return res.end(body);
      }
      case 'mixed':
        return json(res, 200, { id, requestId: randomUUID(), price: service ? 4 : 3 });
      default:
        return json(res, 200, { id, same: true });
    }
  };
}

const legacy = answer('legacy');
const service = answer('service');

function rules(u: RuleUrls): string {
  const noisy = (name: string) => shadowRoute(name, { noisePercent: 100 });
  return ruleYaml(u, {
    token: TOKEN,
    routes: [
      noisy('orders'),
      shadowRoute('customers'),
      shadowRoute('tags'),
      shadowRoute('tagset', { shadow: { compare: { unordered: ['$.tags'] } } }),
      shadowRoute('gone'),
      shadowRoute('cors'),
      noisy('quotes'),
      noisy('mixed'),
      shadowRoute('zipped'),
    ],
  });
}

let stack: ShadowStack;
const ENDPOINTS = ['orders', 'customers', 'tags', 'tagset', 'gone', 'cors', 'quotes', 'mixed', 'zipped'];
/** Endpoints that also get legacy-vs-legacy noise calls, one per request. */
const WITH_NOISE = new Set(['orders', 'quotes', 'mixed']);
let doc: any;
const ep = (name: string) => doc.endpoints.find((e: { path: string }) => e.path === `/${name}/{id}`);

beforeAll(async () => {
  stack = await startShadowStack({ legacy, services: { shop: service }, rules, token: TOKEN });
  for (let i = 0; i < N; i++) {
    for (const name of ENDPOINTS) {
      const a = await stack.proxy('GET', `/${name}/${i}`);
      // The client always gets legacy's answer.
      expect(a.status).toBe(200);
    }
  }
  doc = await waitFor(
    async () => {
      const d = await stack.report();
      const done = ENDPOINTS.every((name) => {
        const e = d.endpoints.find((x: { path: string }) => x.path === `/${name}/{id}`);
        return e && e.compared === N && (!WITH_NOISE.has(name) || e.noiseCompared === N);
      });
      return done ? d : undefined;
    },
    'every comparison in the report',
    10_000,
  );
});
afterAll(() => stack?.close());

describe('shadow differences, found, grouped and judged', () => {
  it('every copy carried the shadow and exchange headers, and noise calls to legacy say so', () => {
    const copies = stack.services.shop!.seen;
    expect(copies).toHaveLength(N * ENDPOINTS.length);
    for (const c of copies) {
      expect(c.headers['x-strangler-shadow']).toBe('1');
      expect(c.headers['x-strangler-exchange']).toMatch(/^\S+$/);
      expect(c.headers['x-strangler-noise']).toBeUndefined();
    }
    expect(new Set(copies.map((c) => c.headers['x-strangler-exchange'])).size).toBe(copies.length);
    const noise = stack.legacy.copies();
    expect(noise).toHaveLength(N * WITH_NOISE.size);
    for (const c of noise) expect(c.headers['x-strangler-noise']).toBe('1');
    // A noise call and the service's copy of the same request share the exchange id.
    const copyIds = new Set(copies.map((c) => c.headers['x-strangler-exchange']));
    for (const c of noise) expect(copyIds.has(c.headers['x-strangler-exchange'] as string)).toBe(true);
    // Legacy's own answers to the client never carry the markers.
    expect(stack.legacy.primaries()).toHaveLength(N * ENDPOINTS.length);
  });

  it('the report has the documented shape', () => {
    expect(doc).toMatchObject({ generatedAt: expect.any(String), progress: expect.any(Object), endpoints: expect.any(Array) });
    expect(Number.isNaN(Date.parse(doc.generatedAt))).toBe(false);
    const e = ep('orders');
    expect(e).toMatchObject({
      method: 'GET',
      path: '/orders/{id}',
      route: 'orders',
      mode: 'shadow',
      compared: N,
      matched: 0,
      matchRate: 0,
      netMatchRate: 0,
      outcomes: { differ: N },
    });
    for (const d of e.differences) {
      expect(Object.keys(d).sort()).toEqual(['count', 'kind', 'noise', 'path', 'samples', 'verdict']);
      expect(d.samples.every((id: unknown) => Number.isInteger(id))).toBe(true);
    }
  });

  it('a changed field: one group over the array elements, a regression, with samples showing both answers', async () => {
    const e = ep('orders');
    // Both items' prices changed in every answer: two differences per comparison, one group.
    expect(e.differences).toEqual([{ path: '$.items[*].price', kind: 'changed', count: N, noise: 0, verdict: 'regression', samples: expect.any(Array) }]);
    const ids: number[] = e.differences[0].samples;
    expect(ids.length).toBeGreaterThan(0);
    // A few examples per signature, not one per request.
    expect(ids.length).toBeLessThanOrEqual(5);
    const s = await stack.api('GET', `/api/samples/${ids[0]}`);
    expect(s.status).toBe(200);
    expect(s.body).toMatchObject({ id: ids[0], method: 'GET', path: '/orders/{id}', route: 'orders', target: 'shop', outcome: 'differ' });
    expect(s.body.differences).toEqual(expect.arrayContaining([{ path: '$.items[0].price', kind: 'changed' }, { path: '$.items[1].price', kind: 'changed' }]));
    const id = /^\/orders\/(\d+)$/.exec(s.body.request.url)![1]!;
    expect(s.body.legacy.status).toBe(200);
    expect(s.body.other.status).toBe(200);
    expect(JSON.parse(textOf(s.body.legacy.body))).toEqual(order(id, 0));
    expect(JSON.parse(textOf(s.body.other.body))).toEqual(order(id, 1));
  });

  it('an added field is `extra` at its path', () => {
    const e = ep('customers');
    expect(e).toMatchObject({ compared: N, matched: 0 });
    expect(e.differences).toEqual([expect.objectContaining({ path: '$.loyalty', kind: 'extra', count: N, verdict: 'regression' })]);
  });

  it('a reordered array is one `order` difference; declared unordered, it matches', () => {
    expect(ep('tags').differences).toEqual([expect.objectContaining({ path: '$.tags', kind: 'order', count: N, verdict: 'regression' })]);
    expect(ep('tagset')).toMatchObject({ compared: N, matched: N, matchRate: 100, netMatchRate: 100, differences: [], outcomes: { match: N } });
  });

  it('a status change is `status` changed', () => {
    const e = ep('gone');
    expect(e.differences).toEqual([expect.objectContaining({ path: 'status', kind: 'changed', count: N, verdict: 'regression' })]);
  });

  it('a missing CORS header is `header:access-control-allow-origin` missing', () => {
    const e = ep('cors');
    expect(e.differences).toEqual([expect.objectContaining({ path: 'header:access-control-allow-origin', kind: 'missing', count: N, verdict: 'regression' })]);
  });

  it('a volatile field that legacy changes on every call is noise, and does not count against the match rate', () => {
    const e = ep('quotes');
    expect(e.differences).toEqual([expect.objectContaining({ path: '$.requestId', kind: 'changed', count: N, noise: N, verdict: 'noise' })]);
    expect(e).toMatchObject({ compared: N, matched: 0, matchRate: 0, netMatchRate: 100, noiseCompared: N });
  });

  it('noise and a regression on one endpoint: each group judged on its own; the net match rate counts the regression', () => {
    const e = ep('mixed');
    expect(e.differences).toHaveLength(2);
    expect(e.differences).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: '$.requestId', kind: 'changed', count: N, noise: N, verdict: 'noise' }),
        expect.objectContaining({ path: '$.price', kind: 'changed', count: N, noise: 0, verdict: 'regression' }),
      ]),
    );
    expect(e).toMatchObject({ matchRate: 0, netMatchRate: 0 });
  });

  it('a deterministic legacy measures no noise: a changed field stays a regression with noise calls on', () => {
    expect(ep('orders')).toMatchObject({ noiseCompared: N });
    expect(ep('orders').differences[0]).toMatchObject({ noise: 0, verdict: 'regression' });
  });

  it('a compressed answer and a plain one with the same content match', async () => {
    expect(stack.legacy.primaries().find((s) => s.url === '/zipped/0')!.headers['accept-encoding']).toMatch(/gzip/);
    expect(ep('zipped')).toMatchObject({ compared: N, matched: N, matchRate: 100, differences: [] });
  });

  it('?route= and ?endpoint= narrow the report', async () => {
    const byRoute = await stack.report({ route: 'cors' });
    expect(byRoute.endpoints.map((e: { path: string }) => e.path)).toEqual(['/cors/{id}']);
    const byEndpoint = await stack.report({ endpoint: 'GET /gone/{id}' });
    expect(byEndpoint.endpoints.map((e: { path: string }) => e.path)).toEqual(['/gone/{id}']);
    const bad = await stack.api('GET', '/api/report?since=yesterday-ish');
    expect(bad.status).toBe(400);
  });

  it('GET /api/samples/:id for an unknown id is 404', async () => {
    expect((await stack.api('GET', '/api/samples/999999')).status).toBe(404);
    expect((await stack.api('GET', '/api/samples/abc')).status).toBe(404);
  });
});

/** A stored sample body: text as text, other bytes as base64. */
function textOf(body: unknown): string {
  if (typeof body === 'string') return body;
  if (body && typeof body === 'object' && 'base64' in body) return Buffer.from((body as { base64: string }).base64, 'base64').toString();
  return JSON.stringify(body);
}
