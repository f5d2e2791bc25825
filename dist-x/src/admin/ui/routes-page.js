import { get, post } from './api.js';
import { modeBadge, readinessBadge } from './badges.js';
import { openModal, reasonDialog } from './dialogs.js';
import { fill, h } from './dom.js';
import { int, pct } from './format.js';
import { evidenceTable, refusalView } from './guard-refusal.js';
const MODES = ['legacy', 'shadow', 'canary', 'service', 'retired'];
const describeMode = (mode, percent) => (mode === 'canary' ? `canary ${percent ?? 0}%` : mode);
/** Each route with its mode and the guard's evidence; change a mode (the guard may refuse, and says why) or roll back. */
export function routesPage(ctx) {
    const list = h('div');
    fill(ctx.root, h('h1', null, 'Routes'), h('p', { class: 'note' }, 'Moving forward (to canary, a larger canary share, or service) needs shadow evidence over the guard; moving back never waits.'), list);
    async function setMode(route, mode, percent, reason, force) {
        const answer = await post(`/api/routes/${encodeURIComponent(route.name)}/mode`, { mode, ...(mode === 'canary' ? { percent } : {}), reason, ...(force ? { force } : {}) });
        const to = describeMode(mode, percent);
        ctx.flash(answer.unchanged ? `${route.name} is already in ${to}: nothing changed.` : `Revision ${answer.revision}: ${route.name} ${describeMode(route.mode, route.canary?.percent)} → ${to}${force ? ' (forced)' : ''}.`);
        ctx.changed();
    }
    function changeDialog(route, ev) {
        openModal(`Change the mode of ${route.name}`, (m) => {
            const mode = h('select', { name: 'mode' }, MODES.map((x) => h('option', { value: x, selected: x === route.mode }, x)));
            const percent = h('input', { type: 'number', name: 'percent', min: 0, max: 100, step: 1, value: route.canary?.percent ?? 10 });
            const syncPercent = () => (percent.disabled = mode.value !== 'canary');
            mode.addEventListener('change', syncPercent);
            syncPercent();
            const reason = h('textarea', { name: 'reason', rows: 2, required: true, placeholder: 'why, for the history' });
            const force = h('input', { type: 'checkbox', name: 'force' });
            const button = h('button', { type: 'submit', class: 'primary' }, 'Apply');
            const form = h('form', { method: 'dialog' }, h('div', { class: 'dialog-text' }, 'Now ', modeBadge(route.mode, route.canary?.percent), route.service ? ` · service ${route.service}` : ''), h('div', { class: 'row' }, h('label', null, 'Mode', mode), h('label', null, 'Canary percent', percent)), h('label', null, 'Reason (kept in the history)', reason), h('label', { class: 'check' }, force, 'force past the guard (recorded as forced)'), ev ? h('details', null, h('summary', null, 'Evidence the guard will weigh'), evidenceTable(ev.evidence, ev.guard)) : null, h('div', { class: 'actions' }, h('button', { type: 'button', onclick: () => m.close() }, 'Cancel'), button));
            form.addEventListener('submit', (e) => {
                e.preventDefault();
                button.disabled = true;
                fill(m.problem);
                setMode(route, mode.value, Number(percent.value), reason.value.trim(), force.checked).then(() => m.close(), (err) => {
                    button.disabled = false;
                    fill(m.problem, refusalView(err));
                });
            });
            return form;
        });
    }
    function rollbackDialog(route) {
        reasonDialog({
            title: `Roll back ${route.name} to legacy?`,
            text: [`Legacy answers every request of ${route.name} at once (now `, modeBadge(route.mode, route.canary?.percent), '). A move back is never refused by the guard.'],
            reason: 'rollback from the dashboard',
            confirm: 'Roll back',
            danger: true,
            submit: (reason) => setMode(route, 'legacy', undefined, reason || 'rollback from the dashboard', false),
            explain: refusalView,
        });
    }
    return {
        async load() {
            const { routes } = await get('/api/routes');
            const evidence = await Promise.all(routes.map((r) => get(`/api/routes/${encodeURIComponent(r.name)}/evidence`).catch(() => undefined)));
            fill(list, routes.length
                ? h('table', { class: 'data', 'data-table': 'routes' }, h('thead', null, h('tr', null, ['Route', 'Match', 'Service', 'Mode', 'Readiness', 'Evidence (24h)', ''].map((c) => h('th', { scope: 'col' }, c)))), h('tbody', null, routes.map((r, i) => {
                    const ev = evidence[i];
                    return h('tr', { 'data-route': r.name }, h('td', null, h('strong', null, r.name)), h('td', null, h('code', null, `${r.match.methods?.join(',') ?? '*'} ${r.match.path ?? '/**'}`)), h('td', null, r.service ?? '–'), h('td', null, modeBadge(r.mode, r.canary?.percent)), h('td', null, ev ? readinessBadge(ev.readiness) : '–'), h('td', { class: 'num' }, ev ? `${int(ev.evidence.compared)} compared · ${pct(ev.evidence.netMatchRate)} net` : '–'), h('td', { class: 'actions-cell' }, h('button', { type: 'button', onclick: () => changeDialog(r, ev) }, 'Change mode…'), r.mode !== 'legacy' ? h('button', { type: 'button', class: 'danger', onclick: () => rollbackDialog(r) }, 'Roll back') : null));
                })))
                : h('p', { class: 'empty' }, 'No routes yet: every request goes to legacy. Add routes in the rule file.'));
        },
    };
}
//# sourceMappingURL=routes-page.js.map