import { sideBySideHtml } from '../../report/side-by-side.js';
import { get, post } from './api.js';
import { modeBadge, readinessBadge, verdictBadge } from './badges.js';
import { reasonDialog } from './dialogs.js';
import { fill, h, markup } from './dom.js';
import { ago, endpointKey, int, pct } from './format.js';
const groupKey = (g) => `${g.path}|${g.kind}`;
const regressions = (e) => e.differences.filter((d) => d.verdict === 'regression').length;
/**
 * Per endpoint, what differed between legacy and the service: the
 * difference groups with their verdicts, stored samples side by side with
 * the differing paths highlighted, copy as curl, and "ignore this path".
 */
export function diffsPage(ctx) {
    let endpoints = [];
    let selected = ctx.params[0];
    const open = new Set();
    const chosen = new Map();
    // Samples and their curl commands never change once stored.
    const samples = new Map();
    const fetching = new Set();
    const curls = new Map();
    const shownCurl = new Map();
    const list = h('nav', { class: 'endpoint-list', 'aria-label': 'Endpoints compared' });
    const detail = h('div', { class: 'endpoint-detail' });
    fill(ctx.root, h('h1', null, 'Diffs'), h('div', { class: 'split' }, list, detail));
    function drawList() {
        const shown = endpoints.filter((e) => e.compared > 0 || e.differences.length > 0).sort((a, b) => regressions(b) - regressions(a) || b.differences.length - a.differences.length || a.path.localeCompare(b.path));
        fill(list, shown.length
            ? h('ul', null, shown.map((e) => h('li', { class: endpointKey(e) === selected ? 'current' : '' }, h('a', { href: `#/diffs/${encodeURIComponent(endpointKey(e))}`, 'data-endpoint': endpointKey(e) }, h('code', null, endpointKey(e)), h('span', { class: 'list-meta' }, readinessBadge(e.readiness), ` ${e.differences.length} group${e.differences.length === 1 ? '' : 's'}`)))))
            : h('p', { class: 'empty' }, 'No shadow comparisons in this window. Put a route in shadow mode to compare its service with legacy.'));
    }
    function ignoreDialog(e, g) {
        const route = e.route;
        reasonDialog({
            title: `Ignore ${g.path} on route ${route}?`,
            text: [
                'From now on the shadow comparisons of every endpoint of ',
                h('strong', null, route),
                ' leave ',
                h('code', null, g.path),
                ' out. This makes a new revision of the rules (see History); the comparisons already recorded keep their counts.',
            ],
            reason: `${g.path} differs by design`,
            confirm: 'Ignore this path',
            submit: async (reason) => {
                const r = await post(`/api/routes/${encodeURIComponent(route)}/ignore`, { path: g.path, reason });
                ctx.flash(r.unchanged
                    ? [`Route ${route} already ignores `, h('code', null, g.path), ': nothing changed.']
                    : [`Revision ${r.revision}: route ${route} now ignores `, h('code', null, g.path), ' in shadow comparisons. ', h('a', { href: '#/history' }, 'See it in History')]);
                ctx.changed();
            },
        });
    }
    async function showCurl(id, side) {
        if (!curls.has(id))
            curls.set(id, await get(`/api/samples/${id}/curl`));
        shownCurl.set(id, side);
        drawDetail();
        const c = curls.get(id)[side];
        // The clipboard needs the page's focus and permission; the command is on the page either way.
        if (c)
            navigator.clipboard?.writeText(c.command).then(() => ctx.flash(`Copied the curl command for sample ${id} against ${c.target}.`), () => undefined);
    }
    function sampleView(g) {
        const id = chosen.get(groupKey(g)) ?? g.samples[0];
        if (id === undefined)
            return h('p', { class: 'empty' }, 'No stored sample shows this group (samples are kept for the first comparisons of each kind).');
        const s = samples.get(id);
        if (!s && !fetching.has(id)) {
            fetching.add(id);
            get(`/api/samples/${id}`)
                .then((x) => (samples.set(id, x), drawDetail()), (err) => ctx.flash(`Sample ${id}: ${err.message}`, 'error'))
                .finally(() => fetching.delete(id));
        }
        const curl = curls.get(id);
        const side = shownCurl.get(id);
        const command = curl && side ? curl[side] : null;
        return h('div', { class: 'samples', 'data-sample': id }, h('div', { class: 'sample-tabs', role: 'tablist' }, 'Samples: ', g.samples.map((sid) => h('button', { type: 'button', role: 'tab', 'aria-selected': sid === id ? 'true' : 'false', onclick: () => (chosen.set(groupKey(g), sid), drawDetail()) }, `#${sid}`))), s
            ? [
                h('p', { class: 'sample-meta' }, h('code', null, `${s.request.method} ${s.request.url}`), ` · ${ago(s.at)} · ${s.outcome}`),
                markup('div', null, sideBySideHtml(s)),
                h('div', { class: 'curl-buttons' }, h('button', { type: 'button', onclick: () => void showCurl(id, 'legacy') }, 'Copy as curl: legacy'), h('button', { type: 'button', onclick: () => void showCurl(id, 'service') }, `Copy as curl: ${s.target === 'legacy' ? 'service' : s.target}`)),
                command ? h('pre', { class: 'curl', 'data-side': side }, command.command) : null,
                curl && side && !command ? h('p', { class: 'note' }, 'The service of this sample is no longer in the rules.') : null,
            ]
            : h('p', { class: 'note' }, 'Loading the sample…'));
    }
    function drawDetail() {
        const e = endpoints.find((x) => endpointKey(x) === selected);
        if (!e) {
            fill(detail, h('p', { class: 'empty' }, selected ? `No endpoint ${selected} in this window.` : 'Pick an endpoint to see what differed.'));
            return;
        }
        fill(detail, h('h2', null, h('code', null, endpointKey(e))), h('p', { class: 'endpoint-facts' }, e.route ? `route ${e.route} · ` : 'no route · ', modeBadge(e.mode), ' ', readinessBadge(e.readiness), ` · ${int(e.compared)} compared · net match ${pct(e.netMatchRate)} · match ${pct(e.matchRate)}`), e.readiness.reasons.length ? h('ul', { class: 'reasons' }, e.readiness.reasons.map((r) => h('li', null, r))) : null, e.differences.length
            ? e.differences.map((g) => {
                const isOpen = open.has(groupKey(g));
                return h('section', { class: 'group', 'data-group': g.path, 'data-kind': g.kind }, h('div', { class: 'group-head' }, h('code', { class: 'group-path' }, g.path), h('span', { class: 'kind' }, g.kind), verdictBadge(g.verdict), h('span', { class: 'counts', title: 'r: against the service; n: legacy against itself, scaled to the compared requests' }, `${int(g.count)} of ${int(e.compared)} · noise ${g.noise}`), h('span', { class: 'spacer' }), h('button', { type: 'button', 'aria-expanded': String(isOpen), onclick: () => (isOpen ? open.delete(groupKey(g)) : open.add(groupKey(g)), drawDetail()) }, isOpen ? 'Hide samples' : `Show samples (${g.samples.length})`), h('button', { type: 'button', disabled: !e.route, title: e.route ? `add ${g.path} to the compare.ignore of route ${e.route}` : 'no route claims this endpoint', onclick: () => ignoreDialog(e, g) }, 'Ignore this path')), isOpen ? sampleView(g) : null);
            })
            : h('p', { class: 'empty' }, 'Nothing differed: every comparison matched.'));
    }
    return {
        async load() {
            selected = ctx.params[0];
            endpoints = (await get(`/api/report?since=${ctx.since()}`)).endpoints;
            if (!selected) {
                const first = endpoints.filter((e) => e.differences.length).sort((a, b) => regressions(b) - regressions(a))[0];
                selected = first ? endpointKey(first) : undefined;
            }
            drawList();
            drawDetail();
        },
    };
}
//# sourceMappingURL=diffs-page.js.map