import { MODES } from '../rules/schema.js';
import { CliError } from './cli-error.js';
import { adminClient } from './connection.js';
import { describeMode } from './describe-route.js';
import { renderEvidence } from './guard-refusal.js';
/**
 * `strangler promote ROUTE MODE`: one route to another mode through the
 * admin API. Forward moves meet the guard; a refusal shows the evidence
 * it weighed and exits 1. Moving back is never refused: a rollback is one
 * command that does not wait for evidence.
 */
export async function promoteRoute(route, mode, opts, out) {
    if (!MODES.includes(mode))
        throw new CliError(`mode "${mode}" is not one of ${MODES.join(', ')}`);
    const to = mode;
    if (opts.percent !== undefined && to !== 'canary')
        throw new CliError(`--percent is for canary; ${to} takes no share`);
    const client = await adminClient(opts);
    const view = await client.get('/api/routes');
    const current = view.routes.find((r) => r.name === route);
    if (!current) {
        const names = view.routes.map((r) => r.name);
        throw new CliError(`no route named "${route}" in revision ${view.revision}${names.length ? ` (routes: ${names.join(', ')})` : ''}`);
    }
    const target = { mode: to, canary: to === 'canary' ? { percent: opts.percent ?? current.canary?.percent ?? 0 } : undefined };
    if (to === 'canary' && opts.percent === undefined && current.canary?.percent === undefined) {
        throw new CliError(`canary needs a share: add --percent N (0 to 100)`);
    }
    const from = describeMode(current);
    const next = describeMode(target);
    if (from === next) {
        out(`${route} is already ${from} in revision ${view.revision}; nothing to do`);
        return;
    }
    const res = await client.send('POST', `/api/routes/${encodeURIComponent(route)}/mode`, { mode: to, percent: to === 'canary' ? target.canary.percent : undefined, reason: opts.reason ?? 'no reason given', force: opts.force === true }, [409]);
    if (res.status === 409) {
        const refusal = res.body;
        const reasons = (refusal.check?.reasons ?? []).map((r) => `\n  ${r}`).join('');
        const evidence = refusal.check ? `\n${renderEvidence(refusal.check)}` : '';
        throw new CliError(`${refusal.error}${reasons}${evidence}\nto promote anyway, add --force: the override is recorded with this evidence`);
    }
    const ok = res.body;
    const kind = ok.check.direction === 'back' ? 'rolled back' : 'promoted';
    out(`${kind} ${route}: ${from} → ${next}; revision ${ok.revision} is in force`);
    if (ok.check.forced)
        out(`forced past the guard, recorded with the evidence:${ok.check.reasons.map((r) => `\n  ${r}`).join('')}`);
}
//# sourceMappingURL=promote-command.js.map