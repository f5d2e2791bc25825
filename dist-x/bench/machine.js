import { readFileSync } from 'node:fs';
import os from 'node:os';
/** What the numbers were measured on; ratios travel between machines, absolute numbers do not. */
export function machineLine() {
    const cpus = os.cpus();
    const model = cpus[0]?.model.trim() ?? 'unknown CPU';
    return `Node ${process.version}, ${os.platform()} ${os.arch()}, ${cpus.length} cores (${model}), ${new Date().toISOString()}`;
}
/**
 * CPU time the whole machine spent busy, all cores, in ms (from /proc/stat;
 * null where there is none). Minus what the benchmark's own processes used,
 * it shows how much other work shared the machine during a measurement.
 */
export function machineBusyMs() {
    let line;
    try {
        line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0];
    }
    catch {
        return null;
    }
    // cpu  user nice system idle iowait irq softirq steal …; /proc/stat counts in USER_HZ, 100 on Linux.
    const f = line?.trim().split(/\s+/).slice(1).map(Number) ?? [];
    if (f.length < 8 || f.some((n) => !Number.isFinite(n)))
        return null;
    const [user, nice, system, , , irq, softirq, steal] = f;
    return (user + nice + system + irq + softirq + steal) * 10;
}
export const CORES = os.cpus().length;
/**
 * CPU time of this process's finished and reaped children (cutime + cstime
 * of /proc/self/stat), in ms; 0 where there is none. The load generator
 * wrk runs as such a child, one per window, so this is how its CPU counts
 * as the benchmark's own and not as "other load".
 */
function reapedChildrenMs() {
    try {
        const stat = readFileSync('/proc/self/stat', 'utf8');
        // Fields after the command name, which is in parentheses and may hold spaces: state is field 3, cutime 16, cstime 17.
        const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        return (Number(f[13]) + Number(f[14])) * 10;
    }
    catch {
        return 0;
    }
}
/**
 * Starts a meter of the benchmark's own CPU outside the measured processes:
 * this process (the orchestrator, and autocannon when it is the load
 * generator) plus its reaped children (wrk). Call the result for the ms
 * used since.
 */
export function orchestratorCpu() {
    const self0 = process.cpuUsage();
    const reaped0 = reapedChildrenMs();
    return () => {
        const self = process.cpuUsage(self0);
        return (self.user + self.system) / 1000 + reapedChildrenMs() - reaped0;
    };
}
//# sourceMappingURL=machine.js.map