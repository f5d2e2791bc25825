import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ruleYaml, shadowRoute, type RuleUrls } from './helpers/rule-yaml.js';
import { json, startShadowStack, sumOutcomes, waitFor, type Handler, type ShadowStack } from './helpers/shadow-stack.js';

/**
 * Shadow side-effect safety and data safety, end to end: writes are not
 * copied unless the route opts in, every copy is marked, the per-route
 * budget holds, `against: legacy` copies the other way, and stored samples
 * hold no secrets (neither in the API's answer nor anywhere in the SQLite
 * files).
 */

const TOKEN = 'shadow-safety-token-0123456789';
const SECRETS = {
  auth: 'SECRET-AUTH-4471',
  cookie: 'SECRET-COOKIE-9920',
  proxyAuth: 'SECRET-PROXY-1183',
  setCookie: 'SECRET-SETCOOKIE-5530',
  ssn: 'SECRET-SSN-078-05-1120',
  card: 'SECRET-CARD-4111111111111111',
  token: 'SECRET-TOKEN-abcdef',
  header: 'SECRET-HEADER-7781',
  query: 'SECRET-QUERY-3390',
  password: 'SECRET-PASSWORD-hunter2',
};

const account = (id: string, name: string) => ({
  id,
  name,
  ssn: SECRETS.ssn,
  card: { number: SECRETS.card, brand: 'visa' },
  session: { token: SECRETS.token },
});

function upstream(side: 'legacy' | 'shop'): Handler {
  return (req, res, body) => {
    const url = req.url ?? '/';
    const id = url.split('/')[2]?.split('?')[0] ?? '';
    // Legacy is slow here; with against: legacy it only gets the copy.
    if (url.startsWith('/movedslow/') && side === 'legacy') return void setTimeout(() => json(res, 200, { id }), 1_000);
    if (url.startsWith('/account/')) {
      return json(res, 200, account(id, side === 'legacy' ? 'Ada' : 'Ada L.'), {
        'set-cookie': `sid=${SECRETS.setCookie}; HttpOnly`,
        'x-session-key': SECRETS.header,
      });
    }
    // Where the two sides agree, they answer the same; on /writes/ and /moved/ each says who it is.
    const differs = url.startsWith('/writes/') || url.startsWith('/moved/');
    json(res, 200, differs ? { id, from: side, method: req.method, body: body.toString() } : { id, method: req.method, body: body.toString() });
  };
}

function rules(u: RuleUrls): string {
  return ruleYaml(u, {
    token: TOKEN,
    routes: [
      shadowRoute('items', { methods: null, noisePercent: 100 }),
      shadowRoute('writes', { methods: null, noisePercent: 100, shadow: { unsafe: true } }),
      shadowRoute('budget', { methods: null, shadow: { maxPerSecond: 5 } }),
      shadowRoute('trickle', { methods: null, shadow: { maxPerSecond: 0.5 } }),
      // Written out: shadowRoute would add a noisePercent and a budget that sampled and account leave at their defaults, and moved ones are not shadow routes.
      `  - name: sampled
    match: { path: "/sampled/{id}" }
    mode: shadow
    service: shop
    shadow: { percent: 0 }
  - name: account
    match: { path: "/account/{id}" }
    mode: shadow
    service: shop
    shadow:
      noisePercent: 0
      unsafe: true
      redact: ["$.ssn", "$.card.number", "header:x-session-key"]
  - name: moved
    match: { path: "/moved/{id}" }
    mode: service
    service: shop
    shadow: { against: legacy, noisePercent: 100, maxPerSecond: 100000 }
  - name: movedslow
    match: { path: "/movedslow/{id}" }
    mode: service
    service: shop
    shadow: { against: legacy, timeoutMs: 300, maxPerSecond: 100000 }`,
    ],
  });
}

let stack: ShadowStack;

beforeAll(async () => {
  stack = await startShadowStack({ legacy: upstream('legacy'), services: { shop: upstream('shop') }, rules, token: TOKEN });
});
afterAll(() => stack?.close());

const copiesTo = (s: { seen: Array<{ url: string; headers: Record<string, unknown> }> }, prefix: string) =>
  s.seen.filter((x) => x.url.startsWith(prefix) && x.headers['x-strangler-shadow'] === '1');

