import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from '../store/open-database.js';
import { TrafficStore } from '../store/traffic.js';
import { runRead, tableCache } from './ledger-reads.js';
import type { ReadAnswer, ReadAsk } from './ledger-reader.js';

/**
 * The thread the admin API's window reads run on (ledger-reader.ts): its
 * own read-only connection to the ledger file, which WAL lets it read
 * while the data plane's writer commits. One read at a time, in order.
 */
const { file } = workerData as { file: string };
const db = openDatabase(file, { readonly: true });
const traffic = new TrafficStore(db);
const tableFor = tableCache();

parentPort!.on('message', (ask: ReadAsk) => {
  let answer: ReadAnswer;
  try {
    const value = runRead({ db, traffic, rules: ask.rules, table: tableFor(ask.rules, ask.revision) }, ask.read, ask.now);
    answer = { id: ask.id, ok: true, value };
  } catch (err) {
    const e = err as Error & { code?: unknown };
    answer = { id: ask.id, ok: false, message: e.message, code: typeof e.code === 'string' ? e.code : undefined };
  }
  parentPort!.postMessage(answer);
});
