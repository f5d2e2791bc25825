import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Pool } from 'undici';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/store/open-database.js';
import { refusedUrl, send, startNamedServer, until, type NamedServer } from './helpers/modes-servers.js';
import { ensureBuilt, REPO, startStrangler, type StranglerProcess } from './helpers/strangler-process.js';

/**
 * `workers: 2`: the built CLI as a real process, a primary and two
 * data-plane workers on one port and one SQLite file. Which worker served
 * a request is read from /metrics (`strangler_worker_requests_total`,
 * per worker), never from a debug header.
 */

const TOKEN = 'test-token-0123456789abcdef';
let legacy: NamedServer;
let svc: NamedServer;
let dir: string;
let file: string;
let proc: StranglerProcess | undefined;

beforeAll(async () => {
  [legacy, svc] = await Promise.all([startNamedServer('legacy'), startNamedServer('svc'), ensureBuilt()]);
}, 180_000);
afterAll(async () => {
  await Promise.all([legacy?.close(), svc?.close()]);
});
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'strangler-workers-'));
  file = path.join(dir, 'strangler.yaml');
});
afterEach(async () => {
  // A test that failed half-way leaves its strangler running: stop it, by pid, and its workers with it.
  if (proc && proc.child.exitCode === null && proc.child.signalCode === null) {
    proc.child.kill('SIGTERM');
    const timer = setTimeout(() => proc!.child.kill('SIGKILL'), 15_000);
    await proc.exited;
    clearTimeout(timer);
  }
  proc = undefined;
  rmSync(dir, { recursive: true, force: true });
});

function ruleText(o: { orders?: string; workers?: string | number; database?: string; down?: string } = {}): string {
  return [
    `listen: "127.0.0.1:1"`,
    `legacy: "${legacy.url}"`,
    `services:`,
    `  svc: "${svc.url}"`,
    ...(o.down ? [`  down: "${o.down}"`] : []),
    `database: ${o.database ?? './ledger.db'}`,
    `workers: ${o.workers ?? 2}`,
    `admin:`,
    `  listen: "127.0.0.1:0"`,
    `  token: "${TOKEN}"`,
    `routes:`,
    `  - name: orders`,
    `    match: { path: /api/orders/** }`,
    `    mode: ${o.orders ?? 'legacy'}`,
    `    service: svc`,
    // The service answers unlike legacy (x-served-by, "by"): every copy differs, and the comparisons and samples are written by both workers.
    `  - name: catalog`,
    `    match: { path: /api/catalog/** }`,
    `    mode: shadow`,
    `    service: svc`,
    `    shadow: { maxPerSecond: 100000, noisePercent: 0 }`,
    ...(o.down ? [`  - name: gone`, `    match: { path: /api/gone/** }`, `    mode: shadow`, `    service: down`, `    shadow: { maxPerSecond: 100000, noisePercent: 0 }`] : []),
    '',
  ].join('\n');
}

async function start(text = ruleText(), args: string[] = []): Promise<StranglerProcess> {
  writeFileSync(file, text);
  proc = await startStrangler(file, 20_000, {}, args);
  return proc;
}

/** The sum of a metric's series (those with all of `labels`) in a /metrics scrape. */
function metric(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+)(\{[^}]*\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    if (Object.entries(labels).every(([k, v]) => (m[2] ?? '').includes(`${k}="${v}"`))) sum += Number(m[3]);
  }
  return sum;
}

async function scrape(p: StranglerProcess): Promise<string> {
  const r = await send('GET', `${p.adminUrl}/metrics`);
  expect(r.status).toBe(200);
  return r.body;
}

/** Requests answered by each worker so far (a restarted worker counts from 0 again). */
async function perWorker(p: StranglerProcess): Promise<[number, number]> {
  const text = await scrape(p);
  return [metric(text, 'strangler_worker_requests_total', { worker: '1' }), metric(text, 'strangler_worker_requests_total', { worker: '2' })];
}

/** `n` requests one after the other, each on a new connection, so the primary deals them to the workers in turn. */
async function freshRequests(p: StranglerProcess, n: number, prefix = '/api/orders/'): Promise<Array<{ status: number; by: string }>> {
  const out: Array<{ status: number; by: string }> = [];
  for (let i = 0; i < n; i++) {
    // Bounded: a request that hangs fails its test in seconds, with the log, instead of at the test's timeout.
    const r = await send('GET', `${p.url}${prefix}${i}`, { signal: AbortSignal.timeout(5_000) });
    out.push({ status: r.status, by: r.by });
  }
  return out;
}

