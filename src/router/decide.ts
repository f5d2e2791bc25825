import type { MatchResult } from '../rules/compile.js';
import type { RequestView } from '../rules/request-view.js';
import type { Mode, RouteSpec } from '../rules/schema.js';
import { inCanary } from './canary.js';
import { LEGACY, type Target } from './targets.js';

/** Where one request goes: the primary target, and legacy as fallback when the route allows it. */
export interface Plan {
  route: string | null;
  spec: RouteSpec | null;
  mode: Mode;
  primary: Target;
  fallback: Target | null;
}

const ALWAYS_SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);
const IDEMPOTENT_UNSAFE = new Set(['PUT', 'DELETE']);

/** RFC 9110 §9.2.2; PUT and DELETE only when the route vouches for its service. */
export function mayFallBack(method: string, fallbackUnsafe: boolean | undefined): boolean {
  return ALWAYS_SAFE.has(method) || (fallbackUnsafe === true && IDEMPOTENT_UNSAFE.has(method));
}

export function decide(match: MatchResult | null, req: RequestView, targets: ReadonlyMap<string, Target>): Plan {
  const legacy = targets.get(LEGACY)!;
  if (!match) return { route: null, spec: null, mode: 'legacy', primary: legacy, fallback: null };
  const spec = match.route.spec;
  const service = spec.service === undefined ? undefined : targets.get(spec.service);
  const toService = (): Plan => ({
    route: spec.name,
    spec,
    mode: spec.mode,
    primary: service!,
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
