import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Pool, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/store/open-database.js';
import { LATEST_VERSION, schemaVersion } from '../src/store/migrations.js';
import { ensureBuilt, startLegacy, startStrangler, writeRuleFile, type StranglerProcess } from './helpers/strangler-process.js';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

let dir: string;
let legacy: Awaited<ReturnType<typeof startLegacy>>;
beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'strangler-crash-'));
  legacy = await startLegacy();
  await ensureBuilt();
}, 180_000);
/** Every proxy this file starts, so a failed assertion never leaves one running. */
const started: Array<{ child: { exitCode: number | null; signalCode: string | null; kill(signal: NodeJS.Signals): boolean } }> = [];
afterAll(async () => {
  for (const p of started) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  await legacy?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** 50 concurrent clients for at most `ms`, over many endpoints, until told to stop or the proxy goes away. */
function load(url: string, ms: number) {
  const pool = new Pool(url, { connections: 50 });
  let answered = 0;
  let stop = false;
  const until = Date.now() + ms;
  const worker = async (w: number) => {
    for (let i = 0; !stop && Date.now() < until; i++) {
      const paths = [`/api/orders/${w * 1_000_000 + i}`, `/api/orders/${i}/items`, `/api/customers/${i % 300}/invoices`, `/v${i % 40}/thing`, `/api/missing/${i}`];
      try {
        const res = await pool.request({ method: i % 7 === 0 ? 'POST' : 'GET', path: paths[i % paths.length]!, body: i % 7 === 0 ? 'x'.repeat(200) : undefined });
        await res.body.text();
        answered++;
      } catch {
        return;
      }
    }
  };
  const done = Promise.all(Array.from({ length: 50 }, (_, w) => worker(w)));
  return {
    answered: () => answered,
    async finish() {
      stop = true;
      await done;
      await pool.destroy();
    },
  };
}

function integrity(file: string): { check: string; requests: number } {
  // A plain connection first: the file as the crash left it, recovered from its WAL by SQLite alone.
  const raw = new BetterSqlite3(file);
  const check = raw.pragma('integrity_check', { simple: true }) as string;
  const fk = raw.pragma('foreign_key_check') as unknown[];
  expect(fk).toEqual([]);
  raw.close();
  const db = openDatabase(file);
  expect(schemaVersion(db)).toBe(LATEST_VERSION);
  const { n } = db.prepare(`SELECT COALESCE(SUM(requests), 0) AS n FROM traffic_minutes`).get() as { n: number };
  db.close();
  return { check, requests: n };
}

async function serves(p: StranglerProcess): Promise<void> {
  const res = await request(`${p.url}/api/orders/42`);
  expect(res.statusCode).toBe(200);
  expect(await res.body.json()).toEqual({ from: 'legacy', method: 'GET', url: '/api/orders/42' });
}

describe('a kill -9 under load', () => {
  it('leaves a ledger that passes integrity_check and that the proxy starts on again, three times over', { timeout: 60_000 }, async () => {
    const ruleFile = writeRuleFile(dir, legacy.url);
    const dbFile = path.join(dir, 'ledger.db');
    let recordedBefore = 0;
    let answeredTotal = 0;

    for (let round = 1; round <= 3; round++) {
      const proc = await startStrangler(ruleFile);
      started.push(proc);
      await serves(proc);
      const traffic = load(proc.url, 2_000);
      // Kill somewhere in the middle of the load, at a different point each round, after the ledger's first write was due (every 500 ms).
      const killAfter = 700 + round * 300;
      await sleep(killAfter);
      expect(traffic.answered()).toBeGreaterThan(0);
      proc.child.kill('SIGKILL');
      const exit = await proc.exited;
      expect(exit.signal).toBe('SIGKILL');
      await traffic.finish();
      answeredTotal += traffic.answered() + 1;

      const { check, requests } = integrity(dbFile);
      expect(check).toBe('ok');
      // Whatever the crash lost, it never invents traffic, and what was written before stays.
      expect(requests).toBeGreaterThan(recordedBefore);
      expect(requests).toBeLessThanOrEqual(answeredTotal + 50 * round);
      console.log(`round ${round}: killed after ${killAfter} ms, ${traffic.answered()} answered; ledger holds ${requests} of ${answeredTotal} so far`);
      recordedBefore = requests;
    }

    // After three crashes: it starts, serves, keeps its revision, and stops cleanly.
    const proc = await startStrangler(ruleFile);
    started.push(proc);
    await serves(proc);
    expect(proc.output()).toContain('the rule file is unchanged: revision 1');
    proc.child.kill('SIGTERM');
    expect(await proc.exited).toEqual({ code: 0, signal: null });
    const last = integrity(dbFile);
    expect(last.check).toBe('ok');
    expect(last.requests).toBe(recordedBefore + 1);
  });
});