async function logged(p: StranglerProcess, pattern: RegExp, what: string, timeoutMs = 5_000): Promise<RegExpExecArray> {
  let found: RegExpExecArray | null = null;
  await until(() => (found = pattern.exec(p.output())) !== null, `${what}\n${p.output()}`, timeoutMs);
  return found!;
}

async function admin(p: StranglerProcess, method: string, urlPath: string, body: unknown): Promise<{ status: number; json: unknown }> {
  const r = await send(method, `${p.adminUrl}${urlPath}`, {
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: r.status, json: JSON.parse(r.body) };
}

/** Whether a process runs; a zombie nobody reaped yet (the primary is gone) does not. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

const LOCK_ERRORS = /SQLITE_BUSY|database is locked|could not be written/;

describe('workers: 2', () => {
  it('serves from both workers, /metrics adds them up, and after SIGTERM the ledger holds every answered request', { timeout: 90_000 }, async () => {
    const p = await start();
    expect(p.output()).toContain('with 2 workers');

    // Keep-alive connections are dealt to the workers in turn; each worker keeps its own.
    const pool = new Pool(p.url, { connections: 10, pipelining: 1 });
    const paths = (i: number) => [`/api/orders/${i}`, `/api/catalog/items/${i % 7}`, `/health`, `/api/customers/${i % 40}/invoices`][i % 4]!;
    let answered = 0;
    await Promise.all(
      Array.from({ length: 10 }, async (_, c) => {
        for (let i = c; i < 400; i += 10) {
          const res = await pool.request({ method: 'GET', path: paths(i) });
          await res.body.text();
          answered++;
        }
      }),
    );
    expect(answered).toBe(400);
    const text = await scrape(p);
    const [w1, w2] = [metric(text, 'strangler_worker_requests_total', { worker: '1' }), metric(text, 'strangler_worker_requests_total', { worker: '2' })];
    expect(w1, text).toBeGreaterThan(0);
    expect(w2, text).toBeGreaterThan(0);
    expect(w1 + w2).toBe(400);
    expect(metric(text, 'strangler_requests_total')).toBe(400);
    expect(metric(text, 'strangler_requests_total', { route: 'catalog' })).toBe(100);
    expect(metric(text, 'strangler_request_duration_seconds_count')).toBe(400);
    expect(metric(text, 'strangler_workers')).toBe(2);
    // CPU of the whole proxy: more than the primary alone, which forwards no request.
    expect(metric(text, 'strangler_process_cpu_seconds_total')).toBeGreaterThan(0);

    // Then under load, SIGTERM: every worker drains and writes its ledger before the primary exits.
    let stopSending = false;
    let failed = 0;
    const loaders = Array.from({ length: 10 }, async (_, c) => {
      for (let i = c; !stopSending; i += 10) {
        try {
          const res = await pool.request({ method: 'GET', path: paths(i) });
          await res.body.text();
          answered++;
        } catch {
          failed++;
          return;
        }
      }
    });
    await until(() => answered >= 1_500, 'traffic under load', 20_000, 5);
    p.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 20));
    stopSending = true;
    await Promise.all(loaders);
    await pool.close();
    const exit = await p.exited;
    expect(exit, p.output()).toEqual({ code: 0, signal: null });
    expect(p.output()).not.toMatch(LOCK_ERRORS);

    const db = openDatabase(path.join(dir, 'ledger.db'));
    const recorded = db.prepare(`SELECT SUM(requests) AS n FROM traffic_minutes`).get() as { n: number };
    const samplesPerSignature = db.prepare(`SELECT MAX(n) AS most FROM (SELECT COUNT(*) AS n FROM samples GROUP BY endpoint_id, signature)`).get() as { most: number };
    const compared = db.prepare(`SELECT COUNT(*) AS n FROM comparisons`).get() as { n: number };
    db.close();
    console.log(`workers: 2 under load: ${answered} answered, ${failed} refused after SIGTERM, ${recorded.n} in the ledger, ${compared.n} comparisons`);
    expect(recorded.n).toBe(answered);
    // Both workers compared copies of the same endpoint; between them they kept 5 samples per signature, not 5 each.
    expect(compared.n).toBeGreaterThan(10);
    expect(samplesPerSignature.most).toBe(5);
  });

  it('keeps 5 samples per endpoint and signature between all workers, not 5 each', { timeout: 60_000 }, async () => {
    const p = await start();
    const db = openDatabase(path.join(dir, 'ledger.db'), { migrate: false });
    try {
      const comparisons = () => (db.prepare(`SELECT COUNT(*) AS n FROM comparisons`).get() as { n: number }).n;
      // A copy to each worker, then wait for both to write it: each worker writes a batch with a sample in it again and again.
      for (let round = 1; round <= 6; round++) {
        await freshRequests(p, 2, `/api/catalog/items/`);
        await until(() => comparisons() === 2 * round, `the comparisons of round ${round}`, 5_000);
      }
      const samples = db.prepare(`SELECT endpoint_id, signature, COUNT(*) AS n FROM samples GROUP BY endpoint_id, signature`).all();
      expect(samples).toEqual([{ endpoint_id: expect.any(Number), signature: expect.any(String), n: 5 }]);
    } finally {
      db.close();
    }
  });

  it('puts a rule-file change, an admin mode change and a restore in force in every worker within a second', { timeout: 60_000 }, async () => {
    const p = await start(ruleText({ orders: 'legacy' }));
    expect((await freshRequests(p, 4)).map((r) => r.by)).toEqual(['legacy', 'legacy', 'legacy', 'legacy']);

    /** After a change: every worker confirmed it within a second, and 20 requests, dealt to both workers, all see it. */
    const inForceEverywhere = async (revision: number, by: string) => {
      const m = await logged(p, new RegExp(`revision ${revision} is in force in every worker \\(2, (\\d+) ms after it was stored\\)`), `revision ${revision} in every worker`);
      expect(Number(m[1])).toBeLessThan(1_000);
      const before = await perWorker(p);
      const answers = await freshRequests(p, 20);
      const after = await perWorker(p);
      expect(answers.filter((a) => a.by !== by)).toEqual([]);
      expect(after[0] - before[0], 'requests worker 1 answered').toBeGreaterThan(0);
      expect(after[1] - before[1], 'requests worker 2 answered').toBeGreaterThan(0);
    };

    writeFileSync(file, ruleText({ orders: 'service' }));
    await inForceEverywhere(2, 'svc');

    const rollback = await admin(p, 'POST', '/api/routes/orders/mode', { mode: 'legacy', reason: 'back to the monolith' });
    expect(rollback).toMatchObject({ status: 200, json: { revision: 3 } });
    await inForceEverywhere(3, 'legacy');

    const restore = await admin(p, 'POST', '/api/revisions/2/restore', { reason: 'service again', force: true });
    expect(restore).toMatchObject({ status: 200, json: { revision: 4, restored: 2 } });
    await inForceEverywhere(4, 'svc');
    expect(p.output()).not.toMatch(LOCK_ERRORS);
  });

  it('replaces a killed worker with one on the rules in force, and keeps serving meanwhile', { timeout: 60_000 }, async () => {
    const p = await start(ruleText({ orders: 'legacy' }));
    const pid1 = Number((await logged(p, /data-plane worker 1 started \(pid (\d+)\)/, 'worker 1 started'))[1]);
    // A change made before the crash: the replacement must start on it, not on the file's first revision.
    expect((await admin(p, 'POST', '/api/routes/orders/mode', { mode: 'service', reason: 'move', force: true })).status).toBe(200);
    await logged(p, /revision 2 is in force in every worker/, 'revision 2 in every worker');

    process.kill(pid1, 'SIGKILL');
    // Fired at the moment of the crash: each is answered, or (dealt to the dead worker before the primary noticed) ended
    // within about a second; none is left hanging.
    const atCrash = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        send('GET', `${p.url}/api/orders/crash-${i}`, { signal: AbortSignal.timeout(5_000) }).then(
          (r) => String(r.status),
          (err: Error) => (err.name === 'AbortError' || err.name === 'TimeoutError' ? 'hung' : 'ended'),
        ),
      ),
    );
    expect(atCrash.filter((r) => r === 'hung')).toEqual([]);
    console.log(`at the crash: ${atCrash.filter((r) => r === '200').length} answered, ${atCrash.filter((r) => r === 'ended').length} ended`);
    await logged(p, new RegExp(`data-plane worker 1 \\(pid ${pid1}\\) exited with signal SIGKILL; restarting it in \\d+ ms`), 'the exit logged');
    // Worker 2 holds the port: requests go on being answered while worker 1 is coming back.
    const during = await freshRequests(p, 20);
    expect(during.filter((r) => r.status !== 200)).toEqual([]);

    const pid1b = Number((await logged(p, /data-plane worker 1 is back \(pid (\d+)\)/, 'worker 1 back'))[1]);
    expect(pid1b).not.toBe(pid1);

    const answers = await freshRequests(p, 20);
    expect(answers.filter((r) => r.status !== 200 || r.by !== 'svc')).toEqual([]);
    const text = await scrape(p);
    expect(metric(text, 'strangler_worker_requests_total', { worker: '1' }), 'requests the replacement answered').toBeGreaterThan(0);
    expect(metric(text, 'strangler_worker_restarts_total')).toBe(1);
    expect(metric(text, 'strangler_workers')).toBe(2);

    p.child.kill('SIGTERM');
    expect(await p.exited).toEqual({ code: 0, signal: null });
  });

  it('leaves no worker behind when the primary is killed, and they write what they had folded', { timeout: 60_000 }, async () => {
    const p = await start();
    const pids = await Promise.all([1, 2].map(async (n) => Number((await logged(p, new RegExp(`data-plane worker ${n} started \\(pid (\\d+)\\)`), `worker ${n}`))[1])));
    const answers = await freshRequests(p, 10);
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(200));
    p.child.kill('SIGKILL');
    await p.exited;
    await until(() => pids.every((pid) => !alive(pid)), 'both workers to exit', 10_000);
    const db = openDatabase(path.join(dir, 'ledger.db'), { migrate: false });
    const recorded = db.prepare(`SELECT SUM(requests) AS n FROM traffic_minutes`).get() as { n: number };
    db.close();
    expect(recorded.n).toBe(10);
  });

  it('a shadow service refusing every copy is paused in each worker; GET /api/shadow/paused says in how many', { timeout: 60_000 }, async () => {
    const p = await start(ruleText({ down: await refusedUrl() }));
    const paused = async () => (await admin(p, 'GET', '/api/shadow/paused', undefined)).json as { paused: Array<{ target: string; processes: number }> };
    expect(await paused()).toEqual({ paused: [] });
    // Fresh connections alternate between the workers: 7 refused copies each, and each worker's lane opens at its fifth in a row.
    expect((await freshRequests(p, 14, '/api/gone/')).every((r) => r.status === 200 && r.by === 'legacy')).toBe(true);
    await until(async () => (await paused()).paused[0]?.processes === 2, 'both workers to pause the copies');
    expect(await paused()).toEqual({ paused: [{ target: 'down', processes: 2 }] });
    expect(metric(await scrape(p), 'strangler_shadow_circuit_open', { target: 'down' })).toBe(2);
  });

  it('--workers 1 keeps one process, with no cluster, whatever the file says', { timeout: 30_000 }, async () => {
    const p = await start(ruleText({ workers: 2 }), ['--workers', '1']);
    expect((await freshRequests(p, 3)).map((r) => r.status)).toEqual([200, 200, 200]);
    const text = await scrape(p);
    expect(metric(text, 'strangler_requests_total')).toBe(3);
    expect(text).not.toContain('strangler_worker_requests_total');
    p.child.kill('SIGTERM');
    expect(await p.exited).toEqual({ code: 0, signal: null });
    expect(p.output()).not.toContain('data-plane worker');
    expect(p.output()).not.toContain('with 2 workers');
  });
});

