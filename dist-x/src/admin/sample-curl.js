import { curlCommand } from '../report/curl.js';
const urlOf = (spec) => (typeof spec === 'string' ? spec : spec.url);
export function sampleCurl(sample, rules) {
    const request = sample.request;
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
//# sourceMappingURL=sample-curl.js.map