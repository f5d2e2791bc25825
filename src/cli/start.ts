import { databasePath } from './database-path.js';
import type { RuleFile } from '../rules/schema.js';
import { createLogger, type Logger } from '../log.js';
import type { RunningProxy } from '../router/proxy.js';
import type { Database } from '../store/open-database.js';
import { startRetention } from '../store/retention.js';
import type { TrafficLedger } from '../progress/traffic-ledger.js';
import type { MigrationControl } from '../progress/migration-control.js';
import { createMetrics } from '../admin/metrics.js';
import type { RunningAdmin } from '../admin/server.js';
import { startDataPlane, type DataPlane } from './data-plane.js';
import { announceGeneratedToken, followRuleFile, guardOwnAddresses, openControl, startAdminOrUndo, startToken, stopper } from './control-plane.js';

export interface StartedStrangler {
  proxy: RunningProxy;
  admin: RunningAdmin;
  db: Database;
  control: MigrationControl;
  ledger: TrafficLedger | null;
  /** Set when the admin token was generated at this start. */
  generatedToken: string | null;
  stop(): Promise<void>;
}

export interface StartOptions {
  listen?: string;
  adminListen?: string;
  /** Overrides `database` in the file. */
  database?: string;
  logger?: Logger;
  /** Install SIGHUP/SIGTERM/SIGINT handlers (the CLI does; tests don't). */
  signals?: boolean;
  /** false: no per-exchange ledger (the benchmark's "ledger off"). */
  ledger?: boolean;
  /** Overrides `workers` in the file (`--workers`). startFromFile itself always runs one process: see startStrangler. */
  workers?: number | 'auto';
}

// Its own module so that commands that only read the ledger need not load the proxy.
export { databasePath };

/**
 * `strangler start` in one process (workers: 1): the ledger, the rules in
 * force (file and API reconciled), the data plane, the admin API, and a
 * watch on the file. With workers: N, start-cluster.ts runs the same
 * control plane and N data planes in worker processes.
 */
export async function startFromFile(file: string, opts: StartOptions = {}): Promise<StartedStrangler> {
  const logger = opts.logger ?? createLogger();
  let plane: DataPlane | undefined;
  let pending: RuleFile | undefined;
  const c = await openControl(
    file,
    opts.database,
    logger,
    (rules) => {
      if (plane) plane.proxy.swap(rules);
      else pending = rules;
    },
    () => plane?.proxy.state().table,
  );
  const { fileRules, db, control } = c;

  const token = startToken(c);
  const metrics = createMetrics(() => plane?.ledger?.stats);
  plane = await startDataPlane({ rules: pending ?? control.inForce().rules, listen: opts.listen, logger, traffic: c.traffic, metrics, ledger: opts.ledger });
  const running = plane;
  const proxy = running.proxy;

  const adminListen = opts.adminListen ?? fileRules.admin.listen;
  const admin = await startAdminOrUndo(
    { control, traffic: c.traffic, db, token, metrics, ledgerStats: () => running.ledger?.stats, proxyState: () => proxy.state(), logger },
    adminListen,
    async () => {
      running.ledger?.close();
      await proxy.close();
      await running.shadow.close();
      db.close();
    },
  );
  let ownTargets;
  try {
    ownTargets = guardOwnAddresses(c, { listen: adminListen, port: admin.port }, { listen: opts.listen ?? fileRules.listen, port: proxy.port });
  } catch (err) {
    await admin.close();
    running.ledger?.close();
    await proxy.close();
    await running.shadow.close();
    db.close();
    throw err;
  }
  announceGeneratedToken(token);

  const stopRetention = startRetention(db, fileRules.retention, (err) => logger.error({ err: err.message }, 'retention step failed'));
  const watcher = followRuleFile(file, c, metrics, logger, { listen: opts.listen !== undefined, workers: opts.workers !== undefined }, ownTargets);
  logger.info({ listen: proxy.url, admin: admin.url, file, database: c.dbFile }, `strangler listening on ${proxy.url}, admin on ${admin.url}`);

  const stop = stopper({ watcher, stopRetention, drain: () => running.drain(), admin, db }, opts.signals !== false, logger);
  return { proxy, admin, db, control, ledger: running.ledger, generatedToken: token.generated, stop };
}
