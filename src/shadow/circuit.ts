/**
 * A circuit breaker for one shadow lane (one target's copies). A service
 * that is down or hung turns every copy into a failure that costs the
 * proxy a connection, a timer and, for a hung one, a slot held for the
 * whole timeout, while the service gets traffic it cannot take. After
 * `failures` transport failures in a row the circuit opens: copies are
 * not sent (`dropped-circuit`) for `openMs`. Then one copy goes as a
 * probe; an answer closes the circuit, a failure opens it again for twice
 * as long, up to `maxOpenMs`. A probe that never reports back (its client
 * went away before it left) is replaced by the next copy after another
 * open period. Any answer closes it, also one from a copy sent before it
 * opened. Pure: the caller passes the time.
 */

export interface CircuitPolicy {
  /** Transport failures in a row (timeout, refused, reset) that open it. */
  failures: number;
  /** How long the first opening lasts. */
  openMs: number;
  /** The longest opening, after probes that failed one after another. */
  maxOpenMs: number;
}

export const DEFAULT_CIRCUIT: CircuitPolicy = { failures: 5, openMs: 5_000, maxOpenMs: 60_000 };

/** What a copy's result did to the circuit, for the log and the gauge. */
export type CircuitChange = { opened: true; forMs: number; failures: number } | { closed: true; openedFor: number } | null;

/** allow()'s answer: send it, send it as the probe, or drop it. */
export type Admission = 'go' | 'probe' | false;

export class Circuit {
  /** Failures in a row: while closed, towards opening; while open, the probes that failed add to it. */
  private streak = 0;
  /** 0 while closed; else when the next probe may go. */
  private until = 0;
  private openedAt = 0;
  private period = 0;

  constructor(private readonly policy: CircuitPolicy = DEFAULT_CIRCUIT) {}

  get open(): boolean {
    return this.until !== 0;
  }

  /** May a copy go now? While open, once per period, as the probe. */
  allow(now: number): Admission {
    if (this.until === 0) return 'go';
    if (now < this.until) return false;
    this.until = now + this.period;
    return 'probe';
  }

  /** The copy was answered (whatever the answer): the service is there. */
  answered(now: number): CircuitChange {
    this.streak = 0;
    if (this.until === 0) return null;
    this.until = 0;
    return { closed: true, openedFor: now - this.openedAt };
  }

  /**
   * The copy failed in transport. While open only a probe's failure counts:
   * the copies sent before the opening fail in a burst (a hung service's
   * all time out together) and say nothing new.
   */
  failed(now: number, probe: boolean): CircuitChange {
    if (this.until !== 0) {
      if (!probe) return null;
      this.period = Math.min(this.period * 2, this.policy.maxOpenMs);
      this.until = now + this.period;
      return { opened: true, forMs: this.period, failures: ++this.streak };
    }
    if (++this.streak < this.policy.failures) return null;
    this.openedAt = now;
    this.period = this.policy.openMs;
    this.until = now + this.period;
    return { opened: true, forMs: this.period, failures: this.streak };
  }
}