describe('side effects: writes are not copied unless the route says unsafe', () => {
  it('POST, PUT, PATCH and DELETE reach legacy once and the service never; each is counted as skipped-unsafe', async () => {
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      const a = await stack.proxy(method, `/items/${method}`, method === 'DELETE' ? {} : { headers: { 'content-type': 'application/json' }, body: '{"qty":1}' });
      expect(a.status).toBe(200);
      expect(a.body).toEqual({ id: method, method, body: method === 'DELETE' ? '' : '{"qty":1}' });
    }
    // Reads on the same route are copied (and get a noise call): the route is shadowing.
    for (let i = 0; i < 3; i++) expect((await stack.proxy('GET', `/items/${i}`)).body).toEqual({ id: String(i), method: 'GET', body: '' });
    const e = await stack.settled('GET /items/{id}', 3);
    expect(e.outcomes).toEqual({ match: 3 });
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      const w = await stack.settled(`${method} /items/{id}`, 1);
      expect(w.outcomes).toEqual({ 'skipped-unsafe': 1 });
      expect(w.compared).toBe(0);
    }
    const shop = stack.services.shop!.seen.filter((s) => s.url.startsWith('/items/'));
    expect(shop.map((s) => s.method)).toEqual(['GET', 'GET', 'GET']);
    // Legacy saw each write exactly once: no noise call for a write either.
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) expect(stack.legacy.seen.filter((s) => s.url === `/items/${method}`)).toHaveLength(1);
    expect(await stack.shadowMetric('shadow', 'skipped-unsafe')).toBe(4);
  });

  it('with unsafe: true a POST is copied, body and all, marked as a shadow copy; legacy gets no second write', async () => {
    const a = await stack.proxy('POST', '/writes/7', { headers: { 'content-type': 'application/json', 'x-client': 'c1' }, body: '{"qty":3}' });
    expect(a.body).toEqual({ id: '7', from: 'legacy', method: 'POST', body: '{"qty":3}' });
    const copy = await waitFor(() => stack.services.shop!.seen.find((s) => s.url === '/writes/7' && s.body !== null), 'the copy of the POST');
    expect(copy.method).toBe('POST');
    expect(copy.body!.toString()).toBe('{"qty":3}');
    expect(copy.headers).toMatchObject({ 'x-strangler-shadow': '1', 'content-type': 'application/json', 'x-client': 'c1' });
    expect(copy.headers['x-strangler-exchange']).toMatch(/^\S+$/);
    expect(copy.headers['x-strangler-noise']).toBeUndefined();
    // noisePercent is 100 on this route, yet a write is never sent to legacy a second time.
    expect(stack.legacy.seen.filter((s) => s.url === '/writes/7')).toHaveLength(1);
    expect(stack.legacy.seen.find((s) => s.url === '/writes/7')!.headers['x-strangler-shadow']).toBeUndefined();
    const e = await stack.settled('POST /writes/{id}', 1);
    expect(e.outcomes).toEqual({ differ: 1 });
    expect(e.noiseCompared).toBe(0);
  });

  it('a safe request on the same route gets a noise call to legacy, marked as such, sharing the exchange id', async () => {
    await stack.proxy('GET', '/writes/8');
    const copy = await waitFor(() => stack.services.shop!.seen.find((s) => s.url === '/writes/8'), 'the copy');
    const noise = await waitFor(() => stack.legacy.seen.find((s) => s.url === '/writes/8' && s.headers['x-strangler-noise'] === '1'), 'the noise call');
    expect(noise.headers['x-strangler-shadow']).toBe('1');
    expect(noise.headers['x-strangler-exchange']).toBe(copy.headers['x-strangler-exchange']);
    expect(copy.headers['x-strangler-noise']).toBeUndefined();
  });
});

