import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ruleYaml, shadowRoute, type RuleUrls } from './helpers/rule-yaml.js';
import { ensureBuilt, REPO } from './helpers/strangler-process.js';
import { json, startShadowStack, waitFor, type Handler, type ShadowStack } from './helpers/shadow-stack.js';

/**
 * The shadow report as an operator meets it: GET /api/report, the built
 * `strangler report --format json` (through the admin API, then from the
 * database file once the proxy has stopped), and the promotion guard, which
 * now weighs compared requests and the net match rate.
 */

const TOKEN = 'shadow-report-token-0123456789';
const N = 30;

function answer(side: 'legacy' | 'service'): Handler {
  return (req, res) => {
    const url = req.url ?? '/';
    const [, kind, id] = url.split('/');
    if (kind === 'bad') return json(res, 200, { id, total: side === 'legacy' ? 100 : 99 });
    // legacy itself answers a new requestId on every call: noise, not a regression.
    if (kind === 'volatile') return json(res, 200, { id, requestId: randomUUID(), total: 100 });
    json(res, 200, { id, total: 100 });
  };
}

function rules(u: RuleUrls): string {
  const route = (name: string, noisePercent: number) => shadowRoute(name, { guard: { minSamples: 20 }, noisePercent });
  return ruleYaml(u, { token: TOKEN, routes: [route('good', 0), route('bad', 0), route('volatile', 100), route('quiet', 0)] });
}

let stack: ShadowStack;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const base: NodeJS.ProcessEnv = { ...process.env };
  delete base.STRANGLER_ADMIN_URL;
  delete base.STRANGLER_ADMIN_TOKEN;
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(REPO, 'bin/strangler.js'), ...args], { cwd: stack.dir, env: { ...base, ...env }, timeout: 20_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 99) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const withoutTime = (doc: { generatedAt?: string }) => ({ ...doc, generatedAt: '(time)' });

beforeAll(async () => {
  await ensureBuilt();
  stack = await startShadowStack({ legacy: answer('legacy'), services: { shop: answer('service') }, rules, token: TOKEN });
}, 240_000);
afterAll(() => stack?.close());

describe('the promotion guard weighs shadow evidence', () => {
  it('without comparisons, shadow → canary is refused, saying so', async () => {
    const res = await stack.api('POST', '/api/routes/good/mode', { mode: 'canary', percent: 10, reason: 'too early' });
    expect(res.status).toBe(409);
    expect(res.body.evidence).toMatchObject({ route: 'good', compared: 0, netMatchRate: null });
    expect(res.body.check.reasons.join(' ')).toContain('0 compared samples; the guard needs at least 20');
  });

  it('with enough matching shadow traffic, shadow → canary is allowed without force, with the evidence recorded', async () => {
    for (const name of ['good', 'bad', 'volatile']) {
      for (let i = 0; i < N; i++) expect((await stack.proxy('GET', `/${name}/${i}`)).status).toBe(200);
    }
    await waitFor(async () => {
      const doc = await stack.report();
      return ['good', 'bad', 'volatile'].every((name) => {
        const e = doc.endpoints.find((x: { route: string }) => x.route === name);
        return e?.compared === N && (name !== 'volatile' || e.noiseCompared === N);
      });
    }, 'the comparisons in the report');

    const res = await stack.api('POST', '/api/routes/good/mode', { mode: 'canary', percent: 10, reason: 'shadow matched' });
    expect(res.status).toBe(200);
    expect(res.body.check).toMatchObject({ direction: 'forward', guarded: true, allowed: true, forced: false, reasons: [] });
    expect(res.body.check.evidence).toMatchObject({ route: 'good', compared: N, netMatchRate: 100 });
    const [latest] = (await stack.api('GET', '/api/mode-changes')).body;
    expect(latest).toMatchObject({ route: 'good', fromMode: 'shadow', toMode: 'canary', forced: false });
    expect(latest.evidence.evidence).toMatchObject({ compared: N, netMatchRate: 100 });
  });

  it('with a regression, it is refused with the evidence: compared count and net match rate', async () => {
    const res = await stack.api('POST', '/api/routes/bad/mode', { mode: 'canary', percent: 10, reason: 'try anyway' });
    expect(res.status).toBe(409);
    expect(res.body.evidence).toMatchObject({ route: 'bad', compared: N, netMatchRate: 0 });
    expect(res.body.check).toMatchObject({ allowed: false, guarded: true, forced: false, guard: { minSamples: 20, minMatchRate: 99 } });
    expect(res.body.check.reasons.join(' ')).toContain('net match rate 0% is under the guard\'s 99%');
    // Straight to service is refused the same way.
    expect((await stack.api('POST', '/api/routes/bad/mode', { mode: 'service', reason: 'try harder' })).status).toBe(409);
    // Nothing changed: the route is still in shadow.
    const routes = (await stack.api('GET', '/api/routes')).body.routes;
    expect(routes.find((r: { name: string }) => r.name === 'bad').mode).toBe('shadow');
  });

  it('differences that are only legacy noise do not hold a route back: the guard uses the net match rate', async () => {
    const e = await stack.endpoint('GET /volatile/{id}');
    expect(e).toMatchObject({ compared: N, matched: 0, matchRate: 0, netMatchRate: 100 });
    expect(e.differences).toEqual([expect.objectContaining({ path: '$.requestId', verdict: 'noise' })]);
    const res = await stack.api('POST', '/api/routes/volatile/mode', { mode: 'canary', percent: 10, reason: 'only noise differs' });
    expect(res.status).toBe(200);
    expect(res.body.check.evidence).toMatchObject({ compared: N, netMatchRate: 100 });
  });
});

