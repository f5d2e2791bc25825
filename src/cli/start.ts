import { databasePath } from './database-path.js';
import { formatRuleErrors } from '../rules/load.js';
import type { RuleFile } from '../rules/schema.js';
import { createLogger, type Logger } from '../log.js';
import { startProxy, type RunningProxy } from '../router/proxy.js';
import type { ExchangeFact } from '../router/proxy-handler.js';
import { readRuleFile, watchRuleFile } from '../router/rule-file-watch.js';
import { openDatabase, type Database } from '../store/open-database.js';
import { TrafficStore } from '../store/traffic.js';
import { startRetention } from '../store/retention.js';
import { TrafficLedger } from '../progress/traffic-ledger.js';
import { compileTable } from '../rules/compile.js';
import { buildReport, routeEvidence } from '../report/report-data.js';
import { ShadowDispatcher } from '../shadow/shadow-dispatcher.js';
import { MigrationControl } from '../progress/migration-control.js';
import { createMetrics } from '../admin/metrics.js';
import { resolveAdminToken } from '../admin/token.js';
import { startAdmin, type RunningAdmin } from '../admin/server.js';
import { fieldPath } from '../rules/load.js';
import { parseListen } from '../rules/listen-address.js';
import { targetsOnOwnAddresses, type OwnAddress } from '../rules/own-addresses.js';
import type { Issue } from '../progress/migration-control.js';
import os from 'node:os';

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
}

/** Grace period for in-flight requests at shutdown. */
const DRAIN_MS = 10_000;

// Its own module so that commands that only read the ledger need not load the proxy.
export { databasePath };

/**
 * `strangler start`: the ledger, the rules in force (file and API
 * reconciled), the data plane, the admin API, and a watch on the file.
 */
