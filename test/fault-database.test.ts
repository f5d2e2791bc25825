import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/store/open-database.js';
import { metricValue, startFaultProxy, until, type FaultProxy, type LogRecord } from './helpers/fault-proxy.js';
import { startLegacy } from './helpers/strangler-process.js';

/**
 * Fault suite, the ledger's database, under a real `strangler start`:
 *
 * - read-only: the immutable attribute (`chattr +i`) on the database file
 *   and its WAL. Tests run as root, for whom permission bits are no
 *   obstacle and an open file descriptor keeps its write access anyway;
 *   the immutable attribute is checked by the kernel at every write, for
 *   root too, so SQLite's next write really fails (SQLITE_IOERR_WRITE).
 *   Skipped, saying so, where the file system or the user cannot set it.
 * - locked: a second connection (this test's) holds an exclusive lock, as
 *   another process writing the file would; the proxy's writes find the
 *   database busy.
 * - full: `PRAGMA max_page_count` capped at the file's size at start
 *   (STRANGLER_TEST_MAX_PAGE_COUNT, read by `strangler start` for tests
 *   only), with room made afterwards by dropping a filler table, as an
 *   operator freeing space would; SQLite answers SQLITE_FULL meanwhile.
 *
 * For each, the four answers: clients are served by legacy as usual and
 * never wait on the disk; the failed batches and the records they held are
 * counted in /metrics; the log says so once per episode, naming the
 * database (not once per batch); and when the fault clears, writes resume
 * and new traffic reaches the ledger.
 */

/** True where `chattr +i` really stops this process writing a file in the temp folder. */
function immutableWorks(): boolean {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'strangler-chattr-'));
  const file = path.join(dir, 'probe');
  writeFileSync(file, 'x');
  try {
    if (spawnSync('chattr', ['+i', file]).status !== 0) return false;
    try {
      appendFileSync(file, 'y');
      return false;
    } catch {
      return true;
    }
  } finally {
    spawnSync('chattr', ['-i', file]);
    rmSync(dir, { recursive: true, force: true });
  }
}
const IMMUTABLE = immutableWorks();
if (!IMMUTABLE) console.warn('fault-database: chattr +i does not stop writes here (not root, or a file system without it); the read-only case is skipped');

let legacy: Awaited<ReturnType<typeof startLegacy>>;
beforeAll(async () => {
  legacy = await startLegacy();
});
afterAll(async () => {
  await legacy?.close();
});

