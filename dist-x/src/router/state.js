import { compileTable } from '../rules/compile.js';
export function buildState(rules, pools) {
    // Compile first: a table that does not compile must not touch the pools in use.
    const table = compileTable(rules);
    return { table, targets: pools.build(rules), loadedAt: new Date() };
}
//# sourceMappingURL=state.js.map