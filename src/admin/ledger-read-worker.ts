import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase, type Database } from '../store/open-database.js';
import { TrafficStore } from '../store/traffic.js';
import { runRead, tableCache } from './ledger-reads.js';
import type { ReadAnswer, ReadAsk } from './ledger-reader.js';

/**
 * The thread the admin API's window reads run on (ledger-reader.ts): its
 * own read-only connection to the ledger file, which WAL lets it read
 * while the data plane's writer commits. One read at a time.
 */
const { file } = workerData as { file: string };
const tableFor = tableCache();
let ledger: { db: Database; traffic: TrafficStore } | undefined;

/** Opened at the first read, and again after a failed open: an unreadable ledger is that read's answer (503), not the thread's end. */
function open(): { db: Database; traffic: TrafficStore } {
  if (!ledger) {
    const db = openDatabase(file, { readonly: true });
    ledger = { db, traffic: new TrafficStore(db) };
  }
  return ledger;
}

const pause = new Int32Array(new SharedArrayBuffer(4));
/** Tests only: each read takes this long, so a test can see that the data plane does not wait for one (fault-admin-storm). */
const testDelayMs = Number(process.env.STRANGLER_TEST_READ_DELAY_MS) || 0;

parentPort!.on('message', (ask: ReadAsk) => {
  let answer: ReadAnswer;
  try {
    if (testDelayMs > 0) Atomics.wait(pause, 0, 0, testDelayMs);
    const { db, traffic } = open();
    const value = runRead({ db, traffic, rules: ask.rules, table: tableFor(ask.rules, ask.revision) }, ask.read, ask.now);
    answer = { id: ask.id, ok: true, value };
  } catch (err) {
    const e = err as Error & { code?: unknown };
    answer = { id: ask.id, ok: false, message: e.message, code: typeof e.code === 'string' ? e.code : undefined };
  }
  parentPort!.postMessage(answer);
});