describe('strangler report --format json prints the report document', () => {
  let fromApi: any;

  it('GET /api/report: per endpoint, compared, rates, outcomes and difference groups', async () => {
    fromApi = await stack.report();
    expect(Object.keys(fromApi)).toEqual(expect.arrayContaining(['generatedAt', 'progress', 'endpoints']));
    const keys = ['method', 'path', 'route', 'mode', 'compared', 'matched', 'matchRate', 'netMatchRate', 'outcomes', 'differences'];
    for (const e of fromApi.endpoints) expect(Object.keys(e)).toEqual(expect.arrayContaining(keys));
    const good = fromApi.endpoints.find((e: { route: string }) => e.route === 'good');
    expect(good).toMatchObject({ method: 'GET', path: '/good/{id}', mode: 'canary', compared: N, matched: N, matchRate: 100, netMatchRate: 100, outcomes: { match: N }, differences: [] });
    const bad = fromApi.endpoints.find((e: { route: string }) => e.route === 'bad');
    expect(bad).toMatchObject({ mode: 'shadow', compared: N, matched: 0, matchRate: 0, netMatchRate: 0, outcomes: { differ: N } });
    expect(bad.differences).toEqual([{ path: '$.total', kind: 'changed', count: N, noise: 0, verdict: 'regression', samples: expect.any(Array) }]);
    // A route without traffic has no endpoint to report.
    expect(fromApi.endpoints.find((e: { route: string }) => e.route === 'quiet')).toBeUndefined();
  });

  it('through the admin API: the same document', async () => {
    const r = await cli(['report', '--format', 'json'], { STRANGLER_ADMIN_URL: stack.app.admin.url, STRANGLER_ADMIN_TOKEN: TOKEN });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(withoutTime(JSON.parse(r.stdout))).toEqual(withoutTime(fromApi));
    const byRoute = await cli(['report', '--format', 'json', '--route', 'bad', '--admin', stack.app.admin.url, '--token', TOKEN]);
    expect(byRoute.code).toBe(0);
    expect(JSON.parse(byRoute.stdout).endpoints.map((e: { route: string }) => e.route)).toEqual(['bad']);
  });

  it('from the database file after the proxy stopped: the same document', async () => {
    await stack.stop();
    const r = await cli(['report', '--format', 'json', '--db', path.join(stack.dir, 'strangler.db')]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(withoutTime(JSON.parse(r.stdout))).toEqual(withoutTime(fromApi));
    const one = await cli(['report', '--format', 'json', '--db', path.join(stack.dir, 'strangler.db'), '--endpoint', 'GET /volatile/{id}']);
    expect(JSON.parse(one.stdout).endpoints.map((e: { path: string }) => e.path)).toEqual(['/volatile/{id}']);
  });
});
