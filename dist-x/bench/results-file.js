import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
/**
 * bench/RESULTS.md is written in sections (`## …`), each owned by one
 * benchmark, so `npm run bench:match` and `npm run bench:ledger` can refresh
 * their part without wiping the load numbers. The path is the source folder's, not dist/'s.
 */
export const RESULTS_PATH = fileURLToPath(new URL('../../bench/RESULTS.md', import.meta.url));
const TITLE = '# Benchmark results\n\nWritten by `npm run bench` (all sections), `npm run bench:match` (route matching only), `npm run bench:ledger` (ledger writer only) and `npm run bench:shadow` (shadow only). Do not edit by hand.\n';
export function writeSection(heading, body) {
    const text = existsSync(RESULTS_PATH) ? readFileSync(RESULTS_PATH, 'utf8') : TITLE;
    const section = `## ${heading}\n\n${body.trim()}\n`;
    const start = text.indexOf(`\n## ${heading}\n`);
    let next;
    if (start === -1)
        next = `${text.trimEnd()}\n\n${section}`;
    else {
        const end = text.indexOf('\n## ', start + 1);
        next = text.slice(0, start + 1) + section + (end === -1 ? '' : '\n' + text.slice(end + 1));
    }
    writeFileSync(RESULTS_PATH, next);
}
/** A fresh file, so sections of a removed benchmark do not linger. */
export function resetResults() {
    writeFileSync(RESULTS_PATH, TITLE);
}
//# sourceMappingURL=results-file.js.map