describe('bounded: budget and sampling', () => {
  it('over maxPerSecond, copies are dropped and counted as dropped-budget; every client request is answered by legacy', async () => {
    const N = 40;
    const t0 = performance.now();
    const answers = await Promise.all(Array.from({ length: N }, (_, i) => stack.proxy('GET', `/budget/${i}`)));
    const seconds = (performance.now() - t0) / 1000;
    for (const a of answers) expect(a.status).toBe(200);
    expect(stack.legacy.primaries().filter((s) => s.url.startsWith('/budget/'))).toHaveLength(N);
    const e = await stack.settled('GET /budget/{id}', N);
    // A burst of at most a second's worth (5), plus what refilled (5 a second) while the burst arrived.
    expect(e.outcomes.match).toBeGreaterThanOrEqual(5);
    expect(e.outcomes.match).toBeLessThanOrEqual(5 + Math.ceil(seconds * 5));
    expect(e.outcomes['dropped-budget']).toBeGreaterThan(0);
    expect(e.outcomes['dropped-budget']).toBe(N - e.outcomes.match);
    expect(copiesTo(stack.services.shop!, '/budget/')).toHaveLength(e.outcomes.match);
    expect(await stack.shadowMetric('shadow', 'dropped-budget')).toBe(N - e.outcomes.match);
  });

  it('a budget under one a second still lets copies through: maxPerSecond 0.5 copies the first request, then one every two seconds', async () => {
    for (let i = 0; i < 5; i++) expect((await stack.proxy('GET', `/trickle/${i}`)).status).toBe(200);
    const e = await stack.settled('GET /trickle/{id}', 5);
    expect(e.outcomes).toEqual({ match: 1, 'dropped-budget': 4 });
    expect(copiesTo(stack.services.shop!, '/trickle/').map((c) => c.url)).toEqual(['/trickle/0']);
  });

  it('percent: 0 sends no copy at all', async () => {
    for (let i = 0; i < 5; i++) expect((await stack.proxy('GET', `/sampled/${i}`)).body).toEqual({ id: String(i), method: 'GET', body: '' });
    await new Promise((r) => setTimeout(r, 200));
    expect(stack.services.shop!.seen.filter((s) => s.url.startsWith('/sampled/'))).toHaveLength(0);
    // The ledger writes every half second; what it holds is written now.
    stack.app.ledger!.flush();
    const e = await stack.endpoint('GET /sampled/{id}');
    expect(e).toMatchObject({ requests: 5, compared: 0 });
  });
});

describe('against: legacy — the service answers, legacy gets the copy', () => {
  it('the client gets the service; legacy gets a marked copy; differences are seen from legacy', async () => {
    for (let i = 0; i < 3; i++) {
      const a = await stack.proxy('GET', `/moved/${i}`);
      expect(a.body).toEqual({ id: String(i), from: 'shop', method: 'GET', body: '' });
    }
    const e = await stack.settled('GET /moved/{id}', 3);
    expect(e).toMatchObject({ route: 'moved', mode: 'service', compared: 3, outcomes: { differ: 3 } });
    // Legacy says from: legacy, the service from: shop: a changed value at $.from, nothing else.
    expect(e.differences).toEqual([expect.objectContaining({ path: '$.from', kind: 'changed', count: 3 })]);
    const copies = copiesTo(stack.legacy, '/moved/');
    expect(copies).toHaveLength(3);
    // Legacy is not the one answering, so it is not asked a second time for noise.
    expect(copies.every((c) => c.headers['x-strangler-noise'] === undefined)).toBe(true);
    expect(stack.services.shop!.seen.filter((s) => s.url.startsWith('/moved/')).every((s) => s.headers['x-strangler-shadow'] === undefined)).toBe(true);
    const s = await stack.api('GET', `/api/samples/${e.differences[0].samples[0]}`);
    expect(JSON.parse(s.body.legacy.body)).toMatchObject({ from: 'legacy' });
    expect(JSON.parse(s.body.other.body)).toMatchObject({ from: 'shop' });
    expect(s.body.target).toBe('shop');
  });
});

describe('against: legacy — a copy legacy does not answer in time is counted too', () => {
  it('the client gets the service at once; the copy to legacy times out and is counted as shadow-timeout', async () => {
    for (let i = 0; i < 2; i++) {
      const a = await stack.proxy('GET', `/movedslow/${i}`);
      expect(a.body).toEqual({ id: String(i), method: 'GET', body: '' });
      expect(a.ms).toBeLessThan(300);
    }
    const e = await stack.settled('GET /movedslow/{id}', 2);
    expect(e.outcomes).toEqual({ 'shadow-timeout': 2 });
    expect(e.compared).toBe(0);
  });
});

