import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ask, metricValue, startFaultProxy, TOKEN, until, type Answer, type FaultProxy } from './helpers/fault-proxy.js';
import { MAX_QUEUED_READS } from '../src/admin/ledger-reader.js';
import { startLegacy } from './helpers/strangler-process.js';

/**
 * Fault suite, an admin request storm: a few hundred concurrent requests
 * to the admin port (reports, endpoint lists, metrics scrapes, health
 * checks, wrong tokens, bad bodies, unknown paths) while clients keep
 * using the data plane, in the same `strangler start` process. The four
 * answers: every admin request gets its proper answer and every client
 * its legacy answer, none waits past its deadline; the clients' requests
 * are all counted and none of their ledger records is lost; the storm
 * leaves no error in the log; and both ports serve normally afterwards.
 */

const STORM = 300;
/** Admin answers may queue behind each other; a hang is what this bound catches, not slowness. */
const ADMIN_DEADLINE_MS = 20_000;

let legacy: Awaited<ReturnType<typeof startLegacy>>;
let proxy: FaultProxy;

beforeAll(async () => {
  legacy = await startLegacy();
  proxy = await startFaultProxy(
    `legacy: ${legacy.url}\nservices:\n  twin: ${legacy.url}\nroutes:\n  - name: orders\n    match: { path: "/api/orders/{id}" }\n    mode: shadow\n    service: twin\n    shadow: { noisePercent: 20 }\n`,
  );
  // Something for the reports to read: endpoints, traffic and comparisons.
  for (let i = 0; i < 40; i++) expect((await proxy.get(i % 2 ? `/api/orders/${i}` : `/api/catalog/item-${i}`)).status).toBe(200);
  await proxy.metricAtLeast('strangler_ledger_records_written', {}, 40);
}, 60_000);

afterAll(async () => {
  await proxy?.close();
  await legacy?.close();
});

interface Shot {
  path: string;
  method?: string;
  body?: string;
  token?: string | null;
  expect: number;
}

const SHOTS: Shot[] = [
  { path: '/api/report', expect: 200 },
  { path: '/api/endpoints', expect: 200 },
  { path: '/api/progress', expect: 200 },
  { path: '/api/routes', expect: 200 },
  { path: '/api/revisions', expect: 200 },
  { path: '/metrics', token: null, expect: 200 },
  { path: '/healthz', token: null, expect: 200 },
  { path: '/api/report', token: 'wrong-token-0123456789abcdef', expect: 401 },
  { path: '/api/routes', token: null, expect: 401 },
  { path: '/api/routes/orders/mode', method: 'POST', body: '{"mode": ', expect: 400 },
  { path: '/api/nothing-here', expect: 404 },
];

let before = '';
let logFrom = 0;
let admin: Array<{ shot: Shot; answer: Answer }> = [];
let clients: Answer[] = [];

