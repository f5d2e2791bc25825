import { canonicalJson } from '../rules/rule-table.js';
import { describeMatch, describeMode, describeTarget } from './describe-route.js';
const same = (a, b) => canonicalJson(a ?? null) === canonicalJson(b ?? null);
const json = (v) => (v === undefined ? '(none)' : typeof v === 'string' ? v : JSON.stringify(v));
function routeChanges(old, next) {
    const out = [];
    if (old.mode !== next.mode || (next.mode === 'canary' && old.canary?.percent !== next.canary?.percent)) {
        out.push(`mode: ${describeMode(old)} → ${describeMode(next)}`);
    }
    if (!same(old.match, next.match))
        out.push(`match: ${describeMatch(old.match)} → ${describeMatch(next.match)}`);
    if (old.service !== next.service)
        out.push(`service: ${old.service ?? '(none)'} → ${next.service ?? '(none)'}`);
    if (old.canary?.stickyBy !== next.canary?.stickyBy)
        out.push(`canary.stickyBy: ${old.canary?.stickyBy ?? '(per request)'} → ${next.canary?.stickyBy ?? '(per request)'}`);
    // Fields not spelled above, compared as data so that a new schema field never goes unnoticed.
    const spelled = new Set(['name', 'mode', 'match', 'service', 'canary']);
    const keys = new Set([...Object.keys(old), ...Object.keys(next)].filter((k) => !spelled.has(k)));
    for (const k of [...keys].sort()) {
        const a = old[k];
        const b = next[k];
        if (!same(a, b))
            out.push(`${k}: ${json(a)} → ${json(b)}`);
    }
    return out;
}
export function planTable(current, next) {
    const entries = [];
    if (!same(current.legacy, next.legacy)) {
        entries.push({ change: 'changed', subject: 'legacy', details: [`${describeTarget(current.legacy)} → ${describeTarget(next.legacy)}`] });
    }
    const oldServices = current.services ?? {};
    const newServices = next.services ?? {};
    for (const [name, t] of Object.entries(newServices)) {
        if (!(name in oldServices))
            entries.push({ change: 'added', subject: `service ${name}`, details: [describeTarget(t)] });
        else if (!same(oldServices[name], t)) {
            entries.push({ change: 'changed', subject: `service ${name}`, details: [`${describeTarget(oldServices[name])} → ${describeTarget(t)}`] });
        }
    }
    for (const name of Object.keys(oldServices)) {
        if (!(name in newServices))
            entries.push({ change: 'removed', subject: `service ${name}`, details: [] });
    }
    for (const key of ['guard', 'forwarded', 'via']) {
        if (!same(current[key], next[key]))
            entries.push({ change: 'changed', subject: key, details: [`${json(current[key])} → ${json(next[key])}`] });
    }
    const before = new Map(current.routes.map((r) => [r.name, r]));
    const after = new Map(next.routes.map((r) => [r.name, r]));
    let unchangedRoutes = 0;
    for (const r of next.routes) {
        const old = before.get(r.name);
        if (!old) {
            entries.push({ change: 'added', subject: `route ${r.name}`, details: [`${describeMode(r)}${r.service ? ` → ${r.service}` : ''}, ${describeMatch(r.match)}`] });
            continue;
        }
        const details = routeChanges(old, r);
        if (details.length)
            entries.push({ change: 'changed', subject: `route ${r.name}`, details });
        else
            unchangedRoutes++;
    }
    for (const r of current.routes) {
        if (!after.has(r.name))
            entries.push({ change: 'removed', subject: `route ${r.name}`, details: [`was ${describeMode(r)}, ${describeMatch(r.match)}`] });
    }
    // File order breaks ties between equally specific routes, so a reorder can change who answers.
    const kept = (routes, other) => routes.filter((r) => other.has(r.name)).map((r) => r.name);
    const oldOrder = kept(current.routes, after);
    const newOrder = kept(next.routes, before);
    if (oldOrder.join('\n') !== newOrder.join('\n')) {
        entries.push({ change: 'changed', subject: 'route order', details: [`${oldOrder.join(', ')} → ${newOrder.join(', ')}`] });
    }
    return { entries, unchangedRoutes };
}
const SIGN = { added: '+', removed: '-', changed: '~' };
export function renderPlan(plan) {
    if (plan.entries.length === 0)
        return 'no changes';
    const lines = [];
    for (const e of plan.entries) {
        if (e.change === 'changed' && e.details.length > 1) {
            lines.push(`  ~ ${e.subject}`);
            for (const d of e.details)
                lines.push(`      ${d}`);
        }
        else {
            lines.push(`  ${SIGN[e.change]} ${e.subject}${e.details[0] ? `: ${e.details[0]}` : ''}`);
        }
    }
    const count = (c) => plan.entries.filter((e) => e.change === c && e.subject.startsWith('route ') && e.subject !== 'route order').length;
    lines.push(`routes: ${count('added')} added, ${count('removed')} removed, ${count('changed')} changed, ${plan.unchangedRoutes} unchanged`);
    return lines.join('\n');
}
//# sourceMappingURL=table-plan.js.map