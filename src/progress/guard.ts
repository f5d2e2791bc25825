import type { Guard, Mode } from '../rules/schema.js';
import { readinessOf } from './readiness.js';

/**
 * Whether a change of mode may happen. Moving back is always allowed: a
 * rollback must never wait for evidence. Moving forward into a mode where
 * the service answers real users (canary, a larger canary share, service)
 * needs shadow evidence over the route's threshold, unless forced.
 */

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
  /** Failed copies by category (shadow-timeout, shadow-refused, …). */
  failures?: Record<string, number>;
  /** Difference groups judged regressions, as `path (kind)`. */
  regressions?: string[];
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
  // The guard refuses for exactly the reasons an endpoint is not ready: one rule, one wording.
  const reasons = guarded ? readinessOf(evidence, guard).reasons : [];
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
