import { endpointKey, readinessLabel, summaryLine, underComparison } from './endpoint-selection.js';
/**
 * The report as GitHub-flavoured Markdown, for a pull request comment or
 * a CI job summary: a table of endpoints, then one section per endpoint
 * under comparison that is not ready, with its reasons and difference
 * groups. Values from traffic (paths, route names) are code spans, so
 * nothing in them can turn into markup.
 */
const BADGE = { ready: '✅ ready', 'not ready': '❌ not ready', unknown: '❔ unknown', 'not shadowed': '➖ not shadowed' };
/** A code span that holds any text: a fence longer than any run of backticks inside, pipes escaped for tables. */
export function code(s) {
    const flat = s.replace(/\r\n|\r|\n/g, ' ');
    const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
    const fence = '`'.repeat(longest + 1);
    const pad = flat.startsWith('`') || flat.endsWith('`') || flat === '' ? ' ' : '';
    return `${fence}${pad}${flat.replace(/\|/g, '\\|')}${pad}${fence}`;
}
/** Prose from the document (reasons name paths): Markdown's special characters escaped. */
export function text(s) {
    return s.replace(/\r\n|\r|\n/g, ' ').replace(/[\\`*_[\]<>|~]/g, (c) => `\\${c}`);
}
const percent = (n) => (n === null ? '–' : `${n}%`);
function row(cells) {
    return `| ${cells.join(' | ')} |`;
}
function endpointSection(e) {
    const out = [`### ${code(endpointKey(e))}`, '', `${BADGE[readinessLabel(e)]} · route ${e.route === null ? '–' : code(e.route)} · ${e.mode} · ${e.compared} compared · net match ${percent(e.netMatchRate)} (raw ${percent(e.matchRate)})`, ''];
    for (const reason of e.readiness.reasons)
        out.push(`- ${text(reason)}`);
    if (e.readiness.reasons.length > 0)
        out.push('');
    if (e.differences.length > 0) {
        out.push(row(['Difference', 'Kind', 'Count', 'Noise', 'Verdict', 'Samples']), row(['---', '---', '--:', '--:', '---', '---']));
        for (const d of e.differences) {
            out.push(row([code(d.path), d.kind, String(d.count), String(d.noise), d.verdict === 'regression' ? '**regression**' : d.verdict, d.samples.map((s) => `#${s}`).join(' ') || '–']));
        }
        out.push('');
    }
    return out;
}
export function renderMarkdown(doc) {
    const out = [
        '## strangler shadow report',
        '',
        `Window ${code(doc.window)}, generated ${doc.generatedAt}. ${text(summaryLine(doc.endpoints))}.`,
        '',
    ];
    if (doc.endpoints.length === 0)
        return [...out, 'No endpoints in this window.', ''].join('\n');
    out.push(row(['Endpoint', 'Route', 'Mode', 'Requests', 'Compared', 'Net match', 'Readiness']), row(['---', '---', '---', '--:', '--:', '--:', '---']));
    for (const e of doc.endpoints) {
        out.push(row([code(endpointKey(e)), e.route === null ? '–' : code(e.route), e.mode, String(e.requests), underComparison(e) ? String(e.compared) : '–', percent(e.netMatchRate), BADGE[readinessLabel(e)]]));
    }
    out.push('');
    const detailed = doc.endpoints.filter((e) => underComparison(e) && (e.readiness.state !== 'ready' || e.differences.length > 0));
    for (const e of detailed)
        out.push(...endpointSection(e));
    return out.join('\n');
}
//# sourceMappingURL=render-markdown.js.map