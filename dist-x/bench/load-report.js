import { markdownTable } from './markdown.js';
/**
 * The middle value (the mean of the two middle ones for an even count).
 * Windows on this kind of machine are now and then slowed by half for
 * reasons outside the benchmark; a median of rounds shrugs such a window
 * off where a mean is dragged by it.
 */
export function median(xs) {
    const s = xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
    if (s.length === 0)
        return NaN;
    const m = s.length >> 1;
    return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}
/**
 * Peer a over peer b: the median of the per-round ratios. Each round runs
 * the two within seconds of each other, so a round's own ratio is the
 * least touched by the machine's drift; the median keeps a disturbed round
 * from deciding.
 */
export function ratio(a, b, f) {
    return median(roundRatios(a, b, f));
}
function roundRatios(a, b, f) {
    return a.samples.map((s, i) => f(s) / f(b.samples[i]));
}
export const fixed = (n, digits) => (Number.isNaN(n) ? '—' : n.toFixed(digits));
export const times = (n) => `${n.toFixed(2)}x`;
export function summarise(p) {
    const ss = p.samples;
    return {
        label: p.label,
        rps: median(ss.map((s) => s.rps)),
        p50: median(ss.map((s) => s.p50Ms)),
        p99: median(ss.map((s) => s.p99Ms)),
        proxyCpu: median(ss.map((s) => s.proxyCpuUs)),
        backendCpu: median(ss.map((s) => s.backendCpuUs)),
        rssMb: Math.max(...ss.map((s) => s.proxyMaxRssKb)) / 1024,
        failures: ss.reduce((n, s) => n + s.errors + s.non2xx, 0),
        uncaught: p.uncaught,
    };
}
export function sampleLine(s) {
    return `${Math.round(s.rps)} req/s, p50 ${fixed(s.p50Ms, 2)} ms, p99 ${fixed(s.p99Ms, 2)} ms, proxy CPU ${fixed(s.proxyCpuUs, 1)} µs/req, other load ${fixed(s.otherLoadPct, 0)} %`;
}
/**
 * The throughput table: every peer with its requests/s as a ratio to the
 * reference proxies (http-proxy, and nginx when it ran), and every window.
 */
export function loadReport(peers, refs) {
    const summary = peers.map(summarise);
    const ref = (label) => (label === null ? undefined : peers.find((p) => p.label === label));
    const httpProxy = ref(refs.httpProxy);
    const nginx = ref(refs.nginx);
    const rps = (x) => x.rps;
    const table = markdownTable([
        'peer',
        'requests/s',
        'vs http-proxy',
        ...(nginx ? ['vs nginx'] : []),
        'p50 ms',
        'p99 ms',
        'proxy CPU µs/req',
        'backend CPU µs/req',
        'proxy peak RSS MB',
        'errors + non-2xx',
    ], summary.map((s, i) => [
        s.label,
        s.rps.toFixed(0),
        times(ratio(peers[i], httpProxy, rps)),
        ...(nginx ? [times(ratio(peers[i], nginx, rps))] : []),
        fixed(s.p50, 2),
        fixed(s.p99, 2),
        fixed(s.proxyCpu, 1),
        fixed(s.backendCpu, 1),
        fixed(s.rssMb, 0),
        String(s.failures),
    ]));
    const rounds = Math.max(...peers.map((p) => p.samples.length));
    const windows = markdownTable(['round', 'peer', 'requests/s', 'p50 ms', 'p99 ms', 'proxy CPU µs/req', 'other load %', 'proxy exceptions so far'], Array.from({ length: rounds }, (_, i) => peers.map((p) => {
        const s = p.samples[i];
        return [String(i + 1), p.label, s.rps.toFixed(0), fixed(s.p50Ms, 2), fixed(s.p99Ms, 2), fixed(s.proxyCpuUs, 1), fixed(s.otherLoadPct, 0), String(s.uncaught)];
    })).flat());
    return { summary, table, windows };
}
/** Per-round ratio of two peers' values: adjacent windows share the machine's state best, so this shows how much of the spread is drift. */
export function perRound(a, b, f) {
    return roundRatios(a, b, f).map(times).join(', ');
}
//# sourceMappingURL=load-report.js.map