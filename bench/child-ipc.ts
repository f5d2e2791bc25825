import { tickCostNs } from './tick-cost.js';

/**
 * The child side of a benchmark process: say the port on stdout once
 * listening, answer CPU/RSS questions over IPC, and exit when the parent
 * goes away so that no server outlives a crashed or interrupted run.
 */

export interface UsageReport {
  type: 'usage';
  /** process.cpuUsage(), µs since the child started. */
  userUs: number;
  systemUs: number;
  /** Peak resident set size so far, KiB. */
  maxRssKb: number;
  /** Exceptions that would have ended the process; see survive(). */
  uncaught: number;
  /** The ledger writer's counters, from a peer that runs one (see peer-strangler-ledger.ts). */
  ledger?: LedgerCounters;
}

/** A usage report's CPU, user + system, µs: the difference of two is the CPU spent between them. */
export const cpuUs = (u: UsageReport): number => u.userUs + u.systemUs;

/** The answer to `tick`: tick-cost.ts. */
export interface TickReport {
  type: 'tick';
  ns: number;
}

/** BatchedWriter stats, copied: since the child started, so the parent takes differences. */
export interface LedgerCounters {
  written: number;
  dropped: number;
  queued: number;
  batches: number;
  failedBatches: number;
}

let uncaught = 0;

/**
 * A proxy that dies when a client hangs up mid-request would end the
 * benchmark at the first autocannon run, which closes its connections
 * with requests in flight. The child logs the first such exception, counts
 * them all, and goes on; the count ends up in the results, so a crash bug
 * is reported, not hidden.
 */
export function survive(label: string): void {
  process.on('uncaughtException', (err) => {
    if (uncaught++ === 0) console.error(`${label}: uncaught exception (counted, process kept alive):`, err);
  });
}

/** Exceptions survived so far, for a child that answers `usage` itself. */
export const uncaughtCount = (): number => uncaught;

export function announceReady(port: number, onExit: () => void = () => undefined, ledger?: () => LedgerCounters): void {
  answer('usage', (): UsageReport => {
    const cpu = process.cpuUsage();
    return { type: 'usage', userUs: cpu.user, systemUs: cpu.system, maxRssKb: process.resourceUsage().maxRSS, uncaught, ledger: ledger?.() };
  });
  answer('tick', async (): Promise<TickReport> => ({ type: 'tick', ns: await tickCostNs() }));
  process.on('disconnect', () => {
    onExit();
    process.exit(0);
  });
  process.stdout.write(`${port}\n`);
}

/** Replies to the parent's `{ type }` questions (children.ts ask()); the reply carries the same type, and may take a while. */
export function answer(type: string, reply: () => { type: string } | Promise<{ type: string }>): void {
  process.on('message', (msg: unknown) => {
    if ((msg as { type?: string } | null)?.type === type) void Promise.resolve(reply()).then((r) => process.send?.(r));
  });
}

/** `--name=value` from argv, else the fallback; children take their targets this way. */
export function arg(name: string, fallback?: string): string {
  const prefix = `--${name}=`;
  const hit = process.argv.find((a) => a.startsWith(prefix));
  if (hit !== undefined) return hit.slice(prefix.length);
  if (fallback !== undefined) return fallback;
  throw new Error(`missing --${name}=…`);
}