describe('an admin request storm while clients use the data plane', () => {
  beforeAll(async () => {
    before = await proxy.metrics();
    logFrom = proxy.logs().length;
    let stormDone = false;
    const storm = Promise.all(
      Array.from({ length: STORM }, async (_, i) => {
        const shot = SHOTS[i % SHOTS.length]!;
        const answer = await proxy.admin(shot.path, { method: shot.method, body: shot.body, token: shot.token, deadlineMs: ADMIN_DEADLINE_MS });
        return { shot, answer };
      }),
    ).finally(() => (stormDone = true));
    // Clients, one request after another, for as long as the storm lasts (and at least 20 requests).
    const traffic = (async () => {
      const answers: Answer[] = [];
      for (let i = 0; (!stormDone || i < 20) && i < 2_000; i++) answers.push(await ask(`${proxy.url}/api/orders/storm-${i}`, { deadlineMs: 5_000 }));
      return answers;
    })();
    const t0 = performance.now();
    [admin, clients] = await Promise.all([storm, traffic]);
    // Not asserted (speed never is): how much the storm slowed the clients down, for whoever reads the run.
    console.log(`admin storm: ${STORM} admin requests in ${Math.round(performance.now() - t0)} ms; meanwhile ${clients.length} client requests, one after another`);
  }, 60_000);

  it('client: every data-plane request gets legacy\'s answer, within its deadline; every admin request its proper status', () => {
    expect(clients.length).toBeGreaterThanOrEqual(20);
    clients.forEach((a, i) => {
      expect(a.status).toBe(200);
      expect(a.json).toEqual({ from: 'legacy', method: 'GET', url: `/api/orders/storm-${i}` });
    });
    expect(admin).toHaveLength(STORM);
    const wrong = admin.filter(({ shot, answer }) => answer.status !== shot.expect).map(({ shot, answer }) => `${shot.path}: ${answer.status} ${answer.text.slice(0, 200)}`);
    expect(wrong).toEqual([]);
    const report = admin.find(({ shot }) => shot.path === '/api/report' && shot.token === undefined)!;
    expect((report.answer.json as { endpoints: unknown[] }).endpoints.length).toBeGreaterThan(0);
  });

  it('counted: every client request in strangler_requests_total and in the ledger; no ledger record dropped', async () => {
    const answered = { route: 'orders', target: 'legacy', class: '2xx' };
    await proxy.metricAtLeast('strangler_requests_total', answered, metricValue(before, 'strangler_requests_total', answered) + clients.length);
    const text = await proxy.metrics();
    expect(metricValue(text, 'strangler_requests_total', answered) - metricValue(before, 'strangler_requests_total', answered)).toBe(clients.length);
    expect(metricValue(text, 'strangler_ledger_records_dropped')).toBe(0);
    // 20 before the storm (the odd i of 40) and every one during it, once the writer has caught up.
    const expected = 20 + clients.length;
    const ledger = await until(async () => {
      const t = await proxy.ledger('/api/orders');
      return t.requests >= expected ? t : undefined;
    }, `${expected} requests in the ledger`);
    expect(ledger.requests).toBe(expected);
  });

  it('logged: no error or warning from the storm', () => {
    const bad = proxy
      .logs()
      .slice(logFrom)
      .filter((l) => (l.level ?? 0) >= 40);
    expect(bad).toEqual([]);
  });

  it('afterwards: both ports answer normally', async () => {
    const a = await proxy.get('/api/orders/after-storm');
    expect(a.status).toBe(200);
    expect((await proxy.admin('/healthz')).json).toMatchObject({ ok: true });
    expect((await proxy.admin('/api/routes')).status).toBe(200);
  });
});

/**
 * The reads that sum a window of the ledger (report, endpoints, progress,
 * charts, a route's evidence) run on a thread of their own with their own
 * connection. A busy ledger makes each take a few hundred milliseconds;
 * here a test setting makes every one take 2 s, and the data plane must
 * not wait for them.
 */
describe('a slow ledger read while clients use the data plane', () => {
  let slow: FaultProxy;
  beforeAll(async () => {
    slow = await startFaultProxy(`legacy: ${legacy.url}\nroutes:\n  - name: orders\n    match: { path: "/api/orders/{id}" }\n    mode: shadow\n    service: twin\nservices:\n  twin: ${legacy.url}\n`, {
      env: { STRANGLER_TEST_READ_DELAY_MS: '2000' },
    });
  }, 60_000);
  afterAll(async () => {
    await slow?.close();
  });

  it('the data plane and the admin API\'s other answers do not wait for it; it answers in full afterwards', async () => {
    const pending = new Set<string>(['/api/report', '/api/endpoints', '/api/progress', '/api/timeseries?since=1h', '/api/routes/orders/evidence']);
    const reads = [...pending].map((p) => slow.admin(p, { deadlineMs: ADMIN_DEADLINE_MS }).finally(() => pending.delete(p)));
    // Each read is in the thread's queue once the admin API holds it; then clients come.
    await new Promise((resolve) => setTimeout(resolve, 200));
    for (let i = 0; i < 10; i++) {
      const a = await slow.get(`/api/orders/while-reading-${i}`, { deadlineMs: 5_000 });
      expect(a.status).toBe(200);
      expect(a.json).toEqual({ from: 'legacy', method: 'GET', url: `/api/orders/while-reading-${i}` });
    }
    expect((await slow.admin('/healthz')).json).toMatchObject({ ok: true });
    expect((await slow.admin('/api/routes')).status).toBe(200);
    // All of that was answered while the first read was still being built.
    expect(pending.size).toBe(5);
    const answers = await Promise.all(reads);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    expect((answers[0]!.json as { endpoints: Array<{ path: string }> }).endpoints.map((e) => e.path)).toContain('/api/orders/{id}');
    expect(answers[4]!.json).toMatchObject({ route: 'orders', evidence: { route: 'orders', window: '24h' } });
  }, 60_000);

});

