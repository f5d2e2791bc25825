import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bucketOf, BUCKETS } from '../src/router/canary.js';
import { ask, metricValue, startFaultProxy, until, type Answer, type FaultProxy } from './helpers/fault-proxy.js';
import { BIG_BYTES, BIG_SHA256, startFaultyUpstream, type FaultyUpstream } from './helpers/faulty-upstream.js';
import { startLegacy } from './helpers/strangler-process.js';
import { refusedUrl } from './helpers/modes-servers.js';

/**
 * Fault suite, services: a new service fails in each way, on a route in
 * each mode, behind a real `strangler start` with a healthy legacy. For
 * each mode and fault, the four answers: what the client gets, what is
 * counted (/metrics and the ledger), what is logged, and that the proxy
 * serves normally afterwards.
 *
 * In shadow mode the client's answer is legacy's, unchanged, whatever the
 * service does. How fast it stays under a hung service, and the bounded
 * queue of copies, are shadow-isolation.test.ts's; fallback to legacy is
 * modes.test.ts's.
 */

type Mode = 'shadow' | 'canary' | 'service';
type Fault = 'down' | 'slow' | 'hung' | 'reset' | 'garbage' | 'big';

interface Expected {
  /** The service the route names: `down` listens nowhere. */
  service: 'faulty' | 'down';
  /** What a client the service answers gets: a status, and the X-Strangler-Error reason when the proxy answered. */
  status: 200 | 502 | 504;
  reason: string | null;
  /** How a shadow copy to it ends. */
  shadow: string;
}

const FAULTS: Record<Fault, Expected> = {
  down: { service: 'down', status: 502, reason: 'refused', shadow: 'shadow-refused' },
  slow: { service: 'faulty', status: 200, reason: null, shadow: 'differ' },
  hung: { service: 'faulty', status: 504, reason: 'timeout', shadow: 'shadow-timeout' },
  reset: { service: 'faulty', status: 502, reason: 'reset', shadow: 'shadow-reset' },
  garbage: { service: 'faulty', status: 502, reason: 'bad-response', shadow: 'unparseable' },
  big: { service: 'faulty', status: 200, reason: null, shadow: 'too-large' },
};
const MODES: Mode[] = ['shadow', 'canary', 'service'];

const routeName = (mode: Mode, fault: Fault) => `${mode}-${fault}`;

/** Sticky keys on either side of a 50% canary, found by the proxy's own hash. */
function canaryUser(route: string, inCanary: boolean): string {
  for (let i = 0; ; i++) {
    const key = `user-${i}`;
    if (bucketOf(route, key) < BUCKETS / 2 === inCanary) return key;
  }
}

function rules(legacy: string, faulty: string, down: string): string {
  const routes: string[] = [];
  for (const mode of MODES) {
    for (const [fault, e] of Object.entries(FAULTS) as Array<[Fault, Expected]>) {
      routes.push(`  - name: ${routeName(mode, fault)}`, `    match: { path: "/${mode}/${fault}/**" }`, `    mode: ${mode}`, `    service: ${e.service}`);
      if (mode === 'shadow') routes.push('    shadow: { timeoutMs: 1000, noisePercent: 0, maxPerSecond: 1000 }');
      if (mode === 'canary') routes.push('    canary: { percent: 50, stickyBy: "header:x-user" }');
    }
  }
  routes.push('  - name: service-ok', '    match: { path: "/service/ok/**" }', '    mode: service', '    service: faulty');
  return [`legacy: ${legacy}`, 'services:', `  faulty: { url: "${faulty}", timeoutMs: 1000 }`, `  down: "${down}"`, 'routes:', ...routes, ''].join('\n');
}

let legacy: Awaited<ReturnType<typeof startLegacy>>;
let faulty: FaultyUpstream;
let proxy: FaultProxy;

beforeAll(async () => {
  legacy = await startLegacy();
  faulty = await startFaultyUpstream('faulty');
  proxy = await startFaultProxy(rules(legacy.url, faulty.url, await refusedUrl()));
}, 60_000);

afterAll(async () => {
  await proxy?.close();
  await faulty?.close();
  await legacy?.close();
});

