import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bucketSeries, parseStep } from '../src/admin/timeseries.js';
import { legacyRoute, ruleYaml, shadowRoute, type RuleUrls } from './helpers/rule-yaml.js';
import { ensureBuilt } from './helpers/strangler-process.js';
import { json, startShadowStack, waitFor, type Handler, type ShadowStack } from './helpers/shadow-stack.js';

/**
 * The admin API routes the dashboard reads and writes through, against a
 * running proxy with real legacy and service servers and real shadow
 * traffic; and the dashboard's files as the admin port serves them.
 */

const TOKEN = 'dashboard-api-token-0123456789';
const N = 30;

function answer(side: 'legacy' | 'service'): Handler {
  return (req, res) => {
    const [, kind, id] = (req.url ?? '/').split('/');
    if (kind === 'bad') return json(res, 200, { id, total: side === 'legacy' ? 100 : 99, name: 'x' });
    // legacy answers a new requestId on every call: noise.
    if (kind === 'volatile') return json(res, 200, { id, requestId: randomUUID(), total: 100 });
    json(res, 200, { id, total: 100 });
  };
}

function rules(u: RuleUrls): string {
  const route = (name: string, noisePercent: number) => shadowRoute(name, { guard: { minSamples: 20 }, noisePercent });
  return ruleYaml(u, { token: TOKEN, routes: [route('good', 0), route('bad', 0), route('volatile', 100), legacyRoute('plain', '/plain/**')] });
}

let stack: ShadowStack;

async function traffic(name: string, n: number, from = 0): Promise<void> {
  for (let i = from; i < from + n; i++) expect((await stack.proxy('GET', `/${name}/${i}`)).status).toBe(200);
}

beforeAll(async () => {
  await ensureBuilt();
  stack = await startShadowStack({ legacy: answer('legacy'), services: { shop: answer('service') }, rules, token: TOKEN });
  for (const name of ['good', 'bad', 'volatile']) await traffic(name, N);
  await waitFor(async () => {
    const doc = await stack.report();
    return ['good', 'bad', 'volatile'].every((name) => {
      const e = doc.endpoints.find((x: { route: string }) => x.route === name);
      return e?.compared === N && (name !== 'volatile' || e.noiseCompared === N);
    });
  }, 'the comparisons in the report');
}, 240_000);
afterAll(() => stack?.close());

const NEW_ROUTES: Array<[string, string, unknown?]> = [
  ['GET', '/api/stamp'],
  ['GET', '/api/timeseries'],
  ['GET', '/api/revisions/1/diff/1'],
  ['GET', '/api/samples/1/curl'],
  ['POST', '/api/routes/bad/ignore', { path: '$.total', reason: 'x' }],
  ['GET', '/api/routes/bad/evidence'],
];

