import { compileTable } from '../rules/compile.js';
import type { RuleFile } from '../rules/schema.js';
import { createLogger } from '../log.js';
import type { RoutingState } from '../router/state.js';
import type { Database } from '../store/open-database.js';
import { startRetention } from '../store/retention.js';
import type { MigrationControl } from '../progress/migration-control.js';
import { ClusterRegistry, createMetrics, workerMetrics, type MetricsJson } from '../admin/metrics.js';
import type { RunningAdmin } from '../admin/server.js';
import { processUsage, type ProcessUsage } from './cluster-messages.js';
import { announceGeneratedToken, followRuleFile, guardOwnAddresses, openControl, startAdminOrUndo, startToken, stopper } from './control-plane.js';
import type { StartOptions } from './start.js';
import { WorkerSupervisor, type WorkerInfo } from './worker-supervisor.js';

export interface StartedCluster {
  /** The data plane's address, shared by every worker. */
  url: string;
  port: number;
  admin: RunningAdmin;
  db: Database;
  control: MigrationControl;
  generatedToken: string | null;
  workers(): WorkerInfo[];
  /** CPU and peak RSS of the primary and of each worker that answers (the benchmark's CPU over all processes). */
  usage(): Promise<ProcessUsage[]>;
  stop(): Promise<void>;
}

/**
 * `strangler start` with workers: N (N ≥ 2). This process, the primary,
 * owns the control plane: the revisions in SQLite, the admin API (its
 * /metrics adds up every worker's), the rule-file watch, retention and the
 * signals. The data plane runs in N workers (worker-supervisor.ts,
 * data-plane-worker.ts), each with its own ledger writing folded batches
 * to the same SQLite file (WAL, busy timeout, IMMEDIATE transactions).
 * Every revision is pushed to all workers as soon as it is stored.
 */
export async function startCluster(file: string, workers: number, opts: StartOptions = {}): Promise<StartedCluster> {
  const logger = opts.logger ?? createLogger();
  let supervisor: WorkerSupervisor | undefined;
  // The admin API and the guard read the compiled table; the primary compiles it but routes nothing.
  let state: RoutingState | undefined;
  const c = await openControl(
    file,
    opts.database,
    logger,
    (rules: RuleFile) => {
      state = { table: compileTable(rules), targets: new Map(), loadedAt: new Date() };
      // At start (inside openControl) there are no workers yet: they ask for the revision in force when they say hello.
      if (supervisor) supervisor.push(rules, c.control.inForce().revision.n);
    },
    () => state?.table,
  );
  const { fileRules, db, control } = c;
  const fail = (message: string) => {
    db.close();
    return Object.assign(new Error(message), { exitCode: 1 });
  };
  if (c.dbFile === ':memory:') throw fail(`database :memory: cannot be shared by ${workers} workers; name a file, or set workers: 1`);

  const token = startToken(c);

  const registry = new ClusterRegistry(async () => (supervisor ? supervisor.ask<MetricsJson>('metrics') : []));
  // The primary counts rule reloads; requests, shadow copies and the ledger are counted by the workers.
  const metrics = createMetrics(() => undefined, { registry });
  const perWorker = workerMetrics(registry, () => supervisor?.listening() ?? 0);

  const adminListen = opts.adminListen ?? fileRules.admin.listen;
  const admin = await startAdminOrUndo(
    { control, traffic: c.traffic, db, token, metrics, ledgerStats: () => undefined, proxyState: () => state!, logger },
    adminListen,
    async () => {
      db.close();
    },
  );

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
  let address: { url: string; port: number };
  try {
    address = await sup.start();
  } catch (err) {
    await admin.close();
    throw fail((err as Error).message);
  }
  let ownTargets;
  try {
    ownTargets = guardOwnAddresses(c, { listen: adminListen, port: admin.port }, { listen: opts.listen ?? fileRules.listen, port: address.port });
  } catch (err) {
    await sup.stop();
    await admin.close();
    db.close();
    throw err;
  }
  announceGeneratedToken(token);

  const stopRetention = startRetention(db, fileRules.retention, (err) => logger.error({ err: err.message }, 'retention step failed'));
  const watcher = followRuleFile(file, c, metrics, logger, { listen: opts.listen !== undefined, workers: opts.workers !== undefined }, ownTargets);
  logger.info(
    { listen: address.url, admin: admin.url, file, database: c.dbFile, workers },
    `strangler listening on ${address.url} with ${workers} workers, admin on ${admin.url}`,
  );

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
    usage: async () => [processUsage(), ...(await sup.ask<ProcessUsage>('usage'))],
    stop,
  };
}