const legacyAnswer = (url: string) => ({ from: 'legacy', method: 'GET', url });

/** Sends the request; a slow service's answer is released once it holds the request, as late as the test decides. */
async function send(path: string, fault: Fault, headers: Record<string, string> = {}): Promise<Answer> {
  const pending = proxy.get(path, { headers, deadlineMs: fault === 'big' ? 15_000 : undefined });
  if (fault !== 'slow') return pending;
  await until(() => faulty.held() > 0, `the slow service to hold ${path}`);
  faulty.releaseSlow();
  return pending;
}

function expectServiceAnswer(a: Answer, path: string, fault: Fault): void {
  const e = FAULTS[fault];
  expect(a.status).toBe(e.status);
  if (e.reason) {
    expect(a.headers.get('x-strangler-error')).toBe(e.reason);
    expect(a.json).toMatchObject({ error: e.status === 504 ? 'gateway_timeout' : 'bad_gateway', reason: e.reason, target: e.service, route: path.split('/').slice(1, 3).join('-') });
  } else if (fault === 'big') {
    expect(a.body.length).toBe(BIG_BYTES);
    expect(a.sha256).toBe(BIG_SHA256);
  } else {
    expect(a.json).toEqual({ from: 'faulty', url: path });
  }
}

async function ledgerFor(prefix: string, atLeast: (t: Awaited<ReturnType<FaultProxy['ledger']>>) => boolean) {
  return until(async () => {
    const t = await proxy.ledger(prefix);
    return atLeast(t) ? t : undefined;
  }, `the ledger for ${prefix}`);
}

const failureLines = (route: string) => proxy.logs().filter((l) => l.msg === 'upstream request failed' && l.route === route);
const copyLines = (route: string) => proxy.logs().filter((l) => l.route === route && typeof l.msg === 'string' && l.msg.startsWith('shadow copies'));

async function servesAfterwards(tag: string): Promise<void> {
  const plain = await proxy.get(`/plain/after-${tag}`);
  expect(plain.status).toBe(200);
  expect(plain.json).toEqual(legacyAnswer(`/plain/after-${tag}`));
  const svc = await proxy.get(`/service/ok/after-${tag}`);
  expect(svc.status).toBe(200);
  expect(svc.json).toEqual({ from: 'faulty', url: `/service/ok/after-${tag}` });
}

const CASES = MODES.flatMap((mode) => (Object.keys(FAULTS) as Fault[]).map((fault) => ({ mode, fault, route: routeName(mode, fault), ...FAULTS[fault] })));

describe.each(CASES.filter((c) => c.mode === 'shadow'))('shadow mode, service $fault', (c) => {
  const path = `/shadow/${c.fault}/1`;
  let before = '';
  beforeAll(async () => {
    before = await proxy.metrics();
  });

  it("client: legacy's answer, unchanged, whatever the service does", async () => {
    const a = await proxy.get(path);
    const direct = await ask(legacy.url + path);
    expect(a.status).toBe(200);
    expect(a.json).toEqual(legacyAnswer(path));
    // Byte for byte what legacy answers when asked directly, with the same headers.
    expect(a.body.equals(direct.body)).toBe(true);
    for (const h of ['content-type', 'content-length']) expect(a.headers.get(h)).toBe(direct.headers.get(h));
    expect(a.headers.get('x-strangler-error')).toBeNull();
    if (c.fault === 'slow') {
      // The answer came while the service still held its copy: the client never waits for it.
      await until(() => faulty.held() > 0, 'the copy to reach the slow service');
      faulty.releaseSlow();
    }
  });

  it(`counted: strangler_shadow_outcomes_total{outcome="${c.shadow}"} and the outcome in the ledger; the client's answer as legacy's 2xx`, async () => {
    const outcome = { kind: 'shadow', outcome: c.shadow };
    await proxy.metricAtLeast('strangler_shadow_outcomes_total', outcome, metricValue(before, 'strangler_shadow_outcomes_total', outcome) + 1);
    const text = await proxy.metrics();
    expect(metricValue(text, 'strangler_shadow_outcomes_total', { kind: 'shadow' }) - metricValue(before, 'strangler_shadow_outcomes_total', { kind: 'shadow' })).toBe(1);
    const answered = { route: c.route, target: 'legacy', class: '2xx' };
    expect(metricValue(text, 'strangler_requests_total', answered) - metricValue(before, 'strangler_requests_total', answered)).toBe(1);
    expect(metricValue(text, 'strangler_upstream_errors_total') - metricValue(before, 'strangler_upstream_errors_total')).toBe(0);
    const t = await ledgerFor(`/shadow/${c.fault}`, (x) => Object.keys(x.outcomes).length > 0 && x.requests > 0);
    expect(t.outcomes).toEqual({ [c.shadow]: 1 });
    expect(t).toMatchObject({ requests: 1, '2xx': 1, error: 0 });
  });

  if (c.shadow === 'differ') {
    it('logged: nothing, a late answer is compared like any other', () => {
      expect(copyLines(c.route)).toEqual([]);
      expect(failureLines(c.route)).toEqual([]);
    });
  } else {
    it(`logged: a warning naming the service, the route and ${c.shadow}`, async () => {
      const line = await proxy.logged((l) => l.route === c.route && l.outcome === c.shadow, `copies of ${c.route} failing`);
      expect(line).toMatchObject({ level: 40, target: c.service, outcome: c.shadow });
      expect(String(line.msg)).toContain(c.service);
      // The client's own exchange did not fail: no upstream failure is logged for it.
      expect(failureLines(c.route)).toEqual([]);
    });
  }

  it('afterwards: serves normally', () => servesAfterwards(c.route));
});

