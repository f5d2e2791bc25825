import type { Database } from 'better-sqlite3';
import { fieldPath } from '../rules/load.js';
import { reconcile } from '../rules/reconcile.js';
import { PROCESS_SETTINGS, tableHash, tableOf, withTable, type RuleTable } from '../rules/rule-table.js';
import { MODES, RuleFileSchema, type Mode, type RouteSpec, type RuleFile } from '../rules/schema.js';
import { withBusyTimeout } from '../store/busy-timeout.js';
import { ModeChangeStore } from '../store/mode-changes.js';
import { RevisionStore, type Revision, type RevisionSource } from '../store/revisions.js';
import { noTotals, type TrafficStore } from '../store/traffic.js';
import type { Logger } from '../log.js';
import { guardFor } from './readiness.js';
import { checkTransition, direction, type Evidence, type ModeState, type TransitionCheck } from './guard.js';

/**
 * The one place where the rule table in force changes: from the rule file
 * at start and on reload, from the admin API and the CLI. Each change is
 * validated against the same schema as the file, stored as a revision
 * (and, per route whose mode moved, a mode-change row) in one transaction,
 * and only then swapped into the data plane.
 */

export interface Issue {
  path: string;
  message: string;
}

export interface ChangeMeta {
  source: RevisionSource;
  author: string;
  message: string;
}

/**
 * Shadow evidence for a route: compared requests, net match rate and
 * failures from the comparison ledger; and, when the source read them with
 * the comparisons, the requests to the same endpoints (else the minute
 * rows that carry the route's name are summed).
 */
export type EvidenceSource = (
  route: string,
  rules: RuleFile,
) => Pick<Evidence, 'compared' | 'netMatchRate' | 'failureRate' | 'failures' | 'regressions' | 'note'> & Partial<Pick<Evidence, 'requests' | 'byTarget'>>;

/** The guard's evidence for a route, from what an EvidenceSource read with the requests (see MigrationControl.evidence). */
export function evidenceOf(route: string, read: ReturnType<EvidenceSource> & { requests: number }): Evidence {
  return { route, window: '24h', ...read, byTarget: read.byTarget ?? {} };
}

export interface ModeRequest {
  mode: Mode;
  percent?: number;
  reason: string;
  force?: boolean;
  author: string;
  source?: RevisionSource;
}

export type ModeResult =
  | { ok: true; revision: Revision; check: TransitionCheck; unchanged?: boolean }
  | { ok: false; status: 400 | 404 | 409; error: string; issues?: Issue[]; check?: TransitionCheck };

export type IgnoreResult =
  | { ok: true; revision: Revision; ignore: string[]; unchanged: boolean }
  | { ok: false; status: 400 | 404; error: string; issues?: Issue[] };

/** The window of evidence the guard weighs: the last day. */
export const EVIDENCE_WINDOW_MS = 24 * 3600_000;

/** Once serving, how long a change waits for a lock another process holds: the data plane's event loop waits as long. */
const CHANGE_BUSY_MS = 250;

export function modeState(route: RouteSpec): ModeState {
  return { mode: route.mode, percent: route.mode === 'canary' ? route.canary?.percent ?? 0 : null };
}

export class MigrationControl {
  readonly revisions: RevisionStore;
  readonly modeChanges: ModeChangeStore;
  private current: { revision: Revision; rules: RuleFile } | undefined;
  private targetCheck: ((rules: RuleFile) => Issue[]) | null = null;

  constructor(
    private readonly db: Database,
    /** The rule file as last read: its process settings hold for the life of the process. */
    private settings: RuleFile,
    private readonly swap: (rules: RuleFile) => void,
    private readonly logger: Logger,
    private readonly traffic: TrafficStore | undefined,
    private readonly shadowEvidence: EvidenceSource = () => ({
      compared: 0,
      netMatchRate: null,
      note: 'shadow comparison is not recorded yet: only request counts exist, so forward moves need --force',
    }),
  ) {
    this.revisions = new RevisionStore(db);
    this.modeChanges = new ModeChangeStore(db);
  }

