import { InvalidArgumentError } from 'commander';
import { parseWindow } from '../admin/views.js';
/** `--since`, checked while parsing, so that both sources, API and file, refuse a bad window with the same words. */
export function windowArg(value) {
    const w = parseWindow(value);
    if (!w.ok)
        throw new InvalidArgumentError(w.message);
    return value;
}
//# sourceMappingURL=window-arg.js.map