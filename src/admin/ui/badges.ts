import { h } from './dom.js';
import type { Mode, Readiness, Verdict } from './wire.js';

/** The small coloured labels for a mode, a readiness and a verdict; `data-*` says which, for styles and tests. */

export function modeBadge(mode: Mode, percent?: number | null): HTMLElement {
  return h('span', { class: `badge mode-${mode}`, 'data-mode': mode }, mode === 'canary' && percent != null ? `canary ${percent}%` : mode);
}

const READINESS_LABEL = { ready: 'ready', 'not-ready': 'not ready', unknown: 'unknown' } as const;

export function readinessBadge(r: Readiness): HTMLElement {
  const title = r.reasons.length ? r.reasons.join('\n') : `enough samples (${r.minSamples}) and a net match rate of at least ${r.minMatchRate}%`;
  return h('span', { class: `badge readiness-${r.state}`, 'data-readiness': r.state, title }, READINESS_LABEL[r.state]);
}

export function verdictBadge(v: Verdict): HTMLElement {
  return h('span', { class: `badge verdict-${v}`, 'data-verdict': v }, v);
}
