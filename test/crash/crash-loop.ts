import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Pool } from 'undici';
import { DEFAULT_PERSIST_MS } from '../../src/progress/traffic-ledger.js';
import { DEFAULT_INTERVAL_MS } from '../../src/store/batched-writer.js';
import { ensureBuilt, startStrangler, type StranglerProcess } from '../helpers/strangler-process.js';

/**
 * Crash safety, measured: load through a shadowing proxy (the built
 * `strangler` command as a child process, with a real legacy and a real
 * service), SIGKILL at a random moment, restart on the same database, and
 * each time check that
 *
 *  1. the file passes `PRAGMA integrity_check` (and `foreign_key_check`),
 *     opened by SQLite alone, as the crash left it;
 *  2. at most one writer batch of traffic records was lost;
 *  3. the proxy serves again, a legacy path and a shadowed one.
 *
 * What "one batch" is. The ledger (src/progress/traffic-ledger.ts) folds
 * queued records in memory every `DEFAULT_INTERVAL_MS` (or 100 records) and
 * writes what it folded in one transaction every `DEFAULT_PERSIST_MS`. One
 * writer batch is one such transaction, so what a crash can take is what
 * was answered since the last one committed: the answers of the last
 * `DEFAULT_PERSIST_MS + DEFAULT_INTERVAL_MS` before the kill, plus
 * `TIMER_SLACK_MS` for timers that fire late on a busy machine, plus one
 * exchange per client connection finishing in the turn of the kill. The
 * client keeps the time of every answer, and that count is the bound
 * asserted, kill by kill.
 *
 * How it is counted. A request counts as sent when the client has read its
 * whole answer; landed is the growth of `SUM(requests)` in
 * `traffic_minutes` over the proxy's life. lost = sent − landed. It can be
 * negative, down to −clients: an answer written and recorded whose last
 * bytes the client had not read when the process died.
 */

/** Timers on a loaded 2-core machine fire this much late, at most, in practice. */
const TIMER_SLACK_MS = 250;
export const BATCH_WINDOW_MS = DEFAULT_PERSIST_MS + DEFAULT_INTERVAL_MS + TIMER_SLACK_MS;

export interface CrashFigures {
  iteration: number;
  killAfterMs: number;
  sent: number;
  landed: number;
  lost: number;
  /** One writer batch for this kill: answers in the last BATCH_WINDOW_MS before it, plus one per client. */
  batch: number;
  /** From spawning the process to the first answer it served. */
  serveAgainMs: number;
  integrity: string;
}

export interface CrashLoopResult {
  figures: CrashFigures[];
  clients: number;
  /** After the last kill: one clean start and stop, and what the ledger then holds against all that was sent. */
  final: { integrity: string; sent: number; landed: number };
}

const TOKEN = 'crash-loop-token-0123456789abcdef';

async function upstream(name: string): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const body = JSON.stringify({ from: name, id: req.url });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** `clients` connections, each with one request in flight at a time, until stopped or the proxy dies. */
function load(url: string, clients: number) {
  const pool = new Pool(url, { connections: clients, pipelining: 1 });
  let sent = 0;
  /** When each answer was read in full (performance.now()). */
  const answeredAt: number[] = [];
  let stop = false;
  const worker = async (w: number) => {
    for (let i = 0; !stop; i++) {
      const paths = [`/api/orders/${i % 500}`, `/api/users/${w}/${i % 50}`, `/legacy/page/${i % 200}`, `/static/${i % 30}.css`];
      const post = i % 9 === 0;
      try {
        const res = await pool.request({ method: post ? 'POST' : 'GET', path: post ? `/legacy/forms/${i}` : paths[i % paths.length]!, body: post ? 'a=1&b=2' : undefined });
        await res.body.arrayBuffer();
        if (res.statusCode === 200) {
          sent++;
          answeredAt.push(performance.now());
        }
      } catch {
        return;
      }
    }
  };
  const done = Promise.all(Array.from({ length: clients }, (_, w) => worker(w)));
  return {
    sent: () => sent,
    /** Answers read in full at or after `since`. */
    since(t: number): number {
      // Pushed in time order: count back from the newest.
      let n = 0;
      for (let i = answeredAt.length - 1; i >= 0 && answeredAt[i]! >= t; i--) n++;
      return n;
    },
    async finish() {
      stop = true;
      await done;
      await pool.destroy().catch(() => undefined);
    },
  };
}

/** integrity_check and the traffic recorded, from a plain SQLite connection on the file as it is. */
function inspect(file: string): { integrity: string; requests: number } {
  const db = new BetterSqlite3(file);
  try {
    const integrity = db.pragma('integrity_check', { simple: true }) as string;
    const fk = db.pragma('foreign_key_check') as unknown[];
    const { n } = db.prepare('SELECT COALESCE(SUM(requests), 0) AS n FROM traffic_minutes').get() as { n: number };
    return { integrity: fk.length ? `${integrity}; ${fk.length} foreign key violations` : integrity, requests: n };
  } finally {
    db.close();
  }
}