  /**
   * A check that needs what only the running process knows (the ports its
   * listeners got): every table the API, the CLI or a restore puts in force
   * from now on meets it, as it meets the schema.
   */
  checkTablesWith(check: (rules: RuleFile) => Issue[]): void {
    this.targetCheck = check;
  }

  /** The revision and full rules in force. */
  inForce(): { revision: Revision; rules: RuleFile } {
    if (!this.current) throw new Error('MigrationControl.start() has not run');
    return this.current;
  }

  /** Reconciles the rule file with the stored revisions and puts the winner in force. */
  start(file: RuleFile): { revision: Revision; reason: string } {
    this.settings = file;
    const table = tableOf(file);
    const latest = this.revisions.latest();
    const fromFile = this.revisions.latestFromFile();
    const decision = reconcile(tableHash(table), latest, fromFile);
    if (decision.action === 'file') {
      const revision = this.commit(table, { source: 'file', author: 'file', message: decision.reason }, false);
      return { revision, reason: decision.reason };
    }
    const revision = this.revisions.get(decision.n)!;
    const rules = this.parse(revision.table);
    if (!rules.ok) {
      // A stored table that no longer validates (after an upgrade, say) must not stop the proxy: the file serves.
      this.logger.error({ revision: revision.n, issues: rules.issues }, 'stored revision no longer validates; the rule file is used instead');
      const r = this.commit(table, { source: 'file', author: 'file', message: `revision ${revision.n} no longer validates` }, false);
      return { revision: r, reason: `revision ${revision.n} no longer validates; the rule file became revision ${r.n}` };
    }
    this.current = { revision, rules: rules.rules };
    this.swap(rules.rules);
    return { revision, reason: decision.reason };
  }

  /** A reload of the rule file: a new revision when its table differs from the last one it produced. */
  fileChanged(file: RuleFile): Revision | null {
    this.settings = file;
    const table = tableOf(file);
    const fromFile = this.revisions.latestFromFile();
    if (fromFile && fromFile.hash === tableHash(table)) return null;
    return this.commit(table, { source: 'file', author: 'file', message: 'rule file changed' }, false);
  }

  /** Validates a rule table given to the API: the same schema and messages as the file. */
  parse(input: unknown): { ok: true; rules: RuleFile; table: RuleTable } | { ok: false; issues: Issue[] } {
    if (!input || typeof input !== 'object' || Array.isArray(input)) {
      return { ok: false, issues: [{ path: '', message: 'expected a rule table object: { legacy?, services?, routes, … }' }] };
    }
    const issues: Issue[] = [];
    for (const key of PROCESS_SETTINGS) {
      if (key in input) issues.push({ path: key, message: `${key} is a process setting; it is set only in the rule file, at start` });
    }
    if (issues.length) return { ok: false, issues };
    const base = this.current ? tableOf(this.current.rules) : tableOf(this.settings);
    const candidate = { ...this.settingsOnly(), ...base, ...(input as object) };
    const parsed = RuleFileSchema.safeParse(candidate);
    if (!parsed.success) {
      return {
        ok: false,
        issues: parsed.error.issues.map((i) => ({
          path: fieldPath(i.code === 'unrecognized_keys' ? [...i.path, i.keys[0] ?? ''] : i.path),
          message: i.code === 'unrecognized_keys' ? `unknown field "${i.keys.join('", "')}"` : i.message,
        })),
      };
    }
    const refused = this.targetCheck?.(parsed.data) ?? [];
    if (refused.length) return { ok: false, issues: refused };
    return { ok: true, rules: parsed.data, table: tableOf(parsed.data) };
  }

  /** A whole table from the API or CLI. Forward mode moves in it meet the guard like `promote` does. */
  applyTable(input: unknown, meta: ChangeMeta, force = false): { ok: true; revision: Revision } | { ok: false; status: 400 | 409; issues: Issue[]; checks?: TransitionCheck[] } {
    const parsed = this.parse(input);
    if (!parsed.ok) return { ok: false, status: 400, issues: parsed.issues };
    const refused = this.modeMoves(parsed.table)
      .map((m) => m.check)
      .filter((c) => !c.allowed && !force);
    if (refused.length) {
      return {
        ok: false,
        status: 409,
        issues: refused.map((c) => ({ path: `routes.${c.evidence.route}.mode`, message: c.reasons.join('; ') })),
        checks: refused,
      };
    }
    return { ok: true, revision: this.commit(parsed.table, meta, force) };
  }

