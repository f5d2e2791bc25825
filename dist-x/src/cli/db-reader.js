import { buildReport } from '../report/report-data.js';
import { existsSync } from 'node:fs';
import { endpointRows, parseWindow, progressReport } from '../admin/views.js';
import { compileTable } from '../rules/compile.js';
import { RuleFileSchema } from '../rules/schema.js';
import { ComparisonStore } from '../store/comparisons.js';
import { ModeChangeStore } from '../store/mode-changes.js';
import { LATEST_VERSION, schemaVersion } from '../store/migrations.js';
import { openDatabase } from '../store/open-database.js';
import { RevisionStore } from '../store/revisions.js';
import { TrafficStore } from '../store/traffic.js';
import { CliError } from './cli-error.js';
/**
 * The ledger read straight from the database file, for when the proxy is
 * down (or on another host's disk, copied here). Read-only: WAL lets this
 * run beside a live proxy without blocking it. With no process to ask,
 * the newest revision stands for the one in force, which is what the next
 * start keeps unless the rule file changed.
 */
export function openLedgerFile(file) {
    if (!existsSync(file)) {
        throw new CliError(`no database at ${file}; start the proxy once to create it, or pass --db FILE or --admin URL`);
    }
    let db;
    try {
        db = openDatabase(file, { readonly: true });
    }
    catch (err) {
        throw new CliError(err.message);
    }
    const version = schemaVersion(db);
    if (version !== LATEST_VERSION) {
        db.close();
        throw new CliError(version < LATEST_VERSION
            ? `the database ${file} is at schema version ${version}, older than this strangler (${LATEST_VERSION}); start the proxy once to migrate it`
            : `the database ${file} is at schema version ${version}, newer than this strangler (${LATEST_VERSION}); upgrade strangler`);
    }
    return db;
}
function window(since) {
    const w = parseWindow(since);
    if (!w.ok)
        throw new CliError(`--since: ${w.message}`);
    return w;
}
export function dbReader(file) {
    const db = openLedgerFile(file);
    const revisions = new RevisionStore(db);
    const traffic = new TrafficStore(db);
    let store;
    const comparisons = () => (store ??= new ComparisonStore(db));
    const latest = () => {
        const revision = revisions.latest();
        if (!revision)
            throw new CliError(`the database ${file} holds no revision yet; start the proxy once with a rule file`);
        // The stored table lacks the process settings; their defaults are enough to route with.
        const parsed = RuleFileSchema.safeParse(revision.table);
        if (!parsed.success)
            throw new CliError(`revision ${revision.n} in ${file} no longer validates: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
        return { revision, rules: parsed.data };
    };
    return {
        where: `the database ${file}`,
        offline: true,
        routes: async () => {
            const { revision, rules } = latest();
            return { revision: revision.n, routes: rules.routes, legacy: rules.legacy, services: rules.services, guard: rules.guard };
        },
        endpoints: async (since) => {
            const { rules } = latest();
            return endpointRows(traffic, rules, { table: compileTable(rules) }, window(since).sinceMs);
        },
        report: async (f) => {
            const { rules } = latest();
            const w = window(f.since);
            return buildReport(db, traffic, rules, compileTable(rules), { sinceMs: w.sinceMs, label: w.label, route: f.route, endpoint: f.endpoint });
        },
        progress: async (since) => {
            const { rules } = latest();
            return progressReport(traffic, rules, { table: compileTable(rules) }, window(since));
        },
        revisions: async (limit) => ({ inForce: revisions.latest()?.n ?? 0, revisions: revisions.list(limit) }),
        revision: async (n) => {
            const rev = revisions.get(n);
            if (!rev)
                throw new CliError(`no revision ${n} in ${file}`);
            return rev;
        },
        modeChanges: async (route) => new ModeChangeStore(db).list(route),
        sample: async (id) => comparisons().sample(id),
        close: () => db.close(),
    };
}
//# sourceMappingURL=db-reader.js.map