describe.each(CASES.filter((c) => c.mode !== 'shadow'))('$mode mode, service $fault', (c) => {
  const path = `/${c.mode}/${c.fault}/1`;
  const headers: Record<string, string> = c.mode === 'canary' ? { 'x-user': canaryUser(c.route, true) } : {};
  let before = '';
  beforeAll(async () => {
    before = await proxy.metrics();
  });

  const what = c.reason ? `${c.status} with the JSON error naming ${c.service}, X-Strangler-Error: ${c.reason}` : c.fault === 'big' ? 'all 10 MB, byte for byte' : "the service's answer once it comes";
  it(`client: ${what}${c.mode === 'canary' ? "; a user on legacy's side of the canary is not affected" : ''}`, async () => {
    expectServiceAnswer(await send(path, c.fault, headers), path, c.fault);
    if (c.mode === 'canary') {
      const other = `/canary/${c.fault}/legacy-side`;
      const a = await proxy.get(other, { headers: { 'x-user': canaryUser(c.route, false) } });
      expect(a.status).toBe(200);
      expect(a.json).toEqual(legacyAnswer(other));
    }
  });

  it(c.reason ? `counted: strangler_upstream_errors_total{target="${c.service}",reason="${c.reason}"} and an error in the ledger` : 'counted: a 2xx of the service, no upstream error', async () => {
    const cls = c.reason ? 'error' : '2xx';
    const answered = { route: c.route, target: c.service, class: cls };
    await proxy.metricAtLeast('strangler_requests_total', answered, metricValue(before, 'strangler_requests_total', answered) + 1);
    const text = await proxy.metrics();
    expect(metricValue(text, 'strangler_requests_total', answered) - metricValue(before, 'strangler_requests_total', answered)).toBe(1);
    const errors: Record<string, string> = c.reason ? { target: c.service, reason: c.reason } : {};
    expect(metricValue(text, 'strangler_upstream_errors_total', errors) - metricValue(before, 'strangler_upstream_errors_total', errors)).toBe(c.reason ? 1 : 0);
    const requests = c.mode === 'canary' ? 2 : 1;
    const t = await ledgerFor(`/${c.mode}/${c.fault}`, (x) => x.requests >= requests);
    expect(t.requests).toBe(requests);
    expect(t.error).toBe(c.reason ? 1 : 0);
    expect(t['2xx']).toBe(requests - (c.reason ? 1 : 0));
    if (c.fault === 'big') expect(t.bytesOut).toBeGreaterThanOrEqual(BIG_BYTES);
  });

  if (c.reason) {
    it(`logged: a warning naming ${c.service}, the route, the URL and ${c.reason}`, async () => {
      const line = await proxy.logged((l) => l.msg === 'upstream request failed' && l.route === c.route, c.route);
      expect(line).toMatchObject({ level: 40, target: c.service, url: path, reason: c.reason });
      expect(failureLines(c.route)).toHaveLength(1);
    });
  } else {
    it('logged: nothing', () => {
      expect(failureLines(c.route)).toEqual([]);
    });
  }

  it('afterwards: serves normally, the service too', () => servesAfterwards(c.route));
});

