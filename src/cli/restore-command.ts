import { apiReader } from './api-reader.js';
import { CliError } from './cli-error.js';
import { adminClient, type ConnectionOptions } from './connection.js';
import { renderTableRefusal } from './guard-refusal.js';
import { planTable, renderPlan } from './table-plan.js';

export interface RestoreOptions extends ConnectionOptions {
  reason?: string;
  dryRun?: boolean;
  force?: boolean;
}

type TableRefusal = Parameters<typeof renderTableRefusal>[1];

/**
 * `strangler restore REV`: put an earlier rule table back in force, as a
 * new revision, so the history keeps the step. Routes it moves forward
 * meet the guard as `apply` does; moving back is never refused.
 */
export async function restoreRevision(rev: string, opts: RestoreOptions, out: (s: string) => void): Promise<void> {
  const n = Number(rev);
  if (!Number.isInteger(n) || n < 1) throw new CliError(`"${rev}" is not a revision number; \`strangler history\` lists them`);
  const client = await adminClient(opts);
  const reader = apiReader(client);
  const { inForce } = await reader.revisions(1);
  const [current, wanted] = await Promise.all([reader.revision(inForce), reader.revision(n)]);
  out(`restoring revision ${n} (from ${wanted.source} by ${wanted.author}: ${wanted.message}) over revision ${inForce}:\n${renderPlan(planTable(current.table, wanted.table))}`);
  if (opts.dryRun) {
    out('dry run: nothing restored');
    return;
  }
  const body: Record<string, unknown> = { reason: opts.reason ?? '' };
  if (opts.force) body.force = true;
  const res = await client.send<{ revision: number; restored: number } | TableRefusal>('POST', `/api/revisions/${n}/restore`, body, [409]);
  if (res.status === 409) throw new CliError(renderTableRefusal(`restoring revision ${n}`, res.body as TableRefusal, 'restore'));
  const ok = res.body as { revision: number; restored: number };
  out(`restored revision ${ok.restored}: revision ${ok.revision} is in force`);
}
