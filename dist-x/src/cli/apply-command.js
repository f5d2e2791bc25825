import path from 'node:path';
import { formatRuleErrors } from '../rules/load.js';
import { tableOf } from '../rules/rule-table.js';
import { readRuleFile } from '../router/rule-file-watch.js';
import { apiReader } from './api-reader.js';
import { CliError } from './cli-error.js';
import { adminClient, ledgerReader } from './connection.js';
import { renderTableRefusal } from './guard-refusal.js';
import { planTable, renderPlan } from './table-plan.js';
/**
 * `strangler apply FILE`: validate the file here (with file:line:column),
 * show what would change against the table in force, and unless
 * --dry-run, send the rule table (never the process settings) to the
 * admin API, where forward moves meet the same guard as `promote`.
 */
export async function applyFile(file, opts, out) {
    const loaded = await readRuleFile(file);
    if (!loaded.ok)
        throw new CliError(`${file} is not a valid rule file; nothing was applied\n${formatRuleErrors(loaded.errors)}`);
    const next = tableOf(loaded.rules);
    if (opts.dryRun && opts.db !== undefined) {
        // A plan needs no proxy: the database holds the latest revision.
        const reader = await ledgerReader(opts);
        try {
            const { inForce } = await reader.revisions(1);
            const current = inForce ? (await reader.revision(inForce)).table : undefined;
            out(planText(file, current, next, inForce, reader.where) + '\ndry run: nothing applied');
        }
        finally {
            reader.close();
        }
        return;
    }
    const client = await adminClient(opts);
    const reader = apiReader(client);
    const { inForce } = await reader.revisions(1);
    const current = (await reader.revision(inForce)).table;
    if (planTable(current, next).entries.length === 0) {
        out(`nothing to ${opts.dryRun ? 'plan' : 'apply'}: ${file} matches revision ${inForce}, in force at ${reader.where}`);
        return;
    }
    const text = planText(file, current, next, inForce, reader.where);
    if (opts.dryRun) {
        out(text + '\ndry run: nothing applied');
        return;
    }
    out(text);
    const params = new URLSearchParams({ message: opts.message ?? `apply ${path.basename(file)}` });
    if (opts.force)
        params.set('force', 'true');
    const res = await client.send('PUT', `/api/routes?${params}`, next, [409]);
    if (res.status === 409) {
        throw new CliError(renderTableRefusal(`the table in ${file}`, res.body, 'apply'));
    }
    const ok = res.body;
    out(`applied ${file}: revision ${ok.revision} is in force (${ok.routes.length} routes)`);
}
function planText(file, current, next, inForce, where) {
    if (!current)
        return `plan for ${file}: ${where} holds no revision yet; the whole table is new (${next.routes.length} routes)`;
    return `plan for ${file} against revision ${inForce} (${where}):\n${renderPlan(planTable(current, next))}`;
}
//# sourceMappingURL=apply-command.js.map