describe('shadow mode, a service that fails every copy', () => {
  it('logged: once per episode, not once per copy; after 5 failures in a row the copies pause (dropped-circuit), told once; every copy still counted', async () => {
    const reset = { kind: 'shadow', outcome: 'shadow-reset' };
    const paused = { kind: 'shadow', outcome: 'dropped-circuit' };
    const [resetBefore, pausedBefore] = [await proxy.metric('strangler_shadow_outcomes_total', reset), await proxy.metric('strangler_shadow_outcomes_total', paused)];
    const ledgerBefore = (await proxy.ledger('/shadow/reset/')).outcomes;
    for (let i = 0; i < 20; i++) {
      const a = await proxy.get(`/shadow/reset/again-${i}`);
      expect(a.json).toEqual(legacyAnswer(`/shadow/reset/again-${i}`));
    }
    const counted = async () => (await proxy.metric('strangler_shadow_outcomes_total', reset)) - resetBefore + (await proxy.metric('strangler_shadow_outcomes_total', paused)) - pausedBefore;
    await until(async () => (await counted()) === 20, 'all 20 copies to be counted');
    // The circuit opens at the fifth reset in a row; copies already on their way when it opened still end as resets.
    expect((await proxy.metric('strangler_shadow_outcomes_total', reset)) - resetBefore).toBeGreaterThanOrEqual(5);
    expect((await proxy.metric('strangler_shadow_outcomes_total', paused)) - pausedBefore).toBeGreaterThan(0);
    expect(await proxy.metric('strangler_shadow_circuit_open', { target: 'faulty' })).toBe(1);
    // The episode opened with the first reset copy above; within the minute no other line follows.
    expect(copyLines('shadow-reset')).toHaveLength(1);
    const pauses = proxy.logs().filter((l) => typeof l.msg === 'string' && l.msg.startsWith('shadow copies to faulty paused'));
    expect(pauses).toHaveLength(1);
    expect(pauses[0]).toMatchObject({ target: 'faulty', failures: 5, pausedMs: 5_000 });
    // The report an operator reads holds the same copies under the endpoint: the paused ones ride on their exchange's fact, not on a record.
    const delta = (o: Record<string, number>, k: string) => (o[k] ?? 0) - (ledgerBefore[k] ?? 0);
    const ledger = await ledgerFor('/shadow/reset/', (t) => delta(t.outcomes, 'shadow-reset') + delta(t.outcomes, 'dropped-circuit') === 20);
    expect(delta(ledger.outcomes, 'shadow-reset')).toBe((await proxy.metric('strangler_shadow_outcomes_total', reset)) - resetBefore);
    expect(delta(ledger.outcomes, 'dropped-circuit')).toBe((await proxy.metric('strangler_shadow_outcomes_total', paused)) - pausedBefore);
  });

  it('resumed: after the 5 s pause the next copy probes; the service answers it, the gauge reads 0 again and the resume is logged once', async () => {
    // The pause started at the fifth reset above, a moment before that test ended.
    await new Promise((r) => setTimeout(r, 5_100));
    const a = await proxy.get('/shadow/slow/heal');
    expect(a.json).toEqual(legacyAnswer('/shadow/slow/heal'));
    await until(() => faulty.seen.includes('/shadow/slow/heal'), 'the probe to reach the service');
    faulty.releaseSlow();
    await until(async () => (await proxy.metric('strangler_shadow_circuit_open', { target: 'faulty' })) === 0, 'the gauge to read 0');
    const resumed = proxy.logs().filter((l) => typeof l.msg === 'string' && l.msg.startsWith('shadow copies to faulty resumed'));
    expect(resumed).toHaveLength(1);
    expect(resumed[0]).toMatchObject({ target: 'faulty', level: 30 });
  }, 15_000);
});