  setMode(routeName: string, req: ModeRequest): ModeResult {
    const issues: Issue[] = [];
    if (!MODES.includes(req.mode)) issues.push({ path: 'mode', message: `mode is one of ${MODES.join(', ')}` });
    if (req.percent !== undefined && (typeof req.percent !== 'number' || !(req.percent >= 0 && req.percent <= 100))) {
      issues.push({ path: 'percent', message: 'percent is a number from 0 to 100' });
    }
    if (issues.length === 0 && req.percent !== undefined && req.mode !== 'canary') issues.push({ path: 'percent', message: 'percent applies to mode canary only' });
    if (typeof req.reason !== 'string' || !req.reason.trim()) issues.push({ path: 'reason', message: 'say why: reason is required' });
    if (issues.length) return { ok: false, status: 400, error: 'invalid mode change', issues };

    const { rules } = this.inForce();
    const index = rules.routes.findIndex((r) => r.name === routeName);
    if (index === -1) return { ok: false, status: 404, error: `no route named "${routeName}"` };
    const route = rules.routes[index]!;
    const next: RouteSpec = { ...route, mode: req.mode };
    if (req.mode === 'canary') {
      const percent = req.percent ?? route.canary?.percent;
      if (percent === undefined) return { ok: false, status: 400, error: 'invalid mode change', issues: [{ path: 'percent', message: 'canary needs a percent' }] };
      next.canary = { ...route.canary, percent };
    }
    const from = modeState(route);
    const to = modeState(next);
    const check = checkTransition(from, to, this.guardOf(route), this.evidence(routeName), req.force === true);
    // Asking for the mode a route already has changes nothing, so it makes no revision.
    if (check.direction === 'same') return { ok: true, revision: this.inForce().revision, check, unchanged: true };
    if (!check.allowed) {
      return { ok: false, status: 409, error: `the guard refuses ${routeName}: ${from.mode} → ${to.mode}${to.percent !== null ? ` ${to.percent}%` : ''}`, check };
    }
    const table = tableOf(rules);
    const routes = [...table.routes];
    routes[index] = next;
    const parsed = this.parse({ ...table, routes });
    if (!parsed.ok) return { ok: false, status: 400, error: 'the change would make the rule table invalid', issues: parsed.issues };
    const pct = to.percent !== null ? ` ${to.percent}%` : '';
    const revision = this.commit(
      parsed.table,
      { source: req.source ?? 'api', author: req.author, message: `${routeName}: ${from.mode} → ${to.mode}${pct}: ${req.reason}${check.forced ? ' (forced)' : ''}` },
      req.force === true,
      { route: routeName, reason: req.reason, check },
    );
    return { ok: true, revision, check };
  }

  /**
   * A difference path left out of a route's shadow comparisons from now on
   * (its `shadow.compare.ignore`), as a new revision: what "ignore this
   * path" does on the dashboard. A path already ignored changes nothing.
   */
  ignorePath(routeName: string, path: string, meta: ChangeMeta): IgnoreResult {
    const { rules, revision } = this.inForce();
    const index = rules.routes.findIndex((r) => r.name === routeName);
    if (index === -1) return { ok: false, status: 404, error: `no route named "${routeName}"` };
    const route = rules.routes[index]!;
    const ignore = route.shadow?.compare.ignore ?? [];
    if (ignore.includes(path)) return { ok: true, revision, ignore, unchanged: true };
    const table = tableOf(rules);
    const routes: unknown[] = [...table.routes];
    // A route without a shadow block gets one; the schema fills in its defaults.
    routes[index] = { ...route, shadow: { ...route.shadow, compare: { ...route.shadow?.compare, ignore: [...ignore, path] } } };
    const parsed = this.parse({ ...table, routes });
    if (!parsed.ok) {
      const own = `routes[${index}].shadow.compare.ignore`;
      return { ok: false, status: 400, error: 'invalid ignore path', issues: parsed.issues.map((i) => (i.path.startsWith(own) ? { path: 'path', message: i.message } : i)) };
    }
    return { ok: true, revision: this.commit(parsed.table, meta, false), ignore: [...ignore, path], unchanged: false };
  }

