import { databasePath } from './database-path.js';
import { formatRuleErrors } from '../rules/load.js';
import { compileTable, type RouteTable } from '../rules/compile.js';
import type { RuleFile } from '../rules/schema.js';
import type { Logger } from '../log.js';
import { readRuleFile, watchRuleFile, type RuleWatcher } from '../router/rule-file-watch.js';
import { openDatabase, type Database } from '../store/open-database.js';
import { TrafficStore } from '../store/traffic.js';
import { routeEvidenceSince } from '../report/report-data.js';
import { EVIDENCE_WINDOW_MS, MigrationControl } from '../progress/migration-control.js';
import type { ProxyMetrics } from '../admin/metrics.js';
import { resolveAdminToken, type AdminToken } from '../admin/token.js';
import { startAdmin, type AdminContext, type RunningAdmin } from '../admin/server.js';
import os from 'node:os';
import { fieldPath } from '../rules/load.js';
import { parseListen } from '../rules/listen-address.js';
import { targetsOnOwnAddresses, type OwnAddress } from '../rules/own-addresses.js';
import type { Issue } from '../progress/migration-control.js';

/**
 * The pieces of `strangler start` that exist once per strangler, whether
 * the data plane runs in the same process (workers: 1) or in N workers:
 * the rule file and the revisions reconciled, the admin token and API,
 * the watch on the file, and the signals that stop or reload it all.
 */

const usageError = (message: string) => Object.assign(new Error(message), { exitCode: 1 });

export interface Control {
  fileRules: RuleFile;
  dbFile: string;
  db: Database;
  traffic: TrafficStore;
  control: MigrationControl;
}

/**
 * Reads the rule file, opens the ledger and puts the winning revision in
 * force through `swap`. `table`: the compiled table the data plane routes
 * with, if there is one yet; the guard weighs evidence against it.
 */
export async function openControl(
  file: string,
  database: string | undefined,
  logger: Logger,
  swap: (rules: RuleFile) => void,
  table: () => RouteTable | undefined,
): Promise<Control> {
  const loaded = await readRuleFile(file);
  if (!loaded.ok) throw usageError(`invalid rule file:\n${formatRuleErrors(loaded.errors)}`);
  const fileRules = loaded.rules;
  const dbFile = databasePath(file, fileRules, database);
  const db = openDatabase(dbFile);
  // Tests only: caps the ledger at its size now (SQLite never sets the cap below that), so that a full disk can be tested for real.
  const maxPages = Number(process.env.STRANGLER_TEST_MAX_PAGE_COUNT);
  if (maxPages > 0) db.pragma(`max_page_count = ${Math.trunc(maxPages)}`);
  const traffic = new TrafficStore(db);
  const control = new MigrationControl(
    db,
    fileRules,
    swap,
    logger,
    traffic,
    // The guard weighs the shadow evidence of the last day: compared requests and the net match rate.
    (route: string, rules: RuleFile) =>
      routeEvidenceSince(db, traffic, rules, table() ?? compileTable(rules), route, Date.now() - EVIDENCE_WINDOW_MS),
  );
  const { revision, reason } = control.start(fileRules);
  logger.info({ revision: revision.n, source: revision.source, author: revision.author }, `rules in force: revision ${revision.n}: ${reason}`);
  return { fileRules, dbFile, db, traffic, control };
}

/**
 * The admin token: the file's, else STRANGLER_ADMIN_TOKEN, else the stored
 * digest of a generated one (or a new one). Called right after openControl:
 * when the token is refused, the ledger is the only thing open, so it is
 * closed here.
 */
export function startToken({ db, fileRules }: Control): AdminToken {
  try {
    // The environment variable counts even when the rule file does not reference it: losing a generated token must not lock operators out.
    const envToken = process.env.STRANGLER_ADMIN_TOKEN || undefined;
    if (!fileRules.admin.token && envToken !== undefined && (envToken.length < 16 || /\s/.test(envToken))) {
      throw usageError('STRANGLER_ADMIN_TOKEN must be at least 16 characters without white space');
    }
    return resolveAdminToken(db, fileRules.admin.token ?? envToken);
  } catch (err) {
    db.close();
    throw err;
  }
}

/** Starts the admin API; when it cannot listen, `undo` runs and the error says why. */
export async function startAdminOrUndo(ctx: AdminContext, listen: string, undo: () => Promise<void>): Promise<RunningAdmin> {
  try {
    return await startAdmin(ctx, listen);
  } catch (err) {
    // Half a strangler (a data plane nobody can steer) is worse than none: undo and say why.
    await undo();
    const e = err as NodeJS.ErrnoException;
    throw usageError(`the admin API cannot listen on ${listen}: ${e.code === 'EADDRINUSE' ? 'the port is in use' : e.message}`);
  }
}

