import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricValue, startFaultProxy, type FaultProxy } from './helpers/fault-proxy.js';
import { BIG_BYTES, BIG_SHA256, startFaultyUpstream, type FaultyUpstream } from './helpers/faulty-upstream.js';

/**
 * Fault suite, legacy: the monolith itself fails behind a real
 * `strangler start`. For each fault, the four answers: what the client
 * gets, what is counted (/metrics and the ledger), what is logged, and
 * that the proxy serves normally afterwards.
 *
 * The in-process details (no address in the error body, a stall or reset
 * mid-body cutting the client's connection, cancellation when the client
 * leaves) are in upstream-errors.test.ts; backpressure on a large answer
 * in backpressure.test.ts.
 */

let legacy: FaultyUpstream;
let proxy: FaultProxy;

beforeAll(async () => {
  legacy = await startFaultyUpstream('legacy');
  // No routes: every request is legacy's, as on the first day of a migration.
  proxy = await startFaultProxy(`legacy:\n  url: ${legacy.url}\n  timeoutMs: 1000\n`);
}, 60_000);

afterAll(async () => {
  await proxy?.close();
  await legacy?.close();
});

const warnedAbout = (url: string) => proxy.logs().filter((l) => l.msg === 'upstream request failed' && l.url === url);

/** After a fault: a plain request is answered by legacy, as before. */
async function servesNormally(tag: string): Promise<void> {
  const a = await proxy.get(`/ok/after-${tag}`);
  expect(a.status).toBe(200);
  expect(a.json).toEqual({ from: 'legacy', url: `/ok/after-${tag}` });
}

interface Failure {
  fault: string;
  path: string;
  status: 502 | 504;
  reason: string;
  /** Puts the fault in place, and takes it away again. */
  provoke?: () => Promise<void>;
  heal?: () => Promise<void>;
}

const FAILURES: Failure[] = [
  { fault: 'down (connection refused)', path: '/api/down/1', status: 502, reason: 'refused', provoke: () => legacy.down(), heal: () => legacy.up() },
  { fault: 'hung (accepts, never answers)', path: '/api/hung/1', status: 504, reason: 'timeout' },
  { fault: 'resetting (RST before answering)', path: '/api/reset/1', status: 502, reason: 'reset' },
  { fault: 'answering garbage (not HTTP)', path: '/api/garbage/1', status: 502, reason: 'bad-response' },
];

describe.each(FAILURES)('legacy $fault', (f) => {
  let before = '';
  beforeAll(async () => {
    before = await proxy.metrics();
    await f.provoke?.();
  });
  afterAll(async () => {
    await f.heal?.();
  });

  it(`client: ${f.status} with the JSON error naming legacy and X-Strangler-Error: ${f.reason}, never a hang`, async () => {
    const a = await proxy.get(f.path);
    expect(a.status).toBe(f.status);
    expect(a.headers.get('x-strangler-error')).toBe(f.reason);
    expect(a.headers.get('content-type')).toMatch(/^application\/json/);
    expect(a.json).toMatchObject({ error: f.status === 504 ? 'gateway_timeout' : 'bad_gateway', reason: f.reason, target: 'legacy', route: null });
    expect(a.text).not.toContain(String(legacy.port));
  });

  it(`counted: strangler_upstream_errors_total{target="legacy",reason="${f.reason}"} and an error in the ledger`, async () => {
    const errors = { target: 'legacy', reason: f.reason };
    await proxy.metricAtLeast('strangler_upstream_errors_total', errors, metricValue(before, 'strangler_upstream_errors_total', errors) + 1);
    const text = await proxy.metrics();
    expect(metricValue(text, 'strangler_upstream_errors_total', errors) - metricValue(before, 'strangler_upstream_errors_total', errors)).toBe(1);
    const answered = { route: '', target: 'legacy', class: 'error' };
    expect(metricValue(text, 'strangler_requests_total', answered) - metricValue(before, 'strangler_requests_total', answered)).toBe(1);
    const prefix = f.path.slice(0, f.path.lastIndexOf('/'));
    await proxy.metricAtLeast('strangler_ledger_records_written', {}, 1);
    const ledger = await waitLedger(prefix, 1);
    expect(ledger).toMatchObject({ requests: 1, error: 1 });
  });

  it('logged: a warning naming legacy, the URL and the reason', async () => {
    const line = await proxy.logged((l) => l.msg === 'upstream request failed' && l.url === f.path, f.path);
    expect(line).toMatchObject({ level: 40, target: 'legacy', method: 'GET', reason: f.reason, origin: legacy.url });
    expect(warnedAbout(f.path)).toHaveLength(1);
  });

  it('afterwards: legacy answers the next request normally', async () => {
    await f.heal?.();
    f.heal = undefined;
    await servesNormally(f.reason);
  });
});

async function waitLedger(prefix: string, requests: number) {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const t = await proxy.ledger(prefix);
    if (t.requests >= requests || Date.now() > deadline) return t;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('legacy slow (answers late, within timeoutMs)', () => {
  let before = '';
  beforeAll(async () => {
    before = await proxy.metrics();
  });

  it("client: legacy's answer once it comes; no 504 while legacy is still working", async () => {
    const pending = proxy.get('/api/slow/1');
    let settled = false;
    void pending.finally(() => (settled = true));
    const deadline = Date.now() + 3_000;
    while (legacy.held() === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(legacy.held()).toBe(1);
    // Legacy holds the answer for a while, well within its 1 s timeout: the proxy waits with it.
    await new Promise((r) => setTimeout(r, 300));
    expect(settled).toBe(false);
    legacy.releaseSlow();
    const a = await pending;
    expect(a.status).toBe(200);
    expect(a.json).toEqual({ from: 'legacy', url: '/api/slow/1' });
  });

  it('counted: a 2xx of legacy, no upstream error', async () => {
    const answered = { route: '', target: 'legacy', class: '2xx' };
    await proxy.metricAtLeast('strangler_requests_total', answered, metricValue(before, 'strangler_requests_total', answered) + 1);
    const text = await proxy.metrics();
    expect(metricValue(text, 'strangler_upstream_errors_total') - metricValue(before, 'strangler_upstream_errors_total')).toBe(0);
    expect(await waitLedger('/api/slow', 1)).toMatchObject({ requests: 1, '2xx': 1, error: 0 });
  });

  it('logged: nothing, a slow answer is not a failure', () => {
    expect(warnedAbout('/api/slow/1')).toEqual([]);
  });

  it('afterwards: serves normally', () => servesNormally('slow'));
});

describe('legacy answering 10 MB', () => {
  it('client: every byte, in order, with its Content-Length', async () => {
    const a = await proxy.get('/api/big/1', { deadlineMs: 15_000 });
    expect(a.status).toBe(200);
    expect(a.headers.get('content-length')).toBe(String(BIG_BYTES));
    expect(a.body.length).toBe(BIG_BYTES);
    expect(a.sha256).toBe(BIG_SHA256);
  });

  it('counted: one 2xx in the ledger with the 10 MB sent to the client', async () => {
    const t = await waitLedger('/api/big', 1);
    expect(t).toMatchObject({ requests: 1, '2xx': 1, error: 0 });
    expect(t.bytesOut).toBeGreaterThanOrEqual(BIG_BYTES);
  });

  it('logged: nothing', () => {
    expect(warnedAbout('/api/big/1')).toEqual([]);
  });

  it('afterwards: serves normally', () => servesNormally('big'));
});