/** The read queue's bounds, with each read made 10 s long so that the first holds the thread through the whole burst. */
describe('a full ledger read queue', () => {
  let slower: FaultProxy;
  beforeAll(async () => {
    slower = await startFaultProxy(`legacy: ${legacy.url}\n`, { env: { STRANGLER_TEST_READ_DELAY_MS: '10000' } });
  }, 60_000);
  afterAll(async () => {
    await slower?.close();
  });

  it('a full queue is refused at once with 503 and Retry-After; reads whose clients left are dropped unread', async () => {
    const url = `${slower.adminUrl}/api/progress`;
    const headers = { authorization: `Bearer ${TOKEN}` };
    const first = slower.admin('/api/report', { deadlineMs: 30_000 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    // MAX_QUEUED_READS wait behind the first; the rest are refused without waiting.
    const leaving = new AbortController();
    const answered: Response[] = [];
    const queued = Array.from({ length: MAX_QUEUED_READS + 6 }, () =>
      fetch(url, { headers, signal: leaving.signal }).then(
        (r) => void answered.push(r),
        () => undefined,
      ),
    );
    // One read holds the thread and 256 wait, in whatever order they came: six are answered at once.
    await until(async () => (answered.length >= 6 ? true : undefined), 'six refusals', 8_000);
    expect(answered.map((r) => r.status)).toEqual([503, 503, 503, 503, 503, 503]);
    expect(answered[0]!.headers.get('retry-after')).toBe('1');
    expect(await answered[0]!.json()).toMatchObject({
      error: 'the ledger cannot be read just now',
      errors: [{ message: `${MAX_QUEUED_READS} ledger reads are waiting already; try again in a moment` }],
    });
    // The queued clients leave: their reads are never run, and their places are free at once, while the first read still runs.
    leaving.abort();
    await Promise.all(queued);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const next = slower.admin('/api/progress', { deadlineMs: 25_000 });
    expect((await first).status).toBe(200);
    // It waited only for the read in the thread, not for the 256 abandoned ones.
    expect((await next).status).toBe(200);
  }, 90_000);
});

/**
 * A read past its deadline: each read made 3 s long against a 1 s deadline.
 * The read is answered 503 and its thread terminated; the next read goes to
 * a new thread. (A thread inside a SQLite statement stops only when that
 * returns; reads meanwhile are refused at once. The test's wait is ended by
 * terminate() at once, so that window is not seen here.)
 */
describe('a ledger read past its deadline', () => {
  let stuck: FaultProxy;
  beforeAll(async () => {
    stuck = await startFaultProxy(`legacy: ${legacy.url}\n`, { env: { STRANGLER_TEST_READ_DELAY_MS: '3000', STRANGLER_TEST_READ_DEADLINE_MS: '1000' } });
  }, 60_000);
  afterAll(async () => {
    await stuck?.close();
  });

  it('is answered 503 and logged; the next read gets a new thread; the data plane never waits', async () => {
    const late = stuck.admin('/api/progress', { deadlineMs: 10_000 });
    expect((await stuck.get('/api/orders/while-reading', { deadlineMs: 2_000 })).status).toBe(200);
    expect((await late).status).toBe(503);
    expect((await late).json).toMatchObject({ errors: [{ message: 'the ledger read took longer than 1 s' }] });
    const logged = await stuck.logged((l) => String(l.msg).startsWith('a ledger read took too long'), 'the deadline logged');
    expect(logged).toMatchObject({ level: 50, deadlineMs: 1000, read: 'progress' });
    // A new thread takes the next read (3 s long, it meets the same deadline), so the reader is not left without one.
    const again = await until(async () => {
      const a = await stuck.admin('/api/progress', { deadlineMs: 10_000 });
      return (a.json as { errors?: Array<{ message: string }> }).errors?.[0]?.message.includes('still being stopped') ? undefined : a;
    }, 'a read sent to a new thread', 10_000);
    expect(again.status).toBe(503);
    expect(again.json).toMatchObject({ errors: [{ message: 'the ledger read took longer than 1 s' }] });
    // The log line may reach the test after the answer does.
    await until(() => (stuck.logs().filter((l) => String(l.msg).startsWith('a ledger read took too long')).length === 2 ? true : undefined), 'the second deadline logged');
  }, 60_000);
});
