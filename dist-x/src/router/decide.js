import { inCanary } from './canary.js';
import { LEGACY } from './targets.js';
const ALWAYS_SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);
const IDEMPOTENT_UNSAFE = new Set(['PUT', 'DELETE']);
/** RFC 9110 §9.2.2; PUT and DELETE only when the route vouches for its service. */
export function mayFallBack(method, fallbackUnsafe) {
    return ALWAYS_SAFE.has(method) || (fallbackUnsafe === true && IDEMPOTENT_UNSAFE.has(method));
}
export function decide(match, req, targets) {
    const legacy = targets.get(LEGACY);
    if (!match)
        return { route: null, spec: null, mode: 'legacy', primary: legacy, fallback: null };
    const spec = match.route.spec;
    const service = spec.service === undefined ? undefined : targets.get(spec.service);
    const toService = () => ({
        route: spec.name,
        spec,
        mode: spec.mode,
        primary: service,
        fallback: spec.mode !== 'retired' && spec.fallback === 'legacy' && mayFallBack(req.method, spec.fallbackUnsafe) ? legacy : null,
    });
    switch (spec.mode) {
        case 'service':
        case 'retired':
            return toService();
        case 'canary':
            return inCanary(spec.name, spec.canary?.percent ?? 0, spec.canary?.stickyBy, req)
                ? toService()
                : { route: spec.name, spec, mode: 'canary', primary: legacy, fallback: null };
        default:
            // legacy, and shadow: legacy answers (a shadow copy, if any, is the shadow dispatcher's business).
            return { route: spec.name, spec, mode: spec.mode, primary: legacy, fallback: null };
    }
}
//# sourceMappingURL=decide.js.map