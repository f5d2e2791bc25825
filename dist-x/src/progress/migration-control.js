import { fieldPath } from '../rules/load.js';
import { reconcile } from '../rules/reconcile.js';
import { PROCESS_SETTINGS, tableHash, tableOf, withTable } from '../rules/rule-table.js';
import { MODES, RuleFileSchema } from '../rules/schema.js';
import { withBusyTimeout } from '../store/busy-timeout.js';
import { ModeChangeStore } from '../store/mode-changes.js';
import { RevisionStore } from '../store/revisions.js';
import { guardFor } from './readiness.js';
import { checkTransition, direction } from './guard.js';
const EVIDENCE_WINDOW_MS = 24 * 3600_000;
/** Once serving, how long a change waits for a lock another process holds: the data plane's event loop waits as long. */
const CHANGE_BUSY_MS = 250;
export function modeState(route) {
    return { mode: route.mode, percent: route.mode === 'canary' ? route.canary?.percent ?? 0 : null };
}
export class MigrationControl {
    db;
    settings;
    swap;
    logger;
    traffic;
    shadowEvidence;
    revisions;
    modeChanges;
    current;
    targetCheck = null;
    constructor(db, 
    /** The rule file as last read: its process settings hold for the life of the process. */
    settings, swap, logger, traffic, shadowEvidence = () => ({
        compared: 0,
        netMatchRate: null,
        note: 'shadow comparison is not recorded yet: only request counts exist, so forward moves need --force',
    })) {
        this.db = db;
        this.settings = settings;
        this.swap = swap;
        this.logger = logger;
        this.traffic = traffic;
        this.shadowEvidence = shadowEvidence;
        this.revisions = new RevisionStore(db);
        this.modeChanges = new ModeChangeStore(db);
    }
    /**
     * A check that needs what only the running process knows (the ports its
     * listeners got): every table the API, the CLI or a restore puts in force
     * from now on meets it, as it meets the schema.
     */
    checkTablesWith(check) {
        this.targetCheck = check;
    }
    /** The revision and full rules in force. */
    inForce() {
        if (!this.current)
            throw new Error('MigrationControl.start() has not run');
        return this.current;
    }
    /** Reconciles the rule file with the stored revisions and puts the winner in force. */
    start(file) {
        this.settings = file;
        const table = tableOf(file);
        const latest = this.revisions.latest();
        const fromFile = this.revisions.latestFromFile();
        const decision = reconcile(tableHash(table), latest, fromFile);
        if (decision.action === 'file') {
            const revision = this.commit(table, { source: 'file', author: 'file', message: decision.reason }, false);
            return { revision, reason: decision.reason };
        }
        const revision = this.revisions.get(decision.n);
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
    fileChanged(file) {
        this.settings = file;
        const table = tableOf(file);
        const fromFile = this.revisions.latestFromFile();
        if (fromFile && fromFile.hash === tableHash(table))
            return null;
        return this.commit(table, { source: 'file', author: 'file', message: 'rule file changed' }, false);
    }
    /** Validates a rule table given to the API: the same schema and messages as the file. */
    parse(input) {
        if (!input || typeof input !== 'object' || Array.isArray(input)) {
            return { ok: false, issues: [{ path: '', message: 'expected a rule table object: { legacy?, services?, routes, … }' }] };
        }
        const issues = [];
        for (const key of PROCESS_SETTINGS) {
            if (key in input)
                issues.push({ path: key, message: `${key} is a process setting; it is set only in the rule file, at start` });
        }
        if (issues.length)
            return { ok: false, issues };
        const base = this.current ? tableOf(this.current.rules) : tableOf(this.settings);
        const candidate = { ...this.settingsOnly(), ...base, ...input };
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
        if (refused.length)
            return { ok: false, issues: refused };
        return { ok: true, rules: parsed.data, table: tableOf(parsed.data) };
    }
    /** A whole table from the API or CLI. Forward mode moves in it meet the guard like `promote` does. */
    applyTable(input, meta, force = false) {
        const parsed = this.parse(input);
        if (!parsed.ok)
            return { ok: false, status: 400, issues: parsed.issues };
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
    setMode(routeName, req) {
        const issues = [];
        if (!MODES.includes(req.mode))
            issues.push({ path: 'mode', message: `mode is one of ${MODES.join(', ')}` });
        if (req.percent !== undefined && (typeof req.percent !== 'number' || !(req.percent >= 0 && req.percent <= 100))) {
            issues.push({ path: 'percent', message: 'percent is a number from 0 to 100' });
        }
        if (issues.length === 0 && req.percent !== undefined && req.mode !== 'canary')
            issues.push({ path: 'percent', message: 'percent applies to mode canary only' });
        if (typeof req.reason !== 'string' || !req.reason.trim())
            issues.push({ path: 'reason', message: 'say why: reason is required' });
        if (issues.length)
            return { ok: false, status: 400, error: 'invalid mode change', issues };
        const { rules } = this.inForce();
        const index = rules.routes.findIndex((r) => r.name === routeName);
        if (index === -1)
            return { ok: false, status: 404, error: `no route named "${routeName}"` };
        const route = rules.routes[index];
        const next = { ...route, mode: req.mode };
        if (req.mode === 'canary') {
            const percent = req.percent ?? route.canary?.percent;
            if (percent === undefined)
                return { ok: false, status: 400, error: 'invalid mode change', issues: [{ path: 'percent', message: 'canary needs a percent' }] };
            next.canary = { ...route.canary, percent };
        }
        const from = modeState(route);
        const to = modeState(next);
        const check = checkTransition(from, to, this.guardOf(route), this.evidence(routeName), req.force === true);
        // Asking for the mode a route already has changes nothing, so it makes no revision.
        if (check.direction === 'same')
            return { ok: true, revision: this.inForce().revision, check, unchanged: true };
        if (!check.allowed) {
            return { ok: false, status: 409, error: `the guard refuses ${routeName}: ${from.mode} → ${to.mode}${to.percent !== null ? ` ${to.percent}%` : ''}`, check };
        }
        const table = tableOf(rules);
        const routes = [...table.routes];
        routes[index] = next;
        const parsed = this.parse({ ...table, routes });
        if (!parsed.ok)
            return { ok: false, status: 400, error: 'the change would make the rule table invalid', issues: parsed.issues };
        const pct = to.percent !== null ? ` ${to.percent}%` : '';
        const revision = this.commit(parsed.table, { source: req.source ?? 'api', author: req.author, message: `${routeName}: ${from.mode} → ${to.mode}${pct}: ${req.reason}${check.forced ? ' (forced)' : ''}` }, req.force === true, { route: routeName, reason: req.reason, check });
        return { ok: true, revision, check };
    }
    /**
     * A difference path left out of a route's shadow comparisons from now on
     * (its `shadow.compare.ignore`), as a new revision: what "ignore this
     * path" does on the dashboard. A path already ignored changes nothing.
     */
    ignorePath(routeName, path, meta) {
        const { rules, revision } = this.inForce();
        const index = rules.routes.findIndex((r) => r.name === routeName);
        if (index === -1)
            return { ok: false, status: 404, error: `no route named "${routeName}"` };
        const route = rules.routes[index];
        const ignore = route.shadow?.compare.ignore ?? [];
        if (ignore.includes(path))
            return { ok: true, revision, ignore, unchanged: true };
        const table = tableOf(rules);
        const routes = [...table.routes];
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
    restore(n, author, reason = '', force = false) {
        const old = this.revisions.get(n);
        if (!old)
            return { ok: false, status: 404, issues: [{ path: 'n', message: `no revision ${n}` }] };
        return this.applyTable(old.table, { source: 'restore', author, message: `restore revision ${n}${reason ? `: ${reason}` : ''}` }, force);
    }
    evidence(route) {
        const since = Date.now() - EVIDENCE_WINDOW_MS;
        const totals = this.traffic?.totals(since, route) ?? { total: 0, byTarget: {} };
        return { route, requests: totals.total, byTarget: totals.byTarget, window: '24h', ...this.shadowEvidence(route, this.current?.rules ?? this.settings) };
    }
    guardOf(route) {
        return guardFor(this.inForce().rules, route.name);
    }
    settingsOnly() {
        const { listen, admin, database, retention, clientTimeouts, workers } = this.settings;
        return { listen, admin, database, retention, clientTimeouts, workers };
    }
    /** Routes whose mode or canary share differs between the table in force and `table`. */
    modeMoves(table) {
        // At start nothing is in force yet: the routes were in the modes of the last stored revision.
        const inForce = this.current ? this.current.rules.routes : this.revisions.latest()?.table.routes;
        if (!inForce)
            return [];
        const before = new Map(inForce.map((r) => [r.name, r]));
        const moves = [];
        for (const r of table.routes) {
            const old = before.get(r.name);
            const from = old ? modeState(old) : { mode: 'legacy', percent: null };
            const to = modeState(r);
            if (direction(from, to) === 'same')
                continue;
            const guard = { minSamples: r.guard?.minSamples ?? table.guard.minSamples, minMatchRate: r.guard?.minMatchRate ?? table.guard.minMatchRate };
            moves.push({ route: r.name, from, to, check: checkTransition(from, to, guard, this.evidence(r.name), false) });
        }
        return moves;
    }
    /** Stores the table as a revision with its mode changes, in one transaction, then swaps it in. */
    commit(table, meta, forced, promote) {
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
//# sourceMappingURL=migration-control.js.map