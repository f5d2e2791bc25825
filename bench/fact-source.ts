import type { ExchangeFact } from '../src/router/proxy-handler.js';
import { endpointCatalogue, picker, requestPath, rng } from './endpoint-mix.js';

/**
 * Synthetic exchange facts for the ledger benchmarks (ledger-writer.ts,
 * ledger-design.ts): bench/endpoint-mix.ts's endpoints, four targets,
 * every status class and upstream errors, lognormal latencies; seeded, so
 * every run writes the same traffic.
 */

const ENDPOINT_SPECS = endpointCatalogue();

export function factSource(kind: 'zipf' | 'uniform', seed: number): () => ExchangeFact {
  const random = rng(seed);
  const pick = picker(kind, random);
  return () => {
    const e = ENDPOINT_SPECS[pick()]!;
    const url = requestPath(e, random);
    let target = e.targets[0]![0];
    if (e.targets.length > 1 && random() >= e.targets[0]![1]) target = e.targets[1]![0];
    const s = random();
    const status = s < 0.9 ? 200 : s < 0.93 ? 304 : s < 0.97 ? 404 : s < 0.99 ? 503 : 0;
    // Lognormal around 8 ms (Box–Muller).
    const z = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    return {
      route: e.route,
      mode: target === 'legacy' ? 'legacy' : 'service',
      method: e.method,
      url,
      target,
      status,
      error: status === 0 ? 'timeout' : null,
      fellBack: false,
      startedAt: Date.now(),
      durationMs: 8 * Math.exp(0.8 * z),
      bytesIn: 350,
      bytesOut: status === 200 ? 1_200 : 150,
      copy: null,
    };
  };
}
