import { ApiError } from './api.js';
import { problemOf } from './dialogs.js';
import { h } from './dom.js';
import { int, pct } from './format.js';
/** The evidence the guard weighed, next to what it asks for: the same facts a refusal and the Routes page show. */
export function evidenceTable(e, guard) {
    const failures = Object.entries(e.failures ?? {}).filter(([, n]) => n > 0);
    const row = (label, value, needs) => h('tr', null, h('th', { scope: 'row' }, label), h('td', { class: 'num' }, value), h('td', { class: 'needs' }, needs ?? ''));
    return h('table', { class: 'evidence' }, h('thead', null, h('tr', null, h('th', null, `Evidence, last ${e.window}`), h('th', null, 'measured'), h('th', null, 'the guard needs'))), h('tbody', null, row('compared samples', int(e.compared), `at least ${int(guard.minSamples)}`), row('net match rate', pct(e.netMatchRate), `at least ${guard.minMatchRate}%`), row('failed copies', e.failureRate == null ? '–' : `${e.failureRate}%`, 'at most 1% per category'), failures.length ? row('failures', failures.map(([k, n]) => `${k}: ${n}`).join(', ')) : null, row('regression groups', String(e.regressions?.length ?? 0), 'none'), row('requests', `${int(e.requests)}${Object.keys(e.byTarget).length ? ` (${Object.entries(e.byTarget).map(([t, n]) => `${t} ${int(n)}`).join(', ')})` : ''}`)));
}
/** A 409 from the guard: what it refused, why, and on what evidence. */
export function refusalView(err) {
    if (!(err instanceof ApiError) || err.status !== 409)
        return problemOf(err);
    const body = err.body;
    const checks = body.check ? [body.check] : (body.checks ?? []);
    if (!checks.length)
        return problemOf(err);
    return h('div', { class: 'refusal', 'data-refusal': '' }, h('p', { class: 'problem-title' }, body.error ?? 'the guard refuses'), checks.map((c) => [
        h('ul', { class: 'reasons' }, c.reasons.map((r) => h('li', null, r))),
        // The reasons name three regression groups at most; the rest are listed here.
        (c.evidence.regressions?.length ?? 0) > 3 ? h('p', null, 'All regression groups: ', c.evidence.regressions.map((r, i) => [i ? ', ' : '', h('code', null, r)])) : null,
        c.evidence.note ? h('p', { class: 'note' }, c.evidence.note) : null,
        evidenceTable(c.evidence, c.guard),
    ]), h('p', { class: 'note' }, 'A move back is never refused. To go on anyway, tick "force past the guard": the change is recorded as forced, with this evidence.'));
}
//# sourceMappingURL=guard-refusal.js.map