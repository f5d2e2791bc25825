import { readinessOf } from './readiness.js';
/**
 * Whether a change of mode may happen. Moving back is always allowed: a
 * rollback must never wait for evidence. Moving forward into a mode where
 * the service answers real users (canary, a larger canary share, service)
 * needs shadow evidence over the route's threshold, unless forced.
 */
export const MODE_ORDER = { legacy: 0, shadow: 1, canary: 2, service: 3, retired: 4 };
export function direction(from, to) {
    const d = MODE_ORDER[to.mode] - MODE_ORDER[from.mode];
    if (d !== 0)
        return d > 0 ? 'forward' : 'back';
    if (to.mode === 'canary') {
        const a = from.percent ?? 0;
        const b = to.percent ?? 0;
        return b > a ? 'forward' : b < a ? 'back' : 'same';
    }
    return 'same';
}
/** Forward moves that put a new share of users on the service. */
function needsEvidence(from, to) {
    if (to.mode === 'canary' || to.mode === 'service')
        return true;
    // Straight to retired without having served as a service skips the evidence too.
    return to.mode === 'retired' && MODE_ORDER[from.mode] < MODE_ORDER.service;
}
export function checkTransition(from, to, guard, evidence, force) {
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
//# sourceMappingURL=guard.js.map