describe('workers: 2 that cannot start', () => {
  /** `strangler start` expected to fail: its exit code and what it wrote. */
  async function failedStart(text: string, listen: string): Promise<{ code: number | null; output: string }> {
    writeFileSync(file, text);
    const child = spawn(process.execPath, [path.join(REPO, 'bin/strangler.js'), 'start', '-c', file, '--listen', listen], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    clearTimeout(timer);
    return { code, output };
  }

  it('exits 1 and says why when the data-plane port is taken, instead of restarting workers forever', { timeout: 30_000 }, async () => {
    const busy = net.createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = busy.address() as AddressInfo;
      const r = await failedStart(ruleText(), `127.0.0.1:${port}`);
      expect(r.code, r.output).toBe(1);
      expect(r.output).toMatch(/strangler: data-plane worker \d could not start: .*EADDRINUSE/);
      expect(r.output).not.toContain('restarting it');
    } finally {
      await new Promise((resolve) => busy.close(resolve));
    }
  });

  it('refuses a :memory: database, which workers cannot share', { timeout: 30_000 }, async () => {
    const r = await failedStart(ruleText({ database: '":memory:"' }), '127.0.0.1:0');
    expect(r.code, r.output).toBe(1);
    expect(r.output).toContain('strangler: database :memory: cannot be shared by 2 workers; name a file, or set workers: 1');
  });
});
