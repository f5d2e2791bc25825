import { ApiError } from './api.js';
import { h, fill } from './dom.js';
export function openModal(title, content) {
    const el = h('dialog', { class: 'modal', 'aria-label': title });
    const problem = h('div', { class: 'problem', role: 'alert' });
    const m = { el, problem, close: () => el.close() };
    el.addEventListener('close', () => el.remove());
    fill(el, h('h2', null, title), content(m), problem);
    document.body.appendChild(el);
    el.showModal();
    return m;
}
/** A field error list or a plain message for the dialog's problem area. */
export function problemOf(err) {
    if (!(err instanceof ApiError))
        return h('p', null, err.message);
    const errors = err.body.errors ?? [];
    return [h('p', { class: 'problem-title' }, String(err.body.error ?? `HTTP ${err.status}`)), errors.length ? h('ul', null, errors.map((e) => h('li', null, e.path ? h('code', null, e.path) : null, e.path ? ': ' : null, e.message))) : null];
}
export function reasonDialog(d) {
    return openModal(d.title, (m) => {
        const reason = h('textarea', { name: 'reason', rows: 2, required: true }, d.reason);
        const button = h('button', { type: 'submit', class: d.danger ? 'danger' : 'primary' }, d.confirm);
        const force = h('input', { type: 'checkbox', name: 'force' });
        const form = h('form', { method: 'dialog' }, h('div', { class: 'dialog-text' }, d.text), h('label', null, 'Reason (kept in the history)', reason), d.forceable ? h('label', { class: 'check' }, force, 'force past the guard (recorded as forced)') : null, h('div', { class: 'actions' }, h('button', { type: 'button', onclick: () => m.close() }, 'Cancel'), button));
        form.addEventListener('submit', (e) => {
            e.preventDefault();
            button.disabled = true;
            d.submit(reason.value.trim(), force.checked).then(() => m.close(), (err) => {
                button.disabled = false;
                fill(m.problem, d.explain?.(err) ?? problemOf(err));
            });
        });
        return form;
    });
}
//# sourceMappingURL=dialogs.js.map