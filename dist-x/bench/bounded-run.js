/**
 * Bounded runs: whatever hangs, a benchmark ends by itself within its
 * budget, and an interrupted one takes its child processes with it.
 * `kill` ends them (by pid: only processes the run started).
 */
export function boundRun(label, budgetMs, kill = () => undefined) {
    setTimeout(() => {
        console.error(`${label}: still running after ${Math.round(budgetMs / 1000)} s; stopping`);
        kill();
        process.exit(1);
    }, budgetMs).unref();
    for (const signal of ['SIGINT', 'SIGTERM']) {
        process.once(signal, () => {
            kill();
            process.exit(130);
        });
    }
}
/** SIGKILL to each pid that still runs. */
export function killPids(pids) {
    for (const pid of pids) {
        try {
            process.kill(pid, 'SIGKILL');
        }
        catch {
            // already gone
        }
    }
}
//# sourceMappingURL=bounded-run.js.map