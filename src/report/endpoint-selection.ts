import type { EndpointReport } from './report-data.js';

/**
 * Which endpoints a report judges. The document lists every endpoint with
 * traffic, most of them still plain legacy; readiness, the CI gate and the
 * JUnit test cases only mean something for those shadow traffic reaches.
 */

/** In shadow now, or with shadow copies recorded in the window (a route moved on keeps its evidence). */
export function underComparison(e: Pick<EndpointReport, 'mode' | 'compared' | 'outcomes'>): boolean {
  return e.mode === 'shadow' || e.compared > 0 || Object.keys(e.outcomes).length > 0;
}

export const endpointKey = (e: Pick<EndpointReport, 'method' | 'path'>): string => `${e.method} ${e.path}`;

/** Not safe to cut over yet: under comparison and not `ready`. */
export function isFailing(e: EndpointReport): boolean {
  return underComparison(e) && e.readiness.state !== 'ready';
}
