import type { RuleFile } from '../rules/schema.js';

/**
 * What the primary and its data-plane workers say to each other over the
 * cluster's IPC channel. Every type starts with `strangler:` so other
 * users of the channel (prom-client's own cluster listener, say) can
 * share it.
 */

/** What a worker needs to run its data plane: its first message, the answer to its hello. */
export interface WorkerStart {
  type: 'strangler:start';
  /** 1…N: the worker's place, kept by its replacement after a crash. */
  slot: number;
  workers: number;
  listen: string;
  database: string;
  ledger: boolean;
  logLevel: string;
  rules: RuleFile;
  revision: number;
}

export type ToWorker =
  | WorkerStart
  /** A new revision is in force: swap it in and say so with `applied`. */
  | { type: 'strangler:rules'; rules: RuleFile; revision: number }
  /** Drain, write the ledger and exit 0. */
  | { type: 'strangler:stop' }
  | { type: 'strangler:ask'; id: number; what: WorkerQuestion };

export type WorkerQuestion = 'metrics' | 'usage';

export type FromWorker =
  /** Sent once its listener is in place, so the start message cannot be lost. */
  | { type: 'strangler:hello' }
  | { type: 'strangler:listening'; url: string; port: number; revision: number }
  /** It could not start (a port in use, a database it cannot open): the message says why, then it exits. */
  | { type: 'strangler:failed'; message: string }
  | { type: 'strangler:applied'; revision: number }
  | { type: 'strangler:answer'; id: number; value: unknown };

/** CPU and memory of one process, for the benchmark's CPU per request over all processes. */
export interface ProcessUsage {
  pid: number;
  userUs: number;
  systemUs: number;
  maxRssKb: number;
}

export function processUsage(): ProcessUsage {
  const cpu = process.cpuUsage();
  return { pid: process.pid, userUs: cpu.user, systemUs: cpu.system, maxRssKb: process.resourceUsage().maxRSS };
}

export function isMessage<T extends { type: string }>(msg: unknown): msg is T {
  return typeof msg === 'object' && msg !== null && typeof (msg as { type?: unknown }).type === 'string' && (msg as { type: string }).type.startsWith('strangler:');
}
