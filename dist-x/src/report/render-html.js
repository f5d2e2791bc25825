import { curlCommand } from './curl.js';
import { endpointKey, readinessLabel, summaryLine, underComparison } from './endpoint-selection.js';
import { samplesNamed, samplesToShow } from './sample-choice.js';
import { sampleParts } from './sample-parts.js';
import { escapeHtml, SIDE_BY_SIDE_CSS, sideBySideHtml } from './side-by-side.js';
const h = escapeHtml;
const percent = (n) => (n === null ? '–' : `${n}%`);
const badgeClass = (label) => `badge badge-${label.replace(/ /g, '-')}`;
const badge = (e) => `<span class="${badgeClass(readinessLabel(e))}">${h(readinessLabel(e))}</span>`;
const CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";
const CSS = `
* { box-sizing: border-box; }
body { font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2328; margin: 0 auto; padding: 24px; max-width: 1400px; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 18px; margin: 0 0 6px; } h3 { font-size: 15px; margin: 18px 0 8px; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
.meta { color: #57606a; margin: 0 0 16px; }
table { border-collapse: collapse; margin: 8px 0 16px; }
th, td { text-align: left; padding: 4px 10px; border-bottom: 1px solid #d8dee4; vertical-align: top; }
th { font-size: 12px; text-transform: uppercase; color: #57606a; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.badge { display: inline-block; padding: 0 8px; border-radius: 10px; font-size: 12px; font-weight: 600; line-height: 20px; white-space: nowrap; }
.badge-ready { background: #dafbe1; color: #116329; }
.badge-not-ready { background: #ffebe9; color: #a40e26; }
.badge-unknown { background: #fff8c5; color: #7d4e00; }
.badge-not-shadowed { background: #eaeef2; color: #57606a; }
.verdict-regression { color: #a40e26; font-weight: 600; } .verdict-noise { color: #57606a; } .verdict-unknown { color: #7d4e00; }
section.endpoint { border-top: 2px solid #d0d7de; padding-top: 16px; margin-top: 24px; }
.reasons { margin: 6px 0; padding-left: 20px; color: #a40e26; }
.sample { border: 1px solid #d0d7de; border-radius: 6px; padding: 10px; margin: 12px 0; }
.sample h4 { margin: 0 0 8px; font-size: 13px; }
.curl { margin-top: 8px; }
.curl-head { font-size: 12px; color: #57606a; display: flex; gap: 8px; align-items: center; }
pre.curl-command { margin: 2px 0 6px; padding: 6px 8px; background: #f6f8fa; border-radius: 6px; white-space: pre-wrap; word-break: break-all; font: 12px/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
button.copy { font-size: 11px; padding: 0 6px; cursor: pointer; }
.missing { color: #6e7781; font-style: italic; }
`;
// Copy buttons: the clipboard where the browser allows it, else the command is selected for Ctrl+C.
const SCRIPT = `
document.addEventListener('click', function (ev) {
  var b = ev.target && ev.target.closest ? ev.target.closest('button[data-copy]') : null;
  if (!b) return;
  var pre = document.getElementById(b.getAttribute('data-copy'));
  if (!pre) return;
  var select = function () { var r = document.createRange(); r.selectNodeContents(pre); var s = window.getSelection(); s.removeAllRanges(); s.addRange(r); };
  var done = function () { b.textContent = 'copied'; setTimeout(function () { b.textContent = 'copy'; }, 1500); };
  if (navigator.clipboard) navigator.clipboard.writeText(pre.textContent).then(done, select); else select();
});
`;
function curlBlock(id, label, command) {
    return `<div class="curl"><div class="curl-head">${h(label)} <button type="button" class="copy" data-copy="${h(id)}">copy</button></div><pre class="curl-command" id="${h(id)}">${h(command)}</pre></div>`;
}
function sampleHtml(id, sample, targets) {
    if (!sample)
        return `<article class="sample" id="s${id}" data-sample="${id}"><p class="missing">sample #${id} is no longer stored (retention removed it after the report was read)</p></article>`;
    const parts = sampleParts(sample);
    if (!parts)
        return `<article class="sample" id="s${id}" data-sample="${id}"><p class="missing">sample #${id} is not in a form this strangler can show</p></article>`;
    const { request, sideBySide } = parts;
    const when = sample.at ? ` · ${h(sample.at)}` : '';
    const outcome = sample.outcome ? ` · ${h(sample.outcome)}` : '';
    const curls = [];
    const service = targets.services[sample.target];
    if (targets.legacy)
        curls.push(curlBlock(`curl-${id}-legacy`, `replay against legacy (${targets.legacy})`, curlCommand(request, targets.legacy).command));
    if (service)
        curls.push(curlBlock(`curl-${id}-service`, `replay against ${sample.target} (${service})`, curlCommand(request, service).command));
    else
        curls.push(`<p class="missing">no URL for the service ${h(sample.target)} in the rules in force: no curl command against it</p>`);
    return [
        `<article class="sample" id="s${id}" data-sample="${id}">`,
        `<h4>sample #${id}${outcome}${when} · <code>${h(`${request.method} ${request.url}`)}</code></h4>`,
        sideBySideHtml(sideBySide),
        ...curls,
        '</article>',
    ].join('\n');
}
function endpointHtml(e, n, o) {
    const facts = [
        e.route === null ? 'no route' : `route <code>${h(e.route)}</code>`,
        h(e.mode),
        `${e.requests} requests`,
        `${e.compared} compared`,
        `net match ${percent(e.netMatchRate)} (raw ${percent(e.matchRate)})`,
        `guard: ${e.readiness.minSamples} samples, ${e.readiness.minMatchRate}%`,
    ];
    const failed = Object.entries(e.outcomes).filter(([k]) => k !== 'match' && k !== 'differ');
    if (failed.length > 0)
        facts.push(`other outcomes: ${failed.map(([k, v]) => `${h(k)} ${v}`).join(', ')}`);
    const out = [
        `<section class="endpoint" id="e${n}" data-endpoint="${h(endpointKey(e))}" data-readiness="${h(e.readiness.state)}">`,
        `<h2><code>${h(endpointKey(e))}</code> ${badge(e)}</h2>`,
        `<p class="facts">${facts.join(' · ')}</p>`,
    ];
    if (e.readiness.reasons.length > 0)
        out.push(`<ul class="reasons">${e.readiness.reasons.map((r) => `<li>${h(r)}</li>`).join('')}</ul>`);
    if (e.differences.length === 0) {
        out.push('<p>No differences.</p>');
    }
    else {
        out.push('<table class="groups"><thead><tr><th>Difference</th><th>Kind</th><th class="num">Count</th><th class="num">Noise</th><th>Verdict</th><th>Samples</th></tr></thead><tbody>', ...e.differences.map((d) => `<tr data-path="${h(d.path)}"><td><code>${h(d.path)}</code></td><td>${h(d.kind)}</td><td class="num">${d.count}</td><td class="num">${d.noise}</td><td class="verdict-${h(d.verdict)}">${h(d.verdict)}</td><td>${d.samples.map((s) => `<a href="#s${s}">#${s}</a>`).join(' ') || '–'}</td></tr>`), '</tbody></table>');
        const shown = samplesToShow(e);
        const named = samplesNamed(e);
        out.push(`<h3>Samples${named > shown.length ? ` (${shown.length} of ${named})` : ''}</h3>`);
        for (const id of shown)
            out.push(sampleHtml(id, o.samples.get(id), o.targets));
    }
    out.push('</section>');
    return out.join('\n');
}
export function renderHtml(doc, o) {
    const compared = doc.endpoints.filter(underComparison);
    const ids = new Map(compared.map((e, i) => [e, i + 1]));
    const p = doc.progress;
    const byMode = Object.entries(p.endpoints.byMode)
        .filter(([, n]) => n > 0)
        .map(([m, n]) => `${n} ${h(m)}`)
        .join(', ');
    const rows = doc.endpoints.map((e) => {
        const n = ids.get(e);
        const name = `<code>${h(endpointKey(e))}</code>`;
        return `<tr data-endpoint="${h(endpointKey(e))}"><td>${n === undefined ? name : `<a href="#e${n}">${name}</a>`}</td><td>${e.route === null ? '–' : `<code>${h(e.route)}</code>`}</td><td>${h(e.mode)}</td><td class="num">${e.requests}</td><td class="num">${underComparison(e) ? e.compared : '–'}</td><td class="num">${percent(e.netMatchRate)}</td><td>${badge(e)}</td></tr>`;
    });
    return [
        '<!doctype html>',
        '<html lang="en">',
        '<head>',
        '<meta charset="utf-8">',
        `<meta http-equiv="Content-Security-Policy" content="${CSP}">`,
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        `<title>strangler shadow report · ${h(doc.window)}</title>`,
        `<style>${CSS}${SIDE_BY_SIDE_CSS}</style>`,
        '</head>',
        '<body>',
        '<header>',
        '<h1>strangler shadow report</h1>',
        `<p class="meta">window <code>${h(doc.window)}</code>, generated <time datetime="${h(doc.generatedAt)}">${h(doc.generatedAt)}</time>${o.source ? `, from ${h(o.source)}` : ''}. ${h(summaryLine(doc.endpoints))}.<br>`,
        `${p.endpoints.total} endpoints known${byMode ? ` (${byMode})` : ''}; ${p.traffic.total} requests, ${p.traffic.servedByServicesShare}% served by new services.</p>`,
        '</header>',
        doc.endpoints.length === 0
            ? '<p>No endpoints in this window.</p>'
            : `<table class="endpoints"><thead><tr><th>Endpoint</th><th>Route</th><th>Mode</th><th class="num">Requests</th><th class="num">Compared</th><th class="num">Net match</th><th>Readiness</th></tr></thead><tbody>\n${rows.join('\n')}\n</tbody></table>`,
        ...compared.map((e) => endpointHtml(e, ids.get(e), o)),
        `<script>${SCRIPT}</script>`,
        '</body>',
        '</html>',
        '',
    ].join('\n');
}
//# sourceMappingURL=render-html.js.map