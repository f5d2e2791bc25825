import { get } from './api.js';
import { modeBadge, readinessBadge } from './badges.js';
import { fill, h } from './dom.js';
import { endpointKey, int, pct } from './format.js';
const READINESS_ORDER = { 'not-ready': 0, unknown: 1, ready: 2 };
const MODE_ORDER = { legacy: 0, shadow: 1, canary: 2, service: 3, retired: 4 };
const COLUMNS = [
    { key: 'endpoint', label: 'Endpoint', value: (e) => `${e.path} ${e.method}` },
    { key: 'route', label: 'Route', value: (e) => e.route ?? '' },
    { key: 'mode', label: 'Mode', value: (e) => MODE_ORDER[e.mode] },
    { key: 'requests', label: 'Requests', num: true, value: (e) => e.requests },
    { key: 'compared', label: 'Compared', num: true, value: (e) => e.compared },
    { key: 'net', label: 'Net match', num: true, value: (e) => e.netMatchRate ?? -1 },
    { key: 'readiness', label: 'Readiness', value: (e) => READINESS_ORDER[e.readiness.state] },
    { key: 'groups', label: 'Differences', num: true, value: (e) => e.differences.length },
];
/** Every endpoint with its mode and readiness, to sort and filter; and the legacy ones ranked by traffic, as the work queue. */
export function endpointsPage(ctx) {
    let rows = [];
    let sort = { key: 'requests', dir: -1 };
    const text = h('input', { type: 'search', placeholder: 'Filter: path, method or route', 'aria-label': 'Filter endpoints', oninput: () => draw() });
    const mode = h('select', { 'aria-label': 'Mode', onchange: () => draw() }, h('option', { value: '' }, 'every mode'), Object.keys(MODE_ORDER).map((m) => h('option', { value: m }, m)));
    const ready = h('select', { 'aria-label': 'Readiness', onchange: () => draw() }, h('option', { value: '' }, 'any readiness'), ['ready', 'not-ready', 'unknown'].map((r) => h('option', { value: r }, r)));
    const table = h('div');
    const queue = h('div');
    fill(ctx.root, h('h1', null, 'Endpoints'), h('div', { class: 'toolbar' }, text, mode, ready), table, h('section', null, h('h2', null, 'Work queue: legacy endpoints by traffic'), h('p', { class: 'note' }, 'What no route has taken from legacy yet, busiest first: the next candidates for a service.'), queue));
    function draw() {
        const q = text.value.trim().toLowerCase();
        const col = COLUMNS.find((c) => c.key === sort.key);
        const shown = rows
            .filter((e) => (!q || `${e.method} ${e.path} ${e.route ?? ''}`.toLowerCase().includes(q)) && (!mode.value || e.mode === mode.value) && (!ready.value || e.readiness.state === ready.value))
            .sort((a, b) => {
            const x = col.value(a);
            const y = col.value(b);
            return (typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y))) * sort.dir || a.path.localeCompare(b.path);
        });
        const header = COLUMNS.map((c) => h('th', { class: c.num ? 'num sortable' : 'sortable', 'aria-sort': c.key === sort.key ? (sort.dir > 0 ? 'ascending' : 'descending') : 'none', scope: 'col' }, h('button', { type: 'button', onclick: () => ((sort = { key: c.key, dir: c.key === sort.key ? -sort.dir : c.num ? -1 : 1 }), draw()) }, c.label)));
        fill(table, h('p', { class: 'note' }, `${shown.length} of ${rows.length} endpoints`), h('table', { class: 'data', 'data-table': 'endpoints' }, h('thead', null, h('tr', null, header)), h('tbody', null, shown.map((e) => h('tr', { 'data-endpoint': endpointKey(e) }, h('td', null, h('code', null, endpointKey(e))), h('td', null, e.route ?? '–'), h('td', null, modeBadge(e.mode)), h('td', { class: 'num' }, int(e.requests)), h('td', { class: 'num' }, int(e.compared)), h('td', { class: 'num' }, pct(e.netMatchRate)), h('td', null, readinessBadge(e.readiness), e.readiness.reasons.length ? h('div', { class: 'reasons-inline' }, e.readiness.reasons[0]) : null), h('td', { class: 'num' }, e.differences.length ? h('a', { href: `#/diffs/${encodeURIComponent(endpointKey(e))}` }, `${e.differences.length} →`) : '0'))))));
        const legacy = rows.filter((e) => e.mode === 'legacy').sort((a, b) => b.requests - a.requests || a.path.localeCompare(b.path));
        fill(queue, legacy.length
            ? h('table', { class: 'data', 'data-table': 'work-queue' }, h('thead', null, h('tr', null, h('th', { class: 'num' }, '#'), h('th', null, 'Endpoint'), h('th', null, 'Route'), h('th', { class: 'num' }, 'Requests'))), h('tbody', null, legacy.map((e, i) => h('tr', null, h('td', { class: 'num' }, i + 1), h('td', null, h('code', null, endpointKey(e))), h('td', null, e.route ?? '–'), h('td', { class: 'num' }, int(e.requests))))))
            : h('p', { class: 'empty' }, 'Every known endpoint has left legacy.'));
    }
    return {
        async load() {
            rows = (await get(`/api/report?since=${ctx.since()}`)).endpoints;
            draw();
        },
    };
}
//# sourceMappingURL=endpoints-page.js.map