import { InvalidArgumentError } from 'commander';
import { MAX_WORKERS } from '../rules/schema.js';
/** `--workers N|auto`, checked like the rule file's `workers`. */
export function parseWorkersOption(value) {
    const v = value.trim();
    if (v === 'auto')
        return 'auto';
    const n = Number(v);
    if (!/^[0-9]+$/.test(v) || n < 1 || n > MAX_WORKERS) {
        throw new InvalidArgumentError(`expected a whole number from 1 to ${MAX_WORKERS}, or auto for one per core; got "${value}"`);
    }
    return n;
}
/** The data-plane processes to run: the flag, else the file, else 1; `auto` is one per core. */
export function workerCount(flag, file, cores) {
    const setting = flag ?? file ?? 1;
    return setting === 'auto' ? Math.max(1, Math.min(MAX_WORKERS, cores)) : setting;
}
//# sourceMappingURL=worker-count.js.map