/** Requests the client must get legacy's answer to, in rounds, until `enough` holds; each answer within 3 s. */
async function trafficUntil(proxy: FaultProxy, tag: string, enough: () => Promise<boolean>, rounds = 40): Promise<number> {
  let sent = 0;
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < 5; i++, sent++) {
      const url = `/${tag}/item-${sent}`;
      const a = await proxy.get(url, { deadlineMs: 3_000 });
      expect(a.status).toBe(200);
      expect(a.json).toEqual({ from: 'legacy', method: 'GET', url });
    }
    if (await enough()) return sent;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${tag}: the fault never showed in /metrics after ${sent} requests`);
}

const ledgerErrors = (proxy: FaultProxy, from: number): LogRecord[] =>
  proxy
    .logs()
    .slice(from)
    .filter((l) => l.database === proxy.dbFile && (l.level ?? 0) >= 50 && String(l.msg).startsWith('ledger writes'));

interface DatabaseFault {
  fault: string;
  /** What SQLite says, in the log line. */
  cause: RegExp;
  run: boolean;
  /** A full file may still hold one small revision in the free space of its pages: then the change is made, rightly. */
  changeMayFit?: boolean;
  start: () => Promise<FaultProxy>;
  provoke: (proxy: FaultProxy) => void;
  heal: (proxy: FaultProxy) => void;
}

let lock: BetterSqlite3.Database | undefined;

/**
 * Every request shadowed to a twin of legacy: each adds a comparison row, so
 * the ledger keeps growing as a shadowing one does; and there is a route
 * whose mode an operator may try to change during the fault.
 */
const RULES = () =>
  `legacy: ${legacy.url}\nservices:\n  twin: ${legacy.url}\nroutes:\n  - name: all\n    match: { path: "/**" }\n    mode: shadow\n    service: twin\n    shadow: { noisePercent: 0 }\n`;

const FAULTS: DatabaseFault[] = [
  {
    fault: 'made read-only (chattr +i on the file and its WAL)',
    cause: /disk I\/O error|SQLITE_IOERR/,
    run: IMMUTABLE,
    start: () => startFaultProxy(RULES()),
    provoke: (p) => {
      for (const f of [p.dbFile, `${p.dbFile}-wal`]) expect(spawnSync('chattr', ['+i', f]).status).toBe(0);
    },
    heal: (p) => {
      for (const f of [p.dbFile, `${p.dbFile}-wal`]) if (existsSync(f)) spawnSync('chattr', ['-i', f]);
    },
  },
  {
    fault: 'locked by another process (an exclusive lock held on a second connection)',
    cause: /database is locked|SQLITE_BUSY/,
    run: true,
    start: () => startFaultProxy(RULES()),
    provoke: (p) => {
      lock = new BetterSqlite3(p.dbFile);
      lock.pragma('busy_timeout = 2000');
      lock.exec('BEGIN EXCLUSIVE');
    },
    heal: () => {
      if (lock?.inTransaction) lock.exec('COMMIT');
      lock?.close();
      lock = undefined;
    },
  },
  {
    fault: 'full (max_page_count reached)',
    cause: /database or disk is full|SQLITE_FULL/,
    run: true,
    changeMayFit: true,
    start: () =>
      startFaultProxy(RULES(), {
        env: { STRANGLER_TEST_MAX_PAGE_COUNT: '1' },
        // A ledger with room held by a filler table, so that dropping it frees pages the capped file can reuse.
        beforeStart: (dir) => {
          const db = openDatabase(path.join(dir, 'ledger.db'));
          db.exec('CREATE TABLE filler (blob BLOB)');
          const insert = db.prepare('INSERT INTO filler VALUES (?)');
          for (let i = 0; i < 32; i++) insert.run(Buffer.alloc(16 * 1024, i));
          db.close();
        },
      }),
    provoke: () => undefined,
    heal: (p) => {
      const db = new BetterSqlite3(p.dbFile);
      db.pragma('busy_timeout = 5000');
      db.exec('DROP TABLE IF EXISTS filler');
      db.close();
    },
  },
];

describe.each(FAULTS)('database $fault', (f) => {
  let proxy: FaultProxy;
  let before = '';
  let logFrom = 0;
  /** A word for the fault in request paths: /during-full/item-3. */
  const name = f.fault.split(' ')[0]!.replace(/\W/g, '');

  beforeAll(async () => {
    if (!f.run) return;
    proxy = await f.start();
    // The ledger works before the fault.
    await proxy.get('/api/warm-up/1');
    await proxy.metricAtLeast('strangler_ledger_records_written', {}, 1);
    before = await proxy.metrics();
    logFrom = proxy.logs().length;
    f.provoke(proxy);
  }, 60_000);

  afterAll(async () => {
    if (!f.run) return;
    // Whatever happened, the process goes and the folder with it.
    try {
      if (proxy) f.heal(proxy);
    } finally {
      await proxy?.close();
    }
  });

  it.runIf(f.run)('client: every request is answered by legacy as usual, never waiting on the disk', async () => {
    // Until at least two batches have failed: enough to see that the log is not written per batch.
    await trafficUntil(proxy, `during-${name}`, async () => (await proxy.metric('strangler_ledger_batches_failed')) >= metricValue(before, 'strangler_ledger_batches_failed') + 2);
  });

  it.runIf(f.run)('counted: strangler_ledger_batches_failed and strangler_ledger_records_dropped rise; the requests themselves are counted as usual', async () => {
    const text = await proxy.metrics();
    expect(metricValue(text, 'strangler_ledger_batches_failed') - metricValue(before, 'strangler_ledger_batches_failed')).toBeGreaterThanOrEqual(2);
    expect(metricValue(text, 'strangler_ledger_records_dropped')).toBeGreaterThan(metricValue(before, 'strangler_ledger_records_dropped'));
    const answered = { target: 'legacy', class: '2xx' };
    expect(metricValue(text, 'strangler_requests_total', answered) - metricValue(before, 'strangler_requests_total', answered)).toBeGreaterThanOrEqual(10);
  });

  it.runIf(f.run)('logged: one error naming the database and the cause, not one per failed batch', () => {
    const lines = ledgerErrors(proxy, logFrom);
    expect(lines).toHaveLength(1);
    expect(lines[0]!.msg).toContain(proxy.dbFile);
    expect(String(lines[0]!.err)).toMatch(f.cause);
  });

  it.runIf(f.run)('admin: a change is refused with 503 naming the database, the rules in force stay, and clients are not held up meanwhile', async () => {
    const revision = (await proxy.admin('/healthz')).json.revision as number;
    const [change, client] = await Promise.all([
      proxy.admin('/api/routes/all/mode', { method: 'POST', body: JSON.stringify({ mode: 'legacy', reason: 'during the fault' }) }),
      // Sent while the admin request is being handled: it must not wait for the database.
      new Promise((r) => setTimeout(r, 20)).then(() => proxy.get(`/during-${name}/while-admin`, { deadlineMs: 3_000 })),
    ]);
    expect(client.status).toBe(200);
    if (f.changeMayFit && change.status === 200) {
      expect((await proxy.admin('/api/routes')).json.routes[0].mode).toBe('legacy');
      return;
    }
    expect(change.status).toBe(503);
    expect(change.json).toMatchObject({ error: 'the database cannot be written; nothing was changed' });
    expect(change.json.errors[0].message).toContain(proxy.dbFile);
    expect(change.json.errors[0].message).toMatch(f.cause);
    expect((await proxy.admin('/healthz')).json.revision).toBe(revision);
    expect((await proxy.admin('/api/routes')).json.routes[0].mode).toBe('shadow');
    const line = await proxy.logged((l) => l.msg === 'admin change failed: the database cannot be written', 'the failed change');
    expect(line).toMatchObject({ level: 50, database: proxy.dbFile });
  });

  it.runIf(f.run)('rule file: an edit during the fault is not applied (its revision cannot be stored), the log says it will be retried, and the rules in force stay', async () => {
    const from = proxy.logs().length;
    writeFileSync(proxy.ruleFile, readFileSync(proxy.ruleFile, 'utf8').replace('mode: shadow', 'mode: legacy'));
    const line = await until(
      () => proxy.logs().slice(from).find((l) => String(l.msg).startsWith('rule file valid but could not be applied') || l.msg === 'rules reloaded'),
      'the edit refused or applied in the log',
    );
    if (f.changeMayFit && line.msg === 'rules reloaded') return;
    expect(line).toMatchObject({ level: 50, file: proxy.ruleFile });
    expect(String(line.msg)).toContain('retrying');
    expect((await proxy.admin('/api/routes')).json.routes[0].mode).toBe('shadow');
  });

  it.runIf(f.run)('afterwards: once the fault clears, writes resume, new traffic reaches the ledger, and the log says so', async () => {
    const written = await proxy.metric('strangler_ledger_records_written');
    f.heal(proxy);
    await trafficUntil(proxy, `after-${name}`, async () => (await proxy.metric('strangler_ledger_records_written')) > written);
    const t = await until(async () => {
      const x = await proxy.ledger(`/after-${name}`);
      return x.requests > 0 ? x : undefined;
    }, 'traffic after the fault in the ledger');
    expect(t['2xx']).toBe(t.requests);
    // The edit made during the fault takes effect now, without another edit or a SIGHUP.
    await until(async () => (await proxy.admin('/api/routes')).json.routes[0].mode === 'legacy' || undefined, 'the rule file edit applied', 10_000);
    const resumed = await proxy.logged((l) => l.database === proxy.dbFile && String(l.msg).includes('resumed'), 'ledger writes resumed');
    expect(resumed.level).toBe(30);
    // Still one error line for the whole episode.
    expect(ledgerErrors(proxy, logFrom)).toHaveLength(1);
    // And it stops cleanly, writing what it holds.
    expect(await proxy.stop()).toEqual({ code: 0, signal: null });
  });
});
