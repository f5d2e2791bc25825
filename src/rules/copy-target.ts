import type { RouteSpec } from './schema.js';

/**
 * Where a route sends its shadow copies, read from its spec alone: in
 * shadow mode, its service (legacy answers the client); with `shadow.against:
 * legacy`, legacy, and then only for the requests its service answers
 * (canary, service and retired modes; a canary request legacy answers has
 * nothing to compare with). Undefined: the route sends none. Pure and free
 * of Node, so the shadow dispatcher (per request) and the dashboard (to say
 * why its match-rate chart is empty) read the rule the same way.
 */
export function copyTargetOf(route: Pick<RouteSpec, 'mode' | 'service' | 'shadow'>): string | undefined {
  if (route.mode === 'shadow') return route.service;
  // The target named 'legacy' (router/targets.ts LEGACY, which this browser-safe module cannot import: it loads undici).
  if (route.mode !== 'legacy' && route.shadow?.against === 'legacy') return 'legacy';
  return undefined;
}
