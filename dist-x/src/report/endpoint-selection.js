/**
 * Which endpoints a report judges. The document lists every endpoint with
 * traffic, most of them still plain legacy; readiness, the CI gate and the
 * JUnit test cases only mean something for those shadow traffic reaches.
 */
/** In shadow now, or with shadow copies recorded in the window (a route moved on keeps its evidence). */
export function underComparison(e) {
    return e.mode === 'shadow' || e.compared > 0 || Object.keys(e.outcomes).length > 0;
}
export const endpointKey = (e) => `${e.method} ${e.path}`;
/** Not safe to cut over yet: under comparison and not `ready`. */
export function isFailing(e) {
    return underComparison(e) && e.readiness.state !== 'ready';
}
export const NOT_SHADOWED = 'not shadowed';
/** `ready`, `not ready`, `unknown`, or `not shadowed` for an endpoint not under comparison: the word every format shows. */
export function readinessLabel(e) {
    if (!underComparison(e))
        return NOT_SHADOWED;
    return e.readiness.state === 'not-ready' ? 'not ready' : e.readiness.state;
}
/** `3 endpoints under comparison: 1 ready, 1 not ready, 1 unknown; 2 more not shadowed` */
export function summaryLine(endpoints) {
    const judged = endpoints.filter(underComparison);
    const count = (s) => judged.filter((e) => e.readiness.state === s).length;
    const rest = endpoints.length - judged.length;
    const head = `${judged.length} endpoint${judged.length === 1 ? '' : 's'} under comparison: ${count('ready')} ready, ${count('not-ready')} not ready, ${count('unknown')} unknown`;
    return rest > 0 ? `${head}; ${rest} more not shadowed` : head;
}
//# sourceMappingURL=endpoint-selection.js.map