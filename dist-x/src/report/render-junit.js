import { findingsOf } from '../progress/readiness.js';
import { endpointKey, underComparison } from './endpoint-selection.js';
import { gateReasons } from './gate.js';
/**
 * The report as JUnit XML, the format every CI system shows as tests: one
 * test suite per route, one test case per endpoint under comparison. A
 * case fails when the endpoint has a regression group, is under its
 * guard's net match rate or otherwise not ready, or fails the CI gate when
 * one is given; it is skipped when there are too few samples to tell and
 * nothing is known to be wrong yet.
 */
/** XML 1.0 has no way to write most control characters, even escaped: they become U+FFFD. */
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
export function xmlEscape(s) {
    return s.replace(NOT_XML, '\uFFFD').replace(/[&<>"']/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&apos;'));
}
const attr = (name, value) => ` ${name}="${xmlEscape(String(value))}"`;
const percent = (n) => (n === null ? 'none' : `${n}%`);
function caseOf(e, gate) {
    // Regression groups and a rate under the guard fail the case even while the sample count is too short for a verdict.
    const failures = [...findingsOf(e.readiness), ...gateReasons(e, gate)];
    const skipped = failures.length === 0 && e.readiness.state === 'unknown' ? (e.readiness.reasons[0] ?? 'too few samples to tell') : null;
    return { endpoint: e, failures, skipped };
}
function details(e) {
    const lines = [
        `route ${e.route ?? '(none)'}, mode ${e.mode}`,
        `requests ${e.requests}, compared ${e.compared}, matched ${e.matched}, net match ${percent(e.netMatchRate)} (raw ${percent(e.matchRate)})`,
        `guard: ${e.readiness.minSamples} samples, ${e.readiness.minMatchRate}% net match; readiness ${e.readiness.state}`,
    ];
    for (const d of e.differences)
        lines.push(`  ${d.path} ${d.kind}: ${d.count} (noise ${d.noise}) ${d.verdict}${d.samples.length ? `, samples ${d.samples.join(' ')}` : ''}`);
    return lines.join('\n');
}
function caseXml(c) {
    const e = c.endpoint;
    const open = `    <testcase${attr('classname', `strangler.shadow.${e.route ?? 'unrouted'}`)}${attr('name', endpointKey(e))}${attr('time', 0)}>`;
    const body = [];
    if (c.failures.length > 0)
        body.push(`      <failure${attr('message', c.failures[0])}${attr('type', 'not-ready')}>${xmlEscape(`${c.failures.join('\n')}\n\n${details(e)}`)}</failure>`);
    else if (c.skipped !== null)
        body.push(`      <skipped${attr('message', c.skipped)}/>`);
    body.push(`      <system-out>${xmlEscape(details(e))}</system-out>`);
    return [open, ...body, '    </testcase>'].join('\n');
}
export function renderJunit(doc, gate = {}) {
    const cases = doc.endpoints.filter(underComparison).map((e) => caseOf(e, gate));
    const suites = new Map();
    for (const c of cases) {
        const name = c.endpoint.route ?? '(no route)';
        suites.set(name, [...(suites.get(name) ?? []), c]);
    }
    const counts = (list) => `${attr('tests', list.length)}${attr('failures', list.filter((c) => c.failures.length > 0).length)}${attr('errors', 0)}${attr('skipped', list.filter((c) => c.skipped !== null).length)}`;
    const out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        `<testsuites${attr('name', `strangler shadow report (${doc.window})`)}${counts(cases)}${attr('time', 0)}>`,
    ];
    for (const [name, list] of suites) {
        out.push(`  <testsuite${attr('name', `route ${name}`)}${counts(list)}${attr('time', 0)}${attr('timestamp', doc.generatedAt)}>`, ...list.map(caseXml), '  </testsuite>');
    }
    out.push('</testsuites>', '');
    return out.join('\n');
}
//# sourceMappingURL=render-junit.js.map