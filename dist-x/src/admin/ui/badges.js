import { h } from './dom.js';
/** The small coloured labels for a mode, a readiness and a verdict; `data-*` says which, for styles and tests. */
export function modeBadge(mode, percent) {
    return h('span', { class: `badge mode-${mode}`, 'data-mode': mode }, mode === 'canary' && percent != null ? `canary ${percent}%` : mode);
}
const READINESS_LABEL = { ready: 'ready', 'not-ready': 'not ready', unknown: 'unknown' };
export function readinessBadge(r) {
    const title = r.reasons.length ? r.reasons.join('\n') : `enough samples (${r.minSamples}) and a net match rate of at least ${r.minMatchRate}%`;
    return h('span', { class: `badge readiness-${r.state}`, 'data-readiness': r.state, title }, READINESS_LABEL[r.state]);
}
export function verdictBadge(v) {
    return h('span', { class: `badge verdict-${v}`, 'data-verdict': v }, v);
}
//# sourceMappingURL=badges.js.map