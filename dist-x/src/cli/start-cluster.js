import { compileTable } from '../rules/compile.js';
import { createLogger } from '../log.js';
import { startRetention } from '../store/retention.js';
import { ClusterRegistry, createMetrics, workerMetrics } from '../admin/metrics.js';
import { processUsage } from './cluster-messages.js';
import { announceGeneratedToken, followRuleFile, guardOwnAddresses, openControl, startAdminOrUndo, startToken, stopper } from './control-plane.js';
import { WorkerSupervisor } from './worker-supervisor.js';
/**
 * `strangler start` with workers: N (N ≥ 2). This process, the primary,
 * owns the control plane: the revisions in SQLite, the admin API (its
 * /metrics adds up every worker's), the rule-file watch, retention and the
 * signals. The data plane runs in N workers (worker-supervisor.ts,
 * data-plane-worker.ts), each with its own ledger writing folded batches
 * to the same SQLite file (WAL, busy timeout, IMMEDIATE transactions).
 * Every revision is pushed to all workers as soon as it is stored.
 */
export async function startCluster(file, workers, opts = {}) {
    const logger = opts.logger ?? createLogger();
    let supervisor;
    // The admin API and the guard read the compiled table; the primary compiles it but routes nothing.
    let state;
    const c = await openControl(file, opts.database, logger, (rules) => {
        state = { table: compileTable(rules), targets: new Map(), loadedAt: new Date() };
        // At start (inside openControl) there are no workers yet: they ask for the revision in force when they say hello.
        if (supervisor)
            supervisor.push(rules, c.control.inForce().revision.n);
    }, () => state?.table);
    const { fileRules, db, control } = c;
    const fail = (message) => {
        db.close();
        return Object.assign(new Error(message), { exitCode: 1 });
    };
    if (c.dbFile === ':memory:')
        throw fail(`database :memory: cannot be shared by ${workers} workers; name a file, or set workers: 1`);
    let token;
    try {
        token = startToken(db, fileRules);
    }
    catch (err) {
        db.close();
        throw err;
    }
    const registry = new ClusterRegistry(async () => (supervisor ? supervisor.ask('metrics') : []));
    // The primary counts rule reloads; requests, shadow copies and the ledger are counted by the workers.
    const metrics = createMetrics(() => undefined, { registry });
    const perWorker = workerMetrics(registry, () => supervisor?.listening() ?? 0);
    const adminListen = opts.adminListen ?? fileRules.admin.listen;
    const admin = await startAdminOrUndo({ control, traffic: c.traffic, db, token, metrics, ledgerStats: () => undefined, proxyState: () => state, logger }, adminListen, async () => {
        db.close();
    });
    const sup = new WorkerSupervisor({
        workers,
        listen: opts.listen ?? fileRules.listen,
        database: c.dbFile,
        ledger: opts.ledger !== false,
        logLevel: logger.level,
        logger,
        inForce: () => ({ rules: control.inForce().rules, revision: control.inForce().revision.n }),
        onRestart: () => perWorker.restarted(),
    });
    supervisor = sup;
    let address;
    try {
        address = await sup.start();
    }
    catch (err) {
        await admin.close();
        throw fail(err.message);
    }
    let ownTargets;
    try {
        ownTargets = guardOwnAddresses(c, { listen: adminListen, port: admin.port }, { listen: opts.listen ?? fileRules.listen, port: address.port });
    }
    catch (err) {
        await sup.stop();
        await admin.close();
        db.close();
        throw err;
    }
    announceGeneratedToken(token);
    const stopRetention = startRetention(db, fileRules.retention, (err) => logger.error({ err: err.message }, 'retention step failed'));
    const watcher = followRuleFile(file, c, metrics, logger, { listen: opts.listen !== undefined, workers: opts.workers !== undefined }, ownTargets);
    logger.info({ listen: address.url, admin: admin.url, file, database: c.dbFile, workers }, `strangler listening on ${address.url} with ${workers} workers, admin on ${admin.url}`);
    // Each worker drains its connections and writes its ledger before it exits.
    const stop = stopper({ watcher, stopRetention, drain: () => sup.stop(), admin, db }, opts.signals !== false, logger);
    return {
        url: address.url,
        port: address.port,
        admin,
        db,
        control,
        generatedToken: token.generated,
        workers: () => sup.info(),
        usage: async () => [processUsage(), ...(await sup.ask('usage'))],
        stop,
    };
}
//# sourceMappingURL=start-cluster.js.map