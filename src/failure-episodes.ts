/**
 * Failures that repeat (every ledger batch while the disk is full, every
 * shadow copy while a service is down) told to the log without flooding
 * it: the first failure of an episode at once, a new cause at once, the
 * same cause again at most once per interval with how many were not told,
 * and the end of the episode once. Pure: the caller passes the time and
 * writes the log line.
 */

export type Telling =
  /** Say it: the first of an episode, a new cause, or the first after an interval of silence. */
  | { tell: true; first: boolean; failures: number; untold: number }
  | { tell: false };

interface Episode {
  since: number;
  toldAt: number;
  cause: string;
  /** Failures in the episode, and those not told since the last line. */
  failures: number;
  untold: number;
}

export class FailureEpisodes {
  private readonly open = new Map<string, Episode>();

  constructor(private readonly intervalMs = 60_000) {}

  failed(key: string, cause: string, now: number): Telling {
    const e = this.open.get(key);
    if (!e) {
      this.open.set(key, { since: now, toldAt: now, cause, failures: 1, untold: 0 });
      return { tell: true, first: true, failures: 1, untold: 0 };
    }
    e.failures++;
    if (cause === e.cause && now - e.toldAt < this.intervalMs) {
      e.untold++;
      return { tell: false };
    }
    const untold = e.untold;
    e.cause = cause;
    e.toldAt = now;
    e.untold = 0;
    return { tell: true, first: false, failures: e.failures, untold };
  }

  /** A success for `key`: the episode, if one was open, ends here and is returned once. */
  succeeded(key: string, now: number): { failures: number; ms: number } | null {
    const e = this.open.get(key);
    if (!e) return null;
    this.open.delete(key);
    return { failures: e.failures, ms: now - e.since };
  }

  isOpen(key: string): boolean {
    return this.open.has(key);
  }

  /** Whether any episode is open: lets a hot path skip building keys while all is well. */
  get anyOpen(): boolean {
    return this.open.size > 0;
  }
}
