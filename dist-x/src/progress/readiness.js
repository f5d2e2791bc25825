/**
 * Whether an endpoint (or a whole route) is safe to cut over. One function
 * serves the report, the dashboard and the promotion guard, so that the
 * badge a user sees and the guard's refusal can never disagree.
 *
 * - `ready`: enough compared samples, net match rate at or over the
 *   threshold, no regression group, no failure category over 1%;
 * - `not-ready`: one or more of those fail; `reasons` says which;
 * - `unknown`: too few samples to tell (other findings are still listed).
 */
/** A failure category above this share (percent of copies sent) blocks readiness. */
export const MAX_FAILURE_RATE = 1;
/** Outcomes where a copy was sent but no comparison could be made. */
export const FAILURES = ['shadow-timeout', 'shadow-refused', 'shadow-reset', 'unparseable', 'too-large'];
const round1 = (x) => Math.round(x * 10) / 10;
/**
 * A rate as judged and shown: cut, never rounded up, to two decimals, so
 * that 98.996 % reads 98.99 % and stays under a 99 % threshold.
 */
export const floor2 = (x) => Math.floor(x * 100 + 1e-9) / 100;
export function failureCount(failures) {
    let n = 0;
    for (const f of FAILURES)
        n += failures?.[f] ?? 0;
    return n;
}
/** Failed copies as a share of the copies sent, percent; null when none was sent. */
export function failureRateOf(compared, failures) {
    const failed = failureCount(failures);
    return compared + failed ? round1((failed / (compared + failed)) * 100) : null;
}
export function readinessOf(e, guard) {
    const reasons = [];
    const tooFew = e.compared < guard.minSamples;
    if (tooFew)
        reasons.push(`${e.compared} compared samples; the guard needs at least ${guard.minSamples}`);
    if (e.netMatchRate === null) {
        // A guard that asks for no match rate (minMatchRate 0) is satisfied without comparisons.
        if (guard.minMatchRate > 0)
            reasons.push(`no net match rate yet; the guard needs ${guard.minMatchRate}%`);
    }
    else if (floor2(e.netMatchRate) < guard.minMatchRate) {
        reasons.push(`net match rate ${floor2(e.netMatchRate)}% is under the guard's ${guard.minMatchRate}%`);
    }
    const regressions = e.regressions ?? [];
    if (regressions.length > 0) {
        const shown = regressions.slice(0, 3).join(', ');
        reasons.push(`${regressions.length} regression group${regressions.length === 1 ? '' : 's'}: ${shown}${regressions.length > 3 ? ', …' : ''}`);
    }
    const sent = e.compared + failureCount(e.failures);
    for (const f of FAILURES) {
        const n = e.failures?.[f] ?? 0;
        // A service that times out or resets on many copies can still match on the rest: that is not readiness.
        if (n > 0 && (n / sent) * 100 > MAX_FAILURE_RATE) {
            reasons.push(`${round1((n / sent) * 100)}% of shadow copies ended in ${f} (${n} of ${sent}); the guard allows ${MAX_FAILURE_RATE}% per category`);
        }
    }
    const state = tooFew ? 'unknown' : reasons.length ? 'not-ready' : 'ready';
    return { state, reasons, minSamples: guard.minSamples, minMatchRate: guard.minMatchRate };
}
/** The guard a route is held to: its own fields, the global guard for the rest. */
export function guardFor(rules, route) {
    const own = route === null ? undefined : rules.routes.find((r) => r.name === route)?.guard;
    return { minSamples: own?.minSamples ?? rules.guard.minSamples, minMatchRate: own?.minMatchRate ?? rules.guard.minMatchRate };
}
/**
 * What is already known to be wrong, beyond too few samples: a report can
 * fail an endpoint on these even while the sample count is short.
 * readinessOf names the sample count first, so it is the one left out.
 */
export function findingsOf(r) {
    return r.state === 'unknown' ? r.reasons.slice(1) : r.reasons;
}
//# sourceMappingURL=readiness.js.map