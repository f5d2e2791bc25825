/**
 * The child side of a benchmark process: say the port on stdout once
 * listening, answer CPU/RSS questions over IPC, and exit when the parent
 * goes away so that no server outlives a crashed or interrupted run.
 */
let uncaught = 0;
/**
 * A proxy that dies when a client hangs up mid-request would end the
 * benchmark at the first autocannon run, which closes its connections
 * with requests in flight. The child logs the first such exception, counts
 * them all, and goes on; the count ends up in the results, so a crash bug
 * is reported, not hidden.
 */
export function survive(label) {
    process.on('uncaughtException', (err) => {
        if (uncaught++ === 0)
            console.error(`${label}: uncaught exception (counted, process kept alive):`, err);
    });
}
/** Exceptions survived so far, for a child that answers `usage` itself. */
export const uncaughtCount = () => uncaught;
export function announceReady(port, onExit = () => undefined, ledger) {
    answer('usage', () => {
        const cpu = process.cpuUsage();
        return { type: 'usage', userUs: cpu.user, systemUs: cpu.system, maxRssKb: process.resourceUsage().maxRSS, uncaught, ledger: ledger?.() };
    });
    process.on('disconnect', () => {
        onExit();
        process.exit(0);
    });
    process.stdout.write(`${port}\n`);
}
/** Replies to the parent's `{ type }` questions (children.ts ask()); the reply carries the same type. */
export function answer(type, reply) {
    process.on('message', (msg) => {
        if (msg?.type === type)
            process.send?.(reply());
    });
}
/** `--name=value` from argv, else the fallback; children take their targets this way. */
export function arg(name, fallback) {
    const prefix = `--${name}=`;
    const hit = process.argv.find((a) => a.startsWith(prefix));
    if (hit !== undefined)
        return hit.slice(prefix.length);
    if (fallback !== undefined)
        return fallback;
    throw new Error(`missing --${name}=…`);
}
//# sourceMappingURL=child-ipc.js.map