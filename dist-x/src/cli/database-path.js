import path from 'node:path';
/** The database path: relative paths are relative to the rule file, not to where the command runs. */
export function databasePath(ruleFile, rules, override) {
    const p = override ?? rules.database;
    return p === ':memory:' || path.isAbsolute(p) ? p : path.resolve(path.dirname(path.resolve(ruleFile)), p);
}
//# sourceMappingURL=database-path.js.map