/** Rule tables that would send traffic to this proxy itself (its admin API, its own data plane): their issues, none when fine. */
export type OwnTargetCheck = (rules: RuleFile) => Issue[];

/**
 * The file's own addresses were checked when it loaded; the ports the
 * listeners got (port 0, --listen) only now are known. Refuses to go on
 * when the rules in force target this proxy, and from then on refuses any
 * table that would (admin API, CLI, restore, the file).
 */
export function guardOwnAddresses(c: Control, admin: { listen: string; port: number }, plane: { listen: string; port: number }): OwnTargetCheck {
  const own: OwnAddress[] = [
    { what: 'admin API', field: 'admin.listen', host: parseListen(admin.listen).host, port: admin.port },
    { what: 'data plane', field: 'listen', host: parseListen(plane.listen).host, port: plane.port },
  ];
  const names = thisMachineNames();
  const check: OwnTargetCheck = (rules) => targetsOnOwnAddresses(rules, own, names).map((i) => ({ path: fieldPath(i.path), message: i.message }));
  const atStart = check(c.control.inForce().rules);
  if (atStart.length) {
    const lines = atStart.map((i) => `  ${i.path}: ${i.message}`).join('\n');
    throw usageError(`the rules in force (revision ${c.control.inForce().revision.n}) send traffic to this proxy itself:\n${lines}`);
  }
  c.control.checkTablesWith(check);
  return check;
}

/** Addresses and the host name of this machine: a target on one of them at the admin port reaches the admin API. */
function thisMachineNames(): Set<string> {
  const names = new Set<string>([os.hostname()]);
  for (const list of Object.values(os.networkInterfaces())) for (const a of list ?? []) names.add(a.address);
  return names;
}

/** Printed once, to the terminal, not to the JSON log that may be shipped elsewhere. */
export function announceGeneratedToken(token: AdminToken): void {
  if (!token.generated) return;
  process.stderr.write(`\nstrangler: generated admin token (shown once; set admin.token or STRANGLER_ADMIN_TOKEN to choose your own):\n  ${token.generated}\n\n`);
}

/**
 * Follows the rule file: each valid version becomes a revision (when its
 * table changed). Process settings changed in the file are named once in
 * a warning, since only a restart applies them.
 */
export function followRuleFile(
  file: string,
  c: Control,
  metrics: Pick<ProxyMetrics, 'reload'>,
  logger: Logger,
  overridden: { listen: boolean; workers: boolean },
  ownTargets: OwnTargetCheck,
): RuleWatcher {
  const warned = new Set<string>();
  const warnOnce = (key: 'listen' | 'workers', changed: boolean, value: unknown) => {
    if (!changed || warned.has(key)) return;
    warned.add(key);
    logger.warn({ file, [key]: value }, `${key} changed in the rule file; it takes effect at the next start`);
  };
  return watchRuleFile(
    file,
    (rules) => {
      const refused = ownTargets(rules);
      if (refused.length) {
        logger.error({ file, issues: refused }, `rule file refused: ${refused.map((i) => `${i.path}: ${i.message}`).join('; ')}; the last good rules keep serving`);
        metrics.reload('rejected');
        return;
      }
      warnOnce('listen', rules.listen !== c.fileRules.listen && !overridden.listen, rules.listen);
      warnOnce('workers', rules.workers !== c.fileRules.workers && !overridden.workers, rules.workers);
      const rev = c.control.fileChanged(rules);
      metrics.reload('applied');
      if (rev) logger.info({ revision: rev.n }, `rule file became revision ${rev.n}`);
    },
    logger,
    () => metrics.reload('rejected'),
  );
}

/**
 * The one way a started strangler stops: the file watch and retention end,
 * the data plane drains (in this process, or in every worker) and writes
 * its ledger, then the admin API and the file close. With `signals`,
 * SIGHUP reloads the file and SIGTERM/SIGINT run this and exit.
 */
export function stopper(
  parts: { watcher: RuleWatcher; stopRetention: () => void; drain: () => Promise<void>; admin: RunningAdmin; db: Database },
  signals: boolean,
  logger: Logger,
): () => Promise<void> {
  let uninstall = () => {};
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      parts.watcher.close();
      parts.stopRetention();
      uninstall();
      await parts.drain();
      await parts.admin.close();
      parts.db.close();
    })());
  if (signals) uninstall = installSignals(stop, () => void parts.watcher.reload(), logger);
  return stop;
}

/** SIGHUP reloads the file; SIGTERM and SIGINT stop, then exit 0 (or 1 when stopping failed). Returns the uninstaller for SIGHUP. */
export function installSignals(stop: () => Promise<void>, reload: () => void, logger: Logger): () => void {
  process.on('SIGHUP', reload);
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
  return () => process.off('SIGHUP', reload);
}
