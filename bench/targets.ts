import { perRound, ratio, times, type PeerSamples, type Sample, type Summary } from './load-report.js';
import { steadyRate } from './load.js';
import { pairedFigures, pairedPerRound, pairedRatio, type PairedResult } from './paired.js';

/** The hardening issue's targets for the full benchmark, and the lines that say whether this run met them. */
export const TARGETS = {
  /** strangler in legacy mode, requests/s over http-proxy's. */
  vsHttpProxy: 1.6,
  /** strangler in legacy mode, requests/s over nginx's. */
  vsNginx: 0.45,
  /** strangler in legacy mode, proxy CPU per request, µs. */
  cpuUs: 110,
  /** shadow 100 % over legacy mode, proxy CPU per request. */
  shadowCpu: 2.5,
  /** shadow with a hung service over legacy mode, client p99. */
  hungP99: 1.1,
};

export interface Roles {
  httpProxy: PeerSamples;
  nginx: PeerSamples | null;
  dataPlane: PeerSamples;
  legacy: PeerSamples;
  canary: PeerSamples;
  shadow: PeerSamples;
  hung: PeerSamples;
  workers: { one: PeerSamples; two: PeerSamples } | null;
}

const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');

/** One ratio against its target: `- what: **1.23x** (target ≥ 1.6x: NOT met); per round: …`. */
function targetLine(what: string, value: number, target: '≥' | '≤' | '<', limit: number, rounds: string, limitText = `${limit}x`): string {
  const ok = target === '≥' ? value >= limit : target === '≤' ? value <= limit : value < limit;
  return `- ${what}: **${times(value)}** (target ${target} ${limitText}: ${verdict(ok)}); per round: ${rounds}`;
}

export function targetLines(r: Roles, summary: Summary[]): string[] {
  const s = (p: PeerSamples) => summary.find((x) => x.label === p.label)!;
  const legacy = s(r.legacy);
  const rps = (x: Sample) => x.rps;
  const cpu = (x: Sample) => x.proxyCpuUs;
  const p99 = (x: Sample) => x.p99Ms;
  const lines: string[] = [];
  lines.push(targetLine('strangler legacy mode / http-proxy requests/s', ratio(r.legacy, r.httpProxy, rps), '≥', TARGETS.vsHttpProxy, perRound(r.legacy, r.httpProxy, rps)));
  if (r.nginx) {
    lines.push(targetLine('strangler legacy mode / nginx requests/s', ratio(r.legacy, r.nginx, rps), '≥', TARGETS.vsNginx, perRound(r.legacy, r.nginx, rps)));
  } else lines.push('- nginx is not installed (`apt-get install -y nginx-light`): no nginx ratio in this run');
  lines.push(
    `- strangler legacy mode proxy CPU per request: **${legacy.proxyCpu.toFixed(1)} µs** (target ≤ ${TARGETS.cpuUs} µs: ${verdict(legacy.proxyCpu <= TARGETS.cpuUs)}); http-proxy: ${s(r.httpProxy).proxyCpu.toFixed(1)} µs${r.nginx ? `, nginx: ${s(r.nginx).proxyCpu.toFixed(1)} µs` : ''}`,
  );
  const plane = s(r.dataPlane);
  lines.push(
    `- the data plane alone (startProxy, no ledger, admin or metrics) / http-proxy requests/s: ${times(ratio(r.dataPlane, r.httpProxy, rps))}; proxy CPU ${plane.proxyCpu.toFixed(1)} µs per request; per round: ${perRound(r.dataPlane, r.httpProxy, rps)}`,
  );
  lines.push(targetLine('shadow 100 % / legacy mode proxy CPU per request', ratio(r.shadow, r.legacy, cpu), '≤', TARGETS.shadowCpu, perRound(r.shadow, r.legacy, cpu)));
  lines.push(
    `- shadow with a hung service / legacy mode client p99 at saturation: ${times(ratio(r.hung, r.legacy, p99))}, with proxy CPU per request ${times(ratio(r.hung, r.legacy, cpu))}; per round: ${perRound(r.hung, r.legacy, p99)}. ${SATURATED_P99}`,
  );
  lines.push(`- canary 50 % / legacy mode requests/s: ${times(ratio(r.canary, r.legacy, rps))}; proxy CPU ${times(ratio(r.canary, r.legacy, cpu))}`);
  if (r.workers) {
    const [w1, w2] = [s(r.workers.one), s(r.workers.two)];
    lines.push(
      `- 2 workers / 1 worker requests/s: **${times(ratio(r.workers.two, r.workers.one, rps))}**; proxy CPU per request, all processes: ${w2.proxyCpu.toFixed(1)} vs ${w1.proxyCpu.toFixed(1)} µs; per round: ${perRound(r.workers.two, r.workers.one, rps)}`,
    );
  }
  for (const x of summary.filter((x) => x.uncaught > 0)) {
    lines.push(`- **${x.label} threw ${x.uncaught} uncaught exception(s) during the run**; it would have crashed without the benchmark's guard (first one on stderr).`);
  }
  return lines;
}

