import cluster from 'node:cluster';
import { createLogger } from '../log.js';
import { shareShadowBudgets } from '../router/shadow-budget-share.js';
import { openDatabase } from '../store/open-database.js';
import { TrafficStore } from '../store/traffic.js';
import { createMetrics } from '../admin/metrics.js';
import { startDataPlane } from './data-plane.js';
import { isMessage, processUsage } from './cluster-messages.js';
/**
 * The main module of a data-plane worker (workers: N), forked by the
 * primary (start-cluster.ts). It runs the proxy, its shadow dispatcher and
 * its own ledger, which writes its folded batches to the shared SQLite
 * file. Everything else comes from the primary over IPC: the settings and
 * the rules at start, each new revision, questions for /metrics, and the
 * order to stop.
 */
if (!cluster.isWorker) {
    process.stderr.write('strangler: data-plane-worker.js is started by `strangler start` with workers: 2 or more, not by hand\n');
    process.exit(1);
}
let settings;
let latest;
let plane;
let db;
let metrics;
let logger = createLogger();
let stopping;
const send = (m, then) => {
    if (process.connected)
        process.send(m, undefined, undefined, then);
    else
        then?.();
};
async function begin(s) {
    if (settings)
        return;
    settings = s;
    latest = { rules: s.rules, revision: s.revision };
    logger = createLogger({ level: s.logLevel }).child({ worker: s.slot, pid: process.pid });
    try {
        // The primary migrated the file before forking; a worker only reads and writes rows.
        db = openDatabase(s.database, { migrate: false });
        const traffic = new TrafficStore(db);
        metrics = createMetrics(() => plane?.ledger?.stats, { worker: s.slot });
        const first = latest;
        plane = await startDataPlane({ rules: shareShadowBudgets(first.rules, s.workers), listen: s.listen, logger, traffic, metrics, ledger: s.ledger });
        // A revision that arrived while the proxy was starting.
        if (latest !== first)
            plane.proxy.swap(shareShadowBudgets(latest.rules, s.workers));
        send({ type: 'strangler:listening', url: plane.proxy.url, port: plane.proxy.port, revision: latest.revision });
        logger.debug({ url: plane.proxy.url, revision: latest.revision }, `data-plane worker ${s.slot} listening`);
    }
    catch (err) {
        const message = err.message;
        logger.error({ err: message }, `data-plane worker ${s.slot} could not start`);
        db?.close();
        send({ type: 'strangler:failed', message }, () => process.exit(1));
    }
}
function apply(rules, revision) {
    latest = { rules, revision };
    if (!plane || !settings)
        return;
    try {
        plane.proxy.swap(shareShadowBudgets(rules, settings.workers));
        send({ type: 'strangler:applied', revision });
    }
    catch (err) {
        // The primary validated and compiled the same table; this is a bug, and the last good table keeps serving.
        logger.error({ err: err.message, revision }, 'revision could not be applied in this worker; the last good rules keep serving');
    }
}
async function answer(id, what) {
    const value = what === 'metrics' ? ((await metrics?.registry.getMetricsAsJSON()) ?? []) : processUsage();
    send({ type: 'strangler:answer', id, value });
}
/** Drains, writes the ledger, exits. From the primary's stop, or a signal of its own. */
function stop(why) {
    stopping ??= (async () => {
        logger.debug({ why }, 'data-plane worker draining');
        await plane?.drain();
        db?.close();
    })().then(() => process.exit(0), (err) => {
        logger.error({ err: err.message }, 'data-plane worker stop failed');
        process.exit(1);
    });
}
process.on('message', (msg) => {
    if (!isMessage(msg))
        return;
    if (msg.type === 'strangler:start')
        void begin(msg);
    else if (msg.type === 'strangler:rules')
        apply(msg.rules, msg.revision);
    else if (msg.type === 'strangler:ask')
        void answer(msg.id, msg.what);
    else if (msg.type === 'strangler:stop')
        stop('asked by the primary');
});
// A terminal's Ctrl-C reaches the whole process group: stop like the primary does, and let it count the exit as planned.
process.once('SIGTERM', () => stop('SIGTERM'));
process.once('SIGINT', () => stop('SIGINT'));
// Reloads are the primary's; a hangup sent to the group must not kill the data plane.
process.on('SIGHUP', () => { });
// When the primary dies, node:cluster exits the worker at once (its own 'disconnect' handler): no drain is possible,
// but what is folded can still be written, synchronously, on the way out, as a crash of a single process would lose it.
process.on('exit', () => {
    if (stopping || !db?.open)
        return;
    try {
        plane?.ledger?.close();
    }
    catch {
        // Exiting anyway; the ledger counts what it could not write.
    }
});
send({ type: 'strangler:hello' });
//# sourceMappingURL=data-plane-worker.js.map