import os from 'node:os';
import { readRuleFile } from '../router/rule-file-watch.js';
import { startFromFile } from './start.js';
import { startCluster } from './start-cluster.js';
import { workerCount } from './worker-count.js';
/**
 * `strangler start`: one process when workers is 1 (the default), else a
 * primary with N data-plane workers. An invalid file is reported by
 * startFromFile, with its file, line and column.
 */
export async function startStrangler(file, opts = {}) {
    const loaded = await readRuleFile(file);
    const workers = workerCount(opts.workers, loaded.ok ? loaded.rules.workers : undefined, os.availableParallelism());
    if (workers === 1 || !loaded.ok)
        await startFromFile(file, opts);
    else
        await startCluster(file, workers, opts);
}
//# sourceMappingURL=start-command.js.map