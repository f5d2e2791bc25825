import { byTarget, formatPairs, percent } from './text-table.js';
/** The evidence behind a guard's decision, as `promote` and `apply` show it when the guard refuses. */
export function renderEvidence(check) {
    const e = check.evidence;
    const pairs = [
        ['requests', `${e.requests}${e.requests ? ` (${byTarget(e.byTarget)})` : ''}`],
        ['compared', `${e.compared} shadow comparisons`],
        ['net match', e.netMatchRate === null ? 'none yet' : percent(e.netMatchRate)],
        ['guard needs', `${check.guard.minSamples} samples, ${check.guard.minMatchRate}% net match`],
    ];
    if (e.note)
        pairs.push(['note', e.note]);
    return `evidence for ${e.route} (last ${e.window}):\n${formatPairs(pairs, '  ')}`;
}
/** A 409 from PUT /api/routes or a restore: each refused route's reasons and evidence, and the way past. */
export function renderTableRefusal(what, body, retry) {
    const reasons = (body.errors ?? []).map((i) => `\n  ${i.path ? `${i.path}: ` : ''}${i.message}`).join('');
    const evidence = (body.checks ?? []).map((c) => `\n${renderEvidence(c)}`).join('');
    return `the guard refuses ${what}; nothing was changed${reasons}${evidence}\nto go ahead anyway, add --force to ${retry}: the override is recorded with this evidence`;
}
//# sourceMappingURL=guard-refusal.js.map