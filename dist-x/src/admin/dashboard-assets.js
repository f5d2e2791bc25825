import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
/**
 * The dashboard's browser modules: what tsc built from src/admin/ui (with
 * the DOM library, see tsconfig.ui.json) and the pure modules they import,
 * served as they are, with no bundler. Only the modules the entry point
 * reaches are served: the rest of dist/ (the server, the store) is not
 * the browser's business.
 */
export const ENTRY = 'admin/ui/main.js';
/** dist/src: beside this file when it runs built, under the package's dist/ when it runs from src/ (tests). */
export function builtRoot() {
    const here = path.dirname(fileURLToPath(import.meta.url));
    for (const root of [path.resolve(here, '..'), path.resolve(here, '../../dist/src')]) {
        if (existsSync(path.join(root, ENTRY)))
            return root;
    }
    return null;
}
const IMPORT = /(?:^|[;\s])(?:import|export)\s*(?:[^'";]*?\sfrom\s*)?['"](\.{1,2}\/[^'"]+)['"]/g;
/** The relative modules a built file imports, as paths relative to `root`. */
function importsOf(root, file) {
    const text = readFileSync(path.join(root, file), 'utf8');
    const out = [];
    for (const m of text.matchAll(IMPORT))
        out.push(path.posix.normalize(path.posix.join(path.posix.dirname(file), m[1])));
    return out;
}
/** Every module reachable from the entry point, relative to `root` (`admin/ui/main.js`, `report/side-by-side.js`, …). */
export function moduleGraph(root, entry = ENTRY) {
    const seen = new Set();
    const todo = [entry];
    while (todo.length) {
        const f = todo.pop();
        if (seen.has(f) || f.startsWith('..') || !existsSync(path.join(root, f)))
            continue;
        seen.add(f);
        todo.push(...importsOf(root, f));
    }
    return seen;
}
//# sourceMappingURL=dashboard-assets.js.map