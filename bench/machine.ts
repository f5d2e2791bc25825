import { readFileSync } from 'node:fs';
import os from 'node:os';

/** What the numbers were measured on; ratios travel between machines, absolute numbers do not. */
export function machineLine(): string {
  const cpus = os.cpus();
  const model = cpus[0]?.model.trim() ?? 'unknown CPU';
  return `Node ${process.version}, ${os.platform()} ${os.arch()}, ${cpus.length} cores (${model}), ${new Date().toISOString()}`;
}

/**
 * CPU time the whole machine spent busy, all cores, in ms (from /proc/stat;
 * null where there is none). Minus what the benchmark's own processes used,
 * it shows how much other work shared the machine during a measurement.
 */
export function machineBusyMs(): number | null {
  let line: string | undefined;
  try {
    line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0];
  } catch {
    return null;
  }
  // cpu  user nice system idle iowait irq softirq steal …; /proc/stat counts in USER_HZ, 100 on Linux.
  const f = line?.trim().split(/\s+/).slice(1).map(Number) ?? [];
  if (f.length < 8 || f.some((n) => !Number.isFinite(n))) return null;
  const [user, nice, system, , , irq, softirq, steal] = f as [number, number, number, number, number, number, number, number];
  return (user + nice + system + irq + softirq + steal) * 10;
}

export const CORES = os.cpus().length;
