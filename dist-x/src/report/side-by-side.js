import { formatPath } from '../shadow/json-path.js';
export function escapeHtml(s) {
    return s.replace(/[&<>"']/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&#39;'));
}
/** Which differences show on which side: `missing` is only on legacy's, `extra` only on the other's. */
function marksFor(differences, side) {
    const marks = new Map();
    for (const d of differences) {
        if (d.kind === 'missing' && side === 'other')
            continue;
        if (d.kind === 'extra' && side === 'legacy')
            continue;
        marks.set(d.path.toLowerCase().startsWith('header:') ? d.path.toLowerCase() : d.path, d.kind);
    }
    return marks;
}
function mark(inner, path, kind) {
    return kind === undefined ? inner : `<mark class="diff diff-${escapeHtml(kind)}" data-path="${escapeHtml(path)}" title="${escapeHtml(`${path}: ${kind}`)}">${inner}</mark>`;
}
const INDENT = '  ';
/** `markedAbove`: the caller already wraps this node (with its member name) in a mark. */
function jsonHtml(value, at, marks, depth, markedAbove = false) {
    const path = formatPath(at);
    const kind = markedAbove ? undefined : marks.get(path);
    const pad = INDENT.repeat(depth + 1);
    const close = INDENT.repeat(depth);
    let inner;
    if (Array.isArray(value)) {
        inner =
            value.length === 0
                ? '[]'
                : `[\n${value.map((v, i) => pad + jsonHtml(v, [...at, i], marks, depth + 1)).join(',\n')}\n${close}]`;
    }
    else if (value !== null && typeof value === 'object') {
        const entries = Object.entries(value);
        inner =
            entries.length === 0
                ? '{}'
                : `{\n${entries
                    .map(([k, v]) => {
                    const childPath = formatPath([...at, k]);
                    const key = `<span class="json-key">${escapeHtml(JSON.stringify(k))}</span>`;
                    // A differing member is marked together with its name, so the whole line shows up.
                    const kind = marks.get(childPath);
                    const child = jsonHtml(v, [...at, k], marks, depth + 1, kind !== undefined);
                    return pad + mark(`${key}: ${child}`, childPath, kind);
                })
                    .join(',\n')}\n${close}}`;
    }
    else {
        inner = `<span class="json-${value === null ? 'null' : typeof value}">${escapeHtml(JSON.stringify(value) ?? String(value))}</span>`;
    }
    return mark(inner, path, kind);
}
function bodyHtml(r, marks) {
    if (r.body === null || r.body === '')
        return '<span class="empty">(no body)</span>';
    if (r.encoding === 'base64')
        return mark(`<span class="binary">${escapeHtml(`binary body, ${r.body.length} base64 characters`)}</span>`, 'body', marks.get('body'));
    let parsed;
    try {
        parsed = JSON.parse(r.body);
    }
    catch {
        return mark(escapeHtml(r.body), 'body', marks.get('body'));
    }
    return jsonHtml(parsed, [], marks, 0);
}
function sideHtml(title, side, r, differences) {
    const marks = marksFor(differences, side);
    const status = mark(escapeHtml(String(r.status)), 'status', marks.get('status'));
    const headers = r.headers
        .map(([name, value]) => {
        const path = `header:${name.toLowerCase()}`;
        return mark(`<span class="header-name">${escapeHtml(name)}</span>: ${escapeHtml(value)}`, path, marks.get(path));
    })
        .join('\n');
    return [
        `<section class="sbs-side" data-side="${side}">`,
        `<h4>${escapeHtml(title)} <span class="status">${status}</span></h4>`,
        `<pre class="sbs-headers">${headers}</pre>`,
        `<pre class="sbs-body">${bodyHtml(r, marks)}${r.truncated ? '\n<span class="truncated">(cut when stored)</span>' : ''}</pre>`,
        '</section>',
    ].join('');
}
export function sideBySideHtml(s) {
    return `<div class="sbs">${sideHtml('legacy', 'legacy', s.legacy, s.differences)}${sideHtml(s.target, 'other', s.other, s.differences)}</div>`;
}
/** Styles for the fragment, shared by the HTML report and the dashboard. */
export const SIDE_BY_SIDE_CSS = `
.sbs { display: grid; grid-template-columns: 1fr 1fr; gap: 12px; }
.sbs-side { min-width: 0; border: 1px solid #d0d7de; border-radius: 6px; padding: 8px; }
.sbs-side h4 { margin: 0 0 6px; font-size: 13px; }
.sbs pre { margin: 0; font: 12px/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; white-space: pre-wrap; word-break: break-word; }
.sbs-headers { color: #57606a; border-bottom: 1px dashed #d0d7de; padding-bottom: 6px; margin-bottom: 6px !important; }
.sbs mark.diff { background: #ffebe9; outline: 1px solid #ff8182; border-radius: 2px; color: inherit; }
.sbs mark.diff-extra { background: #dafbe1; outline-color: #4ac26b; }
.sbs mark.diff-missing { background: #fff8c5; outline-color: #d4a72c; }
.sbs .json-key { color: #0550ae; } .sbs .json-string { color: #0a3069; } .sbs .json-number { color: #953800; }
.sbs .json-boolean, .sbs .json-null { color: #8250df; } .sbs .empty, .sbs .truncated, .sbs .binary { color: #6e7781; font-style: italic; }
`;
//# sourceMappingURL=side-by-side.js.map