describe('the dashboard API is behind the token', () => {
  it.each(NEW_ROUTES)('%s %s is 401 without the token and with a wrong one', async (method, path, body) => {
    for (const authorization of [undefined, `Bearer ${TOKEN}x`]) {
      const res = await fetch(stack.app.admin.url + path, {
        method,
        headers: { ...(authorization ? { authorization } : {}), 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      expect(res.status).toBe(401);
    }
    // Nothing was ignored by the refused call.
    const routes = (await stack.api('GET', '/api/routes')).body.routes;
    expect(routes.find((r: { name: string }) => r.name === 'bad').shadow.compare.ignore).toEqual([]);
  });
});

describe('GET /api/stamp', () => {
  it('moves when the ledger writes new traffic, so a page knows to reload', async () => {
    const before = (await stack.api('GET', '/api/stamp')).body;
    expect(before).toEqual({ revision: expect.any(Number), written: expect.any(Number), modeChanges: expect.any(Number) });
    await stack.proxy('GET', '/plain/1');
    const after = await waitFor(async () => {
      const s = (await stack.api('GET', '/api/stamp')).body;
      return s.written > before.written ? s : undefined;
    }, 'the stamp to move');
    expect(after.revision).toBe(before.revision);
  });
});

describe('GET /api/timeseries', () => {
  it('buckets requests by target and the net match rate per route', async () => {
    const res = await stack.api('GET', '/api/timeseries?since=1h&step=5m');
    expect(res.status).toBe(200);
    const ts = res.body;
    expect(ts).toMatchObject({ step: '5m', stepMinutes: 5 });
    expect(ts.points.length).toBeGreaterThanOrEqual(12);
    expect(ts.points.length).toBeLessThanOrEqual(14);
    expect(ts.traffic.total).toHaveLength(ts.points.length);
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    // Shadow routes are answered by legacy; /plain too.
    expect(sum(ts.traffic.byTarget.legacy)).toBe(sum(ts.traffic.total));
    expect(sum(ts.traffic.total)).toBeGreaterThanOrEqual(3 * N);
    const last = (route: string) => ts.matchRate[route].netMatchRate.filter((v: number | null) => v !== null).at(-1);
    expect(last('good')).toBe(100);
    expect(last('bad')).toBe(0);
    // Only legacy noise differs on volatile: it is a net match, as in the report.
    expect(last('volatile')).toBe(100);
    expect(sum(ts.matchRate.bad.compared)).toBe(N);
    expect(ts.matchRate.plain).toBeUndefined();
  });

  it('picks a step that keeps a chart readable when none is given', async () => {
    const day = (await stack.api('GET', '/api/timeseries?since=24h')).body;
    expect(day.step).toBe('15m');
    expect(day.points.length).toBeLessThanOrEqual(120);
    const all = (await stack.api('GET', '/api/timeseries?since=all')).body;
    expect(all.step).toBe('1m');
  });

  it('400 with the field for a bad window or step', async () => {
    const bad = await stack.api('GET', '/api/timeseries?since=soon&step=often');
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['since', 'step']);
    const tooFine = await stack.api('GET', '/api/timeseries?since=7d&step=1m');
    expect(tooFine.status).toBe(400);
    expect(tooFine.body.errors).toEqual([{ path: 'step', message: expect.stringContaining('use a step of 7m or more') }]);
    expect((await stack.api('GET', '/api/timeseries?step=0m')).status).toBe(400);
  });

  it('bucketSeries: points aligned to the step, rates from matches and all-noise signatures', () => {
    const s = bucketSeries({
      fromMinute: 62,
      toMinute: 75,
      stepMinutes: 5,
      traffic: [
        { minute: 62, target: 'legacy', requests: 3 },
        { minute: 63, target: 'orders', requests: 1 },
        { minute: 71, target: 'legacy', requests: 2 },
      ],
      outcomes: [
        { minute: 62, endpointId: 1, matched: 1, differed: 3 },
        { minute: 72, endpointId: 1, matched: 0, differed: 1 },
        { minute: 72, endpointId: 9, matched: 5, differed: 0 },
      ],
      differ: [
        { minute: 62, endpointId: 1, signature: 'a', count: 2, groups: [{ path: '$.t', kind: 'changed' }] },
        { minute: 62, endpointId: 1, signature: 'b', count: 1, groups: [{ path: '$.t', kind: 'changed' }, { path: '$.x', kind: 'changed' }] },
        { minute: 72, endpointId: 1, signature: 'b', count: 1, groups: [{ path: '$.t', kind: 'changed' }, { path: '$.x', kind: 'changed' }] },
      ],
      routeOf: new Map([
        [1, 'users'],
        [9, null],
      ]),
      noiseGroups: new Map([[1, new Set(['$.t|changed'])]]),
    });
    expect(s.points.map((p) => new Date(p).getTime() / 60_000)).toEqual([60, 65, 70, 75]);
    expect(s.traffic).toEqual({ total: [4, 0, 2, 0], byTarget: { legacy: [3, 0, 2, 0], orders: [1, 0, 0, 0] } });
    // 1 match + 2 differing only in noise, of 4; then 0 of 1.
    expect(s.matchRate).toEqual({ users: { compared: [4, 0, 1, 0], netMatchRate: [75, null, 0, null] } });
  });

  it('parseStep', () => {
    expect(parseStep(undefined, 60)).toEqual({ ok: true, minutes: 1 });
    expect(parseStep(undefined, 7 * 1440)).toEqual({ ok: true, minutes: 180 });
    expect(parseStep('2h', 1440)).toEqual({ ok: true, minutes: 120 });
    expect(parseStep('5', 60).ok).toBe(false);
  });
});

describe('POST /api/routes/NAME/ignore', () => {
  let revisionBefore: number;

  it('adds the path to the route\'s compare.ignore as a new revision, with who and why', async () => {
    revisionBefore = (await stack.api('GET', '/api/routes')).body.revision;
    const res = await stack.api('POST', '/api/routes/bad/ignore', { path: '$.total', reason: 'the service rounds totals' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ revision: revisionBefore + 1, route: 'bad', path: '$.total', ignore: ['$.total'], unchanged: false });
    const routes = (await stack.api('GET', '/api/routes')).body;
    expect(routes.revision).toBe(revisionBefore + 1);
    expect(routes.routes.find((r: { name: string }) => r.name === 'bad').shadow.compare.ignore).toEqual(['$.total']);
    const [latest] = (await stack.api('GET', '/api/revisions?limit=1')).body.revisions;
    expect(latest).toMatchObject({ n: revisionBefore + 1, source: 'api', author: 'api', message: 'bad: ignore $.total in shadow comparisons: the service rounds totals' });
  });

  it('from then on, comparisons on the route leave the path out', async () => {
    const before = await stack.endpoint('GET /bad/{id}');
    await traffic('bad', 5, 1000);
    const after = await waitFor(async () => {
      const e = await stack.endpoint('GET /bad/{id}');
      return e.compared >= before.compared + 5 ? e : undefined;
    }, 'the new comparisons');
    expect(after.matched).toBe(before.matched + 5);
  });

  it('the same path again changes nothing and makes no revision', async () => {
    const res = await stack.api('POST', '/api/routes/bad/ignore', { path: '$.total', reason: 'again' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ revision: revisionBefore + 1, unchanged: true });
    expect((await stack.api('GET', '/api/routes')).body.revision).toBe(revisionBefore + 1);
  });

  it('a route without a shadow block gets one', async () => {
    const res = await stack.api('POST', '/api/routes/plain/ignore', { path: 'header:x-request-id', reason: 'per request' });
    expect(res.status).toBe(200);
    const plain = (await stack.api('GET', '/api/routes')).body.routes.find((r: { name: string }) => r.name === 'plain');
    expect(plain.shadow.compare.ignore).toEqual(['header:x-request-id']);
  });

  it('400 with the field errors for a bad body or path; 404 for an unknown route; nothing changes', async () => {
    const revision = (await stack.api('GET', '/api/routes')).body.revision;
    const missing = await stack.api('POST', '/api/routes/bad/ignore', {});
    expect(missing.status).toBe(400);
    expect(missing.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['path', 'reason']);
    const unknownField = await stack.api('POST', '/api/routes/bad/ignore', { path: '$.a', reason: 'x', forse: true });
    expect(unknownField.status).toBe(400);
    expect(unknownField.body.errors).toEqual([{ path: 'forse', message: 'unknown field "forse"' }]);
    const badPath = await stack.api('POST', '/api/routes/bad/ignore', { path: '$.items[', reason: 'x' });
    expect(badPath.status).toBe(400);
    expect(badPath.body.errors).toEqual([{ path: 'path', message: expect.any(String) }]);
    const notJson = await stack.api('POST', '/api/routes/bad/ignore', '{"path":');
    expect(notJson.status).toBe(400);
    const unknown = await stack.api('POST', '/api/routes/nobody/ignore', { path: '$.a', reason: 'x' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toBe('no route named "nobody"');
    expect((await stack.api('GET', '/api/routes')).body.revision).toBe(revision);
  });
});

describe('GET /api/revisions/A/diff/B', () => {
  it('the lines that changed between two revisions, as YAML', async () => {
    const { revisions } = (await stack.api('GET', '/api/revisions?limit=100')).body;
    const ignored = revisions.find((r: { message: string }) => r.message.startsWith('bad: ignore $.total'));
    const res = await stack.api('GET', `/api/revisions/${ignored.n - 1}/diff/${ignored.n}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ changed: true, added: expect.any(Number), removed: expect.any(Number), from: { n: ignored.n - 1 }, to: { n: ignored.n, message: ignored.message } });
    const changed = res.body.lines.filter((l: { op: string }) => l.op === '+' || l.op === '-');
    expect(changed.map((l: { op: string; text: string }) => `${l.op}${l.text.trim()}`)).toEqual(expect.arrayContaining(['-ignore: []', '+ignore:', '+- $.total']));
    expect(res.body.patch).toContain(`--- revision ${ignored.n - 1}\n+++ revision ${ignored.n}\n@@`);
    expect(res.body.from.table).toBeUndefined();

    const same = (await stack.api('GET', `/api/revisions/${ignored.n}/diff/${ignored.n}`)).body;
    expect(same).toMatchObject({ changed: false, lines: [] });
    const whole = (await stack.api('GET', `/api/revisions/${ignored.n - 1}/diff/${ignored.n}?context=10000`)).body;
    expect(whole.lines.length).toBeGreaterThan(res.body.lines.length);
  });

  it('400 for a revision that is not a number or a bad context, 404 for an unknown one', async () => {
    const bad = await stack.api('GET', '/api/revisions/abc/diff/0?context=-1');
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { path: string }) => e.path)).toEqual(['a', 'b', 'context']);
    const unknown = await stack.api('GET', '/api/revisions/1/diff/999');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toBe('no revision 999');
  });
});

describe('GET /api/samples/N/curl', () => {
  it('the sample\'s request as curl against legacy and against the service', async () => {
    const bad = await stack.endpoint('GET /bad/{id}');
    const id = bad.differences[0].samples[0];
    const res = await stack.api('GET', `/api/samples/${id}/curl`);
    expect(res.status).toBe(200);
    const sample = (await stack.api('GET', `/api/samples/${id}`)).body;
    expect(res.body.id).toBe(id);
    expect(res.body.legacy).toMatchObject({ target: 'legacy', url: stack.urls.legacy, redacted: false });
    expect(res.body.legacy.command).toContain(`${stack.urls.legacy}${sample.request.url}`);
    expect(res.body.service).toMatchObject({ target: 'shop', url: stack.urls.services.shop });
    expect(res.body.service.command).toMatch(/^curl /);
    expect(res.body.service.command).toContain(`${stack.urls.services.shop}${sample.request.url}`);
  });

  it('400 for an id that is not a number, 404 for an unknown one', async () => {
    const bad = await stack.api('GET', '/api/samples/abc/curl');
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([{ path: 'id', message: 'id is a positive whole number, not "abc"' }]);
    const unknown = await stack.api('GET', '/api/samples/99999/curl');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toBe('no sample 99999');
  });
});

describe('GET /api/routes/NAME/evidence', () => {
  it('the evidence the guard would weigh now, and the readiness it means', async () => {
    const good = (await stack.api('GET', '/api/routes/good/evidence')).body;
    expect(good).toMatchObject({ route: 'good', mode: 'shadow', percent: null, guard: { minSamples: 20, minMatchRate: 99 }, evidence: { compared: N, netMatchRate: 100 }, readiness: { state: 'ready', reasons: [] } });
    const quiet = (await stack.api('GET', '/api/routes/plain/evidence')).body;
    expect(quiet.readiness.state).toBe('unknown');
    expect(quiet.readiness.reasons[0]).toContain('0 compared samples; the guard needs at least 200');
    expect((await stack.api('GET', '/api/routes/nobody/evidence')).status).toBe(404);
  });
});

describe('the dashboard\'s files on the admin port', () => {
  const get = (p: string) => fetch(stack.app.admin.url + p);

  it('/ is the page shell, without a token, under a strict content security policy', async () => {
    const res = await get('/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await res.text();
    expect(html).toContain('<script type="module" src="/ui/admin/ui/main.js"></script>');
    expect(html).toContain('<link rel="modulepreload" href="/ui/report/side-by-side.js">');
    expect(html).not.toMatch(/https?:\/\//);
  });

  it('serves the modules the page imports, and nothing else from dist', async () => {
    const main = await get('/ui/admin/ui/main.js');
    expect(main.status).toBe(200);
    expect(main.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(await main.text()).toContain("from './api.js'");
    expect((await get('/ui/report/side-by-side.js')).status).toBe(200);
    expect((await get('/ui/dashboard.css')).status).toBe(200);
    for (const p of ['/ui/store/traffic.js', '/ui/admin/server.js', '/ui/admin/ui/main.js.map', '/ui/../package.json', '/ui/admin/ui/../../cli/main.js']) {
      expect((await get(p)).status, p).toBe(404);
    }
  });
});