/** Starts the proxy and waits for its first answer; returns it with the time that took and the requests it served. */
async function startAndServe(ruleFile: string): Promise<{ proc: StranglerProcess; ms: number; served: number }> {
  const t0 = performance.now();
  const proc = await startStrangler(ruleFile);
  let ms = 0;
  const probes = ['/legacy/probe', '/api/orders/probe'];
  for (const p of probes) {
    const res = await fetch(proc.url + p);
    const body = (await res.json()) as { from: string };
    if (res.status !== 200 || body.from !== 'legacy') throw new Error(`after a restart ${p} answered ${res.status} ${JSON.stringify(body)}`);
    ms ||= performance.now() - t0;
  }
  return { proc, ms, served: probes.length };
}

export async function crashLoop(o: { iterations: number; clients?: number; log?: (line: string) => void; random?: () => number }): Promise<CrashLoopResult> {
  const clients = o.clients ?? 16;
  const log = o.log ?? (() => undefined);
  const random = o.random ?? Math.random;
  const dir = mkdtempSync(path.join(tmpdir(), 'strangler-crash-loop-'));
  const [legacy, service] = await Promise.all([upstream('legacy'), upstream('users'), ensureBuilt()]);
  const running: StranglerProcess[] = [];
  try {
    const ruleFile = path.join(dir, 'strangler.yaml');
    writeFileSync(
      ruleFile,
      [
        `legacy: ${legacy.url}`,
        'database: ./ledger.db',
        'admin:',
        '  listen: "127.0.0.1:0"',
        `  token: ${TOKEN}`,
        'services:',
        `  users: ${service.url}`,
        'routes:',
        '  - name: api',
        '    match: { path: /api/** }',
        '    mode: shadow',
        '    service: users',
        '    shadow: { percent: 100, noisePercent: 10, maxPerSecond: 100000 }',
        '',
      ].join('\n'),
    );
    const dbFile = path.join(dir, 'ledger.db');
    log(`crash loop: ${o.iterations} kills, ${clients} clients; one writer batch = the answers of the last ${BATCH_WINDOW_MS} ms before the kill (folded every ${DEFAULT_INTERVAL_MS} ms, written every ${DEFAULT_PERSIST_MS} ms, ${TIMER_SLACK_MS} ms for late timers) + ${clients}, one per client`);
    const figures: CrashFigures[] = [];
    let landedBefore = 0;
    let sentTotal = 0;
    for (let iteration = 1; iteration <= o.iterations; iteration++) {
      const { proc, ms, served } = await startAndServe(ruleFile);
      running.push(proc);
      const traffic = load(proc.url, clients);
      // Past one write window, so that what was answered before it must have landed: a ledger that never wrote would fail the bound.
      const killAfterMs = Math.round(BATCH_WINDOW_MS + 200 + random() * 1000);
      await new Promise((r) => setTimeout(r, killAfterMs));
      if (traffic.sent() === 0) throw new Error(`iteration ${iteration}: no request answered in ${killAfterMs} ms before the kill`);
      const killedAt = performance.now();
      proc.child.kill('SIGKILL');
      const batch = traffic.since(killedAt - BATCH_WINDOW_MS) + clients;
      const exit = await proc.exited;
      if (exit.signal !== 'SIGKILL') throw new Error(`iteration ${iteration}: the proxy ended with ${JSON.stringify(exit)}, not SIGKILL`);
      await traffic.finish();
      const sent = served + traffic.sent();
      sentTotal += sent;
      const { integrity, requests } = inspect(dbFile);
      const landed = requests - landedBefore;
      landedBefore = requests;
      const f: CrashFigures = { iteration, killAfterMs, sent, landed, lost: sent - landed, batch, serveAgainMs: Math.round(ms), integrity };
      figures.push(f);
      log(`kill ${String(iteration).padStart(2)}: after ${String(killAfterMs).padStart(4)} ms; sent ${String(sent).padStart(5)}, landed ${String(landed).padStart(5)}, lost ${String(f.lost).padStart(4)} (one batch: ${String(batch).padStart(4)}); served again ${String(f.serveAgainMs).padStart(4)} ms after spawn; integrity_check ${integrity}`);
    }
    // After the last crash: a clean life, SIGTERM, and nothing lost.
    const { proc, served } = await startAndServe(ruleFile);
    running.push(proc);
    proc.child.kill('SIGTERM');
    const exit = await proc.exited;
    if (exit.code !== 0) throw new Error(`the clean stop ended with ${JSON.stringify(exit)}`);
    const last = inspect(dbFile);
    const final = { integrity: last.integrity, sent: served, landed: last.requests - landedBefore };
    const lost = figures.map((f) => f.lost);
    log(
      `lost per kill: min ${Math.min(...lost)}, max ${Math.max(...lost)}, mean ${(lost.reduce((a, b) => a + b, 0) / lost.length).toFixed(1)}; one batch per kill: ${figures.map((f) => f.batch).join(', ')}; ` +
        `served again after spawn: max ${Math.max(...figures.map((f) => f.serveAgainMs))} ms; clean restart and SIGTERM: ${final.landed} of ${final.sent} landed, integrity_check ${final.integrity}; ${sentTotal + served} requests in all`,
    );
    return { figures, clients, final };
  } finally {
    for (const p of running) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    await legacy.close();
    await service.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
