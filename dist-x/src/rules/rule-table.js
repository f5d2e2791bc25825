import { createHash } from 'node:crypto';
/**
 * A rule file is two things: the rule table (where traffic goes), which
 * the file, the admin API and the CLI all change and which is kept as
 * numbered revisions; and the process settings (listen, admin, database,
 * retention, clientTimeouts, workers), which only the file sets and which take effect at start.
 */
export const TABLE_KEYS = ['legacy', 'services', 'forwarded', 'via', 'guard', 'verdict', 'routes'];
export const PROCESS_SETTINGS = ['listen', 'admin', 'database', 'retention', 'clientTimeouts', 'workers'];
export function tableOf(file) {
    const out = {};
    for (const k of TABLE_KEYS)
        out[k] = file[k];
    return out;
}
/** The file's process settings with another rule table. */
export function withTable(file, table) {
    return { ...file, ...table };
}
/** JSON with sorted object keys, so equal tables hash alike whatever the key order. */
export function canonicalJson(value) {
    if (Array.isArray(value))
        return `[${value.map(canonicalJson).join(',')}]`;
    if (value && typeof value === 'object') {
        const entries = Object.entries(value)
            .filter(([, v]) => v !== undefined)
            .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
        return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
    }
    return JSON.stringify(value);
}
export function tableHash(table) {
    return createHash('sha256').update(canonicalJson(table)).digest('hex').slice(0, 16);
}
//# sourceMappingURL=rule-table.js.map