export async function startFromFile(file: string, opts: StartOptions = {}): Promise<StartedStrangler> {
  const logger = opts.logger ?? createLogger();
  const loaded = await readRuleFile(file);
  if (!loaded.ok) {
    throw Object.assign(new Error(`invalid rule file:\n${formatRuleErrors(loaded.errors)}`), { exitCode: 1 });
  }
  const fileRules = loaded.rules;
  const dbFile = databasePath(file, fileRules, opts.database);
  const db = openDatabase(dbFile);
  const traffic = new TrafficStore(db);

  let proxy: RunningProxy | undefined;
  let pending: RuleFile | undefined;
  const control = new MigrationControl(
    db,
    fileRules,
    (rules) => {
      if (proxy) proxy.swap(rules);
      else pending = rules;
    },
    logger,
    traffic,
    // The guard weighs the shadow evidence of the last day: compared requests and the net match rate.
    (route: string, rules: RuleFile) => {
      const table = proxy ? proxy.state().table : compileTable(rules);
      return routeEvidence(buildReport(db, traffic, rules, table, { sinceMs: Date.now() - 24 * 3600_000, label: '24h', route }), route);
    },
  );
  const { revision, reason } = control.start(fileRules);
  logger.info({ revision: revision.n, source: revision.source, author: revision.author }, `rules in force: revision ${revision.n}: ${reason}`);

  let ledger: TrafficLedger | null = null;
  const metrics = createMetrics(() => ledger?.stats);
  const onExchange =
    opts.ledger === false
      ? (f: ExchangeFact) => metrics.observe(f)
      : (f: ExchangeFact) => {
          metrics.observe(f);
          ledger!.record(f);
        };

  const shadow = new ShadowDispatcher({
    logger,
    record: (r) => ledger?.recordShadow(r),
    onCount: (kind, outcome) => metrics.shadow(kind, outcome),
  });
  proxy = await startProxy({ rules: pending ?? control.inForce().rules, listen: opts.listen, logger, onExchange, shadow, onRefused: (reason) => metrics.refused(reason) });
  const running = proxy;
  if (opts.ledger !== false) {
    ledger = new TrafficLedger(traffic, () => running.state().table, logger);
    // Known templates first (routes, then endpoints already in the ledger, OpenAPI imports among them), so traffic lands on them.
    // Only parameterised templates need seeding (literal paths are relearned as they come), and routes last so their names win.
    for (const e of traffic.knownPaths().filter((p) => p.includes('{')).slice(0, 500)) ledger.learner.seed(e);
    for (const r of running.state().table.routes) if (!r.template.includes('**')) ledger.learner.seed(r.template);
  }

  // Tests only: caps the ledger at its size now (SQLite never sets the cap below that), so that a full disk can be tested for real.
  const maxPages = Number(process.env.STRANGLER_TEST_MAX_PAGE_COUNT);
  if (maxPages > 0) db.pragma(`max_page_count = ${Math.trunc(maxPages)}`);

  // The environment variable counts even when the rule file does not reference it: losing a generated token must not lock operators out.
  const envToken = process.env.STRANGLER_ADMIN_TOKEN || undefined;
  if (!fileRules.admin.token && envToken !== undefined && (envToken.length < 16 || /\s/.test(envToken))) {
    db.close();
    throw Object.assign(new Error('STRANGLER_ADMIN_TOKEN must be at least 16 characters without white space'), { exitCode: 1 });
  }
  const token = resolveAdminToken(db, fileRules.admin.token ?? envToken);
  // Half a strangler (a data plane nobody can steer) is worse than none: undo and say why.
  const undo = async () => {
    ledger?.close();
    await running.close();
    await shadow.close();
    db.close();
  };
  const adminListen = opts.adminListen ?? fileRules.admin.listen;
  let admin: RunningAdmin;
  try {
    admin = await startAdmin(
      { control, traffic, db, token, metrics, ledgerStats: () => ledger?.stats, proxyState: () => running.state(), logger },
      adminListen,
    );
  } catch (err) {
    await undo();
    const e = err as NodeJS.ErrnoException;
    throw Object.assign(new Error(`the admin API cannot listen on ${adminListen}: ${e.code === 'EADDRINUSE' ? 'the port is in use' : e.message}`), {
      exitCode: 1,
    });
  }

  // The file's own addresses were checked when it loaded; the ports the listeners got (port 0, --listen) only now are known.
  const own: OwnAddress[] = [
    { what: 'admin API', field: 'admin.listen', host: parseListen(adminListen).host, port: admin.port },
    { what: 'data plane', field: 'listen', host: parseListen(opts.listen ?? fileRules.listen).host, port: running.port },
  ];
  const names = thisMachineNames();
  const ownTargets = (rules: RuleFile): Issue[] => targetsOnOwnAddresses(rules, own, names).map((i) => ({ path: fieldPath(i.path), message: i.message }));
  const atStart = ownTargets(control.inForce().rules);
  if (atStart.length) {
    await admin.close();
    await undo();
    const lines = atStart.map((i) => `  ${i.path}: ${i.message}`).join('\n');
    throw Object.assign(new Error(`the rules in force (revision ${control.inForce().revision.n}) send traffic to this proxy itself:\n${lines}`), { exitCode: 1 });
  }
  control.checkTablesWith(ownTargets);
  if (token.generated) {
    // Printed once, to the terminal, not to the JSON log that may be shipped elsewhere.
    process.stderr.write(`\nstrangler: generated admin token (shown once; set admin.token or STRANGLER_ADMIN_TOKEN to choose your own):\n  ${token.generated}\n\n`);
  }

  const stopRetention = startRetention(db, fileRules.retention, (err) => logger.error({ err: err.message }, 'retention step failed'));
  let listenWarned = false;
  const watcher = watchRuleFile(
    file,
    (rules) => {
      const refused = ownTargets(rules);
      if (refused.length) {
        logger.error({ file, issues: refused }, `rule file refused: ${refused.map((i) => `${i.path}: ${i.message}`).join('; ')}; the last good rules keep serving`);
        metrics.reload('rejected');
        return;
      }
      if (rules.listen !== fileRules.listen && !opts.listen && !listenWarned) {
        listenWarned = true;
        logger.warn({ file, listen: rules.listen }, 'listen changed in the rule file; it takes effect at the next start');
      }
      const rev = control.fileChanged(rules);
      metrics.reload('applied');
      if (rev) logger.info({ revision: rev.n }, `rule file became revision ${rev.n}`);
    },
    logger,
    () => metrics.reload('rejected'),
  );
  logger.info({ listen: running.url, admin: admin.url, file, database: dbFile }, `strangler listening on ${running.url}, admin on ${admin.url}`);

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      watcher.close();
      stopRetention();
      process.off('SIGHUP', onHup);
      const drained = new Promise<void>((resolve) => running.server.close(() => resolve()));
      running.server.closeIdleConnections();
      const timer = setTimeout(() => running.server.closeAllConnections(), DRAIN_MS);
      await drained;
      clearTimeout(timer);
      await running.close();
      await admin.close();
      // Copies still in flight are abandoned: they never hold up a shutdown.
      await shadow.close();
      // Last: every exchange that finished is in the queue; write it before the file closes.
      ledger?.close();
      db.close();
    })());
  const onHup = () => void watcher.reload();
  if (opts.signals !== false) {
    process.on('SIGHUP', onHup);
    for (const sig of ['SIGTERM', 'SIGINT'] as const) {
      process.once(sig, () => {
        logger.info({ signal: sig }, 'draining, flushing the ledger and stopping');
        stop().then(
          () => process.exit(0),
          (err: Error) => {
            logger.error({ err: err.message }, 'stop failed');
            process.exit(1);
          },
        );
      });
    }
  }
  return { proxy: running, admin, db, control, ledger, generatedToken: token.generated, stop };
}

/** Addresses and the host name of this machine: a target on one of them at the admin port reaches the admin API. */
function thisMachineNames(): Set<string> {
  const names = new Set<string>([os.hostname()]);
  for (const list of Object.values(os.networkInterfaces())) for (const a of list ?? []) names.add(a.address);
  return names;
}
