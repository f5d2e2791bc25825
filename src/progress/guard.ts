import type { Guard, Mode } from '../rules/schema.js';

/**
 * Whether a change of mode may happen. Moving back is always allowed: a
 * rollback must never wait for evidence. Moving forward into a mode where
 * the service answers real users (canary, a larger canary share, service)
 * needs shadow evidence over the route's threshold, unless forced.
 */

/** Failed copies above this share (percent) block a forward move, as they block readiness. */
export const MAX_FAILURE_RATE = 1;

export const MODE_ORDER: Record<Mode, number> = { legacy: 0, shadow: 1, canary: 2, service: 3, retired: 4 };

export interface ModeState {
  mode: Mode;
  /** Canary share; null outside canary. */
  percent: number | null;
}

export interface Evidence {
  route: string;
  /** Shadow comparisons counted for the route. */
  compared: number;
  /** Match rate with noise excluded, in percent; null without comparisons. */
  netMatchRate: number | null;
  /** Share of copies that failed (timeout, refused, reset, unparseable, too large), in percent; null without copies. */
  failureRate?: number | null;
  /** Requests the route served in the evidence window, by target. */
  requests: number;
  byTarget: Record<string, number>;
  window: string;
  /** Says what the evidence can and cannot show yet. */
  note?: string;
}

export interface TransitionCheck {
  direction: 'forward' | 'back' | 'same';
  guarded: boolean;
  allowed: boolean;
  forced: boolean;
  /** Why the guard refuses (empty when it does not). */
  reasons: string[];
  guard: Guard;
  evidence: Evidence;
}

export function direction(from: ModeState, to: ModeState): TransitionCheck['direction'] {
  const d = MODE_ORDER[to.mode] - MODE_ORDER[from.mode];
  if (d !== 0) return d > 0 ? 'forward' : 'back';
  if (to.mode === 'canary') {
    const a = from.percent ?? 0;
    const b = to.percent ?? 0;
    return b > a ? 'forward' : b < a ? 'back' : 'same';
  }
  return 'same';
}

/** Forward moves that put a new share of users on the service. */
function needsEvidence(from: ModeState, to: ModeState): boolean {
  if (to.mode === 'canary' || to.mode === 'service') return true;
  // Straight to retired without having served as a service skips the evidence too.
  return to.mode === 'retired' && MODE_ORDER[from.mode] < MODE_ORDER.service;
}

export function checkTransition(from: ModeState, to: ModeState, guard: Guard, evidence: Evidence, force: boolean): TransitionCheck {
  const dir = direction(from, to);
  const guarded = dir === 'forward' && needsEvidence(from, to);
  const reasons: string[] = [];
  if (guarded) {
    if (evidence.compared < guard.minSamples) {
      reasons.push(`${evidence.compared} compared samples; the guard needs at least ${guard.minSamples}`);
    }
    if (evidence.netMatchRate === null) {
      // A guard that asks for no match rate (minMatchRate 0) is satisfied without comparisons.
      if (guard.minMatchRate > 0) reasons.push(`no net match rate yet; the guard needs ${guard.minMatchRate}%`);
    } else if (evidence.netMatchRate < guard.minMatchRate) {
      reasons.push(`net match rate ${evidence.netMatchRate}% is under the guard's ${guard.minMatchRate}%`);
    }
    // A service that times out or resets on many copies can still match on the rest: that is not readiness.
    if (evidence.failureRate != null && evidence.failureRate > MAX_FAILURE_RATE) {
      reasons.push(`${evidence.failureRate}% of shadow copies failed (timeouts, refusals, resets, unparseable or too large); the guard allows ${MAX_FAILURE_RATE}%`);
    }
  }
  return {
    direction: dir,
    guarded,
    allowed: reasons.length === 0 || force,
    forced: force && reasons.length > 0,
    reasons,
    guard,
    evidence,
  };
}