  /**
   * An old table back in force, as a new revision. It meets the guard like
   * any other table: restoring the revision that put a route on its service
   * moves that route forward again, on today's evidence.
   */
  restore(n: number, author: string, reason = '', force = false): ReturnType<MigrationControl['applyTable']> | { ok: false; status: 404; issues: Issue[] } {
    const old = this.revisions.get(n);
    if (!old) return { ok: false, status: 404, issues: [{ path: 'n', message: `no revision ${n}` }] };
    return this.applyTable(old.table, { source: 'restore', author, message: `restore revision ${n}${reason ? `: ${reason}` : ''}` }, force);
  }

  evidence(route: string): Evidence {
    const shadow = this.shadowEvidence(route, this.current?.rules ?? this.settings);
    if (shadow.requests !== undefined) return evidenceOf(route, { ...shadow, requests: shadow.requests });
    const totals = this.traffic?.totals(Date.now() - EVIDENCE_WINDOW_MS, route) ?? noTotals();
    return evidenceOf(route, { ...shadow, requests: totals.total, byTarget: totals.byTarget });
  }

  private guardOf(route: RouteSpec) {
    return guardFor(this.inForce().rules, route.name);
  }

  private settingsOnly() {
    const { listen, admin, database, retention, clientTimeouts, workers } = this.settings;
    return { listen, admin, database, retention, clientTimeouts, workers };
  }

  /** Routes whose mode or canary share differs between the table in force and `table`. */
  private modeMoves(table: RuleTable): Array<{ route: string; from: ModeState; to: ModeState; check: TransitionCheck }> {
    // At start nothing is in force yet: the routes were in the modes of the last stored revision.
    const inForce = this.current ? this.current.rules.routes : this.revisions.latest()?.table.routes;
    if (!inForce) return [];
    const before = new Map(inForce.map((r) => [r.name, r]));
    const moves = [];
    for (const r of table.routes) {
      const old = before.get(r.name);
      const from: ModeState = old ? modeState(old) : { mode: 'legacy', percent: null };
      const to = modeState(r);
      if (direction(from, to) === 'same') continue;
      const guard = { minSamples: r.guard?.minSamples ?? table.guard.minSamples, minMatchRate: r.guard?.minMatchRate ?? table.guard.minMatchRate };
      moves.push({ route: r.name, from, to, check: checkTransition(from, to, guard, this.evidence(r.name), false) });
    }
    return moves;
  }

  /** Stores the table as a revision with its mode changes, in one transaction, then swaps it in. */
  private commit(table: RuleTable, meta: ChangeMeta, forced: boolean, promote?: { route: string; reason: string; check: TransitionCheck }): Revision {
    const moves = this.modeMoves(table);
    const rules = withTable(this.settings, table);
    // IMMEDIATE: it reads the latest revision before it writes, and data-plane workers may commit to the file in between.
    const write = this.db.transaction(() => {
      const rev = this.revisions.add(table, meta);
      for (const m of moves) {
        const check = promote && promote.route === m.route ? promote.check : m.check;
        this.modeChanges.add({
          route: m.route,
          fromMode: m.from.mode,
          toMode: m.to.mode,
          fromPercent: m.from.percent,
          toPercent: m.to.percent,
          author: meta.author,
          reason: promote && promote.route === m.route ? promote.reason : meta.message,
          // An edit of the rule file is the operator's own override: a move past the guard from there counts as forced.
          forced: !m.check.allowed && (forced || meta.source === 'file'),
          evidence: { source: meta.source, ...check },
          revision: rev.n,
        });
        if (!m.check.allowed && meta.source === 'file') {
          this.logger.warn({ route: m.route, from: m.from, to: m.to, reasons: m.check.reasons }, 'the rule file moved a route forward past its guard');
        }
      }
      return rev;
    });
    // Before the first start nothing is served yet, and waiting the usual while for another process is harmless.
    const revision = this.current ? withBusyTimeout(this.db, CHANGE_BUSY_MS, () => write.immediate()) : write.immediate();
    this.current = { revision, rules };
    this.swap(rules);
    return revision;
  }
}