describe('redaction: stored samples keep no secrets', () => {
  let sampleIds: number[] = [];

  beforeAll(async () => {
    const headers = {
      authorization: `Bearer ${SECRETS.auth}`,
      cookie: `session=${SECRETS.cookie}; theme=dark`,
      'proxy-authorization': `Basic ${SECRETS.proxyAuth}`,
      'x-session-key': SECRETS.header,
      'x-trace': 'visible-trace-1',
    };
    const a = await stack.proxy('GET', `/account/1?access_token=${SECRETS.query}&page=2`, { headers });
    // The client gets legacy's answer untouched: redaction is for what is stored, not what is served.
    expect(a.body).toEqual(account('1', 'Ada'));
    expect(a.headers.get('set-cookie')).toContain(SECRETS.setCookie);
    // Legacy and the service got the credentials: redaction never touches what is forwarded.
    const atLegacy = stack.legacy.seen.find((s) => s.url.startsWith('/account/1'))!;
    expect(atLegacy.headers).toMatchObject({ authorization: headers.authorization, cookie: headers.cookie, 'proxy-authorization': headers['proxy-authorization'] });
    const copy = await waitFor(() => stack.services.shop!.seen.find((s) => s.url.startsWith('/account/1')), 'the copy');
    expect(copy.headers).toMatchObject({ authorization: headers.authorization, cookie: headers.cookie });
    await stack.proxy('POST', '/account/2', {
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ ssn: SECRETS.ssn, password: SECRETS.password, note: 'visible-note' }),
    });
    const e = await stack.settled('POST /account/{id}', 1);
    const g = await stack.settled('GET /account/{id}', 1);
    sampleIds = [...g.differences.flatMap((d: { samples: number[] }) => d.samples), ...e.differences.flatMap((d: { samples: number[] }) => d.samples)];
  });

  it('GET /api/samples/:id has both responses with credentials, cookies and the route\'s paths replaced by [redacted]', async () => {
    expect(sampleIds.length).toBeGreaterThanOrEqual(2);
    for (const id of sampleIds) {
      const s = await stack.api('GET', `/api/samples/${id}`);
      expect(s.status).toBe(200);
      const text = JSON.stringify(s.body);
      for (const [what, secret] of Object.entries(SECRETS)) expect(text, `${what} in sample ${id}`).not.toContain(secret);
      const reqHeaders = new Map<string, string>(s.body.request.headers.map(([k, v]: [string, string]) => [k.toLowerCase(), v]));
      expect(reqHeaders.get('authorization')).toBe('[redacted]');
      expect(reqHeaders.get('cookie')).toBe('[redacted]');
      expect(reqHeaders.get('proxy-authorization')).toBe('[redacted]');
      expect(reqHeaders.get('x-session-key')).toBe('[redacted]');
      // What is not secret stays readable.
      expect(reqHeaders.get('x-trace')).toBe('visible-trace-1');
      for (const side of ['legacy', 'other'] as const) {
        const r = s.body[side];
        expect(r.status).toBe(200);
        const resHeaders = new Map<string, string>(r.headers.map(([k, v]: [string, string]) => [k.toLowerCase(), v]));
        expect(resHeaders.get('set-cookie')).toBe('[redacted]');
        expect(resHeaders.get('x-session-key')).toBe('[redacted]');
        const body = JSON.parse(r.body);
        expect(body).toMatchObject({ ssn: '[redacted]', card: { number: '[redacted]', brand: 'visa' }, session: { token: '[redacted]' } });
        expect(body.name).toBe(side === 'legacy' ? 'Ada' : 'Ada L.');
      }
      // The difference that made the sample is still there to see.
      expect(s.body.differences).toEqual(expect.arrayContaining([{ path: '$.name', kind: 'changed' }]));
    }
    const post = (await Promise.all(sampleIds.map((id) => stack.api('GET', `/api/samples/${id}`)))).map((r) => r.body).find((b) => b.request.method === 'POST');
    expect(JSON.parse(post.request.body)).toEqual({ ssn: '[redacted]', password: '[redacted]', note: 'visible-note' });
    const get = (await Promise.all(sampleIds.map((id) => stack.api('GET', `/api/samples/${id}`)))).map((r) => r.body).find((b) => b.request.method === 'GET');
    expect(get.request.url).toMatch(/^\/account\/1\?/);
    expect(get.request.url).toContain('page=2');
  });

  it('no secret reaches the SQLite files', async () => {
    // Let every queued record be written first.
    await stack.stop();
    const files = (await readdir(stack.dir)).filter((f) => f.startsWith('strangler.db'));
    expect(files).toContain('strangler.db');
    for (const f of files) {
      const bytes = await readFile(path.join(stack.dir, f));
      for (const [what, secret] of Object.entries(SECRETS)) expect(bytes.includes(secret), `${what} in ${f}`).toBe(false);
    }
    // The samples are there: the check above looked at stored data, not at an empty file.
    const db = await readFile(path.join(stack.dir, 'strangler.db'));
    expect(db.includes('visible-note') || (await Promise.all(files.map((f) => readFile(path.join(stack.dir, f))))).some((b) => b.includes('visible-note'))).toBe(true);
  });
});

describe('every outcome in the report adds up', () => {
  it('outcome counts per endpoint are the copies attempted plus those skipped or dropped', async () => {
    await stack.restart();
    const doc = await stack.report();
    const budget = doc.endpoints.find((e: { path: string }) => e.path === '/budget/{id}');
    expect(sumOutcomes(budget)).toBe(40);
  });
});
