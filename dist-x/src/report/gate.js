import { endpointKey, underComparison } from './endpoint-selection.js';
import { floor2 } from '../progress/readiness.js';
export const gateIsSet = (g) => g.failUnder !== undefined || g.minSamples !== undefined;
export function gateReasons(e, g) {
    const reasons = [];
    if (g.failUnder !== undefined) {
        // Judged on the exact share, not the rounded rate the tables show: 99.46 % does not pass a 99.5 % gate.
        const rate = e.compared ? floor2((e.netMatched / e.compared) * 100) : null;
        if (rate === null)
            reasons.push(`no net match rate: nothing compared; the gate needs ${g.failUnder}%`);
        else if (rate < g.failUnder)
            reasons.push(`net match rate ${rate}% is under ${g.failUnder}%`);
    }
    if (g.minSamples !== undefined && e.compared < g.minSamples) {
        reasons.push(`${e.compared} compared sample${e.compared === 1 ? '' : 's'}; the gate needs at least ${g.minSamples}`);
    }
    return reasons;
}
export function gateOf(endpoints, g) {
    const judged = endpoints.filter(underComparison);
    const failing = judged.map((endpoint) => ({ endpoint, reasons: gateReasons(endpoint, g) })).filter((f) => f.reasons.length > 0);
    return { judged: judged.length, failing };
}
/** The gate's verdict as lines for stderr: the first says what failed, one line per endpoint after it. */
export function gateLines(result, g) {
    const rule = [g.failUnder !== undefined ? `--fail-under ${g.failUnder}` : '', g.minSamples !== undefined ? `--min-samples ${g.minSamples}` : ''].filter(Boolean).join(' ');
    if (result.judged === 0)
        return [`the gate (${rule}) has nothing to judge: no endpoint in the report is under shadow comparison; check --route, --endpoint and --since`];
    if (result.failing.length === 0)
        return [`gate passed (${rule}): ${result.judged} endpoint${result.judged === 1 ? '' : 's'} under comparison`];
    return [
        `the gate (${rule}) fails for ${result.failing.length} of ${result.judged} endpoint${result.judged === 1 ? '' : 's'} under comparison:`,
        ...result.failing.map((f) => `  ${endpointKey(f.endpoint)}: ${f.reasons.join('; ')}`),
    ];
}
//# sourceMappingURL=gate.js.map