export interface PairedRoles {
  legacyVsHttpProxy: PairedResult;
  dataPlaneVsHttpProxy: PairedResult;
  shadowVsLegacy: PairedResult;
  hungVsLegacy: PairedResult;
  /** Under a steady load (paired.ts STEADY): where the hung-service target is read. */
  hungVsLegacySteady: PairedResult;
}

/**
 * Why the hung-service target is read under a steady load. With the load as fast as the proxy answers, the core is
 * saturated and p99 is mostly time queued behind other requests: it follows CPU per request, which the CPU targets
 * cover. The question the target asks is whether a hung service makes clients wait; a steady load below saturation
 * answers that.
 */
const SATURATED_P99 = 'Not the verdict: at saturation p99 follows CPU per request; the target is read under a steady load (paired rounds).';

/** The same targets read from the paired rounds (paired.ts): the ratios only, since an absolute figure still depends on the machine's state. */
export function pairedTargetLines(r: PairedRoles): string[] {
  const { rps, cpu, p99 } = pairedFigures;
  const check = (what: string, p: PairedResult, f: (typeof pairedFigures)[keyof typeof pairedFigures], target: '≥' | '≤' | '<', limit: number, limitText?: string) =>
    targetLine(`paired: ${what}`, pairedRatio(p, f), target, limit, pairedPerRound(p, f), limitText);
  return [
    check('strangler legacy mode / http-proxy requests/s', r.legacyVsHttpProxy, rps, '≥', TARGETS.vsHttpProxy),
    `- paired: the data plane alone / http-proxy requests/s: ${times(pairedRatio(r.dataPlaneVsHttpProxy, rps))}; per round: ${pairedPerRound(r.dataPlaneVsHttpProxy, rps)}`,
    check('shadow 100 % / legacy mode proxy CPU per request', r.shadowVsLegacy, cpu, '≤', TARGETS.shadowCpu),
    `- paired: shadow with a hung service / legacy mode client p99 at saturation: ${times(pairedRatio(r.hungVsLegacy, p99))}, with proxy CPU per request ${times(pairedRatio(r.hungVsLegacy, cpu))}; per round: ${pairedPerRound(r.hungVsLegacy, p99)}. ${SATURATED_P99}`,
    check(
      `shadow with a hung service / legacy mode client p99 under a steady load (${steadyRate(r.hungVsLegacySteady.steady!)} requests/s each)`,
      r.hungVsLegacySteady,
      p99,
      '<',
      TARGETS.hungP99,
      `${TARGETS.hungP99.toFixed(2)}x`,
    ),
    '- the nginx ratio and the absolute CPU target are read from the sequential windows only. Paired, nginx is not CPU-bound: it answers as fast as the backend and both load generators, all on CPU 1, let it (about 30 % of CPU 0), which flatters any peer paired with it. An absolute figure depends on the state the core is in.',
  ];
}
