import { apiReader } from './api-reader.js';
import { CliError } from './cli-error.js';
import { adminClient } from './connection.js';
import { renderTableRefusal } from './guard-refusal.js';
import { planTable, renderPlan } from './table-plan.js';
/**
 * `strangler restore REV`: put an earlier rule table back in force, as a
 * new revision, so the history keeps the step. Routes it moves forward
 * meet the guard as `apply` does; moving back is never refused.
 */
export async function restoreRevision(rev, opts, out) {
    const n = Number(rev);
    if (!Number.isInteger(n) || n < 1)
        throw new CliError(`"${rev}" is not a revision number; \`strangler history\` lists them`);
    const client = await adminClient(opts);
    const reader = apiReader(client);
    const { inForce } = await reader.revisions(1);
    const [current, wanted] = await Promise.all([reader.revision(inForce), reader.revision(n)]);
    out(`restoring revision ${n} (from ${wanted.source} by ${wanted.author}: ${wanted.message}) over revision ${inForce}:\n${renderPlan(planTable(current.table, wanted.table))}`);
    if (opts.dryRun) {
        out('dry run: nothing restored');
        return;
    }
    const body = { reason: opts.reason ?? '' };
    if (opts.force)
        body.force = true;
    const res = await client.send('POST', `/api/revisions/${n}/restore`, body, [409]);
    if (res.status === 409)
        throw new CliError(renderTableRefusal(`restoring revision ${n}`, res.body, 'restore'));
    const ok = res.body;
    out(`restored revision ${ok.restored}: revision ${ok.revision} is in force`);
}
//# sourceMappingURL=restore-command.js.map