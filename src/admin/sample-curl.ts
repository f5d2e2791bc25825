import type { RuleFile, TargetSpec } from '../rules/schema.js';
import { curlCommand, type CurlCommand, type SampleRequest } from '../report/curl.js';
import type { StoredSample } from '../store/comparisons.js';

/**
 * "Copy as curl" for a stored sample: its request replayed against legacy
 * and against the service it was compared with, at their URLs in the rules
 * in force (not the proxy's: the point is to ask one side directly).
 */

export interface SampleCurl {
  id: number;
  legacy: CurlCommand & { target: string; url: string };
  /** Null when the sample's service is no longer in the rules. */
  service: (CurlCommand & { target: string; url: string }) | null;
}

const urlOf = (spec: TargetSpec) => (typeof spec === 'string' ? spec : spec.url);

export function sampleCurl(sample: StoredSample, rules: Pick<RuleFile, 'legacy' | 'services' | 'routes'>): SampleCurl {
  const request = sample.request as SampleRequest;
  // `against: legacy` samples name legacy as their target; the service is then the route's own.
  const serviceName = sample.target !== 'legacy' ? sample.target : rules.routes.find((r) => r.name === sample.route)?.service;
  const serviceSpec = serviceName === undefined ? undefined : rules.services[serviceName];
  const legacyUrl = urlOf(rules.legacy);
  return {
    id: sample.id,
    legacy: { target: 'legacy', url: legacyUrl, ...curlCommand(request, legacyUrl) },
    service: serviceSpec && serviceName ? { target: serviceName, url: urlOf(serviceSpec), ...curlCommand(request, urlOf(serviceSpec)) } : null,
  };
}
